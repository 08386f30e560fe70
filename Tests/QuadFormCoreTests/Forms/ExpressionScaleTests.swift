import Foundation
import Testing
@testable import QuadFormCore

@Suite("Expression expansion at scale")
struct ExpressionScaleTests {
    @Test("(x1+…+x300)^2 expands to every pair once: 1 on squares, 2 across")
    func squareOfSum() throws {
        let n = 300
        let sum = (1...n).map { "x\($0)" }.joined(separator: "+")
        let p = try ExpressionParser.polynomial("(\(sum))^2", as: Rational.self)
        #expect(p.quadratic.count == n * (n + 1) / 2)
        #expect(p.quadratic[.init("x3", "x3")] == .one)
        #expect(p.quadratic[.init("x7", "x250")] == Rational(2))
        let q = try ExpressionParser.polynomial("(\(sum))*(\(sum))", as: Double.self)
        #expect(q.quadratic.count == n * (n + 1) / 2)
        #expect(q.quadratic[.init("x7", "x250")] == 2)
    }

    @Test("products past the term limit are refused before expanding; long constant products are linear")
    func termLimit() throws {
        let sum = (1...2100).map { "x\($0)" }.joined(separator: "+")
        #expect(throws: ExpressionError.self) { _ = try ExpressionParser.polynomial("(\(sum))^2", as: Double.self) }
        #expect(throws: ExpressionError.self) { _ = try ExpressionParser.polynomial("(\(sum))*(y1+\(sum))", as: Rational.self) }
        // 5000 constant factors around a 3000-term sum: one scaling, not 5000.
        let long = (1...3000).map { "x\($0)" }.joined(separator: "+")
        let text = "2*(\(long))" + String(repeating: "*1", count: 5000) + "/2"
        let start = Date()
        let p = try ExpressionParser.polynomial(text, as: Rational.self)
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(p.linear.count == 3000 && p.linear.values.allSatisfy { $0 == .one })
        // 0 times a degree-3 product is still zero (the old expander's behaviour).
        #expect(try ExpressionParser.polynomial("0*x*y*z", as: Double.self).degree == 0)
    }
}
