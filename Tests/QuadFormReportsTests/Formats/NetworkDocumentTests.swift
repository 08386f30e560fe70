import Foundation
import Testing
@testable import QuadFormCore
@testable import QuadFormReports

/// Reading networks out of synth's own reports (issue 13): `NetworkDocument` in the library and
/// `quadform eval REPORT --network …` through the built executable.
@Suite("Network documents")
struct NetworkDocumentTests {
    static func floatingReport(_ expression: String, activation: String? = nil) throws -> (SynthesisReport, JSONValue) {
        let synthesis = try Synthesis(form: ExpressionParser.form(expression))
        let report = try SynthesisReport(synthesis: synthesis, activation: activation.map { try QuadraticActivationSpec(parsing: $0) })
        // Through the text, as a file would go.
        return (report, try JSONReader.parse(JSONWriter.write(report.json), name: "report.json"))
    }

    @Test("A floating report gives its residual network by default and the plain one on request, weights unchanged")
    func floatingMembers() throws {
        let (report, json) = try Self.floatingReport("x1^2 + 3*x1*x2 + x2^2 + x3 - 5")
        #expect(NetworkDocument.kind(of: json) == .report(members: ["residual", "plain", "plain_approximate"]))
        #expect(try NetworkDocument.network(from: json, name: "report.json") == report.synthesis.residual)
        #expect(try NetworkDocument.network(from: json, name: "report.json", member: "plain") == report.synthesis.plain)
        let approximate = try NetworkDocument.network(from: json, name: "report.json", member: "plain_approximate")
        #expect(approximate.widths == [3, report.synthesis.rank + 1, 1])
    }

    @Test("The quadratic-activation networks of a report are members too")
    func quadraticActivationMembers() throws {
        let (report, json) = try Self.floatingReport("x^2 + y", activation: "quadratic:1,2,0")
        let members = NetworkDocument.networkMembers(of: json)
        #expect(members.contains("quadratic_activation.residual") && members.contains("quadratic_activation.plain"))
        let net = try NetworkDocument.network(from: json, name: "r", member: "quadratic_activation.plain")
        #expect(net == report.quadraticActivation?.plain)
        #expect(net.activation == .quadratic(alpha: 1, beta: 2, gamma: 0))
    }

    @Test("An exact report gives its rational networks exactly, and rounded ones to the floating reader")
    func exactReport() throws {
        let synthesis = try ExactSynthesis(form: ExactForm.parse("x*y + x/3 + 2"))
        let json = try JSONReader.parse(JSONWriter.write(ExactSynthesisReport(synthesis: synthesis).json), name: "exact.json")
        #expect(try NetworkDocument.exactNetwork(from: json, name: "exact.json", member: "plain") == synthesis.plain)
        #expect(try NetworkDocument.exactNetwork(from: json, name: "exact.json") == synthesis.residual)
        #expect(try NetworkDocument.network(from: json, name: "exact.json") == synthesis.residual.resNet())
    }

    @Test("A network JSON is read as itself; naming a member of it is an error that says why")
    func plainNetworkJSON() throws {
        let net = try Synthesis(form: ExpressionParser.form("x^2 + y")).plain
        let json = Formats.networkJSON(net)
        #expect(NetworkDocument.kind(of: json) == .network)
        #expect(try NetworkDocument.network(from: json, name: "net.json") == net)
        let error = #expect(throws: JSONError.self) { try NetworkDocument.network(from: json, name: "net.json", member: "plain") }
        #expect(error?.message.contains("not a report") == true)
    }

    @Test("Errors: a missing member lists those present; neither kind of document says what was expected; paths inside a member are full")
    func errors() throws {
        let (_, json) = try Self.floatingReport("x^2 + y")
        let missing = #expect(throws: JSONError.self) { try NetworkDocument.network(from: json, name: "r.json", member: "hidden") }
        #expect(missing?.message.contains("is a report with networks (residual, plain, plain_approximate)") == true)
        #expect(missing?.message.contains("--network residual") == true)
        let noDefault = NetworkDocument.json(networks: [("plain", Formats.networkJSON(try Synthesis(form: ExpressionParser.form("x^2")).plain))])
        let unchosen = #expect(throws: JSONError.self) { try NetworkDocument.network(from: noDefault, name: "n.json") }
        #expect(unchosen?.message.contains("no network member was chosen") == true)
        let neither = #expect(throws: JSONError.self) { try NetworkDocument.network(from: .object([("rank", .number("1"))]), name: "x.json") }
        #expect(neither?.message.contains("neither a network JSON") == true)
        let broken = try JSONReader.parse(#"{"residual": {"network": {"widths": [1, 1, 1], "activation": {"kind": "square"}, "layers": [{"weights": [[1]], "bias": [0]}, {"weights": [[1, 2]], "bias": [0]}]}}}"#, name: "b.json")
        let inner = #expect(throws: JSONError.self) { try NetworkDocument.network(from: broken, name: "b.json") }
        #expect(inner?.location == "b.json: residual.network.layers[1].weights[0]")
    }

    @Test("A document of named networks (dotted names nest) reads back member by member")
    func networksDocument() throws {
        let s = try Synthesis(form: ExpressionParser.form("x^2 + 2*x*y + y"))
        let doc = NetworkDocument.json(networks: [("residual", Formats.networkJSON(s.residual)), ("plain", Formats.networkJSON(s.plain)),
                                                  ("quadratic_activation.residual", Formats.networkJSON(s.residual))])
        #expect(NetworkDocument.networkMembers(of: doc) == ["residual", "plain", "quadratic_activation.residual"])
        #expect(try NetworkDocument.network(from: doc, name: "d", member: "plain") == s.plain)
        #expect(try NetworkDocument.network(from: doc, name: "d", member: "quadratic_activation.residual") == s.residual)
    }

}
