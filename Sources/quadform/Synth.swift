import ArgumentParser
import Foundation
import QuadFormCore
import QuadFormReports
import QuadFormInterop
import TerminalProgress

struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Synthesize the residual and plain networks of a quadratic form, and verify them.",
        discussion: """
        Give the form in exactly one way:
          EXPRESSION           x1^2 + 3*x1*x2 - x3 + 5
                               numbers, names, + - * /, ^ or **, parentheses;
                               division by constants only; degree <= 2.
                               A leading '-' needs '--':  synth -- "-x^2 + y"
          --input FILE         JSON {"constant": c, "linear": [...],
                               "quadratic": [[...], ...], "variables": [...]}
          --quadratic A.npy    NumPy matrix M (n x n; <f8, <f4, <i8, <i4),
                               with optional --linear a.npy and --constant c
          --random N           random form, --rank K (default N/2), --seed S

        The report shows A = (M + M^T)/2, its eigenvalues (LAPACKE), the rank k
        with its tolerance and gap, a_N = (I - P)a, the residual network (k
        square neurons + linear skip) and the plain network (k, or k + 2 when
        a_N != 0), and the verification: coefficients expanded back and
        samples evaluated, with tolerances that scale with the problem.

        Exit status: 0 verified, 1 verification failed, 2 bad input or usage.

        Examples:
          quadform synth "x1^2 + 3*x1*x2 + x2^2 + x3 - 5"
          quadform synth --input form.json --format json --output result.json
          quadform synth --quadratic A.npy --linear a.npy --constant 2.5
          quadform synth --random 8 --rank 3 --seed 42
          quadform synth "x^2 + 2*x*y + y^2 + x - y" --format svg --output nets.svg
        """
    )

    @OptionGroup var form: FormSource

    @Option(help: ArgumentHelp("Read the linear term a from a .npy file (with --quadratic; default 0).", valueName: "file"))
    var linear: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("The constant term c (with --quadratic; default 0).", valueName: "c"))
    var constant: Double?

    @Option(name: .customLong("linear-term"), help: ArgumentHelp("Where the random form's linear term lies: generic, in-range, in-null, zero.", valueName: "kind"))
    var linearTerm: RandomFormSpec.LinearTerm = .generic

    @OptionGroup var eigen: EigenOptions

    @Option(parsing: .unconditional, help: ArgumentHelp("Radius R of the verification box [−R, R]^n.", valueName: "R"))
    var box: Double = 1

    @Option(parsing: .unconditional, help: ArgumentHelp("Random sample points for verification.", valueName: "count"))
    var samples: Int = 32

    @Flag(help: "Exact rational synthesis (design.md §4): Lagrange reduction, exact rank, a_N and networks; EXPRESSION or --input only.")
    var exact = false

    @Option(help: ArgumentHelp("Also build both networks for the activation s(z) = αz² + βz + γ (α ≠ 0).", valueName: "quadratic:α,β,γ"))
    var activation: String?

    @Option(name: .customLong("save-networks"),
            help: ArgumentHelp("Also write the networks (atomically): FILE.json as a network document (exact weights as \"p/q\" with --exact; quadform eval FILE.json --network NAME reads it), FILE.onnx as one ONNX model with an output per network (residual, plain), FILE.safetensors with a prefix per network (residual.layers.0.weight, …), any other name as a NumPy .npz archive (residual_W1, residual_B1, residual_W2, residual_B2, residual_V_0_2, plain_W1, …). With --activation the s-networks too (quadratic_activation.residual/plain; quadratic_activation_residual_W1, … in .npz).", valueName: "file.npz|file.json|file.onnx|file.safetensors"))
    var saveNetworks: String?

    @Flag(name: .customLong("float32"), help: "With --save-networks FILE.onnx: FLOAT tensors instead of DOUBLE.")
    var float32 = false

    @Flag(help: "Print the time of each phase (read, decompose, synthesize, verify, report, write) on standard error.")
    var timings = false

    @Flag(help: "No progress line on a terminal's standard error, and no 'wrote FILE' line.")
    var quiet = false

    @Option(help: "Output format: text (for people), json (for tools), dot (Graphviz source of both networks) or svg (rendered by Graphviz's dot).")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("Write the report to this file (atomically) instead of standard output.", valueName: "file"))
    var output: String?

    func validate() throws {
        if (linear != nil || constant != nil) && form.quadratic == nil {
            throw ValidationError("--linear and --constant go with --quadratic")
        }
        if !(box > 0 && box.isFinite) { throw ValidationError("--box must be a finite number > 0, got \(box)") }
        if samples < 0 || samples > 100_000 { throw ValidationError("--samples must be between 0 and 100000, got \(samples)") }
        if let c = constant, !c.isFinite { throw ValidationError("--constant must be finite") }
        if exact {
            try form.validateExact()
            try eigen.validateExact()
        }
        if float32 && !(saveNetworks?.lowercased().hasSuffix(".onnx") ?? false) { throw ValidationError("--float32 goes with --save-networks FILE.onnx") }
        if let saveNetworks {
            do { _ = try NetworkFile.Format(path: saveNetworks) } catch { throw ValidationError("--save-networks: \(error)") }
        }
    }

    func run() throws {
        try ProgressLine.run(progressLine(quiet: quiet)) {
            if exact { return try runExact() }
            try runFloating()
        }
    }

    /// What the report of this run is, for the `wrote FILE` line.
    func reportDescription(_ status: String) -> String {
        let kind: String
        switch format {
        case .text: kind = "the report"
        case .json: kind = "the JSON report"
        case .dot: kind = "the Graphviz source of both networks"
        case .svg: kind = "the SVG drawing of both networks"
        }
        return "\(kind), verification \(status)"
    }

    func runFloating() throws {
        var clock = PhaseClock()
        stage(form.random.map { "read (random form, n = \($0))" } ?? "read")
        let form = try self.form.load(linear: linear, constant: constant, linearTerm: linearTerm)
        clock.mark("read")
        let spec = try activation.map { try QuadraticActivationSpec(parsing: $0) }
        stage("decompose and synthesize (n = \(form.dimension))")
        let synthesis = try Synthesis(form: form, options: eigen.synthesisOptions(boxRadius: box, randomSamples: samples))
        clock.mark("decompose (LAPACKE \(synthesis.eigen.driver.rawValue))", seconds: synthesis.eigen.seconds)
        clock.mark("synthesize", excluding: synthesis.eigen.seconds)
        stage("verify (k = \(synthesis.rank))")
        let report = try SynthesisReport(synthesis: synthesis, activation: spec)
        clock.mark("verify")
        HeapPolicy.returnFreedMemory()
        if output == nil { finishProgress() } else { stage("write \(output!)") }
        // The JSON report is streamed into the file or standard output as it is formatted: the
        // values stay in the synthesis, no text of the whole report is built.
        switch format {
        case .text: try emit(report.text, to: output)
        case .json:
            let json = report.json
            clock.mark("report (json)")
            try emit(to: output) { try JSONWriter.write(json, to: &$0) }
        case .dot: try emit(Diagrams.dot(report), to: output)
        case .svg: try emit(Graphviz.render(Diagrams.dot(report), format: "svg"), to: output)
        }
        clock.mark(format == .json ? "format and write the report (streamed)" : "report and write (\(format.rawValue))")
        let status = report.status.rawValue.uppercased()
        if let output { try announceWritten(output, reportDescription(status), reportOnStandardOutput: false, quiet: quiet) }
        if let saveNetworks {
            stage("write \(saveNetworks)")
            try SavedNetworks.write(report, to: saveNetworks, float32: float32)
            clock.mark("write \(saveNetworks)")
            try announceWritten(saveNetworks, "the residual and plain networks", reportOnStandardOutput: output == nil, quiet: quiet)
        }
        finishProgress()
        if timings { printDiagnostic(clock.summary) }
        if let message = report.status.failureMessage { throw CheckFailed(message: message) }
    }
}

/// Wall-clock times of the phases of one run, for `--timings`.
struct PhaseClock {
    private var last = DispatchTime.now().uptimeNanoseconds
    private var phases: [(String, Double)] = []

    /// Records the time since the previous mark under `name` (or `seconds`, when given, without
    /// moving the clock; `excluding` subtracts a part already recorded).
    mutating func mark(_ name: String, seconds: Double? = nil, excluding: Double = 0) {
        if let seconds { phases.append((name, seconds)); return }
        let now = DispatchTime.now().uptimeNanoseconds
        phases.append((name, Double(now - last) / 1e9 - excluding))
        last = now
    }

    var summary: String {
        let total = phases.reduce(0) { $0 + $1.1 }
        var out = ""
        for (name, seconds) in phases { out += "timing: \(name.padding(toLength: 34, withPad: " ", startingAt: 0)) \(String(format: "%8.3f", seconds)) s\n" }
        out += "timing: \("total (after process start)".padding(toLength: 34, withPad: " ", startingAt: 0)) \(String(format: "%8.3f", total)) s\n"
        return out
    }
}
