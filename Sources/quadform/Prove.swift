import ArgumentParser
import Foundation
import QuadForm

struct Prove: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prove the minimal neuron counts of a quadratic form: residual k, plain k or k + 2.",
        discussion: """
        Prints the argument of design.md §3 for one instance: the rank k with its evidence (exact \
        Lagrange pivots and a non-zero principal minor with --exact, or the eigenvalue gap), a_N and \
        its norm against its tolerance, the synthesized networks (verified), the lower-bound theorems \
        T1 and T2 with their hypotheses checked, and the note on the paper's "k + 1".

        Examples:
          quadform prove "x^2 + y"
          quadform prove --exact "x^2 - 2*x*y + y^2 + 3*z"
          quadform prove --input form.json --exact
          quadform prove "x^2 + y" --format json --output proof.json
        Exit status: 0 proved, 1 a check failed, 2 bad input.
        """
    )

    @Argument(help: "The quadratic expression, e.g. \"x^2 + y\".")
    var expression: String?

    @Option(help: ArgumentHelp("Read the form from a JSON file (design.md §6 format).", valueName: "file"))
    var input: String?

    @Flag(help: "Exact rational arithmetic: rank, a_N and the networks with no rounding.")
    var exact = false

    @Option(help: ArgumentHelp("Variable order, comma-separated.", valueName: "x,y,z"))
    var variables: String?

    @Option(name: .customLong("rank-tolerance"), parsing: .unconditional,
            help: ArgumentHelp("Absolute eigenvalue tolerance for the rank (floating mode).", valueName: "t"))
    var rankTolerance: Double?

    @Option(help: ArgumentHelp("Radius R of the verification box [−R, R]^n.", valueName: "R"))
    var box: Double = 1

    @OptionGroup var report: ReportOutput

    func validate() throws {
        if (expression == nil) == (input == nil) { throw ValidationError("give exactly one form: an EXPRESSION or --input FILE") }
        if variables != nil && expression == nil { throw ValidationError("--variables goes with an EXPRESSION") }
        if exact && rankTolerance != nil { throw ValidationError("--exact computes the rank exactly; --rank-tolerance does not apply") }
        if let t = rankTolerance, !(t >= 0 && t.isFinite) { throw ValidationError("--rank-tolerance must be a finite number ≥ 0, got \(t)") }
        if !(box > 0 && box.isFinite) { throw ValidationError("--box must be a finite number > 0, got \(box)") }
    }

    func run() throws {
        let proof: NeuronCountProof
        do {
            let names = variables.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
            if exact {
                let form = try expression.map { try ExactForm.parse($0, variables: names) } ?? ExactForm.readJSON(input ?? "")
                proof = NeuronCountProof(exact: try ExactSynthesisReport(synthesis: ExactSynthesis(form: form)))
            } else {
                let form = try expression.map { try ExpressionParser.form($0, variables: names) } ?? Formats.readForm(input ?? "")
                let options = SynthesisOptions(rankTolerance: rankTolerance, boxRadius: box)
                proof = NeuronCountProof(report: try SynthesisReport(synthesis: Synthesis(form: form, options: options)))
            }
        } catch {
            printError(describe(error))
            throw ExitCode(2)
        }
        try emit(report.format == .json ? JSONWriter.write(proof.json) : proof.text, to: report.output)
        if !proof.holds {
            printError("the argument is incomplete: a verification or certificate check failed (see above)")
            throw ExitCode(1)
        }
    }
}
