import Foundation
import Testing
import QuadForm  // not @testable: the article may use the public API only

/// The DocC article `Sources/QuadFormReports/QuadFormReports.docc/Experiments.md`: its snippets are the code of
/// `snippets()` below, line for line, so they compile against the public API and run.
@Suite("Library documentation")
struct LibraryArticleTests {
    static let article = URL(fileURLWithPath: #filePath)  // Tests/QuadFormCLITests/Documentation/ → the package root
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/QuadFormReports/QuadFormReports.docc/Experiments.md")

    @Test("The article's snippets run and say what their comments say")
    func snippets() throws {
        let form = try ExpressionParser.form("x1^2 + 3*x1*x2 + x2^2 + x3 - 5")
        let synthesis = try Synthesis(form: form)
        let k = synthesis.rank                                   // 2
        let residualNeurons = synthesis.residual.hiddenNeurons   // k = 2
        let plainNeurons = synthesis.plain.hiddenNeurons         // k + 2 = 4: a_N ≠ 0
        #expect(k == 2 && residualNeurons == 2 && plainNeurons == 4)

        let verification = try synthesis.verify()
        let passed = verification.passed                         // true
        let report = try SynthesisReport(synthesis: synthesis)
        let text = report.text                                   // what `quadform synth` prints
        let json = JSONWriter.write(report.json)                 // what `--format json` writes
        #expect(passed && text.contains("verification        PASSED") && json.hasPrefix("{"))

        let exact = try ExactSynthesis(form: ExactForm.parse("x*y + x/3 + 2"))
        let proved = exact.verify().passed                       // expansion equals f exactly
        let exactPlain = JSONWriter.write(exact.plain.json)      // rational weights as "p/q"
        #expect(proved && exactPlain.contains("/"))

        let x: [Double] = [1, 2, 3]
        let y = try synthesis.residual.realization(x)            // [9.0] = f(1, 2, 3)
        let batch = Matrix(rowArrays: [[1, 2, 3], [0, 0, 0]])
        let ys = try synthesis.plain.realization(batch: batch)   // one row per point
        let layers = try NetworkEvaluation.trace(synthesis.plain, at: x)  // z_k and x_k of every layer
        let reread = try NetworkDocument.network(from: report.json, name: "report", member: "plain")
        #expect(abs(y[0] - 9) < 1e-12 && abs(ys.row(0)[0] - 9) < 1e-12 && abs(ys.row(1)[0] + 5) < 1e-12)
        #expect(layers.count == 2 && reread == synthesis.plain)

        let trainingOptions = TrainingOptions(starts: 2, steps: 200, samples: 16, seed: 1)
        let training = try TrainingExperiment(form: form, options: trainingOptions).run()
        for summary in training.summaries {
            print(summary.architecture.label, summary.minimumLoss, summary.exactFraction)
        }
        #expect(training.summaries.count == 5 && training.runs.count == 10)

        let taylorOptions = TaylorOptions(activations: [.tanh], deltas: [0.1, 0.05, 0.025], samples: 32)
        let taylor = try TaylorExperiment(form: form, options: taylorOptions).run()
        let order = taylor.slope(.tanh, .paired)                 // ≈ 2: the paired error is of order δ²
        #expect(abs(order - 2) < 0.3)
    }

    @Test("Every swift block of the article is code of this file (indentation aside)")
    func articleMatchesTest() throws {
        let article = try String(contentsOf: Self.article, encoding: .utf8)
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let sourceLines = source.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        var blocks: [[String]] = []
        var current: [String]? = nil
        for line in article.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.hasPrefix("```swift") { current = []; continue }
            if current != nil, line.hasPrefix("```") { blocks.append(current!); current = nil; continue }
            current?.append(line.trimmingCharacters(in: .whitespaces))
        }
        #expect(blocks.count == 6)
        for block in blocks {
            let lines = block.filter { !$0.isEmpty }
            guard let first = lines.first else { continue }
            // The block's lines appear consecutively in this file.
            let found = sourceLines.indices.contains { start in
                start + lines.count <= sourceLines.count && Array(sourceLines[start..<(start + lines.count)]) == lines
            }
            #expect(found, "article block starting \(first) is not in LibraryArticleTests.swift")
        }
    }
}
