import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import QuadFormCore
@testable import QuadFormReports
@testable import QuadFormInterop
import QuadFormTestSupport

/// The pictures the executable writes: DOT and SVG of the networks, the spectrum plot.
@Suite("quadform synth --format dot/svg and spectrum --svg")
struct DiagramCommandTests {
    @Test("Deep networks with several skips (the notes' examples) and quoting survive Graphviz")
    func deepNetworksParse() throws {
        let root = BuiltExecutable.packageRoot.appendingPathComponent("examples")
        let nets = try ["example-1.5.6.json", "exercise-1.5.1.json"].map { try Formats.readNetwork(root.appendingPathComponent($0).path) }
        let source = Diagrams.dot([("Example 1.5.6 \"ReLU\" \\ test", nets[0]), ("Exercise 1.5.1", nets[1])])
        let xml = try XMLElements.parse(try Graphviz.render(source))
        #expect(xml.text.contains("Example 1.5.6 \"ReLU\" \\ test"))
        let skipLines = source.split(separator: "\n").filter { $0.contains("style=dashed") }
        // (0,4) with one weight; (0,3) with one and (1,3) with two.
        #expect(skipLines.count == 4)
    }

    @Test("quadform synth --format dot is accepted by dot; --format svg is well-formed SVG")
    func synthFormats() throws {
        let dotRun = try BuiltExecutable.quadform(["synth", "x1^2 - x2^2 + 0.5*x1*x3 + x3", "--format", "dot"])
        #expect(dotRun.status == 0, "stderr: \(dotRun.stderr)")
        #expect(dotRun.stdout.hasPrefix("digraph quadform {"))
        _ = try XMLElements.parse(try Graphviz.render(dotRun.stdout))

        let exactRun = try BuiltExecutable.quadform(["synth", "x^2 + y", "--exact", "--format", "dot"])
        #expect(exactRun.status == 0, "stderr: \(exactRun.stderr)")
        #expect(exactRun.stdout.contains("exact residual network: 1 square neuron + linear skip (k = 1)"))
        _ = try XMLElements.parse(try Graphviz.render(exactRun.stdout))

        let folder = try makeScratchDirectory("diagrams")
        defer { try? FileManager.default.removeItem(at: folder) }
        let svgPath = folder.appendingPathComponent("nets.svg").path
        let svgRun = try BuiltExecutable.quadform(["synth", "x^2 + 2*x*y + y^2 + x - y", "--format", "svg", "--output", svgPath])
        #expect(svgRun.status == 0, "stderr: \(svgRun.stderr)")
        let xml = try XMLElements.parse(try Data(contentsOf: URL(fileURLWithPath: svgPath)))
        #expect(xml.elements.first?.name == "svg")
        #expect(xml.text.contains("plain network: 3 square neurons (k + 2)"))
    }

    @Test("Without Graphviz on PATH, --format svg fails with exit code 2 and says how to install it")
    func svgWithoutGraphviz() throws {
        let run = try BuiltExecutable.run(try BuiltExecutable.url(), ["synth", "x*y", "--format", "svg"],
                                          environment: ["PATH": "/nonexistent"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("apt-get install graphviz"), "stderr: \(run.stderr)")
        #expect(run.stdout.isEmpty)
    }

    @Test("quadform spectrum --svg writes a well-formed plot and lists k with its tolerance")
    func spectrumCommand() throws {
        let folder = try makeScratchDirectory("spectrum")
        defer { try? FileManager.default.removeItem(at: folder) }
        let svgPath = folder.appendingPathComponent("spectrum.svg").path
        let run = try BuiltExecutable.quadform(["spectrum", "x^2 + 1e-9*y^2 + 1e-3*z^2", "--rank-tolerance", "1e-6", "--svg", svgPath])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let rankLine = run.stdout.split(separator: "\n").first { $0.hasPrefix("k = ") }.map(String.init) ?? ""
        #expect(rankLine.hasPrefix("k = 2: smallest kept |λ| = 0.001, largest dropped |λ| = 1e-09, gap ×"), "\(rankLine)")
        let gap = rankLine.split(separator: "×").last.flatMap { Double($0) } ?? 0
        #expect(abs(gap - 1e6) <= 1e-6 * 1e6)
        let xml = try XMLElements.parse(try Data(contentsOf: URL(fileURLWithPath: svgPath)))
        #expect(xml.elements.filter { $0.attributes["class"] == "eigenvalue kept" }.count == 2)
        #expect(xml.elements.filter { $0.attributes["class"] == "eigenvalue dropped" }.count == 1)
    }
}
