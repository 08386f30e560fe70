import QuadFormCore
import Foundation

/// Errors of the experiments' settings (training, design.md §3; Taylor model, §3 T3).
public enum ExperimentError: Error, Equatable, CustomStringConvertible {
    /// A setting is out of range (which one, in the message).
    case invalidSetting(String)
    /// A flat parameter vector θ of the wrong length for its network.
    case parameterCount(kind: String, neurons: Int, inputs: Int, expected: Int, found: Int)
    /// The form has no variables, so there is nothing to train.
    case nothingToTrain
    /// s''(z₀) is (numerically) zero, so the Taylor polynomial is not quadratic and eq. (4) does not apply.
    case flatCurvature(activation: String, z0: Double, second: Double)

    /// The message for users.
    public var description: String {
        switch self {
        case let .invalidSetting(m): return m
        case let .parameterCount(kind, neurons, inputs, expected, found):
            return "a \(kind) network with \(neurons) neurons on \(inputs) inputs has \(expected) parameters, got \(found)"
        case .nothingToTrain: return "the form has no variables: there is nothing to train"
        case let .flatCurvature(activation, z0, second):
            let point = NumberFormat.short(z0)
            return "\(activation)''(\(point)) = \(NumberFormat.short(abs(second) == 0 ? 0 : second)): the Taylor polynomial at z0 = \(point) is not quadratic (α = s''/2 = 0); choose a z0 where s'' ≠ 0"
        }
    }
}
