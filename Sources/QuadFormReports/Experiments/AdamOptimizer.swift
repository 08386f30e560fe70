import QuadFormCore
import Foundation

/// Adam (Kingma & Ba) with bias correction, on a flat parameter vector.
public struct AdamOptimizer: Sendable {
    /// Step size of the current step.
    public var learningRate: Double
    /// Decay of the first-moment estimate.
    public var beta1: Double
    /// Decay of the second-moment estimate.
    public var beta2: Double
    /// Added to √v̂ in the denominator.
    public var epsilon: Double
    var firstMoment: [Double]
    var secondMoment: [Double]
    var steps = 0

    /// An optimizer for `count` parameters; defaults β1 = 0.9, β2 = 0.999, ε = 1e-12 (small, so
    /// that converging runs reach double-precision accuracy).
    public init(count: Int, learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-12) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        firstMoment = [Double](repeating: 0, count: count)
        secondMoment = [Double](repeating: 0, count: count)
    }

    /// One update `θ ← θ − lr · m̂ / (√v̂ + ε)`.
    public mutating func step(_ parameters: inout [Double], gradient: [Double]) {
        steps += 1
        let correction1 = 1 - pow(beta1, Double(steps))
        let correction2 = 1 - pow(beta2, Double(steps))
        for i in 0..<parameters.count {
            let g = gradient[i]
            firstMoment[i] = beta1 * firstMoment[i] + (1 - beta1) * g
            secondMoment[i] = beta2 * secondMoment[i] + (1 - beta2) * g * g
            let mHat = firstMoment[i] / correction1
            let vHat = secondMoment[i] / correction2
            parameters[i] -= learningRate * mHat / (vHat.squareRoot() + epsilon)
        }
    }
}
