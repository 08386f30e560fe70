import Foundation
import Testing
@testable import QuadFormCore
import QuadFormTestSupport

/// Relative error of `net` against f at points of the box [−R, R]ⁿ and a few far points, with f
/// evaluated directly from M in plain Double arithmetic (independent of the synthesis).
func worstRelativeError(_ net: ResNet, _ form: QuadraticForm, radius: Double = 1, seed: UInt64 = 7) throws -> Double {
    var rng = SplitMix64(seed: seed)
    var worst = 0.0
    for trial in 0..<64 {
        let scale = trial < 60 ? radius : 1000 * radius
        let x = (0..<form.dimension).map { _ in scale * (2 * rng.nextUnit() - 1) }
        var magnitude = abs(form.constant)
        for i in 0..<form.dimension {
            magnitude += abs(form.linear[i] * x[i])
            for j in 0..<form.dimension { magnitude += abs(form.quadratic[i, j] * x[i] * x[j]) }
        }
        let error = abs(try net.realization(x)[0] - evaluateDirectly(form, x))
        worst = max(worst, error / magnitude)
    }
    return worst
}

@Suite("Review: scale invariance of the synthesized networks")
struct ScaleInvarianceTests {
    /// The README's example scaled by s: the same counts, and both networks agree with f to a
    /// relative error of a few ε whatever s is (the plain network's two a_N neurons must not
    /// cancel catastrophically when ‖a_N‖ is far from 1).
    @Test("Scaling f by 1e±100, 1e±8 keeps both networks accurate", arguments: [1.0, 1e8, 1e-8, 1e100, 1e-100, 1e150, 1e-150])
    func scaled(by s: Double) throws {
        let base = try ExpressionParser.form("x1^2 + 3*x1*x2 + x2^2 + x3 - 5")
        let form = try QuadraticForm(variables: base.variables, constant: s * base.constant, linear: base.linear.map { s * $0 },
                                     quadratic: Matrix(rows: 3, columns: 3, entries: base.quadratic.entries.map { s * $0 }))
        let synthesis = try Synthesis(form: form)
        #expect(synthesis.rank == 2)
        #expect(synthesis.residual.hiddenNeurons == 2)
        #expect(synthesis.plain.hiddenNeurons == 4)
        #expect(try synthesis.verify().passed)
        #expect(try worstRelativeError(synthesis.residual, form) < 1e-13)
        #expect(try worstRelativeError(synthesis.plain, form) < 1e-13)
    }

    @Test("A linear term of 1e8 outside range(A): plain agrees with f to 1e-13 relative")
    func largeNullPart() throws {
        let form = try ExpressionParser.form("x^2 + 1e8*y")
        let synthesis = try Synthesis(form: form)
        #expect(synthesis.plain.hiddenNeurons == 3)
        #expect(try worstRelativeError(synthesis.plain, form) < 1e-13)
    }
}

@Suite("Review: the k + 1 approximate network at extreme scales")
struct ApproximateScaleTests {
    /// The approximate neuron's squares are about t² = s²/(8ε); with ‖a_N‖ = 1e150 that overflowed
    /// when the neuron's row was a_N itself, and the measured error came out infinite.
    @Test("‖a_N‖ = 1e150 and 1e-150: the measured error is finite and within the bound", arguments: [1e150, 1e-150, 1e100])
    func extreme(scale: Double) throws {
        let form = try QuadraticForm(constant: 0, linear: [0, scale], quadratic: Matrix(rowArrays: [[scale, 0], [0, 0]]))
        let synthesis = try Synthesis(form: form)
        let approx = try #require(try ApproximatePlainNetwork(synthesis: synthesis))
        #expect(approx.maxErrorMeasured.isFinite)
        #expect(approx.maxErrorMeasured <= approx.errorBound)
        // Independently at the corner (1, 1): f = 2·scale, and the truncation error is scale²/(2t).
        let g = try approx.network.realization([1, 1])[0]
        #expect(abs(g - 2 * scale - scale * scale / (2 * approx.t)) <= approx.errorBound)
    }
}
