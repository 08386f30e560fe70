import ArgumentParser
import Foundation
import QuadFormCore
import QuadFormReports
import QuadFormInterop

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a network (design.md §6 JSON) at points: any activation, any skip set.",
        discussion: """
        The network is a fully-connected ResNet (Definition 1.5.4 of the lecture notes), \
        x_k = act_k(W_k x_{k-1} + B_k + Σ_{(r,k) ∈ S} V_{r,k} x_r) and realization(x_0) = x_L, \
        with the activation on layers 1…L−1 and the identity on layer L.

        Points:
          --at 5            one point of a network with one input
          --at 1,2,3        three points (one input) or one point (three inputs):
                            the numbers are taken l_0 at a time
          --at "1,2;3,4"    ';' separates points; --at may be repeated
          --at -1           a negative value (also --at=-1)
          --points X.npy    one point per row: shape (m, l_0), or (m,) when l_0 = 1
          --output Y.npy    with --points: write the results, shape (m, l_L)

        The network: a network JSON, or synth's JSON report (floating or --exact) or the
        file synth --save-networks FILE.json writes, with --network naming the member:
        residual (default), plain, plain_approximate, quadratic_activation.residual,
        quadratic_activation.plain.

        Each point prints 'realization(x) = y'; with one output the last token is the number. \
        --trace prints every layer's z_k and x_k, as the notes' proof of Example 1.5.6 does.

        Examples:
          quadform eval examples/example-1.5.6.json --at 5
          quadform eval examples/exercise-1.5.1.json --at -1 --trace
          quadform eval net.json --points X.npy --output Y.npy
          quadform synth "x^2 + y" --format json --output report.json
          quadform eval report.json --network plain --at 1,2 --format json
        """
    )

    @Argument(help: ArgumentHelp("The network JSON file (design.md §6), or a synth JSON report.", valueName: "network.json"))
    var network: String

    @Option(name: .customLong("network"), help: ArgumentHelp("Which network of a synth report: residual (default), plain, plain_approximate, quadratic_activation.residual, quadratic_activation.plain.", valueName: "member"))
    var member: String?

    @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("Point(s) to evaluate at, comma-separated.", valueName: "x1,x2,…"))
    var at: [String] = []

    @Option(help: ArgumentHelp("Read the points from a .npy file, one per row.", valueName: "file"))
    var points: String?

    @Option(help: ArgumentHelp("Write to this file (atomically) instead of standard output: with --points and a name ending .npy, the results as an array of shape (m, l_L); otherwise the report in --format.", valueName: "file"))
    var output: String?

    @Flag(help: "No 'wrote FILE' line.")
    var quiet = false

    @Option(help: "Report format: text or json.")
    var format: ReportFormat = .text

    @Flag(help: "Print every layer's pre-activation z_k and output x_k.")
    var trace = false

    @Flag(help: ArgumentHelp("Evaluate in exact rational arithmetic: a one-hidden-layer network (n, m, 1) with a quadratic activation, such as synth --exact writes; --at numbers are read exactly (decimals, p/q) and results printed exactly.", valueName: "exact"))
    var exact = false

    func validate() throws {
        if at.isEmpty && points == nil { throw ValidationError("give the points: --at x1,x2,… or --points X.npy") }
        if !at.isEmpty && points != nil { throw ValidationError("give --at or --points, not both") }
        if writesNpy && format != .text { throw ValidationError("--output \(output ?? "") writes a .npy array; --format json goes with another file name or standard output") }
        if trace && points != nil { throw ValidationError("--trace goes with --at (a trace per point of a file would be unreadable)") }
        if trace && exact { throw ValidationError("--trace shows the floating-point layers; --exact evaluates the one-hidden-layer network in rational arithmetic without them") }
    }

    /// Whether `--output` gets the results as a `.npy` array (with `--points`, a name ending `.npy`).
    var writesNpy: Bool { points != nil && (output?.lowercased().hasSuffix(".npy") ?? false) }

    func run() throws {
        if exact { return try runExact() }
        let text: String
        var reportFile = output
        var nonFinite = 0
        let net = try NetworkDocument.readNetwork(network, member: member)
        if let points {
            let x = try NetworkEvaluation.points(fromNpy: Npy.read(points), path: points, width: net.inputWidth)
            try NetworkEvaluation.checkSize(points: x.rows, outputs: net.outputWidth, path: points, report: !writesNpy)
            let y = try net.realization(batch: x)
            nonFinite = y.entries.filter { !$0.isFinite }.count
            if writesNpy, let output {
                try OutputFile.write(Npy.encode(y.entries, shape: [y.rows, y.columns]), to: output)
                text = quiet ? "" : "wrote \(output): \(y.rows) result\(y.rows == 1 ? "" : "s") of \(y.columns) value\(y.columns == 1 ? "" : "s")\n"
                reportFile = nil
            } else if format == .json {
                let inputs = (0..<x.rows).map { x.row($0) }, outputs = (0..<y.rows).map { y.row($0) }
                text = JSONWriter.write(NetworkEvaluation.json(net, source: network, member: member, inputs: inputs, outputs: outputs))
            } else {
                text = (0..<x.rows).map { NetworkEvaluation.resultLine(input: x.row($0), output: y.row($0)) + "\n" }.joined()
            }
        } else {
            let xs = try at.flatMap { try PointList.points($0, width: net.inputWidth) }
            let outputs = try xs.map { try net.realization($0) }
            nonFinite = outputs.joined().filter { !$0.isFinite }.count
            if format == .json {
                let traces = trace ? try xs.map { try NetworkEvaluation.trace(net, at: $0) } : nil
                text = JSONWriter.write(NetworkEvaluation.json(net, source: network, member: member, inputs: xs, outputs: outputs, traces: traces))
            } else if trace {
                var parts = [NetworkEvaluation.summary(net) + "\n"]
                for x in xs { parts.append(try NetworkEvaluation.traceText(net, at: x)) }
                text = parts.joined(separator: "\n")
            } else {
                text = zip(xs, outputs).map { NetworkEvaluation.resultLine(input: $0, output: $1) + "\n" }.joined()
            }
        }
        try emit(text, to: reportFile)
        if let reportFile {
            try announceWritten(reportFile, format == .json ? "the JSON results" : "the results", reportOnStandardOutput: false, quiet: quiet)
        }
        if nonFinite > 0 {
            FileHandle.standardError.write(Data(("quadform: warning: \(nonFinite) result\(nonFinite == 1 ? " is" : "s are") not finite: a parameter or an intermediate value "
                + "exceeds Double's range (exact networks from synth --exact do beyond about n = 130); `--exact` evaluates one-hidden-layer networks in rational arithmetic\n").utf8))
        }
    }

    /// `--exact`: the network read with rational weights, each point evaluated exactly.
    func runExact() throws {
        let net = try NetworkDocument.exactNetwork(from: JSONReader.parseFile(network), name: network, member: member)
        let xs: [[Rational]]
        if let points {
            let x = try NetworkEvaluation.points(fromNpy: Npy.read(points), path: points, width: net.inputWidth)
            try NetworkEvaluation.checkSize(points: x.rows, outputs: 1, path: points, report: !writesNpy)
            xs = try (0..<x.rows).map { i in
                try x.row(i).map { value in
                    guard let r = Rational(exactly: value) else { throw ValidationError("\(points): a point coordinate is not finite") }
                    return r
                }
            }
        } else {
            xs = try at.flatMap { try PointList.exactPoints($0, width: net.inputWidth) }
        }
        let ys = xs.map { net.evaluate($0) }
        if writesNpy, let output {
            try OutputFile.write(Npy.encode(ys.map(\.doubleValue), shape: [ys.count, 1]), to: output)
            return try announceWritten(output, "\(ys.count) result\(ys.count == 1 ? "" : "s") (exact, each rounded once to the nearest Double)", reportOnStandardOutput: false, quiet: quiet)
        }
        let text = format == .json
            ? JSONWriter.write(NetworkEvaluation.exactJSON(net, source: network, member: member, inputs: xs, outputs: ys))
            : zip(xs, ys).map { NetworkEvaluation.exactResultLine(input: $0, output: $1) + "\n" }.joined()
        try emit(text, to: output)
        if let output { try announceWritten(output, format == .json ? "the JSON results" : "the results", reportOnStandardOutput: false, quiet: quiet) }
    }
}
