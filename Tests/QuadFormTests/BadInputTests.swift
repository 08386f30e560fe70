import Foundation
import Testing
@testable import QuadForm

/// Issue 6: every class of bad input ends in a typed error with a clear, located message.
/// These suites go through the library; `CommandLineBadInputTests` runs the built executable.

/// Parses `text` and returns the error it must raise.
private func expressionError(_ text: String) -> ExpressionError? {
    do {
        _ = try ExpressionParser.form(text)
        return nil
    } catch let error as ExpressionError {
        return error
    } catch {
        Issue.record("expected an ExpressionError for \(text.prefix(60)), got \(type(of: error)): \(error)")
        return nil
    }
}

@Suite("Bad expressions")
struct ExpressionBadInputTests {
    /// (expression, a fragment the message must contain, the 1-based column the caret points at).
    static let syntaxCases: [(String, String, Int)] = [
        ("(x + y", "unbalanced '('", 1),
        ("x + y)", "unbalanced ')'", 6),
        ("((x)", "unbalanced '('", 1),
        ("x +", "operand is missing", 3),
        ("* x", "cannot start with '*'", 1),
        ("x * / y", "doubled operator", 5),
        ("x ++ y", "doubled operator '++'", 3),
        ("x + + y", "doubled operator '++'", 3),
        ("x // 2", "doubled operator", 4),
        ("1.2.3 * x", "malformed number '1.2.3'", 1),
        ("2e * x", "malformed number '2e'", 1),
        ("x $ y", "unexpected character '$'", 3),
        ("x\u{0}y", "control character U+0000", 2),
        ("x × y", "unexpected character '×'", 3),
        ("", "empty expression", 1),
        ("   ", "empty expression", 1),
        ("()", "empty parentheses", 1),
        ("x y", "missing operator", 3),
        ("3x", "missing operator", 2),
        ("sin(x)", "functions are not supported: 'sin(…)'", 1),
        ("1 + exp (x*y)", "functions are not supported: 'exp(…)'", 5),
        ("x^", "'^' needs an exponent", 2),
        ("x^^2", "exponent must be a non-negative integer", 3),
        ("x^2^2", "chained exponents", 4),
    ]

