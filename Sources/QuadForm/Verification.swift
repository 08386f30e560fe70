import Foundation

/// The coefficients `(c', a', A')` of a one-hidden-layer network expanded back into a quadratic,
/// with the magnitudes of the terms that were summed (they bound the rounding error, design.md §5).
public struct ExpandedNetwork: Sendable {
    /// c'.
    public let constant: Double
    /// a'.
    public let linear: [Double]
    /// A' (symmetric).
    public let quadratic: Matrix
    /// Σ of the absolute values of the terms that make up c'.
    public let constantMagnitude: Double
    /// Entrywise Σ of absolute values of the terms of a'.
    public let linearMagnitude: [Double]
    /// Largest entrywise Σ of absolute values of the terms of A'.
    public let quadraticMagnitude: Double

    /// Expands `g(x) = B2 + Vx + Σ_j w_j σ(u_jᵀx + b_j)` for σ(z) = αz² + βz + γ (σ = z² is α = 1):
    /// neuron j contributes `w_jα u_j u_jᵀ`, `w_j(2αb_j + β) u_j` and `w_j(αb_j² + βb_j + γ)`
    /// (design.md §3's coefficient matching). The network must have l = (n, m, 1), S ⊆ {(0, 2)}
    /// and a quadratic activation. With `expandQuadratic` false, A' (an O(n²m) product) is left
    /// out: `quadratic` is then 0×0 and A' is reached through `quadraticTimes(_:)` in O(nm).
    public init(_ net: ResNet, expandQuadratic: Bool = true) throws {
        let (alpha, beta, gamma) = try ExpandedNetwork.activationCoefficients(of: net)
        let n = net.inputWidth, m = net.widths[1]
        let u = net.layers[0].weights, b = net.layers[0].bias
        let w = net.layers[1].weights.entries
        var constant = net.layers[1].bias[0]
        var constantMagnitude = abs(constant)
        var linear = [Double](repeating: 0, count: n)
        var linearMagnitude = [Double](repeating: 0, count: n)
        for skip in net.skips {
            for i in 0..<n { linear[i] += skip.weights[0, i]; linearMagnitude[i] += abs(skip.weights[0, i]) }
        }
        var linearCoefficients = [Double](repeating: 0, count: m)
        var linearMagnitudes = [Double](repeating: 0, count: m)
        for j in 0..<m {
            linearCoefficients[j] = w[j] * (2 * alpha * b[j] + beta)
            linearMagnitudes[j] = abs(w[j]) * (2 * abs(alpha * b[j]) + abs(beta))
            constant += w[j] * ((alpha * b[j] + beta) * b[j] + gamma)
            constantMagnitude += abs(w[j]) * (abs(alpha) * b[j] * b[j] + abs(beta * b[j]) + abs(gamma))
        }
        // a' = V + Σ_j lin_j u_j = V + Uᵀ lin, and its magnitude |V| + |U|ᵀ(|w_j|(2|αb_j| + |β|)), by dgemv.
        let absU = u.absolute
        let fromNeurons = u.multiplyTransposed(linearCoefficients)
        // (the rounding scale of w(2αb + β) is |w|(2|αb| + |β|), not |w(2αb + β)|: cancellation)
        let fromNeuronsMagnitude = absU.multiplyTransposed(linearMagnitudes)
        for i in 0..<n {
            linear[i] += fromNeurons[i]
            linearMagnitude[i] += fromNeuronsMagnitude[i]
        }
        let quadraticCoefficients = (0..<m).map { w[$0] * alpha }
        self.constant = constant
        self.linear = linear
        self.firstLayer = u
        self.absoluteFirstLayer = absU
        self.neuronQuadraticCoefficients = quadraticCoefficients
        self.constantMagnitude = constantMagnitude
        self.linearMagnitude = linearMagnitude
        if expandQuadratic && m > 0 && n > 0 {
            // A' = Uᵀ diag(wα) U and its magnitude |U|ᵀ diag(|wα|) |U|, each one dgemm.
            var scaledRows = u
            var absScaledRows = absU
            for j in 0..<m {
                for i in 0..<n {
                    scaledRows.entries[j * n + i] *= quadraticCoefficients[j]
                    absScaledRows.entries[j * n + i] *= abs(quadraticCoefficients[j])
                }
            }
            self.quadratic = u.multiply(scaledRows, transposeSelf: true)
            self.quadraticMagnitude = absU.multiply(absScaledRows, transposeSelf: true).maxAbsEntry
        } else {
            self.quadratic = expandQuadratic ? Matrix(rows: n, columns: n) : Matrix(rows: 0, columns: 0)
            self.quadraticMagnitude = 0
        }
    }

