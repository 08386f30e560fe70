import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import QuadFormCore
@testable import QuadFormReports
import QuadFormTestSupport

/// DOT of networks (checked by Graphviz itself) and the spectrum SVG (checked by an XML parser).
@Suite("Diagrams")
struct DiagramsTests {
    static let forms = [
        "x^2 + 2*x*y + y^2 + x - y",      // k = 1, a_N ≠ 0: plain k + 2
        "x*y + 3*x - 2",                  // k = 2, a ∈ range(A)
        "x1^2 - x2^2 + 0.5*x1*x3 + x3",   // k = 2 with a_N ≠ 0
        "x + 1",                          // k = 0: no square neuron at all
        "5",                              // n = 0
    ]

    @Test("The DOT of both networks is accepted by Graphviz and renders to well-formed SVG", arguments: forms)
    func dotParses(expression: String) throws {
        let synthesis = try Synthesis(form: ExpressionParser.form(expression))
        let source = Diagrams.dot(synthesis)
        let svg = try Graphviz.render(source, format: "svg")
        let xml = try XMLElements.parse(svg)
        #expect(xml.elements.first?.name == "svg")
        // Graphviz gives every node a <g class="node"> with its id in a <title>: count the neurons.
        let nodeCount = xml.elements.filter { $0.name == "g" && $0.attributes["class"] == "node" }.count
        let n = synthesis.form.dimension
        let expectedNodes = (n + synthesis.residual.hiddenNeurons + 1) + (n + synthesis.plain.hiddenNeurons + 1)
        #expect(nodeCount == expectedNodes)
    }

    @Test("Skip edges are drawn dashed and only in the residual network; plain has k + 2 neurons when a_N ≠ 0")
    func dotStructure() throws {
        let synthesis = try Synthesis(form: ExpressionParser.form("x^2 + 2*x*y + y^2 + x - y"))
        let source = Diagrams.dot(synthesis)
        let lines = source.split(separator: "\n")
        let dashed = lines.filter { $0.contains("style=dashed") }
        // The skip carries a = (1, −1): two non-zero skip weights, both into the residual output n0_2_0.
        #expect(dashed.count == 2)
        #expect(dashed.allSatisfy { $0.contains("-> n0_2_0") && $0.contains("V_{0,2}") })
        let plainNeurons = lines.filter { $0.contains("n1_1_") && $0.contains("shape=circle") }
        #expect(plainNeurons.count == synthesis.rank + 2)
        #expect(source.contains("label=\"plain network: 3 square neurons (k + 2)\""))

        // No linear term: the skip carries zero and is drawn dotted, as a reminder that S = {(0,2)}.
        let noLinear = try Synthesis(form: ExpressionParser.form("x*y - 2"))
        let dotted = Diagrams.dot(noLinear).split(separator: "\n").filter { $0.contains("style=dotted") }
        #expect(dotted.count == 1)
        #expect(dotted.first?.contains("V_{0,2} = 0") == true)
        // a ∈ range(A): the residual skip still carries all of a (design.md §2), one dashed edge.
        let inRange = try Synthesis(form: ExpressionParser.form("x*y + 3*x - 2"))
        #expect(Diagrams.dot(inRange).split(separator: "\n").filter { $0.contains("style=dashed") }.count == 1)
    }

    @Test("Exact synthesis and quadratic-activation networks draw too, and Graphviz accepts them")
    func exactAndActivationDot() throws {
        let exact = try ExactSynthesis(form: ExactForm.parse("x^2 + 2*x*y + y^2 + x - y"))
        let exactSource = try Diagrams.dot(exact)
        #expect(exactSource.contains("label=\"exact plain network: 3 square neurons (k + 2)\""))
        #expect(exactSource.split(separator: "\n").filter { $0.contains("style=dashed") }.count == 2)
        _ = try XMLElements.parse(try Graphviz.render(exactSource))

        let report = try SynthesisReport(synthesis: Synthesis(form: ExpressionParser.form("x^2 + y")),
                                         activation: QuadraticActivationSpec(parsing: "quadratic:2,3,1"))
        let source = Diagrams.dot(report)
        let xml = try XMLElements.parse(try Graphviz.render(source))
        // Four clusters: square residual (1 neuron), square plain (3), s-residual (1), s-plain (3).
        let clusters = xml.elements.filter { $0.name == "g" && $0.attributes["class"] == "cluster" }
        #expect(clusters.count == 4)
        let sNeurons = source.split(separator: "\n").filter { $0.contains("label=\"s(") }
        #expect(sNeurons.count == 4)
        // The s-neurons carry the shift −β/(2α) = −0.75 of eq. (7), not the +0.75 printed in eq. (10).
        #expect(sNeurons.contains { $0.contains("label=\"s(· − 0.75)\"") })
        #expect(!sNeurons.contains { $0.contains("label=\"s(· + 0.75)\"") })
    }