    @Test("syntax errors name the problem and put the caret at the right column", arguments: syntaxCases)
    func syntax(_ text: String, _ fragment: String, _ column: Int) throws {
        let error = try #require(expressionError(text))
        #expect(error.message.contains(fragment), "\(error.message)")
        #expect(error.column == column)
        let lines = error.description.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("expression:1:\(column): "))
        // The caret line starts under the column (two spaces of indentation).
        let caretOffset = lines[2].firstIndex(of: "^").map { lines[2].distance(from: lines[2].startIndex, to: $0) }
        #expect(caretOffset == column + 1)
    }

    static let semanticCases: [(String, String)] = [
        ("x^3", "degree 3"),
        ("x*y*z + 1", "degree 3"),
        ("(x^2)^2", "degree 4"),
        ("(x + 1)*(y - 1)*(z + 2)", "degree 3"),
        ("x*(x*y)", "degree 3"),
        ("x^0.5", "non-negative integer, not 0.5"),
        ("x^-1", "negative powers"),
        ("x^(-2)", "negative powers"),
        ("x^y", "non-negative integer literal"),
        ("x/y", "division by an expression that contains y"),
        ("1/(x + 1)", "division by an expression that contains x"),
        ("x/0", "division by zero"),
        ("x/(2 - 2)", "division by zero"),
        ("x/(y - y)", "division by zero"),
        ("1e400*x", "overflows a Double"),
        ("x + 1e308*10", "overflows a Double"),
        ("(1e200)^2*x", "overflows a Double"),
        ("((2^1000)^1000)^1000*x", "overflows a Double"),
        ("x^100000000000000000000000", "too large"),
        ("x^10001", "too large"),
    ]

    @Test("degree, exponent, division and overflow errors", arguments: semanticCases)
    func semantic(_ text: String, _ fragment: String) throws {
        let error = try #require(expressionError(text))
        #expect(error.message.contains(fragment), "\(error.message)")
        #expect(!error.description.contains("\n\n"))
    }

    @Test("degree errors quote the offending term")
    func degreeQuotesTerm() throws {
        let error = try #require(expressionError("1 + x*y*z - 2*w"))
        #expect(error.message.contains("'x*y*z'"))
        #expect(error.column == 5)
        #expect(error.length == 5)
    }

    @Test("tens of thousands of parentheses or signs are refused, not a stack overflow")
    func deepNesting() throws {
        for text in [String(repeating: "(", count: 50_000) + "x" + String(repeating: ")", count: 50_000),
                     String(repeating: "-(", count: 30_000) + "x" + String(repeating: ")", count: 30_000),
                     String(repeating: "(", count: 100_000)] {
            let error = try #require(expressionError(text))
            #expect(error.message.contains("nests deeper than \(ExpressionParser.maximumNesting)"))
            // A long expression is shown as a window around the column, still three lines.
            let lines = error.description.split(separator: "\n")
            #expect(lines.count == 3)
            #expect(lines[1].count < 100)
        }
        // Nesting within the limit still parses.
        let ok = String(repeating: "(", count: 150) + "x" + String(repeating: ")", count: 150)
        #expect(try ExpressionParser.form(ok).linear == [1])
    }

    @Test("newlines and tabs in the expression keep the message to three lines")
    func controlCharactersInSource() throws {
        let error = try #require(expressionError("x +\n\ty ^ 3"))
        #expect(error.description.split(separator: "\n").count == 3)
        #expect(error.message.contains("degree 3"))
    }

    @Test("a 20,000-term sum expands, and too many variables are refused")
    func manyVariables() throws {
        let names = (0..<ExpressionParser.maximumVariables).map { "x\($0)" }
        let p: QuadraticPolynomial<Double> = try ExpressionParser.polynomial(names.joined(separator: " + "))
        #expect(p.linear.count == ExpressionParser.maximumVariables)
        let tooMany = (0...ExpressionParser.maximumVariables).map { "x\($0)" }.joined(separator: "+")
        #expect(throws: FormError.self) { try ExpressionParser.form(tooMany) }
    }

    @Test("exact mode refuses astronomic numbers instead of hanging", arguments: [
        "((10^10000)^10000)*x",
        "(((7^10000)^10000)^10000)^10000",
        "1e-9223372036854775808*x",
        "1e99999*x",
        "x*1" + String(repeating: "0", count: 5_000),
        Array(repeating: "1e4000", count: 40).joined(separator: "*"),
        // Found by fuzz/run.sh expression (timeouts before the size checks existed).
        "4*4e-3854 **5",
        "4*8e-3854 ---------- 4*4e-3850**4",
    ])
    func exactLimits(_ text: String) throws {
        do {
            _ = try ExpressionParser.polynomial(text, as: Rational.self)
            Issue.record("expected an error for \(text.prefix(40))")
        } catch let error as ExpressionError {
            #expect(error.message.contains("too large for exact arithmetic"), "\(error.message)")
        }
    }

    @Test("exact mode still takes large but reasonable numbers")
    func exactWithinLimits() throws {
        let p = try ExpressionParser.polynomial("(2^1000)*x - 1e300", as: Rational.self)
        #expect(p.linear["x"] == Rational(exactly: 0x1p1000))
        #expect(p.constant == -(Rational(decimalLiteral: "1e300") ?? .zero))
    }

    @Test("a double negation is not a doubled operator")
    func doubleNegation() throws {
        let form = try ExpressionParser.form("x - -y")
        #expect(form.linear == [1, 1])
    }

    @Test("nesting exactly at the limit parses on a test thread (the stack holds it)")
    func nestingAtLimit() throws {
        let depth = ExpressionParser.maximumNesting
        let text = String(repeating: "(", count: depth) + "x^2" + String(repeating: ")", count: depth)
        let exact = try ExpressionParser.polynomial(text, as: Rational.self)
        #expect(exact.degree == 2)
        let signs = String(repeating: "-(", count: depth / 2) + "x" + String(repeating: ")", count: depth / 2)
        #expect(try ExpressionParser.form(signs).linear == [1])
    }
}

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