    /// (α, β, γ) of the network's activation σ(z) = αz² + βz + γ, after checking that the network
    /// has the shape that expands into a quadratic form: l = (n, m, 1), S ⊆ {(0, 2)}, σ quadratic.
    static func activationCoefficients(of net: ResNet) throws -> (Double, Double, Double) {
        guard net.depth == 2, net.outputWidth == 1 else {
            throw QuadFormError.invalidValue("only networks with one hidden layer and one output expand into a quadratic form")
        }
        if let skip = net.skips.first(where: { $0.from != 0 || $0.to != 2 }) {
            throw QuadFormError.invalidValue("skip (\(skip.from), \(skip.to)) is not a linear skip from input to output")
        }
        switch net.activation {
        case .square: return (1, 0, 0)
        case let .quadratic(a, b, c): return (a, b, c)
        default: throw QuadFormError.invalidValue("a \(net.activation.kind) network is not a quadratic form")
        }
    }

    /// The first layer's weights U (rows u_jᵀ).
    public let firstLayer: Matrix
    /// |U|, entrywise.
    let absoluteFirstLayer: Matrix
    /// `w_j α`, the coefficient of `(u_jᵀx)²` contributed by neuron j.
    public let neuronQuadraticCoefficients: [Double]

    /// `quadraticTimes(_:)` for many vectors at once, one per row of `v` (so the results are the
    /// rows `(A'v)ᵀ`): two `dgemm`s for the values and two for the magnitudes, O(nm) per vector.
    public func quadraticTimes(batch v: Matrix) -> (value: Matrix, magnitude: Matrix) {
        quadraticTimes(batch: v, absoluteHidden: v.absolute.multiply(absoluteFirstLayer, transposeOther: true))
    }

    /// `quadraticTimes(batch:)` with `|V||U|ᵀ` already at hand.
    func quadraticTimes(batch v: Matrix, absoluteHidden: Matrix) -> (value: Matrix, magnitude: Matrix) {
        let m = neuronQuadraticCoefficients.count
        var uv = v.multiply(firstLayer, transposeOther: true)
        var absUV = absoluteHidden
        for p in 0..<v.rows {
            for j in 0..<m {
                uv.entries[p * m + j] *= neuronQuadraticCoefficients[j]
                absUV.entries[p * m + j] *= abs(neuronQuadraticCoefficients[j])
            }
        }
        return (uv.multiply(firstLayer), absUV.multiply(absoluteFirstLayer))
    }

    /// `A'v = Uᵀ((w_jα)_j ∘ Uv)` in O(nm), and the same with absolute values (its rounding scale).
    public func quadraticTimes(_ v: [Double]) -> (value: [Double], magnitude: [Double]) {
        let uv = firstLayer.multiply(v)
        let scaled = zip(uv, neuronQuadraticCoefficients).map { $0 * $1 }
        let absUV = absoluteFirstLayer.multiply(v.map { abs($0) })
        let absScaled = zip(absUV, neuronQuadraticCoefficients).map { $0 * abs($1) }
        return (firstLayer.multiplyTransposed(scaled), absoluteFirstLayer.multiplyTransposed(absScaled))
    }
}

/// One network's verification against the form (design.md §5).
public struct NetworkCheck: Sendable {
    /// Which network ("residual" or "plain").
    public let name: String
    /// Its hidden neurons.
    public let neurons: Int
    /// max(|c' − c|, max|a' − a|, max|A' − A|).
    public let coefficientError: Double
    /// The tolerance it is compared with (the largest of the three groups' tolerances).
    public let coefficientTolerance: Double
    /// Whether every coefficient group is within its tolerance.
    public let coefficientsPassed: Bool
    /// max over sample points of |f(x) − g(x)|.
    public let sampleError: Double
    /// max over sample points of |f(x) − g(x)| / (|c| + Σ|a_i x_i| + Σ|A_ij x_i x_j|), over the
    /// points where that magnitude is not 0.
    public let sampleRelativeError: Double
    /// The tolerance at the point where the error is closest to it.
    public let sampleTolerance: Double
    /// max over points of error / tolerance (≤ 1 passes).
    public let worstRatio: Double
    /// Whether every point is within its tolerance.
    public let samplesPassed: Bool
    /// max over points of (magnitude of the network's terms) / (magnitude of f's terms): how much
    /// larger the numbers the network adds up are than f's. Rounding error grows with it, and the
    /// sample tolerance allows for it, so a network can pass (it is f in real arithmetic, evaluated
    /// as accurately as its own terms allow) and still agree with f only to `amplification · ε`.
    public let amplification: Double

    /// Relative agreement below which the report warns that the network, though exact in real
    /// arithmetic, is ill-conditioned in floating point (the core issue's 1e-9 relative).
    public static let conditioningWarningLevel = 1e-9

    /// Both checks passed.
    public var passed: Bool { coefficientsPassed && samplesPassed }

