import Foundation

/// Why outputs cannot form one quadratic map.
public enum QuadraticMapError: Error, Equatable, CustomStringConvertible {
    /// No outputs were given.
    case noOutputs
    /// Output `index` (from 0) has `found` inputs where the first output has `expected`.
    case inputWidthMismatch(index: Int, expected: Int, found: Int)

    public var description: String {
        switch self {
        case .noOutputs: return "a quadratic map needs at least one output"
        case let .inputWidthMismatch(index, expected, found):
            return "output \(index + 1) is a quadratic of \(found) inputs; output 1 has \(expected): the outputs of one map share their inputs"
        }
    }
}

/// An m-output quadratic map `x ↦ (f_1(x), …, f_m(x))`, `f_i(x) = c_i + a_iᵀx + xᵀA_ix`, of the same
/// n inputs (design.md §9): what a quadratic layer with several outputs, or a degree-2 block of a
/// deeper model, computes. Each output keeps how it was summed (`NetworkExtraction.ExtractedForm`),
/// which sets its rank tolerance and rounding model (design.md §5).
public struct QuadraticMap: Sendable {
    /// The outputs, in order; every form has the same variables.
    public let outputs: [NetworkExtraction.ExtractedForm]

    /// The map with these outputs; they must share their number of inputs.
    public init(outputs: [NetworkExtraction.ExtractedForm]) throws {
        guard let first = outputs.first else { throw QuadraticMapError.noOutputs }
        for (index, output) in outputs.enumerated() where output.form.dimension != first.form.dimension {
            throw QuadraticMapError.inputWidthMismatch(index: index, expected: first.form.dimension, found: output.form.dimension)
        }
        self.outputs = outputs
    }

    /// The map of forms given directly (not summed from network terms).
    public init(forms: [QuadraticForm]) throws {
        try self.init(outputs: forms.map { NetworkExtraction.ExtractedForm(form: $0) })
    }

    /// n, the number of inputs.
    public var inputWidth: Int { outputs[0].form.dimension }

    /// m, the number of outputs.
    public var outputCount: Int { outputs.count }

    /// The value of every output at `x`.
    public func evaluate(_ x: [Double]) -> [Double] { outputs.map { $0.form.evaluate(x) } }
}
