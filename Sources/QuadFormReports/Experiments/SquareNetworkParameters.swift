import QuadFormCore
import Foundation

/// Plain (S = ∅) or residual (linear skip from input to output) one-hidden-layer square network,
/// the two architectures whose neuron counts design.md §3 compares.
public enum NetworkKind: String, Sendable, CaseIterable {
    /// `g(x) = B2 + Σ w_j (u_jᵀx + b_j)²`.
    case plain
    /// `g(x) = B2 + Vx + Σ w_j (u_jᵀx + b_j)²`.
    case residual
}

/// The trainable parameters of a one-hidden-layer square network (design.md §3),
///
///     g(x) = B2 + Vx + Σ_{j=1..m} w_j (u_jᵀx + b_j)²      (V only for the residual kind),
///
/// stored as one flat vector θ = (U row-major, b, w, B2, V) for the optimizer, with the loss
/// `L = (1/N) Σ_p (g(x_p) − y_p)²` and its gradient in closed form.
public struct SquareNetworkParameters: Equatable, Sendable {
    /// Plain or residual.
    public let kind: NetworkKind
    /// n, the input dimension.
    public let inputs: Int
    /// m, the hidden square neurons.
    public let neurons: Int
    /// θ = (U, b, w, B2, V).
    public var values: [Double]

    /// Number of entries of θ: `m·n + 2m + 1`, plus n for the residual skip.
    public static func count(kind: NetworkKind, inputs n: Int, neurons m: Int) -> Int {
        m * n + 2 * m + 1 + (kind == .residual ? n : 0)
    }

    /// Parameters from a flat θ of the right length.
    public init(kind: NetworkKind, inputs: Int, neurons: Int, values: [Double]) throws {
        guard inputs >= 0, neurons >= 0 else { throw ExperimentError.invalidSetting("inputs and neurons must be ≥ 0") }
        let expected = SquareNetworkParameters.count(kind: kind, inputs: inputs, neurons: neurons)
        guard values.count == expected else {
            throw ExperimentError.parameterCount(kind: kind.rawValue, neurons: neurons, inputs: inputs, expected: expected, found: values.count)
        }
        self.kind = kind
        self.inputs = inputs
        self.neurons = neurons
        self.values = values
    }

    /// A random start: `u_j ~ N(0, I/n)`, `b_j ~ N(0, 1/4)`, `w_j ~ N(0, 1/m)`, B2 = 0, V = 0.
    public static func random<G: RandomNumberGenerator>(kind: NetworkKind, inputs n: Int, neurons m: Int, using rng: inout G) -> SquareNetworkParameters {
        var values: [Double] = []
        values.reserveCapacity(count(kind: kind, inputs: n, neurons: m))
        let uScale = 1 / Double(max(n, 1)).squareRoot()
        for _ in 0..<(m * n) { values.append(uScale * gaussian(&rng)) }
        for _ in 0..<m { values.append(0.5 * gaussian(&rng)) }
        let wScale = 1 / Double(max(m, 1)).squareRoot()
        for _ in 0..<m { values.append(wScale * gaussian(&rng)) }
        values.append(0)
        if kind == .residual { values += [Double](repeating: 0, count: n) }
        // The count always matches, so this cannot throw.
        return SquareNetworkParameters(unchecked: kind, inputs: n, neurons: m, values: values)
    }

    init(unchecked kind: NetworkKind, inputs: Int, neurons: Int, values: [Double]) {
        self.kind = kind
        self.inputs = inputs
        self.neurons = neurons
        self.values = values
    }