    /// Whether the network passed but agrees with f only to worse than `conditioningWarningLevel`
    /// relative, because its terms are far larger than f's (`amplification`).
    public var isIllConditioned: Bool { sampleRelativeError > NetworkCheck.conditioningWarningLevel }

    /// The check as a member of the JSON report (design.md §5 quantities, §6 report).
    public var json: JSONValue {
        .object([
            ("passed", .bool(passed)),
            ("neurons", .number(String(neurons))),
            ("coefficient_error", JSONWriter.number(coefficientError)),
            ("coefficient_tolerance", JSONWriter.number(coefficientTolerance)),
            ("sample_error", JSONWriter.number(sampleError)),
            ("sample_relative_error", JSONWriter.number(sampleRelativeError)),
            ("sample_tolerance", JSONWriter.number(sampleTolerance)),
            ("worst_error_to_tolerance", JSONWriter.number(worstRatio)),
            ("amplification", JSONWriter.number(amplification)),
            ("ill_conditioned", .bool(isIllConditioned)),
        ])
    }
}

/// The verification report of a synthesis: both networks, both checks (design.md §5).
public struct VerificationReport: Sendable {
    /// The residual network's check.
    public let residual: NetworkCheck
    /// The plain network's check.
    public let plain: NetworkCheck
    /// Number of sample points.
    public let points: Int
    /// The constant K in the tolerances `K · (n + m) · ε · magnitude`.
    public let safetyFactor: Double
    /// `Σ|λ_dropped| · n · R²`: the bound on the change dropping eigenvalues makes on the box.
    public let droppedEigenvalueBound: Double
    /// Whether all checks of both networks passed.
    public var passed: Bool { residual.passed && plain.passed }
}

/// Runs the checks of design.md §5 on a synthesis, or on any one-hidden-layer quadratic network.
public struct Verifier {
    /// The safety constant K of the tolerances `K · (n + m) · ε · magnitude`.
    public static let safetyFactor = 32.0

    let synthesis: Synthesis

    /// A verifier for `synthesis`.
    public init(synthesis: Synthesis) { self.synthesis = synthesis }

