import QuadFormCore
import Foundation

/// Pictures of the toolkit's objects: Graphviz DOT of networks (design.md §1, §2) and an SVG plot
/// of the spectrum of A with the rank tolerance (design.md §5).
public enum Diagrams {
    // MARK: DOT

    /// Networks with more edges than this get their weights as tooltips only, not as edge labels.
    public static let edgeLabelLimit = 80

    /// A Graphviz digraph of the synthesis: the residual and the plain network side by side, each in
    /// its own cluster (inputs, neurons with their biases, weights on the edges, the output); skip
    /// edges are dashed and red.
    public static func dot(_ synthesis: Synthesis) -> String {
        dot(squareClusters(synthesis), variables: synthesis.form.variables,
            graphTitle: "f(x) = " + SynthesisReport.formula(of: synthesis.form))
    }

    package static func squareClusters(_ synthesis: Synthesis) -> [(title: String, network: ResNet)] {
        let k = synthesis.rank
        let residualTitle = "residual network: \(synthesis.residual.hiddenNeurons) square neuron\(synthesis.residual.hiddenNeurons == 1 ? "" : "s") + linear skip (k = \(k))"
        let plainCount = synthesis.plain.hiddenNeurons
        let plainTitle = "plain network: \(plainCount) square neuron\(plainCount == 1 ? "" : "s") (" + (synthesis.hasLinearNullPart ? "k + 2" : "k") + ")"
        return [(residualTitle, synthesis.residual), (plainTitle, synthesis.plain)]
    }

    /// The digraph of a synth report: both square networks as in `dot(_:)` and, when the report
    /// holds networks for a quadratic activation s (design.md §3, T3), those two as well.
    public static func dot(_ report: SynthesisReport) -> String {
        let synthesis = report.synthesis
        var clusters = squareClusters(synthesis)
        if let q = report.quadraticActivation {
            clusters.append(("residual network with \(q.spec.formula): \(q.residual.hiddenNeurons) s-neuron\(q.residual.hiddenNeurons == 1 ? "" : "s") + linear skip", q.residual))
            clusters.append(("plain network with \(q.spec.formula): \(q.plain.hiddenNeurons) s-neuron\(q.plain.hiddenNeurons == 1 ? "" : "s")", q.plain))
        }
        return dot(clusters, variables: synthesis.form.variables, graphTitle: "f(x) = " + SynthesisReport.formula(of: synthesis.form))
    }

    /// The digraph of `dot(_:)` for the exact rational synthesis (design.md §4): the same picture,
    /// with each exact parameter rounded once to a Double for its label.
    public static func dot(_ synthesis: ExactSynthesis) throws -> String {
        let k = synthesis.rank
        let residual = try synthesis.residual.resNet()
        let plain = try synthesis.plain.resNet()
        let residualTitle = "exact residual network: \(residual.hiddenNeurons) square neuron\(residual.hiddenNeurons == 1 ? "" : "s") + linear skip (k = \(k))"
        let plainTitle = "exact plain network: \(plain.hiddenNeurons) square neuron\(plain.hiddenNeurons == 1 ? "" : "s") (" + (synthesis.hasLinearNullPart ? "k + 2" : "k") + ")"
        return dot([(residualTitle, residual), (plainTitle, plain)], variables: synthesis.form.variables)
    }

    /// A Graphviz digraph of one or more networks of any depth, activation and skip set, each in a
    /// cluster titled by its string. `variables` name the inputs (default x1 … x_{l_0}).
    public static func dot(_ networks: [(title: String, network: ResNet)], variables: [String]? = nil, graphTitle: String? = nil) -> String {
        var out = "digraph quadform {\n"
        // Layers run top to bottom (inputs at the top, the output at the bottom); with newrank the
        // layers of all networks share rows, so the clusters stand side by side, left to right.
        // mclimit=0.01: Graphviz 2.43 ignores the invisible edges that order the inputs once the
        // networks are clusters (x1 x2 x5 x3 x4 x6 in issue 23); with crossing minimization all but
        // off, the rows keep the order they are written in, so the inputs stay x1 … x_n.
        out += "  rankdir=TB;\n  newrank=true;\n  compound=true;\n  mclimit=0.01;\n"
        out += "  graph [fontname=\"Helvetica\", fontsize=12\(graphTitle.map { ", label=\(quote($0)), labelloc=t" } ?? "")];\n"
        out += "  node [fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.6];\n"
        for (index, entry) in networks.enumerated() {
            out += cluster(entry.network, title: entry.title, id: "n\(index)", variables: variables)
        }
        out += "}\n"
        return out
    }

