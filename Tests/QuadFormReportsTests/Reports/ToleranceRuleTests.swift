import Foundation
import Testing
@testable import QuadFormCore
@testable import QuadFormReports

@Suite("The rank tolerance rule is named the same way in every report")
struct ToleranceRuleTests {
    @Test("A non-symmetric M: the tolerance follows A's eigenvalues, not the skew part (issue 22)")
    func skewRule() throws {
        // M = [[1e-3, 5], [-5, 1e-3]]: A = 1e-3·I exactly, skew part of norm 5·√2 ≫ max|λ|. Forming A
        // costs one rounding of A's own entries, so both eigenvalues are kept.
        let m = Matrix(rowArrays: [[1e-3, 5], [-5, 1e-3]])
        let s = try Synthesis(form: QuadraticForm(constant: 0, linear: [0, 0], quadratic: m))
        #expect(s.tolerance.rule == .spectral)
        #expect(s.rank == 2)
        #expect(s.tolerance.formula == "max(n,1)·ε·max|λ|")
        #expect(try SynthesisReport(synthesis: s).status == .passed)
        for (skew, small, rank) in [(1e20, 1.0, 2), (3e15, 1e-3, 2), (1e13, 1e-3, 2)] {
            let form = try QuadraticForm(constant: 0, linear: [0, 0], quadratic: Matrix(rowArrays: [[1, skew], [-skew, small]]))
            let synthesis = try Synthesis(form: form)
            #expect(synthesis.rank == rank, "skew \(skew)")
            #expect(try SynthesisReport(synthesis: synthesis).status == .passed, "skew \(skew)")
        }
        let symmetric = try Synthesis(form: ExpressionParser.form("x^2 + y^2"))
        #expect(symmetric.tolerance.formula == "max(n,1)·ε·max|λ|")
        #expect(SpectrumReport(synthesis: symmetric).text.contains("max(n,1)·ε·max|λ|"))
        // A typed cross term sits in one corner of M (M = [[0, 1], [0, 0]] for x*y): A = (M + Mᵀ)/2 is
        // formed exactly, so the skew part must not set the tolerance nor be mentioned (issue 13).
        let typed = try Synthesis(form: ExpressionParser.form("x*y + 3*x - 2"))
        #expect(typed.form.quadratic[0, 1] != typed.form.quadratic[1, 0])
        #expect(typed.tolerance.rule == .spectral)
        #expect(typed.tolerance.formula == "max(n,1)·ε·max|λ|")
        #expect(try !SynthesisReport(synthesis: typed).text.contains("skew"))
        #expect(typed.rankTolerance == 2 * Double.ulpOfOne * typed.eigen.eigenvalues.map(abs).max()!)
        let user = try Synthesis(form: ExpressionParser.form("x^2"), options: SynthesisOptions(rankTolerance: 1e-3))
        #expect(user.tolerance.formula == nil && user.tolerance.jsonRule == "user")
        #expect(try SynthesisReport(synthesis: user).text.contains("tolerance 0.001 (given)"))
        // float32 input names float32's ε, in the formula and the JSON rule.
        let f32 = RankTolerance(dimension: 3, eigenvalues: [1, 0, 0], precision: .float32, userValue: nil)
        #expect(f32.formula == "max(n,1)·ε_float32·max|λ|" && f32.jsonRule == "max(n,1)*eps_float32*max|lambda|")
        #expect(f32.value == 3 * Double(Float.ulpOfOne))
    }
}
