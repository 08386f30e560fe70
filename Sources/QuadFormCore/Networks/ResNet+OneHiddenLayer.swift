import Foundation

extension ResNet {
    /// The (n, m, 1) network with one hidden layer that every synthesis, experiment and rewriting
    /// builds (design.md §1, §3):
    ///
    ///     g(x) = Σ_j w_j σ(u_jᵀx + b_j) + B₂ + vᵀx,
    ///
    /// with u_j the rows of `inputWeights` (m × n), b = `hiddenBias`, w = `outputWeights`,
    /// B₂ = `outputBias` and, when `skip` is given, the linear skip (0, 2) with weights vᵀ (a plain
    /// network without it). Shapes are checked by `init(widths:activation:layers:skips:)`.
    public static func oneHiddenLayer(activation: Activation = .square, inputWeights: Matrix, hiddenBias: [Double],
                                      outputWeights: [Double], outputBias: Double, skip: [Double]? = nil) throws -> ResNet {
        let n = inputWeights.columns, m = inputWeights.rows
        let layers = [Layer(weights: inputWeights, bias: hiddenBias),
                      Layer(weights: Matrix(rows: 1, columns: outputWeights.count, entries: outputWeights), bias: [outputBias])]
        let skips = skip.map { [Skip(from: 0, to: 2, weights: Matrix(rows: 1, columns: $0.count, entries: $0))] } ?? []
        return try ResNet(widths: [n, m, 1], activation: activation, layers: layers, skips: skips)
    }
}
