import Foundation

/// Runs the checks of design.md §5 on a synthesis, or on any one-hidden-layer quadratic network.
public struct Verifier {
    /// The safety constant K of the tolerances `K · (n + m + 2) · (ε · magnitude + η)`.
    public static let safetyFactor = 32.0
    /// The accuracy τ of design.md §5's contract for float64 input: PASSED networks agree with f
    /// within τ times f's scale.
    public static let defaultAccuracy = 1e-10
    /// τ for float32 input (its own rounding is ~6e-8).
    public static let defaultFloat32Accuracy = 1e-4

    /// τ for input read at `precision`, unless `given`.
    public static func accuracy(for precision: InputPrecision, given: Double?) -> Double {
        given ?? (precision == .float64 ? defaultAccuracy : defaultFloat32Accuracy)
    }

    /// The unit roundoff u = ε/2 of the Double arithmetic the checks themselves run in: the bounds
    /// on what the measurement of an error can miss are `(terms + a few)·u·magnitude` (design.md §5).
    static let checkRoundoff = Double.ulpOfOne / 2
    /// η, the smallest positive (subnormal) Double: every operation whose result underflows adds
    /// up to η/2 of absolute error, so the tolerances carry `K · (n + m + 2) · η` besides the
    /// relative term and subnormal forms verify like any other (design.md §5).
    public static let underflowUnit = Double.leastNonzeroMagnitude

    let synthesis: VerificationSubject

    /// A verifier for `synthesis`.
    public init(synthesis: Synthesis) { self.synthesis = VerificationSubject(synthesis) }

    /// A verifier for a synthesis known by what verification needs of it (`quadform-mpi`'s, whose
    /// matrix is distributed); `run(reference:)` then takes the form's side computed elsewhere.
    public init(subject: VerificationSubject) { self.synthesis = subject }

    /// The sample points: the origin, up to 8 scaled unit vectors, `randomSamples` points uniform in
    /// `[−R, R]ⁿ`, and 4 points of magnitude `farRadius` (1000·R unless given; one row each).
    public static func samplePoints(dimension n: Int, radius: Double, random count: Int, seed: UInt64, farRadius: Double? = nil) -> Matrix {
        let far = farRadius ?? 1000 * radius
        var rng = SplitMix64(seed: seed)
        var rows: [[Double]] = [[Double](repeating: 0, count: n)]
        for i in 0..<min(n, 8) {
            var e = [Double](repeating: 0, count: n)
            e[i] = radius
            rows.append(e)
        }
        for _ in 0..<count { rows.append((0..<n).map { _ in radius * (2 * rng.nextUnit() - 1) }) }
        if n > 0 {
            for _ in 0..<4 {
                let g = (0..<n).map { _ in rng.nextGaussian() }
                let norm = max(Vector.norm(g), 1e-300)
                rows.append(g.map { far * $0 / norm })
            }
        }
        return Matrix(rowArrays: rows, columns: n)
    }

    /// Largest n for which A' is expanded in full (O(n²m)); above it, A' is compared with A through
    /// random probes `A'v` against `Av`, O(nm + n²) each, so verification never adds O(n³).
    public static let fullExpansionLimit = 256
    /// Number of random probe vectors above `fullExpansionLimit`.
    public static let probeCount = 8

    /// The sample points of a verification with these options (`samplePoints`), the far ones at
    /// `farRadius` (1000·R unless given).
    public static func samplePoints(dimension n: Int, options: SynthesisOptions, farRadius: Double? = nil) -> Matrix {
        samplePoints(dimension: n, radius: options.boxRadius, random: options.randomSamples, seed: options.seed, farRadius: farRadius)
    }

    /// The sample points of `subject`'s verification (its box, count, seed and far radius).
    public static func samplePoints(for subject: VerificationSubject) -> Matrix {
        samplePoints(dimension: subject.dimension, options: subject.options, farRadius: subject.farSampleRadius)
    }

    /// The sample points of `synthesis`'s verification.
    public static func samplePoints(for synthesis: Synthesis) -> Matrix {
        samplePoints(for: VerificationSubject(synthesis))
    }

    /// The probe vectors V (one per row) that replace the full expansion of A' above
    /// `fullExpansionLimit`: `probeCount` Gaussian vectors from the seed; none at or below it.
    public static func probes(dimension n: Int, seed: UInt64) -> Matrix {
        guard n > Verifier.fullExpansionLimit else { return Matrix(rows: 0, columns: n) }
        var rng = SplitMix64(seed: seed &+ 0x5EED)
        return Matrix(rows: Verifier.probeCount, columns: n, entries: (0..<(Verifier.probeCount * n)).map { _ in rng.nextGaussian() })
    }

    /// The points, then the probes, as the rows of one matrix (one product with A for both).
    public static func stack(_ points: Matrix, _ probes: Matrix) -> Matrix {
        Matrix(rows: points.rows + probes.rows, columns: points.columns, entries: points.entries + probes.entries)
    }

