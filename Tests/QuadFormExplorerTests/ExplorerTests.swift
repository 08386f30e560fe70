import Foundation
import Testing
@testable import QuadFormCore
@testable import QuadFormReports
@testable import QuadFormExplorer

/// The explorer's API (`Explorer.respond`, docs/serve.md) without a server: the report equals the
/// library's own synth report, and bad input is a 400/413 JSON error, never a crash.
@Suite struct ExplorerTests {
    func answer(_ body: String, path: String = "/api/synth", method: String = "POST") throws -> (Int, JSONValue) {
        let r = Explorer.respond(method: method, path: path, body: Data(body.utf8))
        return (r.status, try JSONReader.parse(String(decoding: r.body, as: UTF8.self)))
    }

    @Test func synthAnswersTheSynthReport() throws {
        let expression = "x1^2 + 3*x1*x2 + x2^2 + x3 - 5"
        let (status, json) = try answer(#"{"expression": "\#(expression)", "exact": false, "activation": null}"#)
        #expect(status == 200)
        let report = try SynthesisReport(synthesis: Synthesis(form: ExpressionParser.form(expression), options: Explorer.options))
        #expect(JSONWriter.write(json) == JSONWriter.write(report.json))
        #expect(json["rank"] == .number("2"))
    }

    @Test func exactAnswersTheExactReport() throws {
        let (status, json) = try answer(#"{"expression": "x^2/3 + x*y + y/2", "exact": true}"#)
        #expect(status == 200)
        let report = try ExactSynthesisReport(synthesis: ExactSynthesis(form: ExactForm.parse("x^2/3 + x*y + y/2")))
        #expect(JSONWriter.write(json) == JSONWriter.write(report.json))
    }

    @Test func expressionErrorsCarryTheirColumn() throws {
        let (status, json) = try answer(#"{"expression": "x^2 + x^3"}"#)
        #expect(status == 400)
        #expect(json["column"] == .number("7"))
        guard case .string(let message)? = json["error"] else { Issue.record("no error text"); return }
        #expect(message.hasPrefix("expression:1:7:"))
        #expect(message.hasSuffix("      ^^^"))
    }

    @Test(arguments: [
        #"{"expression": "x^2""#, #"[1]"#, #"{"expression": "x", "extra": 1}"#, #"{"expression": 2}"#,
        #"{"exact": true}"#, #"{"expression": "x", "form": {"quadratic": [[1]]}}"#, #"{"expression": "x", "activation": 3}"#,
        #"{"expression": "x^2", "activation": "quadratic:0,0,1"}"#,
    ])
    func badRequestsAre400(_ body: String) throws {
        let (status, json) = try answer(body)
        #expect(status == 400)
        #expect(json["column"] == .null)
        #expect(json["error"] != nil)
    }

    @Test func limits() throws {
        let big = String(repeating: " ", count: Explorer.maximumBodyBytes + 1)
        #expect(Explorer.respond(method: "POST", path: "/api/synth", body: Data(big.utf8)).status == 413)
        let exact13 = (1...13).map { "x\($0)^2" }.joined(separator: " + ")
        #expect(try answer(#"{"expression": "\#(exact13)", "exact": true}"#).0 == 400)
        #expect(try answer(#"{"expression": "\#(exact13)", "exact": false}"#).0 == 200)
        let long = String(repeating: "x + ", count: Explorer.maximumExpressionLength / 4) + "1"
        #expect(try answer(#"{"expression": "\#(long)"}"#).0 == 400)
        #expect(Explorer.respond(method: "GET", path: "/api/synth").status == 405)
        #expect(Explorer.respond(method: "POST", path: "/nothing").status == 404)
    }

    @Test func evaluateMatchesTheForm() throws {
        let (status, json) = try answer(#"{"expression": "x*y + 2*x - 1", "at": [3, 4]}"#, path: "/api/eval")
        #expect(status == 200)
        let f = ExpressionParserTestValue.value(json["f"]), r = ExpressionParserTestValue.value(json["residual"]), p = ExpressionParserTestValue.value(json["plain"])
        #expect(f == 17)
        #expect(abs(r - 17) < 1e-12 && abs(p - 17) < 1e-12)
        let (s2, exact) = try answer(#"{"expression": "x^2/3 + y", "exact": true, "at": ["1/2", 0.1]}"#, path: "/api/eval")
        #expect(s2 == 200)
        #expect(exact["f"] == .string("11/60") && exact["plain"] == .string("11/60") && exact["residual"] == .string("11/60"))
        #expect(try answer(#"{"expression": "x*y", "at": [1]}"#, path: "/api/eval").0 == 400)
    }

    @Test func networkRealizationOfExample156() throws {
        let net = try String(contentsOfFile: "examples/example-1.5.6.json", encoding: .utf8)
        let (status, json) = try answer(#"{"network": \#(net), "at": [5]}"#, path: "/api/eval")
        #expect(status == 200)
        #expect(json["realization"] == .array([.number("28")]))
    }
}

/// Reads a JSON number as a Double for the comparisons above.
enum ExpressionParserTestValue {
    static func value(_ v: JSONValue?) -> Double {
        if case .number(let text)? = v { return Double(text) ?? .nan }
        return .nan
    }
}
