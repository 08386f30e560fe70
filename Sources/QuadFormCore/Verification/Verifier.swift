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

    func check(_ net: ResNet, name: String, points: Matrix, reference: Reference, cache: inout ProductCache) throws -> NetworkCheck {
        let form = synthesis
        let n = form.dimension
        let m = net.hiddenNeurons
        let operations = Verifier.safetyFactor * Double(n + m + 2)
        let k = operations * synthesis.unitRoundoff
        let kEta = operations * Verifier.underflowUnit
        let full = n <= Verifier.fullExpansionLimit
        _ = try ExpandedNetwork.activationCoefficients(of: net)  // the shape checks, also when products are reused
        let reuse = cache.matches(net)
        let sameFunction = reuse && cache.sameFunction(asMatching: net)
        let expanded = try cache.expanded.flatMap { sameFunction ? $0 : nil } ?? ExpandedNetwork(net, expandQuadratic: full)
        let linearNorm = Vector.norm(form.linear)
        // ‖A‖₂: forming A = (M + Mᵀ)/2 rounds relative to A's own entries, not to M's skew part.
        let spectralNorm = synthesis.spectralNorm
        // The accuracy contract (design.md §5): every error, plus what the check's own rounding
        // can hide of it, within τ·scale. `u` is the unit roundoff of the check's arithmetic.
        // (plus the η-term of the rounding model: errors of underflow size are below any relative accuracy)
        let accuracyLimit = synthesis.accuracy * reference.scale + kEta
        let u = Verifier.checkRoundoff
        var coefficientBound = 0.0
        var coefficientsAccurate = true
        let dropped = synthesis.droppedEigenvalueSum
        // A linear coefficient off by δ changes f by δR along a coordinate of the box, where f's own
        // scale is (‖A‖R + ‖a‖)R (the sample tolerance's normwise term): the coefficient tolerance
        // compares at that scale too, so both checks ask the same question of a network.
        let quadraticReach = spectralNorm * synthesis.options.boxRadius
        // The same checks against the rounding tolerance plus what the rank tolerance dropped:
        // a network outside the first but inside these is an approximation (APPROXIMATE).
        var approximationHolds = true

        if !reuse {
            // |X||U|ᵀ and |V||U|ᵀ in one dgemm over |U|; then A'V and its magnitude.
            let absoluteHidden = reference.absoluteRows.multiply(expanded.absoluteFirstLayer, transposeOther: true)
            cache.absoluteHidden = absoluteHidden.rows(0..<points.rows)
            if !full {
                (cache.probeValues, cache.probeMagnitudes) = expanded.quadraticTimes(
                    batch: reference.probes, absoluteHidden: absoluteHidden.rows(points.rows..<absoluteHidden.rows))
            }
        }

        let errorC = abs(expanded.constant - form.constant)
        // An underflowed intermediate (≤ η/2 off) is multiplied by what follows it: by the hidden
        // biases in the expansion (w·b·b), by the coordinates of x in f's and the network's sums.
        // (Capped at 2²⁵⁰ so η·factor stays finite and far below any normal-range tolerance.)
        let largestBias = min(net.layers[0].bias.reduce(0) { max($0, abs($1)) }, 0x1p250)
        let toleranceC = k * (abs(form.constant) + expanded.constantMagnitude) + kEta * (1 + largestBias) * (1 + largestBias)
        // c' sums m + 1 terms of a few operations each.
        coefficientBound = errorC + Double(m + 6) * u * expanded.constantMagnitude
        if !(coefficientBound <= accuracyLimit) { coefficientsAccurate = false }
        var errorA = 0.0, toleranceA = 0.0
        var passedLinear = true
        for i in 0..<n {
            let e = abs(expanded.linear[i] - form.linear[i])
            let t = k * (abs(form.linear[i]) + expanded.linearMagnitude[i] + linearNorm + quadraticReach) + kEta * (1 + largestBias)
            errorA = max(errorA, e)
            toleranceA = max(toleranceA, t)
            if !(e <= t) { passedLinear = false }
            let bound = e + Double(m + 5) * u * expanded.linearMagnitude[i]
            coefficientBound = max(coefficientBound, bound)
            if !(bound <= accuracyLimit) { coefficientsAccurate = false }
        }
        var errorQ = 0.0, toleranceQ = 0.0
        var passedQuadratic = true
        if full {
            guard let a = synthesis.symmetricMatrix else {
                throw SynthesisError.internalError("verification of n = \(n) ≤ \(Verifier.fullExpansionLimit) compares A in full, but A was not given")
            }
            for i in 0..<(n * n) { errorQ = max(errorQ, abs(expanded.quadratic.entries[i] - a.entries[i])) }
            toleranceQ = k * (a.frobeniusNorm + expanded.quadraticMagnitude) + kEta
            // A' entries sum m terms (one dgemm); A's entries cost one rounding when formed from M.
            let bound = errorQ + Double(m + 3) * u * expanded.quadraticMagnitude + u * synthesis.quadraticMaxEntry
            coefficientBound = max(coefficientBound, bound)
            if !(bound <= accuracyLimit) { coefficientsAccurate = false }
            passedQuadratic = errorQ <= toleranceQ
            if !(errorQ <= toleranceQ + dropped) { approximationHolds = false }
        } else {
            let (networkAV, networkMagnitude) = (cache.probeValues, cache.probeMagnitudes)
            for p in 0..<reference.probes.rows {
                let vNorm = Vector.norm(reference.probes.row(p))
                for i in 0..<n {
                    let e = abs(networkAV[p, i] - reference.probeProducts[p, i])
                    let t = k * (reference.probeMagnitudes[p, i] + networkMagnitude[p, i] + spectralNorm * vNorm) + kEta
                    errorQ = max(errorQ, e)
                    toleranceQ = max(toleranceQ, t)
                    if !(e <= t) { passedQuadratic = false }
                    // (A' − A)v against τ·scale·‖v‖₂: entries of A' − A within τ·scale in every row.
                    let bound = e + Double(m + 3) * u * networkMagnitude[p, i] + Double(n + 2) * u * reference.probeMagnitudes[p, i]
                    coefficientBound = max(coefficientBound, bound / max(vNorm, 1))
                    if !(bound <= accuracyLimit * vNorm) { coefficientsAccurate = false }
                    if !(e <= t + dropped * vNorm) { approximationHolds = false }
                }
            }
        }
        // An infinite tolerance (terms that overflowed) proves nothing.
        let coefficientsPassed = errorC <= toleranceC && passedLinear && passedQuadratic
            && toleranceC.isFinite && toleranceA.isFinite && toleranceQ.isFinite
        if !(errorC <= toleranceC && passedLinear) { approximationHolds = false }

        let values = sameFunction ? cache.values : try net.realization(batch: points)
        let absUX = cache.absoluteHidden
        let w = net.layers[1].weights.entries
        let b = net.layers[0].bias
        var sampleError = 0.0, relative = 0.0, worst = 0.0, worstTolerance = 0.0, amplification = 0.0
        var boxError = 0.0
        var samplesPassed = true
        var scaledSampleError = 0.0
        var samplesAccurate = true
        let radius = synthesis.options.boxRadius
        for p in 0..<points.rows {
            let x = points.row(p)
            let f = reference.values[p]
            let magnitudeF = reference.magnitudes[p]
            let g = values[p, 0]
            var magnitudeG = abs(net.layers[1].bias[0])
            for skip in net.skips { magnitudeG += Vector.absDot(skip.weights.row(0), x) }
            for j in 0..<m {
                let t = absUX[p, j] + abs(b[j])
                switch net.activation {
                case let .quadratic(al, be, ga): magnitudeG += abs(w[j]) * (abs(al) * t * t + abs(be) * t + abs(ga))
                default: magnitudeG += abs(w[j]) * t * t
                }
            }
            // Relative measures are taken against f's terms floored at the smallest normal Double:
            // below it f's values are in the subnormal range, where only the absolute η-term means anything.
            let relativeScale = max(magnitudeF, Double.leastNormalMagnitude)
            if magnitudeF > 0 { amplification = max(amplification, magnitudeG / relativeScale) }
            let normX = Vector.norm(x)
            let normwise = (spectralNorm * normX + linearNorm) * normX
            let tolerance = k * (magnitudeF + magnitudeG + normwise) + kEta * min(1 + x.reduce(0) { $0 + abs($1) }, 0x1p500)
            let error = abs(f - g)
            guard error.isFinite else {
                samplesPassed = false; samplesAccurate = false; approximationHolds = false
                sampleError = .infinity; scaledSampleError = .infinity; continue
            }
            // f's scale grows like ‖x‖∞² outside the box (the far points).
            let reach = max(1, x.reduce(0) { max($0, abs($1)) } / radius)
            let scaled = error / (reference.scale * reach * reach)
            if reference.scale > 0 { scaledSampleError = max(scaledSampleError, scaled) } else if error > 0 { scaledSampleError = .infinity }
            if !(error <= accuracyLimit * reach * reach) { samplesAccurate = false }
            sampleError = max(sampleError, error)
            if x.allSatisfy({ abs($0) <= radius }) { boxError = max(boxError, error) }
            if !(error <= tolerance + synthesis.modelErrorBound(normOfX: normX)) { approximationHolds = false }
            // Where every term of f vanishes (the origin of a form without constant) a relative
            // error means nothing; the absolute check above covers those points.
            if magnitudeF > 0 { relative = max(relative, error / relativeScale) }
            let ratio = tolerance > 0 ? error / tolerance : (error == 0 ? 0 : .infinity)
            if ratio >= worst { worst = ratio; worstTolerance = tolerance }
            if !(error <= tolerance) || !tolerance.isFinite { samplesPassed = false }
        }
        if !reuse {
            cache.key = (net.layers[0], net.layers[1], net.activation, ProductCache.skipsVanish(net))
            cache.expanded = expanded
            cache.values = values
        }
        return NetworkCheck(name: name, neurons: m,
                            coefficientError: max(errorC, errorA, errorQ),
                            coefficientTolerance: max(toleranceC, toleranceA, toleranceQ),
                            coefficientsPassed: coefficientsPassed,
                            sampleError: sampleError, sampleRelativeError: relative,
                            sampleTolerance: worstTolerance, worstRatio: worst, samplesPassed: samplesPassed,
                            amplification: amplification,
                            accuracy: NetworkCheck.Accuracy(accuracy: synthesis.accuracy, scale: reference.scale,
                                                            coefficientErrorBound: coefficientBound, coefficientsWithin: coefficientsAccurate,
                                                            scaledSampleError: scaledSampleError, samplesWithin: samplesAccurate),
                            approximation: dropped > 0 && approximationHolds
                                ? NetworkCheck.Approximation(boundOnBox: synthesis.approximationBoundOnBox, measuredErrorOnBox: boxError)
                                : nil)
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