    static func gaussian<G: RandomNumberGenerator>(_ rng: inout G) -> Double {
        let u = max(Double.random(in: 0..<1, using: &rng), 0x1p-60)
        let v = Double.random(in: 0..<1, using: &rng)
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// The m × n matrix U whose rows are the u_j.
    public var inputWeights: Matrix { Matrix(rows: neurons, columns: inputs, entries: Array(values[0..<(neurons * inputs)])) }
    /// The biases b_j.
    public var hiddenBias: [Double] { Array(values[(neurons * inputs)..<(neurons * inputs + neurons)]) }
    /// The output weights w_j.
    public var outputWeights: [Double] { Array(values[(neurons * inputs + neurons)..<(neurons * inputs + 2 * neurons)]) }
    /// B2.
    public var outputBias: Double { values[neurons * inputs + 2 * neurons] }
    /// V (empty for a plain network).
    public var skipWeights: [Double] { kind == .residual ? Array(values[(neurons * inputs + 2 * neurons + 1)...]) : [] }

    /// max |θ_i|: grows without bound when a plain network of k + 1 neurons approaches f (design.md §3).
    public var largestMagnitude: Double { values.reduce(0) { max($0, abs($1)) } }

    /// The network as a fully-connected ResNet (Definition 1.5.4): l = (n, m, 1), σ(z) = z²,
    /// S = {(0, 2)} for the residual kind.
    public var network: ResNet {
        get throws {
            try ResNet.oneHiddenLayer(inputWeights: inputWeights, hiddenBias: hiddenBias, outputWeights: outputWeights,
                                      outputBias: outputBias, skip: kind == .residual ? skipWeights : nil)
        }
    }

    /// The mean squared error `L = (1/N) Σ_p r_p²`, `r_p = g(x_p) − y_p`, on the points (one per row)
    /// and its gradient, in closed form with `h_pj = u_jᵀx_p + b_j`:
    ///
    ///     ∂L/∂B2 = (2/N) Σ_p r_p,                 ∂L/∂V   = (2/N) Σ_p r_p x_p,
    ///     ∂L/∂w_j = (2/N) Σ_p r_p h_pj²,           ∂L/∂b_j = (4 w_j/N) Σ_p r_p h_pj,
    ///     ∂L/∂u_j = (4 w_j/N) Σ_p r_p h_pj x_p.
    ///
    /// The products `H = X Uᵀ`, `Xᵀ r` and `(r ∘ H)ᵀ X` go through CBLAS.
    public func lossAndGradient(points: Matrix, targets: [Double]) -> (loss: Double, gradient: [Double]) {
        let n = inputs, m = neurons, count = points.rows
        precondition(points.columns == n && targets.count == count, "points and targets do not match the network")
        guard count > 0 else { return (0, [Double](repeating: 0, count: values.count)) }
        let bias = hiddenBias, w = outputWeights, b2 = outputBias
        var hidden = points.multiply(inputWeights, transposeOther: true)
        var residuals = [Double](repeating: b2, count: count)
        if kind == .residual {
            let skip = Matrix(rows: n, columns: 1, entries: skipWeights)
            let linear = points.multiply(skip)
            for p in 0..<count { residuals[p] += linear.entries[p] }
        }
        var outputGradient = [Double](repeating: 0, count: m)
        hidden.entries.withUnsafeMutableBufferPointer { h in
            residuals.withUnsafeMutableBufferPointer { r in
                for p in 0..<count {
                    var g = r[p]
                    for j in 0..<m {
                        let value = h[p * m + j] + bias[j]
                        h[p * m + j] = value
                        g += w[j] * value * value
                    }
                    r[p] = g - targets[p]
                }
                // Now h holds h_pj; accumulate ∂L/∂w_j and turn h into r_p h_pj.
                for p in 0..<count {
                    for j in 0..<m {
                        let value = h[p * m + j]
                        outputGradient[j] += r[p] * value * value
                        h[p * m + j] = r[p] * value
                    }
                }
            }
        }
        let scale = 2 / Double(count)
        var loss = 0.0
        var residualSum = 0.0
        for r in residuals { loss += r * r; residualSum += r }
        loss /= Double(count)

        var gradient = [Double](repeating: 0, count: values.count)
        let weighted = hidden  // r_p h_pj
        let uGradient = weighted.multiply(points, transposeSelf: true)  // m × n: Σ_p r_p h_pj x_p
        var columnSums = [Double](repeating: 0, count: m)
        for p in 0..<count { for j in 0..<m { columnSums[j] += weighted.entries[p * m + j] } }
        for j in 0..<m {
            for i in 0..<n { gradient[j * n + i] = 2 * scale * w[j] * uGradient[j, i] }
            gradient[m * n + j] = 2 * scale * w[j] * columnSums[j]
            gradient[m * n + m + j] = scale * outputGradient[j]
        }
        gradient[m * n + 2 * m] = scale * residualSum
        if kind == .residual {
            let skipGradient = points.multiplyTransposed(residuals)
            for i in 0..<n { gradient[m * n + 2 * m + 1 + i] = scale * skipGradient[i] }
        }
        return (loss, gradient)
    }
}
