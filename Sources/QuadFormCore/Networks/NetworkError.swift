import Foundation

/// Errors in a network's description: shapes that do not fit, skips out of range, bad input.
public enum NetworkError: Error, Equatable, CustomStringConvertible {
    /// `widths` has fewer than two entries or a negative one.
    case badWidths(String)
    /// Layer k's weights or bias have the wrong shape.
    case layerShape(layer: Int, String)
    /// A skip (r, k) breaks 0 ≤ r < k ≤ L, repeats, or has the wrong shape.
    case badSkip(index: Int, String)
    /// The input has the wrong length.
    case inputLength(expected: Int, found: Int)
    /// A parameter is NaN or infinite.
    case nonFinite(String)
    /// An activation that is not what the construction needs (α = 0, a spec that does not parse).
    case badActivation(String)
    /// A network of a kind the operation does not apply to (not one hidden layer of squares, say).
    case unsupported(String)
    /// A batch whose results would exceed a documented limit.
    case tooLarge(String)

    public var description: String {
        switch self {
        case .badWidths(let m): return "widths: \(m)"
        case let .layerShape(layer, m): return "layer \(layer): \(m)"
        case let .badSkip(index, m): return "skips[\(index)]: \(m)"
        case let .inputLength(expected, found): return "input has \(found) value\(found == 1 ? "" : "s"); the network takes \(expected)"
        case .nonFinite(let m), .badActivation(let m), .unsupported(let m), .tooLarge(let m): return m
        }
    }
}
