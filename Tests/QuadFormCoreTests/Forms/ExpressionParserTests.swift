import Foundation
import Testing
@testable import QuadFormCore
import QuadFormTestSupport

@Suite("Expression parser")
struct ExpressionTests {
    @Test("The issue's example: rank 2, residual 2, plain 4")
    func publicExample() throws {
        let form = try ExpressionParser.form("x1^2 + 3*x1*x2 + x2^2 + x3 - 5")
        #expect(form.variables == ["x1", "x2", "x3"])
        #expect(form.constant == -5)
        #expect(form.linear == [0, 0, 1])
        let s = try Synthesis(form: form)
        #expect(s.rank == 2)
        #expect(s.residual.hiddenNeurons == 2)
        #expect(s.plain.hiddenNeurons == 4)
        #expect(try s.verify().passed)
    }

    @Test("Products and powers expand; the expansion matches direct evaluation")
    func expansion() throws {
        let form = try ExpressionParser.form("(x+y+1)^2 - 2*(x - y/4)*(3 + y) + 1.5e-1*z**2 - -x/2")
        var rng = SplitMix64(seed: 7)
        for _ in 0..<20 {
            let (x, y, z) = (rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian())
            let expected = (x + y + 1) * (x + y + 1) - 2 * (x - y / 4) * (3 + y) + 0.15 * z * z + x / 2
            let got = evaluateDirectly(form, [x, y, z])
            #expect(abs(got - expected) <= 1e-13 * (1 + abs(expected)))
        }
    }

    @Test("Natural variable order and --variables")
    func ordering() throws {
        #expect(try ExpressionParser.form("x10 + x2 + x1").variables == ["x1", "x2", "x10"])
        #expect(try ExpressionParser.form("x^2 + 0*y").variables == ["x", "y"])
        #expect(try ExpressionParser.form("x^2 + z - z + w^0 + 3/(2 + 0*v)").variables == ["v", "w", "x", "z"])
        #expect(try ExpressionParser.form("x*y", variables: ["y", "x", "z"]).variables == ["y", "x", "z"])
        #expect(throws: FormError.self) { try ExpressionParser.form("x*y", variables: ["x"]) }
    }

    @Test("Errors say what and where", arguments: [
        ("x^3 + 1", 1, "degree 3"),
        ("x*y*z", 1, "degree 3"),
        ("(x^2)^2", 1, "degree 4"),
        ("x / y", 5, "division"),
        ("x / 0", 5, "division by zero"),
        ("(x + 1", 1, "unbalanced"),
        ("x + 1)", 6, "unbalanced"),
        ("x + * y", 5, "doubled operator"),
        ("x +", 3, "operand is missing"),
        ("1.2.3", 1, "malformed number"),
        ("x # y", 3, "unexpected character"),
        ("", 1, "empty"),
        ("x^-1", 3, "non-negative"),
        ("x^0.5", 3, "non-negative integer"),
        ("1e999 * x", 1, "overflow"),
        ("3x", 2, "missing operator"),
    ])
    func errors(text: String, column: Int, fragment: String) throws {
        do {
            _ = try ExpressionParser.form(text)
            Issue.record("'\(text)' should not parse")
        } catch let error as ExpressionError {
            #expect(error.column == column, "column of '\(text)': \(error)")
            #expect(error.message.contains(fragment), "message of '\(text)': \(error.message)")
        }
    }

    @Test("Deep nesting is refused, not a stack overflow")
    func deepNesting() throws {
        let deep = String(repeating: "(", count: 50_000) + "x" + String(repeating: ")", count: 50_000)
        #expect(throws: ExpressionError.self) { try ExpressionParser.form(deep) }
        let long = Array(repeating: "x", count: 20_000).joined(separator: " + ")
        #expect(try ExpressionParser.form(long).linear == [20_000])
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

@Suite("The parser's stack does not depend on the caller's thread")
struct ParserStackTests {
    @Test("Expressions and JSON nested up to their limits parse from a thread with a 256 KiB stack")
    func smallStackCaller() throws {
        final class Box: @unchecked Sendable { var linear: [Double] = []; var refused = false; var json: JSONValue? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let depth = ExpressionParser.maximumNesting / 2 - 1
            let nested = String(repeating: "-(", count: depth) + "x" + String(repeating: ")", count: depth)
            box.linear = (try? ExpressionParser.form(nested).linear) ?? []
            let deep = String(repeating: "(", count: 50_000) + "x" + String(repeating: ")", count: 50_000)
            box.refused = (try? ExpressionParser.form(deep)) == nil
            let depthJSON = JSONReader.maximumDepth - 1
            box.json = try? JSONReader.parse(String(repeating: "[", count: depthJSON) + "1" + String(repeating: "]", count: depthJSON))
            done.signal()
        }
        thread.stackSize = 256 << 10
        thread.start()
        done.wait()
        #expect(box.linear.count == 1 && abs(box.linear[0]) == 1)
        #expect(box.refused)
        #expect(box.json != nil)
    }
}

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
