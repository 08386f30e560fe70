import BigInt
import Testing
@testable import QuadForm

@Suite("Rational literals: the machine-size fast paths agree with the general reader")
struct RationalTextTests {
    @Test("p/q and integers read in lowest terms with a positive denominator")
    func fastPaths() {
        #expect(Rational(exactText: "-6/4") == Rational(BigInt(-3), BigInt(2)))
        #expect(Rational(exactText: "6/-4") == Rational(BigInt(-3), BigInt(2)))
        #expect(Rational(exactText: "0/5") == .zero)
        #expect(Rational(exactText: "0/5")?.denominator == 1)
        #expect(Rational(exactText: "3/0") == nil)
        #expect(Rational(exactText: " 1/2 ") == Rational(BigInt(1), BigInt(2)))
        #expect(Rational(exactText: "+7") == Rational(7))
        #expect(Rational(exactText: "-9223372036854775807/3")?.denominator == 3)
        #expect(Rational(exactText: "123456789012345678901234567890/10") == Rational(BigInt(stringLiteral: "12345678901234567890123456789")))
        var rng = SplitMix64(seed: 9)
        for _ in 0..<500 {
            let p = Int.random(in: -1_000_000...1_000_000, using: &rng), q = Int.random(in: 1...1_000_000, using: &rng)
            let fast = Rational(exactText: "\(p)/\(q)")
            let general = Rational(decimalLiteral: "\(p)").flatMap { a in Rational(decimalLiteral: "\(q)").map { a / $0 } }
            #expect(fast == general && fast?.denominator == general?.denominator)
        }
    }
}