    static func cluster(_ net: ResNet, title: String, id: String, variables: [String]?) -> String {
        let names = variables.flatMap { $0.count == net.inputWidth ? $0 : nil } ?? QuadraticForm.defaultVariables(net.inputWidth)
        func node(_ k: Int, _ j: Int) -> String { "\(id)_\(k)_\(j)" }
        let edgeCount = net.layers.reduce(0) { $0 + $1.weights.entries.filter { $0 != 0 }.count }
            + net.skips.reduce(0) { $0 + $1.weights.entries.filter { $0 != 0 }.count }
        let labelEdges = edgeCount <= edgeLabelLimit
        var out = "  subgraph cluster_\(id) {\n"
        out += "    label=\(quote(title));\n    style=rounded;\n    color=\"#888888\";\n"
        // Layer 0: inputs.
        out += "    { rank=same;"
        for j in 0..<net.inputWidth { out += " \(node(0, j));" }
        out += " }\n"
        // Invisible edges keep the inputs in their order, left to right.
        for j in 1..<max(net.inputWidth, 1) { out += "    \(node(0, j - 1)) -> \(node(0, j)) [style=invis];\n" }
        for j in 0..<net.inputWidth {
            out += "    \(node(0, j)) [label=\(quote(names[j])), shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", tooltip=\(quote("input \(names[j])"))];\n"
        }
        for k in 1...net.depth {
            let layer = net.layers[k - 1]
            let isOutput = k == net.depth
            for j in 0..<net.widths[k] {
                let b = layer.bias[j]
                let label: String
                let tooltip: String
                if isOutput {
                    let name = net.outputWidth == 1 ? "f" : "y\(j + 1)"
                    label = b == 0 ? "\(name) = Σ" : "\(name) = Σ \(b < 0 ? "−" : "+") \(NumberFormat.short(abs(b)))"
                    tooltip = "output \(name): weighted sum + bias \(NetworkEvaluation.format(b))"
                    out += "    \(node(k, j)) [label=\(quote(label)), shape=doublecircle, style=filled, fillcolor=\"#fdf1dc\", tooltip=\(quote(tooltip))];\n"
                } else {
                    label = neuronLabel(net.activation, bias: b)
                    tooltip = "layer \(k) neuron \(j + 1): \(net.activation) of (weighted sum + bias \(NetworkEvaluation.format(b)))"
                    out += "    \(node(k, j)) [label=\(quote(label)), shape=circle, style=filled, fillcolor=\"#e6f4ea\", tooltip=\(quote(tooltip))];\n"
                }
            }
            out += "    { rank=same;"
            for j in 0..<net.widths[k] { out += " \(node(k, j));" }
            out += " }\n"
            for j in 0..<net.widths[k] {
                for i in 0..<net.widths[k - 1] {
                    let w = layer.weights[j, i]
                    guard w != 0 else { continue }
                    out += "    \(node(k - 1, i)) -> \(node(k, j)) [\(edgeAttributes(weight: w, name: "W_\(k)[\(j + 1),\(i + 1)]", label: labelEdges))];\n"
                }
            }
        }
        for skip in net.skips {
            var drawn = 0
            for j in 0..<net.widths[skip.to] {
                for i in 0..<net.widths[skip.from] {
                    let w = skip.weights[j, i]
                    guard w != 0 else { continue }
                    drawn += 1
                    out += "    \(node(skip.from, i)) -> \(node(skip.to, j)) [\(edgeAttributes(weight: w, name: "V_{\(skip.from),\(skip.to)}[\(j + 1),\(i + 1)]", label: labelEdges)), style=dashed, color=\"#d62728\", fontcolor=\"#d62728\", penwidth=1.6];\n"
                }
            }
            if drawn == 0, net.widths[skip.from] > 0, net.widths[skip.to] > 0 {
                // The skip is in S but carries nothing (a = 0): still show that it exists.
                out += "    \(node(skip.from, 0)) -> \(node(skip.to, 0)) [label=\"skip V = 0\", tooltip=\(quote("V_{\(skip.from),\(skip.to)} = 0")), style=dotted, color=\"#d62728\", fontcolor=\"#d62728\"];\n"
            }
        }
        out += "  }\n"
        return out
    }

    static func neuronLabel(_ activation: Activation, bias b: Double) -> String {
        let inner = b == 0 ? "·" : "· \(b < 0 ? "−" : "+") \(NumberFormat.short(abs(b)))"
        switch activation {
        case .square: return "(\(inner))²"
        case .relu: return "relu(\(inner))"
        case .identity: return inner
        case .quadratic: return "s(\(inner))"
        }
    }

    static func edgeAttributes(weight w: Double, name: String, label: Bool) -> String {
        let tooltip = "tooltip=\(quote("\(name) = \(NetworkEvaluation.format(w))"))"
        return label ? "label=\(quote(NumberFormat.short(w))), \(tooltip)" : tooltip
    }

    /// A DOT string literal.
    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out + "\""
    }

    // MARK: Spectrum SVG

    /// An SVG plot of the spectrum of A: |λ| sorted decreasingly on a log scale, kept eigenvalues
    /// filled, dropped ones open, the rank tolerance as a dashed line (design.md §5), so a reader sees
    /// where k comes from. Zero eigenvalues sit on the bottom edge as triangles.
    public static func spectrumSVG(_ synthesis: Synthesis) -> String {
        let magnitudes = synthesis.eigen.eigenvalues.map { abs($0) }.sorted(by: >)
        return spectrumSVG(magnitudes: magnitudes, tolerance: synthesis.rankTolerance, rank: synthesis.rank,
                           toleranceRule: synthesis.tolerance.origin)
    }

    /// The plot of `spectrumSVG(_:)` from sorted magnitudes (largest first), the tolerance, k, and
    /// `toleranceRule`, the words printed after the tolerance saying how it was chosen. Drawn by
    /// `SVGChart`: index i against |λ_i| on a log axis, kept and dropped eigenvalues as two series,
    /// zeros (which a log axis cannot show) as triangles a decade below the smallest value, the
    /// tolerance as a horizontal and the cut after k as a vertical reference line.
    public static func spectrumSVG(magnitudes: [Double], tolerance: Double, rank: Int, toleranceRule: String) -> String {
        let n = magnitudes.count
        let positive = magnitudes.filter { $0 > 0 } + (tolerance > 0 ? [tolerance] : [])
        let zeroLevel = pow(10, (positive.min().map { floor(log10($0)) } ?? 0) - 1)
        func series(_ name: String, _ indices: [Int], color: String, hollow: Bool = false,
                    marker: SVGChart.Marker = .circle, cssClass: String) -> SVGChart.Series {
            SVGChart.Series(name: name, points: indices.map { (x: Double($0 + 1), y: magnitudes[$0] > 0 ? magnitudes[$0] : zeroLevel) },
                            color: color, joined: false, hollow: hollow, marker: marker, cssClass: cssClass,
                            tips: indices.map { "|λ| #\($0 + 1) = \(NetworkEvaluation.format(magnitudes[$0])) (\($0 < rank ? "kept" : "dropped"))" })
        }
        let indices = Array(0..<n)
        var chart = SVGChart(title: "Eigenvalues of A, sorted |λ| (log scale): rank k = \(rank) of n = \(n)"
                                 + (tolerance > 0 ? "" : "; rank tolerance 0: every non-zero eigenvalue counts"),
                             xLabel: "index i (1 … \(n)), largest |λ| first", yLabel: "|λ_i|", xLog: false, yLog: true,
                             xCategories: Set([0, max(rank - 1, 0), n - 1]).sorted().filter { $0 < n }.map { (x: Double($0 + 1), label: String($0 + 1)) })
        chart.series = [
            series("kept", indices.filter { $0 < rank }, color: "#1f77b4", cssClass: "eigenvalue kept"),
            series("dropped", indices.filter { $0 >= rank && magnitudes[$0] > 0 }, color: "#888", hollow: true, cssClass: "eigenvalue dropped"),
            series("zero (drawn at \(NetworkEvaluation.format(zeroLevel)))", indices.filter { $0 >= rank && magnitudes[$0] == 0 },
                   color: "#888", marker: .triangle, cssClass: "eigenvalue zero"),
        ].filter { !$0.points.isEmpty }
        if tolerance > 0 {
            chart.references.append(SVGChart.ReferenceLine(y: tolerance, label: "rank tolerance \(NumberFormat.short(tolerance)) \(toleranceRule)",
                                                           color: "#d62728", cssClass: "rank-tolerance"))
        }
        if rank > 0 && rank < n {
            chart.references.append(SVGChart.ReferenceLine(y: Double(rank) + 0.5, label: "k = \(rank)", color: "#1f77b4", vertical: true))
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + chart.svg
    }
}
