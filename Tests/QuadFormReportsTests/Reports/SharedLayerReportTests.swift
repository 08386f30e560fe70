import Foundation
import Testing
@testable import QuadFormCore
@testable import QuadFormReports

/// The report of an m-output map (design.md §9): its JSON against the synthesis it reports, and
/// the text's claims about minimality.
@Suite("Shared layer report")
struct SharedLayerReportTests {
    static let names = ["x", "y", "z"]
    static let texts = ["x^2 + z + 1", "-2*y^2 + x", "x*y - 1/2"]

    @Test("Floating JSON: every output's counts and the shared layer's width, bound and network, as the synthesis has them")
    func floatingJSON() throws {
        let map = try QuadraticMap(forms: Self.texts.map { try ExpressionParser.form($0, variables: Self.names) })
        let shared = try SharedLayerSynthesis(map: map)
        let report = try SharedLayerReport(shared: shared)
        let json = report.json
        #expect(json["passed"] == .bool(shared.passed && report.outputs.allSatisfy(\.passed)))
        #expect(json["outputs_count"] == .number("3"))
        guard case .array(let outputs)? = json["outputs"] else { Issue.record("no outputs"); return }
        for (i, output) in outputs.enumerated() {
            #expect(output["rank"] == .number(String(shared.perOutput[i].rank)))
            #expect(output["residual_neurons"] == .number(String(shared.perOutput[i].residual.hiddenNeurons)))
            #expect(output["plain_neurons"] == .number(String(shared.perOutput[i].plain.hiddenNeurons)))
        }
        let layer = json["shared_layer"]
        #expect(layer?["width"] == .number(String(shared.width)))
        #expect(layer?["lower_bound"] == .number(String(shared.lowerBound)))
        #expect(layer?["minimal"] == .bool(shared.isMinimal))
        #expect(layer?["construction"] == .string(shared.construction.rawValue))
        let network = try Formats.network(from: layer?["network"] ?? .null, name: "shared_layer.network")
        #expect(network == shared.network)
        // Round trip through the text of the JSON keeps it a network of m outputs.
        let reread = try Formats.network(from: try JSONReader.parse(JSONWriter.write(layer?["network"] ?? .null)), name: "reread")
        #expect(reread.outputWidth == 3 && reread.hiddenNeurons == shared.width)
    }

    @Test("Exact text: each output's exact form, the bound 3 = max(2, 3) met, minimal: yes; a complex pencil is not called minimal")
    func exactText() throws {
        let forms = try Self.texts.map { try ExactForm.parse($0, variables: Self.names) }
        let report = try SharedLayerReport(exact: ExactSharedLayerSynthesis(forms: forms))
        #expect(report.text.contains("output 3       f = x*y - 1/2"), "\(report.text)")
        #expect(report.text.contains("lower bound 3 = max(dim Σ range(A_i) = 2, dim span{A_i} = 3), both ranks exact"))
        #expect(report.text.contains("minimal: yes"))
        #expect(report.passed)
        let pencil = try ["x^2 - y^2", "2*x*y"].map { try ExactForm.parse($0, variables: ["x", "y"]) }
        let other = try SharedLayerReport(exact: ExactSharedLayerSynthesis(forms: pencil))
        #expect(other.text.contains("minimal: not shown — K = 3 is above the bound 2"), "\(other.text)")
        #expect(other.json["shared_layer"]?["minimal"] == .bool(false))
    }
}
