import Foundation

extension ResNet {
    /// The (n, K, m) network with one shared hidden layer and a linear skip to every output, the
    /// residual network of an m-output quadratic map (design.md §9):
    ///
    ///     g_i(x) = c_i + a_iᵀx + Σ_j W_ij σ(u_jᵀx + b_j),   i = 1…m,
    ///
    /// with u_j the rows of `inputWeights` (K × n), b = `hiddenBias`, W = `outputWeights` (m × K),
    /// c = `outputBias` (m) and the skip (0, 2) with weights `skip` (m × n; rows a_iᵀ).
    public static func sharedLayer(activation: Activation = .square, inputWeights: Matrix, hiddenBias: [Double],
                                   outputWeights: Matrix, outputBias: [Double], skip: Matrix) throws -> ResNet {
        let n = inputWeights.columns, k = inputWeights.rows, m = outputWeights.rows
        return try ResNet(widths: [n, k, m], activation: activation,
                          layers: [Layer(weights: inputWeights, bias: hiddenBias), Layer(weights: outputWeights, bias: outputBias)],
                          skips: [Skip(from: 0, to: 2, weights: skip)])
    }

    /// Output `i` (from 0) of a one-hidden-layer network with several outputs, as the (n, K, 1)
    /// network that computes it alone: the same hidden layer, row i of the output layer and of
    /// every skip into it. What verification checks against output i's form (design.md §9).
    public func singleOutput(_ i: Int) throws -> ResNet {
        guard depth == 2 else { throw NetworkError.badWidths("output \(i + 1) of a network with \(depth - 1) hidden layers: only one hidden layer is split by output") }
        guard i >= 0, i < outputWidth else { throw NetworkError.badWidths("output \(i + 1) of a network with \(outputWidth) output\(outputWidth == 1 ? "" : "s")") }
        let output = layers[1]
        let row = Layer(weights: Matrix(rows: 1, columns: output.weights.columns, entries: output.weights.row(i)), bias: [output.bias[i]])
        let rowSkips = skips.map { Skip(from: $0.from, to: $0.to, weights: Matrix(rows: 1, columns: $0.weights.columns, entries: $0.weights.row(i))) }
        return try ResNet(widths: [widths[0], widths[1], 1], activation: activation, layers: [layers[0], row], skips: rowSkips)
    }
}
