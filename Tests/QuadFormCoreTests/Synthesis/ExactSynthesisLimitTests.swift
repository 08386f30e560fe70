import Foundation
import Testing
@testable import QuadFormCore

@Suite("Exact synthesis limits")
struct ExactLimitTests {
    @Test("astronomic coefficients are refused before the reduction starts")
    func hugeCoefficient() throws {
        let form = try ExactForm.parse("x^2 + 1e1000*x*y - y")
        #expect(throws: SynthesisError.self) { _ = try ExactSynthesis(form: form) }
    }

    @Test("Rational reduces unbalanced fractions exactly")
    func unbalancedGCD() throws {
        let r = try #require(Rational(exactText: "9e4000/12345"))
        // 12345 = 3 · 5 · 823, so 9·10^4000 / 12345 = 3 · 2·10^3999 / 823.
        #expect(r.denominator == 823)
        #expect(r * Rational(823) == (Rational(decimalLiteral: "6e3999") ?? .zero))
    }
}
