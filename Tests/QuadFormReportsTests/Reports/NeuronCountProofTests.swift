import Foundation
import Testing
@testable import QuadFormCore
@testable import QuadFormReports

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