    /// Runs both checks on both networks.
    public func run() throws -> VerificationReport {
        let points = Verifier.samplePoints(for: synthesis)
        return try run(reference: Reference(synthesis: synthesis, points: points))
    }

    /// Runs both checks on both networks with the form's side already computed (`reference`, on
    /// the points of `samplePoints(dimension:options:)`).
    public func run(reference: Reference) throws -> VerificationReport {
        let points = reference.points
        var products = ProductCache()
        let residual = try check(synthesis.residual, name: "residual", points: points, reference: reference, cache: &products)
        let plain = try check(synthesis.plain, name: "plain", points: points, reference: reference, cache: &products)
        return VerificationReport(residual: residual, plain: plain, points: points.rows,
                                  safetyFactor: Verifier.safetyFactor, unitRoundoff: synthesis.unitRoundoff,
                                  droppedEigenvalueBound: synthesis.approximationBoundOnBox,
                                  accuracy: synthesis.accuracy, scale: reference.scale)
    }

    /// The form's side of the checks, computed once for both networks: f and the magnitude of its
    /// terms at every sample point, and above `fullExpansionLimit` the probes V (one per row) with
    /// `VA` and `|V||A|`. Points and probes are stacked into one batch `[X; V]`, so A and |A| are
    /// each read by a single `dgemm` (`FormProducts`).
    public struct Reference {
        let points: Matrix
        let values: [Double]
        let magnitudes: [Double]
        let probes: Matrix
        let probeProducts: Matrix
        let probeMagnitudes: Matrix
        /// `[|X|; |V|]`: the absolute sample points, then the absolute probes.
        let absoluteRows: Matrix
        /// f's scale (design.md §5): the largest of |c|, ‖a‖∞, max|A_ij| and |f| at the sample
        /// points in the box [−R, R]ⁿ. The accuracy contract measures every error against it.
        public let scale: Double

        init(synthesis: Synthesis, points: Matrix) {
            self.init(synthesis: VerificationSubject(synthesis), points: points)
        }

        init(synthesis: VerificationSubject, points: Matrix) {
            let probes = Verifier.probes(dimension: synthesis.dimension, seed: synthesis.options.seed)
            let stacked = Verifier.stack(points, probes)
            let absoluteRows = stacked.absolute
            guard let a = synthesis.symmetricMatrix else { preconditionFailure("the form's side needs A or precomputed products") }
            self.init(synthesis: synthesis, points: points, probes: probes, absoluteRows: absoluteRows,
                      products: stacked.multiply(a), absoluteProducts: absoluteRows.multiply(a.absolute))
        }

        /// The form's side from products computed elsewhere: row p of `products` is `s_pᵀA` and of
        /// `absoluteProducts` `|s_p|ᵀ|A|` for the rows s_p of `stack(points, probes)`, with
        /// `probes = probes(dimension:seed:)` (`quadform-mpi` computes them on its distributed A).
        public init(synthesis: VerificationSubject, points: Matrix, products: Matrix, absoluteProducts: Matrix) {
            let probes = Verifier.probes(dimension: synthesis.dimension, seed: synthesis.options.seed)
            self.init(synthesis: synthesis, points: points, probes: probes, absoluteRows: Verifier.stack(points, probes).absolute,
                      products: products, absoluteProducts: absoluteProducts)
        }

        init(synthesis: VerificationSubject, points: Matrix, probes: Matrix, absoluteRows: Matrix, products: Matrix, absoluteProducts: Matrix) {
            let stacked = Verifier.stack(points, probes)
            let form = FormProducts(constant: synthesis.constant, linear: synthesis.linear, rows: stacked, absoluteRows: absoluteRows,
                                    products: products, absoluteProducts: absoluteProducts)
            self.points = points
            self.probes = probes
            self.absoluteRows = absoluteRows
            let values = Array(form.values.prefix(points.rows))
            var scale = max(abs(synthesis.constant), synthesis.linear.reduce(0) { max($0, abs($1)) }, synthesis.quadraticMaxEntry)
            let radius = synthesis.options.boxRadius
            for p in 0..<points.rows where values[p].isFinite {
                if points.row(p).allSatisfy({ abs($0) <= radius }) { scale = max(scale, abs(values[p])) }
            }
            self.scale = scale
            self.values = values
            magnitudes = Array(form.magnitudes.prefix(points.rows))
            probeProducts = form.products.rows(points.rows..<stacked.rows)
            probeMagnitudes = form.absoluteProducts.rows(points.rows..<stacked.rows)
        }
    }

    /// Checks one network against the synthesis's form: coefficients and sample points.
    public func check(_ net: ResNet, name: String, points: Matrix) throws -> NetworkCheck {
        var products = ProductCache()
        return try check(net, name: name, points: points, reference: Reference(synthesis: synthesis, points: points), cache: &products)
    }

