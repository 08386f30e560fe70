import Foundation
import Testing
@testable import QuadForm

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

@Suite("Review: prove says when it rounds a_N away")
struct ProveRoundingTests {
    /// f = x² + x + 1e-16·y has a_N = (0, 1e-16) ≠ 0: the true plain minimum is k + 2 = 3 (exact mode
    /// finds it). Floating mode treats a_N as rounding; its argument must say that it is about
    /// f with a_N dropped, and point to --exact, instead of asserting a ∈ range(A) for f itself.
    @Test("x² + x + 1e-16·y: floating prove qualifies a ∈ range(A); exact prove finds plain = 3")
    func tinyNullPart() throws {
        let form = try ExpressionParser.form("x^2 + x + 1e-16*y")
        let proof = NeuronCountProof(report: try SynthesisReport(synthesis: try Synthesis(form: form)))
        let linear = try #require(proof.paragraphs.first { $0.hasPrefix("Linear term") })
        #expect(linear.contains("--exact"))
        #expect(linear.contains("1e-16·‖x‖"))
        let exact = try ExactSynthesis(form: ExactForm.parse("x^2 + x + 1e-16*y"))
        #expect(exact.plain.hiddenNeurons == 3)
    }
}

@Suite("Review: coefficient tolerances of s-networks")
struct ActivationToleranceTests {
    /// For s(z) = 1e-10·z² + z + 1 each neuron's linear coefficient is w(2αb + β) with 2αb ≈ −β:
    /// the terms cancel, so their rounding is set by |w|(2|α||b| + |β|), not by the tiny result.
    /// The samples passed while the coefficient check failed on rounding of 1e-6 against a
    /// tolerance computed from the cancelled value.
    @Test("s(z) = 1e-10·z² + z + 1: both s-networks verify; so does a large β")
    func cancellingLinearCoefficient() throws {
        let synthesis = try Synthesis(form: ExpressionParser.form("x^2 + y"))
        for spec in ["quadratic:1e-10,1,1", "quadratic:1,1e6,0"] {
            let networks = try QuadraticActivationNetworks(synthesis: synthesis, spec: QuadraticActivationSpec(parsing: spec))
            #expect(networks.residualCheck.coefficientsPassed, "\(spec)")
            #expect(networks.plainCheck.coefficientsPassed, "\(spec)")
            #expect(networks.passed, "\(spec)")
        }
    }

    /// A real error in the linear coefficient is still caught: shift one s-neuron's bias by 1e-6.
    @Test("A perturbed s-network bias still fails the coefficient check")
    func perturbedStillFails() throws {
        let synthesis = try Synthesis(form: ExpressionParser.form("x^2 + y"))
        let spec = try QuadraticActivationSpec(parsing: "quadratic:1e-10,1,1")
        let net = try QuadraticActivationRewrite.rewrite(synthesis.residual, to: spec)
        var bias = net.layers[0].bias
        bias[0] += 1e-3
        let bad = try ResNet(widths: net.widths, activation: net.activation,
                             layers: [ResNet.Layer(weights: net.layers[0].weights, bias: bias), net.layers[1]], skips: net.skips)
        let check = try Verifier(synthesis: synthesis).check(bad, name: "residual", points: Verifier.samplePoints(dimension: 2, radius: 1, random: 8, seed: 1))
        #expect(!check.passed)
    }
}

@Suite("Review: the Taylor δ sweep lives in the library")
struct TaylorSweepTests {
    @Test("geometricDeltas: endpoints, constant ratio, and typed errors for bad sweeps")
    func sweep() throws {
        let deltas = try TaylorOptions.geometricDeltas(largest: 0.25, smallest: 1.0 / 1024, count: 9)
        #expect(deltas.count == 9)
        #expect(deltas.first == 0.25 && deltas.last == 1.0 / 1024)
        for i in 1..<deltas.count { #expect(abs(deltas[i] / deltas[i - 1] - 0.5) < 1e-14) }
        #expect(throws: ExperimentError.self) { try TaylorOptions.geometricDeltas(largest: 1, smallest: 1, count: 3) }
        #expect(throws: ExperimentError.self) { try TaylorOptions.geometricDeltas(largest: 1, smallest: 0.1, count: 1) }
        #expect(throws: ExperimentError.self) { try TaylorOptions.geometricDeltas(largest: .infinity, smallest: 0.1, count: 3) }
    }
}
