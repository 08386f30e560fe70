import Foundation
import Testing
import QuadFormCore
import QuadFormReports
@testable import QuadFormInterop

@Suite("extract --exact in factor space: the report (design.md §4)")
struct FactoredExtractionReportTests {
    /// 60 inputs, 12 neurons whose rows mix 5 integer directions, float32 output weights and skip.
    static func layer(skip: Bool) throws -> ResNet {
        var g = SplitMix64(seed: 27)
        let n = 60, m = 12, r = 5
        let basis = (0..<r).map { _ in (0..<n).map { _ in Double(Int(g.next() % 7) - 3) / 8 } }
        var rows: [Double] = []
        for _ in 0..<m {
            let mix = (0..<r).map { _ in Double(Int(g.next() % 5) - 2) }
            for i in 0..<n { rows.append((0..<r).reduce(0.0) { $0 + mix[$1] * basis[$1][i] }) }
        }
        func f32() -> Double { Double(Float(g.nextGaussian())) }
        return try ResNet.oneHiddenLayer(inputWeights: Matrix(rows: m, columns: n, entries: rows), hiddenBias: (0..<m).map { _ in f32() },
                                         outputWeights: (0..<m).map { _ in f32() }, outputBias: f32(), skip: skip ? (0..<n).map { _ in f32() } : nil)
    }

    @Test("The automatic choice takes the factored path for a wide layer, and its report states the modular minor and the checks")
    func reportStatesEvidence() throws {
        let net = try Self.layer(skip: true)
        let report = try ExtractionReport(file: "layer.onnx", original: LoadedNetwork(network: net, precision: .float32), exact: true)
        let f = try #require(report.factored)
        #expect(report.exact == nil)
        #expect(report.passed && report.status == .passed)
        #expect(report.rank == 5 && report.residualNeurons == 5 && report.plainNeurons == 7)
        #expect(report.text.contains("non-zero mod p = \(f.modular.prime)"))
        #expect(report.text.contains("verification        PASSED (exact)"))
        #expect(report.json["factored"]?["modular_rank"]?["prime"] == .number(String(f.modular.prime)))
        #expect(report.json["rank"] == .number("5"))
        // The full path on the same network agrees on every count.
        let full = try ExtractionReport(file: "layer.onnx", original: LoadedNetwork(network: net, precision: .float32), exact: true, factored: false)
        #expect(full.factored == nil)
        #expect(full.rank == report.rank && full.plainNeurons == report.plainNeurons && full.passed)
    }
}