    /// What the last check computed on the network side (its expansion, `A'V` for the probes,
    /// `|X||U|ᵀ` for the samples, its values at the samples), reused for the next network when it
    /// has the same hidden layer, output layer and activation: the plain network when a_N = 0,
    /// which differs from the residual one only by its skip of zero weights. The expansion and the
    /// values are reused only when neither network's skips add anything (zero weights or none):
    /// the two networks then perform the same floating-point operations.
    struct ProductCache {
        var key: (hidden: ResNet.Layer, output: ResNet.Layer, activation: Activation, skipsVanish: Bool)?
        var expanded: ExpandedNetwork?
        var probeValues = Matrix(rows: 0, columns: 0)
        var probeMagnitudes = Matrix(rows: 0, columns: 0)
        var absoluteHidden = Matrix(rows: 0, columns: 0)
        var values = Matrix(rows: 0, columns: 0)

        static func skipsVanish(_ net: ResNet) -> Bool {
            net.skips.allSatisfy { $0.weights.entries.allSatisfy { $0 == 0 } }
        }

        func matches(_ net: ResNet) -> Bool {
            guard let key else { return false }
            return key.activation == net.activation && key.hidden == net.layers[0] && key.output == net.layers[1]
        }

        /// Whether `net`, which `matches`, computes the same function as the cached network.
        func sameFunction(asMatching net: ResNet) -> Bool {
            (key?.skipsVanish ?? false) && ProductCache.skipsVanish(net)
        }
    }
}


/// What verification needs to know of a synthesis (design.md §5): the form's constant and linear
/// term, max|λ| and max|A_ij|, what the rank tolerance dropped, the unit roundoff, the accuracy τ, the options,
/// the two networks, and A itself only where it is compared in full (n ≤ `Verifier.fullExpansionLimit`)
/// or where the form's side is computed here.
public struct VerificationSubject: Sendable {
    /// n.
    public let dimension: Int
    /// c.
    public let constant: Double
    /// a.
    public let linear: [Double]
    /// max|λ| of A.
    public let spectralNorm: Double
    /// max|A_ij|, one of the terms of f's scale (design.md §5).
    public let quadraticMaxEntry: Double
    /// τ of the accuracy contract (the options' or the precision's default).
    public let accuracy: Double
    /// `Σ |λ_dropped|`.
    public let droppedEigenvalueSum: Double
    /// The unit roundoff of the tolerances (Double's ε, or the input's coarser one).
    public let unitRoundoff: Double
    /// The synthesis options (box radius, samples, seed).
    public let options: SynthesisOptions
    /// A, when at hand.
    public let symmetricMatrix: Matrix?
    /// The residual network.
    public let residual: ResNet
    /// The plain network.
    public let plain: ResNet
    /// The radius of the far sample points (`Synthesis.farSampleRadius`; 1000·R by default).
    public let farSampleRadius: Double

    /// The subject of a synthesis computed in one process.
    public init(_ s: Synthesis) {
        self.init(dimension: s.form.dimension, constant: s.form.constant, linear: s.form.linear,
                  spectralNorm: s.eigen.eigenvalues.reduce(0) { max($0, abs($1)) }, quadraticMaxEntry: s.symmetricMatrix.maxAbsEntry,
                  droppedEigenvalueSum: s.droppedEigenvalueSum, unitRoundoff: s.unitRoundoff,
                  accuracy: Verifier.accuracy(for: s.form.precision, given: s.options.accuracy), options: s.options,
                  symmetricMatrix: s.symmetricMatrix, residual: s.residual, plain: s.plain, farSampleRadius: s.farSampleRadius)
    }

    /// A subject from its parts (`quadform-mpi`: from a `Synthesis.Core` on process 0).
    public init(dimension: Int, constant: Double, linear: [Double], spectralNorm: Double, quadraticMaxEntry: Double,
                droppedEigenvalueSum: Double, unitRoundoff: Double, accuracy: Double, options: SynthesisOptions, symmetricMatrix: Matrix?,
                residual: ResNet, plain: ResNet, farSampleRadius: Double? = nil) {
        self.farSampleRadius = farSampleRadius ?? 1000 * options.boxRadius
        self.dimension = dimension
        self.constant = constant
        self.linear = linear
        self.spectralNorm = spectralNorm
        self.quadraticMaxEntry = quadraticMaxEntry
        self.accuracy = accuracy
        self.droppedEigenvalueSum = droppedEigenvalueSum
        self.unitRoundoff = unitRoundoff
        self.options = options
        self.symmetricMatrix = symmetricMatrix
        self.residual = residual
        self.plain = plain
    }

    /// `Σ|λ_dropped| · r²` (as `Synthesis.modelErrorBound(normOfX:)`).
    public func modelErrorBound(normOfX r: Double) -> Double { droppedEigenvalueSum * r * r }

    /// `Σ|λ_dropped| · n · R²` (as `Synthesis.approximationBoundOnBox`).
    public var approximationBoundOnBox: Double {
        let r = options.boxRadius
        return droppedEigenvalueSum * Double(max(dimension, 1)) * r * r
    }
}
