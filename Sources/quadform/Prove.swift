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

        --exact certifies the counts by the fraction-free reduction (exact networks, expanded and \
        compared) or, from n = 60 on (--certificate auto), by the multimodular certificate: the rank \
        modulo word-size primes (FLINT), a non-zero minor mod p for the lower bound and as many primes \
        as Hadamard's bound needs for the upper bound and for a ∈ range(A); a non-zero bordered minor \
        for a ∉ range(A). Both say how many primes and how long.

        Examples:
          quadform prove "x^2 + y"
          quadform prove --exact "x^2 - 2*x*y + y^2 + 3*z"
          quadform prove --input form.json --exact
          quadform prove --input form.json --exact --certificate multimodular --format json
          quadform prove "x^2 + y" --format json --output proof.json
        Exit status: 0 proved, 1 a check failed, 2 bad input.
        """
    )

    @OptionGroup var form: FormSource

    @Flag(help: "Exact rational arithmetic (EXPRESSION or --input): rank, a_N and the networks with no rounding.")
    var exact = false

    @Option(help: ArgumentHelp("With --exact: auto (multimodular from n = \(ExactCertificateMethod.multimodularDimension) on), reduction (exact networks) or multimodular (primes, no networks).", valueName: "method"))
    var certificate: ExactCertificateMethod = .auto

    @OptionGroup var eigen: EigenOptions

    @Option(help: ArgumentHelp("Radius R of the verification box [−R, R]^n.", valueName: "R"))
    var box: Double = 1

    @OptionGroup var report: ReportOutput

    func validate() throws {
        if exact {
            try form.validateExact()
            try eigen.validateExact()
        }
        if !exact && certificate != .auto { throw ValidationError("--certificate \(certificate.rawValue) needs --exact") }
        if !(box > 0 && box.isFinite) { throw ValidationError("--box must be a finite number > 0, got \(box)") }
    }

    func run() throws {
        let proof: NeuronCountProof
        if exact {
            let exactForm = try form.loadExact()
            switch certificate.resolved(for: exactForm) {
            case .multimodular:
                proof = NeuronCountProof(multimodular: try MultimodularRankCertificate(form: exactForm), form: exactForm)
            default:
                let clock = ContinuousClock()
                let start = clock.now
                let synthesis = try ExactSynthesisReport(synthesis: ExactSynthesis(form: exactForm))
                let elapsed = clock.now - start
                proof = NeuronCountProof(exact: synthesis, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
            }
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

extension ExactCertificateMethod: ExpressibleByArgument {}
