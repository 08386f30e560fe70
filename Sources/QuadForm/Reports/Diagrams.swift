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

    static func squareClusters(_ synthesis: Synthesis) -> [(title: String, network: ResNet)] {
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
        out += "  rankdir=LR;\n  newrank=true;\n  compound=true;\n"
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
                    label = b == 0 ? "\(name) = Σ" : "\(name) = Σ \(b < 0 ? "−" : "+") \(SynthesisReport.fmt(abs(b)))"
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
        let inner = b == 0 ? "·" : "· \(b < 0 ? "−" : "+") \(SynthesisReport.fmt(abs(b)))"
        switch activation {
        case .square: return "(\(inner))²"
        case .relu: return "relu(\(inner))"
        case .identity: return inner
        case .quadratic: return "s(\(inner))"
        }
    }

    static func edgeAttributes(weight w: Double, name: String, label: Bool) -> String {
        let tooltip = "tooltip=\(quote("\(name) = \(NetworkEvaluation.format(w))"))"
        return label ? "label=\(quote(SynthesisReport.fmt(w))), \(tooltip)" : tooltip
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
                           toleranceRule: synthesis.rankToleranceFormula.map { "= \($0)" } ?? "(set by --rank-tolerance)")
    }

    /// The plot of `spectrumSVG(_:)` from sorted magnitudes (largest first), the tolerance, k, and
    /// `toleranceRule`, the words printed after the tolerance saying how it was chosen.
    public static func spectrumSVG(magnitudes: [Double], tolerance: Double, rank: Int, toleranceRule: String) -> String {
        let width = 720.0, height = 440.0
        let left = 78.0, right = 24.0, top = 46.0, bottom = 58.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let n = magnitudes.count
        let positive = magnitudes.filter { $0 > 0 }
        var low = (positive + (tolerance > 0 ? [tolerance] : [])).min().map { floor(log10($0)) } ?? -1
        var high = (positive + (tolerance > 0 ? [tolerance] : [])).max().map { ceil(log10($0)) } ?? 1
        if high <= low { low -= 1; high += 1 }
        let hasZero = magnitudes.contains(0)
        if hasZero { low -= 1 }  // room below the smallest non-zero value for the zeros
        // A quarter decade of room at both ends so no point sits on the frame.
        let plotLow = low - 0.25, plotHigh = high + 0.25
        func y(_ exponent: Double) -> Double { top + plotHeight * (plotHigh - exponent) / (plotHigh - plotLow) }
        func x(_ index: Int) -> Double { n <= 1 ? left + plotWidth / 2 : left + plotWidth * (0.03 + 0.94 * Double(index) / Double(n - 1)) }
        func num(_ v: Double) -> String { String(format: "%.2f", v) }

        var svg = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
        <title>\(escape("Spectrum of A: k = \(rank) of n = \(n) eigenvalues above the rank tolerance \(SynthesisReport.fmt(tolerance))"))</title>
        <rect x="0" y="0" width="\(Int(width))" height="\(Int(height))" fill="white"/>
        <text x="\(num(width / 2))" y="24" text-anchor="middle" font-size="15">\(escape("Eigenvalues of A, sorted |λ| (log scale): rank k = \(rank) of n = \(n)"))</text>

        """
        svg += "<rect x=\"\(num(left))\" y=\"\(num(top))\" width=\"\(num(plotWidth))\" height=\"\(num(plotHeight))\" fill=\"none\" stroke=\"#444\"/>\n"
        // Decade grid and labels; with many decades label every other one.
        let decades = Int(high - low)
        let step = max(1, decades / 12)
        var e = Int(low)
        while e <= Int(high) {
            let yy = y(Double(e))
            svg += "<line x1=\"\(num(left))\" y1=\"\(num(yy))\" x2=\"\(num(left + plotWidth))\" y2=\"\(num(yy))\" stroke=\"#e4e4e4\"/>\n"
            if (e - Int(low)) % step == 0 && !(hasZero && e == Int(low)) {
                svg += "<text x=\"\(num(left - 8))\" y=\"\(num(yy + 4))\" text-anchor=\"end\">10<tspan dy=\"-6\" font-size=\"9\">\(e)</tspan></text>\n"
            }
            e += 1
        }
        if hasZero {
            svg += "<text x=\"\(num(left - 8))\" y=\"\(num(y(low) + 4))\" text-anchor=\"end\">0</text>\n"
        }
        // The cut between kept and dropped, and the index ticks 1, k, n.
        if rank > 0 && rank < n {
            let xc = (x(rank - 1) + x(rank)) / 2
            svg += "<line x1=\"\(num(xc))\" y1=\"\(num(top))\" x2=\"\(num(xc))\" y2=\"\(num(top + plotHeight))\" stroke=\"#1f77b4\" stroke-dasharray=\"2 3\"/>\n"
            svg += "<text x=\"\(num(xc + 4))\" y=\"\(num(top + 14))\" fill=\"#1f77b4\">k = \(rank)</text>\n"
        }
        for i in Set([0, max(rank - 1, 0), n - 1]).sorted() where i < n {
            svg += "<text x=\"\(num(x(i)))\" y=\"\(num(top + plotHeight + 16))\" text-anchor=\"middle\" font-size=\"10\">\(i + 1)</text>\n"
        }
        // Rank tolerance line.
        if tolerance > 0 {
            let yt = y(log10(tolerance))
            svg += "<line class=\"rank-tolerance\" x1=\"\(num(left))\" y1=\"\(num(yt))\" x2=\"\(num(left + plotWidth))\" y2=\"\(num(yt))\" stroke=\"#d62728\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n"
            svg += "<text x=\"\(num(left + plotWidth - 6))\" y=\"\(num(yt - 6))\" text-anchor=\"end\" fill=\"#d62728\">\(escape("rank tolerance \(SynthesisReport.fmt(tolerance)) \(toleranceRule)"))</text>\n"
        } else {
            svg += "<text x=\"\(num(left + plotWidth - 6))\" y=\"\(num(y(low) - 6))\" text-anchor=\"end\" fill=\"#d62728\">rank tolerance 0: every non-zero eigenvalue counts</text>\n"
        }
        // The points, connected in order.
        if n > 0 {
            let coordinates = magnitudes.enumerated().map { (i, m) in (x(i), m > 0 ? y(log10(m)) : y(low)) }
            if n > 1 {
                svg += "<polyline fill=\"none\" stroke=\"#9bb7d4\" stroke-width=\"1\" points=\"" + coordinates.map { "\(num($0.0)),\(num($0.1))" }.joined(separator: " ") + "\"/>\n"
            }
            let radius = n > 200 ? 2.0 : 4.0
            for (i, m) in magnitudes.enumerated() {
                let (cx, cy) = coordinates[i]
                let kept = i < rank
                let tip = "<title>\(escape("|λ| #\(i + 1) = \(NetworkEvaluation.format(m)) (\(kept ? "kept" : "dropped"))"))</title>"
                if m == 0 {
                    svg += "<path class=\"eigenvalue zero\" d=\"M \(num(cx - radius)) \(num(cy)) L \(num(cx + radius)) \(num(cy)) L \(num(cx)) \(num(cy - 2 * radius)) Z\" fill=\"#888\">\(tip)</path>\n"
                } else if kept {
                    svg += "<circle class=\"eigenvalue kept\" cx=\"\(num(cx))\" cy=\"\(num(cy))\" r=\"\(num(radius))\" fill=\"#1f77b4\">\(tip)</circle>\n"
                } else {
                    svg += "<circle class=\"eigenvalue dropped\" cx=\"\(num(cx))\" cy=\"\(num(cy))\" r=\"\(num(radius))\" fill=\"white\" stroke=\"#888\" stroke-width=\"1.5\">\(tip)</circle>\n"
                }
            }
        }
        // Axis titles and legend.
        svg += "<text x=\"\(num(left + plotWidth / 2))\" y=\"\(num(height - 22))\" text-anchor=\"middle\">\(escape("index i (1 … \(n)), largest |λ| first"))</text>\n"
        svg += "<text x=\"18\" y=\"\(num(top + plotHeight / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 18 \(num(top + plotHeight / 2)))\">|λ_i|</text>\n"
        let legendY = height - 6
        svg += "<circle cx=\"\(num(left + 6))\" cy=\"\(num(legendY - 4))\" r=\"4\" fill=\"#1f77b4\"/><text x=\"\(num(left + 14))\" y=\"\(num(legendY))\">kept</text>\n"
        svg += "<circle cx=\"\(num(left + 60))\" cy=\"\(num(legendY - 4))\" r=\"4\" fill=\"white\" stroke=\"#888\" stroke-width=\"1.5\"/><text x=\"\(num(left + 68))\" y=\"\(num(legendY))\">dropped</text>\n"
        svg += "</svg>\n"
        return svg
    }

    /// Text escaped for XML character data and attribute values.
    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
