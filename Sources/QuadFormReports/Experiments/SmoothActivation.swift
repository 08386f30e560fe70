import QuadFormCore
import Foundation

/// Smooth activations used in practice, against which the paper's quadratic model of an
/// activation (design.md §3, T3; the paper's eq. 4) is tested.
public enum SmoothActivation: String, Sendable, CaseIterable {
    /// s(z) = log(1 + eᶻ).
    case softplus
    /// s(z) = tanh z.
    case tanh
    /// s(z) = z Φ(z), Φ the standard normal distribution function (exact, with erf).
    case gelu
    /// s(z) = 1 / (1 + e⁻ᶻ).
    case sigmoid
    /// s(z) = z / (1 + e⁻ᶻ) (swish with β = 1).
    case silu

    static func logistic(_ z: Double) -> Double { z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z)) }

    /// s(z).
    public func callAsFunction(_ z: Double) -> Double {
        switch self {
        case .softplus: return max(z, 0) + log1p(exp(-abs(z)))
        case .tanh: return Foundation.tanh(z)
        case .gelu: return 0.5 * z * erfc(-z / 2.0.squareRoot())
        case .sigmoid: return SmoothActivation.logistic(z)
        case .silu: return z * SmoothActivation.logistic(z)
        }
    }

    /// (s(z), s'(z), s''(z)) in closed form.
    public func derivatives(at z: Double) -> (value: Double, first: Double, second: Double) {
        switch self {
        case .softplus:
            let p = SmoothActivation.logistic(z)
            return (self(z), p, p * (1 - p))
        case .tanh:
            let t = Foundation.tanh(z)
            return (t, 1 - t * t, -2 * t * (1 - t * t))
        case .gelu:
            let density = exp(-z * z / 2) / (2 * Double.pi).squareRoot()
            let distribution = 0.5 * erfc(-z / 2.0.squareRoot())
            return (z * distribution, distribution + z * density, density * (2 - z * z))
        case .sigmoid:
            let p = SmoothActivation.logistic(z)
            return (p, p * (1 - p), p * (1 - p) * (1 - 2 * p))
        case .silu:
            let p = SmoothActivation.logistic(z)
            let dp = p * (1 - p)
            return (z * p, p + z * dp, 2 * dp + z * dp * (1 - 2 * p))
        }
    }

    /// The second-order Taylor polynomial of s at z₀ written as `T(z) = αz² + βz + γ`, the
    /// quadratic activation of design.md §6: `α = s''/2`, `β = s' − s'' z₀`, `γ = s − s' z₀ + s'' z₀²/2`.
    public func taylorPolynomial(at z0: Double) -> Activation {
        let (s0, s1, s2) = derivatives(at: z0)
        return .quadratic(alpha: s2 / 2, beta: s1 - s2 * z0, gamma: s0 - s1 * z0 + s2 * z0 * z0 / 2)
    }
}
