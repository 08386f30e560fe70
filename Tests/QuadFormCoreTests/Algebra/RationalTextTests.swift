import BigInt
import Testing
@testable import QuadFormCore

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

    @Test("doubleValue rounds once to the nearest Double, ties to even, subnormals and overflow included")
    func nearestDouble() {
        // IEEE division of two exactly representable integers is correctly rounded: the oracle.
        var rng = SplitMix64(seed: 11)
        for _ in 0..<2000 {
            let p = Int.random(in: -(1 << 53)...(1 << 53), using: &rng), q = Int.random(in: 1...(1 << 53), using: &rng)
            #expect(Rational(BigInt(p), BigInt(q)).doubleValue == Double(p) / Double(q), "\(p)/\(q)")
        }
        // Just above 1 by less than half an ulp but with a sticky tail: truncating first would give 1.
        let one = BigInt(1) << 70
        #expect(Rational(one + (BigInt(1) << 17) + 1, one).doubleValue == 1.0000000000000002)
        #expect(Rational(one + (BigInt(1) << 17), one).doubleValue == 1)  // a tie: to even
        // Subnormal and beyond the range.
        #expect(Rational(BigInt(3), BigInt(1) << 1075).doubleValue == 2 * Double.leastNonzeroMagnitude)  // 1.5·2⁻¹⁰⁷⁴ → even
        #expect(Rational(BigInt(1), BigInt(1) << 1076).doubleValue == 0)
        #expect(Rational(BigInt(-5), BigInt(1) << 1076).doubleValue == -Double.leastNonzeroMagnitude)
        #expect(Rational(BigInt(1) << 1024).doubleValue == .infinity)
        #expect(Rational(BigInt(1) << 1023).doubleValue == 0x1p1023)
    }
}
