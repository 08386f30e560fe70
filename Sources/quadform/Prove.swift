import ArgumentParser
import Foundation
import QuadFormCore
import QuadFormReports
import QuadFormInterop

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

    @OptionGroup var form: FormSource

    @Flag(help: "Exact rational arithmetic (EXPRESSION or --input): rank, a_N and the networks with no rounding.")
    var exact = false

    @OptionGroup var eigen: EigenOptions

    @Option(help: ArgumentHelp("Radius R of the verification box [−R, R]^n.", valueName: "R"))
    var box: Double = 1

    @OptionGroup var report: ReportOutput

    func validate() throws {
        if exact {
            try form.validateExact()
            try eigen.validateExact()
        }
        if !(box > 0 && box.isFinite) { throw ValidationError("--box must be a finite number > 0, got \(box)") }
    }

    func run() throws {
        let proof: NeuronCountProof
        if exact {
            proof = NeuronCountProof(exact: try ExactSynthesisReport(synthesis: ExactSynthesis(form: form.loadExact())))
        } else {
            let synthesis = try Synthesis(form: form.load(), options: eigen.synthesisOptions(boxRadius: box))
            proof = NeuronCountProof(report: try SynthesisReport(synthesis: synthesis))
        }
        try report.emitReport(report.format == .json ? JSONWriter.write(proof.json) : proof.text,
                              what: (report.format == .json ? "the JSON proof" : "the proof") + (proof.holds ? "" : ", incomplete"))
        if !proof.holds {
            throw CheckFailed(message: "the argument is incomplete: no count is claimed (an ill-determined rank or a_N, a network not verified equal to f, or a failed certificate; see above)")
        }
    }
}
