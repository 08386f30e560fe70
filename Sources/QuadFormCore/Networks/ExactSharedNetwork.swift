/// A residual network with one shared hidden layer of square neurons, m outputs and a linear skip
/// to every output, with exact rational parameters (design.md §4, §9): the exact counterpart of
/// `ResNet.sharedLayer`,
///
///     g_i(x) = c_i + a_iᵀx + Σ_j W_ij (u_jᵀx)²,   i = 1…m.
public struct ExactSharedNetwork: Equatable, Sendable {
    /// W_1: row j is u_jᵀ (K × n).
    public let firstWeights: RationalMatrix
    /// W_2 (m × K).
    public let outputWeights: RationalMatrix
    /// B_2 = (c_1 … c_m).
    public let outputBias: [Rational]
    /// V_{0,2} (m × n): row i is a_iᵀ.
    public let skip: RationalMatrix

    /// A network from its parameters; shapes must agree.
    public init(firstWeights: RationalMatrix, outputWeights: RationalMatrix, outputBias: [Rational], skip: RationalMatrix) throws {
        let k = firstWeights.rows, n = firstWeights.columns, m = outputWeights.rows
        guard outputWeights.columns == k else { throw NetworkError.layerShape(layer: 2, "weights are \(m)×\(outputWeights.columns), the hidden layer has \(k)") }
        guard outputBias.count == m else { throw NetworkError.layerShape(layer: 2, "bias has \(outputBias.count) entries, the layer \(m)") }
        guard skip.rows == m, skip.columns == n else { throw NetworkError.badSkip(index: 0, "weights are \(skip.rows)×\(skip.columns), widths say \(m)×\(n)") }
        self.firstWeights = firstWeights
        self.outputWeights = outputWeights
        self.outputBias = outputBias
        self.skip = skip
    }

    /// n.
    public var inputWidth: Int { firstWeights.columns }
    /// K, the shared hidden neurons.
    public var hiddenNeurons: Int { firstWeights.rows }
    /// m.
    public var outputWidth: Int { outputWeights.rows }

    /// Output i (from 0) alone: the (n, K, 1) residual `ExactNetwork` with row i of W_2, c_i and a_i.
    public func output(_ i: Int) throws -> ExactNetwork {
        try ExactNetwork(inputWidth: inputWidth, activation: .square, firstWeights: firstWeights,
                         firstBias: [Rational](repeating: .zero, count: hiddenNeurons), outputWeights: outputWeights.row(i),
                         outputBias: outputBias[i], skip: skip.row(i))
    }

    /// The floating-point `ResNet` (n, K, m), each parameter rounded once after the power-of-two
    /// rescaling of `ExactNetwork.resNet()` (which depends on a neuron's row only, so every output
    /// rescales the shared layer alike).
    public func resNet() throws -> ResNet {
        let n = inputWidth, k = hiddenNeurons, m = outputWidth
        let outputs = try (0..<m).map { try output($0).resNet() }
        var weights = Matrix(rows: m, columns: k)
        for (i, net) in outputs.enumerated() { for j in 0..<k { weights[i, j] = net.layers[1].weights[0, j] } }
        let first = outputs.first?.layers[0].weights ?? Matrix(rows: k, columns: n)
        return try ResNet.sharedLayer(inputWeights: first, hiddenBias: [Double](repeating: 0, count: k), outputWeights: weights,
                                      outputBias: outputBias.map(\.doubleValue), skip: skip.doubleMatrix)
    }
}
