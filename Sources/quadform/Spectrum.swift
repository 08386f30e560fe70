import ArgumentParser
import Foundation
import QuadForm

struct Spectrum: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List (and plot) the eigenvalues of A by |λ|, with the rank tolerance that decides k.",
        discussion: """
        Give the form as an EXPRESSION, --input FILE (form JSON, design.md §6), --quadratic A.npy, \
        or --random N --rank K. Only A = (M + Mᵀ)/2 matters here: the linear and constant terms are ignored.

        An eigenvalue is kept when |λ| exceeds the rank tolerance (default max(n,1)·ε·max|λ|); the gap \
        between the smallest kept and the largest dropped |λ| says how clear-cut k is.

        --svg FILE writes a plot: sorted |λ| on a log scale, kept filled, dropped open, the tolerance \
        as a dashed red line.

        Examples:
          quadform spectrum "x^2 + 1e-14*y^2 + x*z"
          quadform spectrum --random 30 --rank 10 --svg spectrum.svg
          quadform spectrum "x^2 + 1e-9*y^2" --rank-tolerance 1e-6
          quadform spectrum --quadratic A.npy --format json --output spectrum.json
        """
    )

    @OptionGroup var form: FormSource<SpectrumWording>

    @Option(name: .customLong("rank-tolerance"), parsing: .unconditional,
            help: EigenOptionHelp.rankTolerance)
    var rankTolerance: Double?

    @Option(help: EigenOptionHelp.driver)
    var driver: EigenDriver = .auto

    @Option(help: ArgumentHelp("Write the plot to this SVG file (atomically).", valueName: "file"))
    var svg: String?

    @OptionGroup var report: ReportOutput

    func validate() throws {
        if let t = rankTolerance, !(t >= 0 && t.isFinite) { throw ValidationError("--rank-tolerance must be a finite number ≥ 0, got \(t)") }
    }

    func run() throws {
        do {
            let form = try self.form.load()
            let synthesis = try Synthesis(form: form, options: SynthesisOptions(rankTolerance: rankTolerance, driver: driver, randomSamples: 0))
            let spectrum = SpectrumReport(synthesis: synthesis)
            var text = report.format == .json ? JSONWriter.write(spectrum.json) : spectrum.text
            if let svg {
                try OutputFile.write(Diagrams.spectrumSVG(synthesis), to: svg)
                if report.format == .text { text += "wrote the plot to \(svg)\n" }
            }
            if let output = report.output { try OutputFile.write(text, to: output) } else { FileHandle.standardOutput.write(Data(text.utf8)) }
        } catch {
            printError(describe(error))
            throw ExitCode(2)
        }
    }
}

/// The wording of `spectrum`'s form options.
enum SpectrumWording: FormSourceWording {
    static var expressionHelp: String { "The quadratic expression, e.g. \"x^2 + 3*x*y\"." }
    static var randomHelp: String { "Use a random form with N variables." }
    static var numberParsing: SingleValueParsingStrategy { .next }
    static var noFormMessage: String { "give exactly one form: an EXPRESSION, --input, --quadratic or --random" }
    static var severalFormsMessage: String { noFormMessage }
}
