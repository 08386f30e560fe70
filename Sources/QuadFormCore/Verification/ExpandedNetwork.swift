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
            throw NetworkError.unsupported("only networks with one hidden layer and one output expand into a quadratic form")
        }
        if let skip = net.skips.first(where: { $0.from != 0 || $0.to != 2 }) {
            throw NetworkError.unsupported("skip (\(skip.from), \(skip.to)) is not a linear skip from input to output")
        }
        switch net.activation {
        case .square: return (1, 0, 0)
        case let .quadratic(a, b, c): return (a, b, c)
        default: throw NetworkError.unsupported("a \(net.activation.kind) network is not a quadratic form")
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

