import Testing
@testable import QuadFormCore
@testable import QuadFormReports

@Suite("Neuron counts: the k + 1 approximate plain network")
struct ApproximatePlainTests {
    @Test("x1^2 + x2 on R = 1: 2 neurons, measured error < 1e-6 and within its bound, not exact")
    func issueExample() throws {
        let s = try Synthesis(form: ExpressionParser.form("x1^2 + x2"), options: SynthesisOptions(boxRadius: 1))
        let approx = try #require(try ApproximatePlainNetwork(synthesis: s))
        #expect(approx.neurons == 2)
        #expect(approx.network.hiddenNeurons == 2 && approx.network.isPlain)
        #expect(approx.maxErrorMeasured < 1e-6)
        #expect(approx.maxErrorMeasured <= approx.errorBound)
        // Independently: at the corner x = (1, 1) the truncation error (a_Nᵀx)²/(2t) = 1/(2t) dominates.
        let g = try approx.network.realization([1, 1])[0]
        #expect(abs((g - 2) - 1 / (2 * approx.t)) < 1e-8)
        #expect(g != 2)
        #expect(approx.note.contains("NOT EXACT"))
    }

    @Test("the balanced t beats t/100 and 100t on the box (truncation vs rounding)")
    func balancedShift() throws {
        let s = try Synthesis(form: ExpressionParser.form("x1^2 + 3*x2 - x3"))
        let approx = try #require(try ApproximatePlainNetwork(synthesis: s))
        func bound(_ t: Double) -> Double { approx.reach * approx.reach / (2 * t) + 4 * Double.ulpOfOne * (t + approx.reach) }
        #expect(bound(approx.t) < bound(approx.t / 100))
        #expect(bound(approx.t) < bound(approx.t * 100))
        #expect(approx.maxErrorMeasured <= approx.errorBound)
    }

    @Test("no approximate network when a ∈ range(A): the exact plain one already has k neurons")
    func notNeeded() throws {
        let s = try Synthesis(form: ExpressionParser.form("x^2 + 2*x + y^2"))
        #expect(try ApproximatePlainNetwork(synthesis: s) == nil)
        let report = try SynthesisReport(synthesis: s)
        #expect(report.json["plain_approximate"] == .null)
    }
}