    /// The sample points: the origin, up to 8 scaled unit vectors, `randomSamples` points uniform in
    /// `[−R, R]ⁿ`, and 4 points of magnitude 1000·R (one row each).
    public static func samplePoints(dimension n: Int, radius: Double, random count: Int, seed: UInt64) -> Matrix {
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
                rows.append(g.map { 1000 * radius * $0 / norm })
            }
        }
        return Matrix(rowArrays: rows, columns: n)
    }

    /// Largest n for which A' is expanded in full (O(n²m)); above it, A' is compared with A through
    /// random probes `A'v` against `Av`, O(nm + n²) each, so verification never adds O(n³).
    public static let fullExpansionLimit = 256
    /// Number of random probe vectors above `fullExpansionLimit`.
    public static let probeCount = 8

    /// Runs both checks on both networks.
    public func run() throws -> VerificationReport {
        let points = Verifier.samplePoints(dimension: synthesis.form.dimension, radius: synthesis.options.boxRadius,
                                           random: synthesis.options.randomSamples, seed: synthesis.options.seed)
        let reference = Reference(synthesis: synthesis, points: points)
        var products = ProductCache()
        let residual = try check(synthesis.residual, name: "residual", points: points, reference: reference, cache: &products)
        let plain = try check(synthesis.plain, name: "plain", points: points, reference: reference, cache: &products)
        let n = Double(synthesis.form.dimension)
        let r = synthesis.options.boxRadius
        return VerificationReport(residual: residual, plain: plain, points: points.rows,
                                  safetyFactor: Verifier.safetyFactor,
                                  droppedEigenvalueBound: synthesis.droppedEigenvalueSum * n * r * r)
    }

    /// The form's side of the checks, computed once for both networks: f and the magnitude of its
    /// terms at every sample point, and above `fullExpansionLimit` the probes V (one per row) with
    /// `VA` and `|V||A|`. Points and probes are stacked into one batch `[X; V]`, so A and |A| are
    /// each read by a single `dgemm` (`FormProducts`).
    struct Reference {
        let values: [Double]
        let magnitudes: [Double]
        let probes: Matrix
        let probeProducts: Matrix
        let probeMagnitudes: Matrix
        /// `[|X|; |V|]`: the absolute sample points, then the absolute probes.
        let absoluteRows: Matrix

        init(synthesis: Synthesis, points: Matrix) {
            let n = synthesis.form.dimension
            if n > Verifier.fullExpansionLimit {
                var rng = SplitMix64(seed: synthesis.options.seed &+ 0x5EED)
                probes = Matrix(rows: Verifier.probeCount, columns: n, entries: (0..<(Verifier.probeCount * n)).map { _ in rng.nextGaussian() })
            } else {
                probes = Matrix(rows: 0, columns: n)
            }
            let stacked = Matrix(rows: points.rows + probes.rows, columns: n, entries: points.entries + probes.entries)
            absoluteRows = stacked.absolute
            let form = FormProducts(synthesis: synthesis, rows: stacked, absoluteRows: absoluteRows,
                                    absoluteMatrix: synthesis.symmetricMatrix.absolute)
            values = Array(form.values.prefix(points.rows))
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
        let form = synthesis.form
        let a = synthesis.symmetricMatrix
        let n = form.dimension
        let m = net.hiddenNeurons
        let eps = Double.ulpOfOne
        let k = Verifier.safetyFactor * Double(n + m + 2) * eps
        let full = n <= Verifier.fullExpansionLimit
        _ = try ExpandedNetwork.activationCoefficients(of: net)  // the shape checks, also when products are reused
        let reuse = cache.matches(net)
        let sameFunction = reuse && cache.sameFunction(asMatching: net)
        let expanded = try cache.expanded.flatMap { sameFunction ? $0 : nil } ?? ExpandedNetwork(net, expandQuadratic: full)
        let linearNorm = Vector.norm(form.linear)
        let spectralNorm = synthesis.eigen.eigenvalues.reduce(0) { max($0, abs($1)) }
        let neglectedNull = synthesis.hasLinearNullPart ? 0 : synthesis.linearNullPartNorm

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
        let toleranceC = k * (abs(form.constant) + expanded.constantMagnitude)
        var errorA = 0.0, toleranceA = 0.0
        var passedLinear = true
        for i in 0..<n {
            let e = abs(expanded.linear[i] - form.linear[i])
            let t = k * (abs(form.linear[i]) + expanded.linearMagnitude[i] + linearNorm) + neglectedNull
            errorA = max(errorA, e)
            toleranceA = max(toleranceA, t)
            if !(e <= t) { passedLinear = false }
        }
        var errorQ = 0.0, toleranceQ = 0.0
        var passedQuadratic = true
        if full {
            for i in 0..<(n * n) { errorQ = max(errorQ, abs(expanded.quadratic.entries[i] - a.entries[i])) }
            toleranceQ = k * (a.frobeniusNorm + expanded.quadraticMagnitude) + synthesis.droppedEigenvalueSum
            passedQuadratic = errorQ <= toleranceQ
        } else {
            let (networkAV, networkMagnitude) = (cache.probeValues, cache.probeMagnitudes)
            for p in 0..<reference.probes.rows {
                let vNorm = Vector.norm(reference.probes.row(p))
                for i in 0..<n {
                    let e = abs(networkAV[p, i] - reference.probeProducts[p, i])
                    let t = k * (reference.probeMagnitudes[p, i] + networkMagnitude[p, i] + spectralNorm * vNorm) + synthesis.droppedEigenvalueSum * vNorm
                    errorQ = max(errorQ, e)
                    toleranceQ = max(toleranceQ, t)
                    if !(e <= t) { passedQuadratic = false }
                }
            }
        }
        let coefficientsPassed = errorC <= toleranceC && passedLinear && passedQuadratic

        let values = sameFunction ? cache.values : try net.realization(batch: points)
        let absUX = cache.absoluteHidden
        let w = net.layers[1].weights.entries
        let b = net.layers[0].bias
        var sampleError = 0.0, relative = 0.0, worst = 0.0, worstTolerance = 0.0, amplification = 0.0
        var samplesPassed = true
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
            if magnitudeF > 0 { amplification = max(amplification, magnitudeG / magnitudeF) }
            let normX = Vector.norm(x)
            let normwise = (spectralNorm * normX + linearNorm) * normX
            let tolerance = k * (magnitudeF + magnitudeG + normwise) + synthesis.modelErrorBound(normOfX: normX)
            let error = abs(f - g)
            guard error.isFinite else { samplesPassed = false; sampleError = .infinity; continue }
            sampleError = max(sampleError, error)
            // Where every term of f vanishes (the origin of a form without constant) a relative
            // error means nothing; the absolute check above covers those points.
            if magnitudeF > 0 { relative = max(relative, error / magnitudeF) }
            let ratio = tolerance > 0 ? error / tolerance : (error == 0 ? 0 : .infinity)
            if ratio >= worst { worst = ratio; worstTolerance = tolerance }
            if !(error <= tolerance) { samplesPassed = false }
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
                            amplification: amplification)
    }
}

/// SplitMix64, a small seeded generator: reproducible sample points and random forms.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator started from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Standard normal (Box–Muller).
    public mutating func nextGaussian() -> Double {
        let u = max(nextUnit(), 0x1p-60)
        let v = nextUnit()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}
