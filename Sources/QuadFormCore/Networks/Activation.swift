import Foundation

/// The activation σ of a network: applied componentwise on layers 1…L−1 (design.md §1, §6).
public enum Activation: Equatable, Sendable, CustomStringConvertible {
    /// σ(z) = z².
    case square
    /// σ(z) = max(z, 0).
    case relu
    /// σ(z) = z.
    case identity
    /// σ(z) = αz² + βz + γ (the paper's s, eq. 4).
    case quadratic(alpha: Double, beta: Double, gamma: Double)

    /// σ(z).
    @inline(__always)
    public func callAsFunction(_ z: Double) -> Double {
        switch self {
        case .square: return z * z
        case .relu: return max(z, 0)
        case .identity: return z
        case let .quadratic(a, b, c): return (a * z + b) * z + c
        }
    }

    /// The activation's name in the network JSON of design.md §6.
    public var kind: String {
        switch self {
        case .square: return "square"
        case .relu: return "relu"
        case .identity: return "identity"
        case .quadratic: return "quadratic"
        }
    }

    public var description: String {
        switch self {
        case let .quadratic(a, b, c): return "quadratic(α=\(a), β=\(b), γ=\(c))"
        default: return kind
        }
    }
}
