import ArgumentParser
import Foundation
import QuadFormCore
import QuadFormReports
import QuadFormInterop

struct Spectrum: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List (and plot) the eigenvalues of A by |λ|, with the rank tolerance that decides k.",
        discussion: """
        Give the form as an EXPRESSION, --input FILE (form JSON, design.md §6), --quadratic A.npy, \
        or --random N --rank K. Only A = (M + Mᵀ)/2 matters here: the linear and constant terms are ignored.

        An eigenvalue is kept when |λ| exceeds the rank tolerance (default \(RankTolerance.defaultRuleHelp)); the gap \
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

    @OptionGroup var form: FormSource

    @OptionGroup var eigen: EigenOptions

    @Option(help: ArgumentHelp("Write the plot to this SVG file (atomically).", valueName: "file"))
    var svg: String?

    @OptionGroup var report: ReportOutput

    func run() throws {
        let synthesis = try Synthesis(form: form.load(), options: eigen.synthesisOptions(randomSamples: 0))
        let spectrum = SpectrumReport(synthesis: synthesis)
        var text = report.format == .json ? JSONWriter.write(spectrum.json) : spectrum.text
        if let svg {
            try OutputFile.write(Diagrams.spectrumSVG(synthesis), to: svg)
            if report.format == .text { text += "wrote the plot to \(svg)\n" }
        }
        try report.emitReport(text, what: report.format == .json ? "the JSON spectrum" : "the spectrum")
    }
}