    @Test("The networks are drawn side by side: every node of the residual network left of every node of the plain one, inputs on one row in their order")
    func sideBySide() throws {
        let synthesis = try Synthesis(form: ExpressionParser.form("x^2 + 2*x*y + y^2 + x - y"))
        // Graphviz's plain output: "node NAME X Y …" per node.
        let plain = String(decoding: try Graphviz.render(Diagrams.dot(synthesis), format: "plain"), as: UTF8.self)
        var position: [String: (x: Double, y: Double)] = [:]
        for line in plain.split(separator: "\n") where line.hasPrefix("node ") {
            let f = line.split(separator: " ")
            if f.count > 3, let x = Double(f[2]), let y = Double(f[3]) { position[String(f[1])] = (x, y) }
        }
        let residual = position.filter { $0.key.hasPrefix("n0_") }.map(\.value)
        let plainNet = position.filter { $0.key.hasPrefix("n1_") }.map(\.value)
        #expect(residual.count == 2 + 1 + 1 && plainNet.count == 2 + 3 + 1)
        #expect(residual.map(\.x).max()! < plainNet.map(\.x).min()!)
        let inputs = ["n0_0_0", "n0_0_1", "n1_0_0", "n1_0_1"].compactMap { position[$0] }
        #expect(inputs.count == 4 && Set(inputs.map(\.y)).count == 1)
        #expect(inputs[0].x < inputs[1].x && inputs[2].x < inputs[3].x)
        // Inputs above the output (layers run top to bottom).
        #expect(position["n0_0_0"]!.y > position["n0_2_0"]!.y)
    }

    @Test("Six inputs stay in their order in both networks (issue 23: Graphviz drew x1 x2 x5 x3 x4 x6)")
    func inputsInOrder() throws {
        let synthesis = try Synthesis(form: ExpressionParser.form("x1*x5 + x2*x6 - x3^2 + x4*x1 + x4 - x5"))
        let plain = String(decoding: try Graphviz.render(Diagrams.dot(synthesis), format: "plain"), as: UTF8.self)
        var x: [String: Double] = [:]
        for line in plain.split(separator: "\n") where line.hasPrefix("node ") {
            let f = line.split(separator: " ")
            if f.count > 3, let value = Double(f[2]) { x[String(f[1])] = value }
        }
        for network in ["n0", "n1"] {
            let row = (0..<6).compactMap { x["\(network)_0_\($0)"] }
            #expect(row.count == 6 && row == row.sorted(), "\(network): \(row)")
        }
    }

    @Test("Graphviz reports DOT errors as a typed error")
    func graphvizFailure() throws {
        #expect(throws: GraphvizError.self) { try Graphviz.render("digraph { a -> }") }
        #expect(Graphviz.dotExecutable(environment: ["PATH": "/nonexistent"]) == nil)
        #expect(GraphvizError.notInstalled.description.contains("apt-get install graphviz"))
    }

    @Test("The spectrum SVG is well-formed; the tolerance line separates kept from dropped points",
          arguments: ["x^2 + 1e-14*y^2 + x*z", "x^2 + 2*x*y + y^2", "x*y - z^2 + 4*w^2", "0*x^2 + y", "7"])
    func spectrumSVG(expression: String) throws {
        let synthesis = try Synthesis(form: ExpressionParser.form(expression))
        try checkSpectrum(synthesis)
    }

    @Test("Spectrum SVG of random low-rank forms and with a user tolerance")
    func spectrumRandom() throws {
        for (n, k) in [(12, 4), (60, 59), (250, 30)] {
            let form = try RandomForm.make(RandomFormSpec(dimension: n, rank: k, seed: UInt64(n)))
            let synthesis = try Synthesis(form: form)
            #expect(synthesis.rank == k)
            try checkSpectrum(synthesis)
        }
        let nearlyDegenerate = try ExpressionParser.form("x^2 + 1e-9*y^2 + 1e-3*z^2")
        try checkSpectrum(try Synthesis(form: nearlyDegenerate, options: SynthesisOptions(rankTolerance: 1e-6)))
    }

    // MARK: The built executable

    func checkSpectrum(_ synthesis: Synthesis) throws {
        let svg = Diagrams.spectrumSVG(synthesis)
        let xml = try XMLElements.parse(Data(svg.utf8))
        #expect(xml.elements.first?.name == "svg")
        let n = synthesis.form.dimension
        let zeros = synthesis.eigen.eigenvalues.filter { $0 == 0 }.count
        let points = xml.elements.filter { $0.name == "circle" && ($0.attributes["class"] ?? "").hasPrefix("eigenvalue") }
        let triangles = xml.elements.filter { $0.attributes["class"] == "eigenvalue zero" }
        #expect(points.count + triangles.count == n)
        #expect(triangles.count == zeros)
        let kept = points.filter { $0.attributes["class"] == "eigenvalue kept" }
        #expect(kept.count == synthesis.rank)
        guard synthesis.rankTolerance > 0,
              let line = xml.elements.first(where: { $0.attributes["class"] == "rank-tolerance" }),
              let yLine = line.attributes["y1"].flatMap(Double.init) else {
            #expect(synthesis.rankTolerance == 0)
            return
        }
        // SVG y grows downwards: kept points above the line, dropped points on or below it.
        for point in points {
            let cy = Double(point.attributes["cy"]!)!
            if point.attributes["class"] == "eigenvalue kept" { #expect(cy < yLine) } else { #expect(cy >= yLine) }
        }
    }
}
