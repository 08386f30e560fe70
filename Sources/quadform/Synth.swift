import ArgumentParser
import Foundation
import QuadForm

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

    @OptionGroup var form: FormSource<SynthWording>

    @Option(help: ArgumentHelp("Read the linear term a from a .npy file (with --quadratic; default 0).", valueName: "file"))
    var linear: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("The constant term c (with --quadratic; default 0).", valueName: "c"))
    var constant: Double?

    @Option(name: .customLong("linear-term"), help: ArgumentHelp("Where the random form's linear term lies: generic, in-range, in-null, zero.", valueName: "kind"))
    var linearTerm: RandomFormSpec.LinearTerm = .generic

    @Option(help: ArgumentHelp("Variable order, comma-separated (default: natural order, x2 before x10).", valueName: "x,y,z"))
    var variables: String?

    @Option(name: .customLong("rank-tolerance"), parsing: .unconditional,
            help: EigenOptionHelp.rankTolerance)
    var rankTolerance: Double?

    @Option(help: EigenOptionHelp.driver)
    var driver: EigenDriver = .auto

    @Option(parsing: .unconditional, help: ArgumentHelp("Radius R of the verification box [−R, R]^n.", valueName: "R"))
    var box: Double = 1

    @Option(parsing: .unconditional, help: ArgumentHelp("Random sample points for verification.", valueName: "count"))
    var samples: Int = 32

    @Flag(help: "Exact rational synthesis (design.md §4): Lagrange reduction, exact rank, a_N and networks; EXPRESSION or --input only.")
    var exact = false

    @Option(help: ArgumentHelp("Also build both networks for the activation s(z) = αz² + βz + γ (α ≠ 0).", valueName: "quadratic:α,β,γ"))
    var activation: String?

    @Option(name: .customLong("save-networks"),
            help: ArgumentHelp("Also write the networks (atomically): FILE.json as a network document (exact weights as \"p/q\" with --exact; quadform eval FILE.json --network NAME reads it), any other name as a NumPy .npz archive (residual_W1, residual_B1, residual_W2, residual_B2, residual_V_0_2, plain_W1, …). With --activation the s-networks too (quadratic_activation.residual/plain; quadratic_activation_residual_W1, … in .npz).", valueName: "file.npz|file.json"))
    var saveNetworks: String?

    @Flag(help: "Print the time of each phase (read, decompose, synthesize, verify, report, write) on standard error.")
    var timings = false

    @Option(help: "Output format: text (for people), json (for tools), dot (Graphviz source of both networks) or svg (rendered by Graphviz's dot).")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("Write the report to this file (atomically) instead of standard output.", valueName: "file"))
    var output: String?

    func validate() throws {
        if (linear != nil || constant != nil) && form.quadratic == nil {
            throw ValidationError("--linear and --constant go with --quadratic")
        }
        if variables != nil && form.expression == nil { throw ValidationError("--variables goes with an EXPRESSION") }
        if !(box > 0 && box.isFinite) { throw ValidationError("--box must be a finite number > 0, got \(box)") }
        if samples < 0 || samples > 100_000 { throw ValidationError("--samples must be between 0 and 100000, got \(samples)") }
        if let c = constant, !c.isFinite { throw ValidationError("--constant must be finite") }
        if let t = rankTolerance, !(t >= 0 && t.isFinite) { throw ValidationError("--rank-tolerance must be a finite number ≥ 0, got \(t)") }
        if exact && (form.quadratic != nil || form.random != nil) { throw ValidationError("--exact works with an EXPRESSION or --input (exact numbers), not --quadratic or --random") }
        if exact && rankTolerance != nil { throw ValidationError("--exact computes the rank exactly; --rank-tolerance does not apply") }
    }

    /// The names given with `--variables`, in order.
    var variableNames: [String]? {
        variables.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
    }

    func loadForm() throws -> QuadraticForm {
        try form.load(variables: variableNames, linear: linear, constant: constant, linearTerm: linearTerm)
    }

    func run() throws {
        if exact { return try runExact() }
        var clock = PhaseClock()
        let report: SynthesisReport
        do {
            let form = try loadForm()
            clock.mark("read")
            let options = SynthesisOptions(rankTolerance: rankTolerance, driver: driver, boxRadius: box, randomSamples: samples)
            let spec = try activation.map { try QuadraticActivationSpec(parsing: $0) }
            let synthesis = try Synthesis(form: form, options: options)
            clock.mark("decompose (LAPACKE \(synthesis.eigen.driver.rawValue))", seconds: synthesis.eigen.seconds)
            clock.mark("synthesize", excluding: synthesis.eigen.seconds)
            report = try SynthesisReport(synthesis: synthesis, activation: spec)
            clock.mark("verify")
            HeapPolicy.returnFreedMemory()
        } catch {
            printError(describe(error))
            throw ExitCode(2)
        }
        let data: Data
        do {
            switch format {
            case .text: data = Data(report.text.utf8)
            case .json: data = Data(JSONWriter.write(report.json).utf8)
            case .dot: data = Data(Diagrams.dot(report).utf8)
            case .svg: data = try Graphviz.render(Diagrams.dot(report), format: "svg")
            }
            clock.mark("report (\(format.rawValue))")
            if let output { try OutputFile.write(data, to: output) } else { FileHandle.standardOutput.write(data) }
            clock.mark("write report")
            if let saveNetworks {
                try SavedNetworks.write(report, to: saveNetworks)
                clock.mark("write \(saveNetworks)")
            }
        } catch {
            printError(describe(error))
            throw ExitCode(2)
        }
        if timings { FileHandle.standardError.write(Data(clock.summary.utf8)) }
        if !report.passed {
            printError("verification failed: a network does not match the form within tolerance (see the report)")
            throw ExitCode(1)
        }
    }
}

/// The wording of `synth`'s form options.
enum SynthWording: FormSourceWording {
    static var expressionHelp: String { "The quadratic expression, e.g. \"x*y + 2*x - 1\"." }
    static var randomHelp: String { "Generate a random form with N variables." }
    static var numberParsing: SingleValueParsingStrategy { .unconditional }
    static var noFormMessage: String { "give a form: an EXPRESSION, --input FILE, --quadratic FILE or --random N" }
    static var severalFormsMessage: String { "give exactly one form: an EXPRESSION, --input, --quadratic or --random, not several" }
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
