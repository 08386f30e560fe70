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
        """
    )

    @Argument(help: "The quadratic expression, e.g. \"x^2 + 3*x*y\".")
    var expression: String?

    @Option(help: ArgumentHelp("Read the form from a JSON file (design.md §6 format).", valueName: "file"))
    var input: String?

    @Option(help: ArgumentHelp("Read the quadratic matrix M from a .npy file.", valueName: "file"))
    var quadratic: String?

    @Option(help: ArgumentHelp("Use a random form with N variables.", valueName: "N"))
    var random: Int?

    @Option(help: ArgumentHelp("Rank of the random form's matrix (with --random; default N/2).", valueName: "K"))
    var rank: Int?

    @Option(help: "Seed of the random form (with --random).")
    var seed: UInt64 = 42

    @Option(name: .customLong("rank-tolerance"), parsing: .unconditional,
            help: ArgumentHelp("Absolute eigenvalue tolerance for the rank (default max(n,1)·ε·max|λ|).", valueName: "t"))
    var rankTolerance: Double?

    @Option(help: "LAPACKE driver: dsyev, dsyevd, dsyevr, or auto.")
    var driver: EigenDriver = .dsyev

    @Option(help: ArgumentHelp("Write the plot to this SVG file (atomically).", valueName: "file"))
    var svg: String?

    func validate() throws {
        let sources = [expression != nil, input != nil, quadratic != nil, random != nil].filter { $0 }.count
        if sources != 1 { throw ValidationError("give exactly one form: an EXPRESSION, --input, --quadratic or --random") }
        if rank != nil && random == nil { throw ValidationError("--rank goes with --random") }
        if let r = random, r < 0 { throw ValidationError("--random: the number of variables must be ≥ 0, got \(r)") }
        if let r = random, let k = rank, k < 0 || k > r { throw ValidationError("--rank must be between 0 and \(r), got \(k)") }
        if let t = rankTolerance, !(t >= 0 && t.isFinite) { throw ValidationError("--rank-tolerance must be a finite number ≥ 0, got \(t)") }
    }

    func run() throws {
        do {
            let form: QuadraticForm
            if let expression {
                form = try ExpressionParser.form(expression)
            } else if let input {
                form = try Formats.readForm(input)
            } else if let quadratic {
                let m = try Npy.readSquareMatrix(quadratic)
                form = try QuadraticForm(constant: 0, linear: [Double](repeating: 0, count: m.rows), quadratic: m)
            } else {
                let n = random ?? 0
                form = try RandomForm.make(RandomFormSpec(dimension: n, rank: rank ?? n / 2, seed: seed))
            }
            let synthesis = try Synthesis(form: form, options: SynthesisOptions(rankTolerance: rankTolerance, driver: driver, randomSamples: 0))
            var text = SpectrumReport(synthesis: synthesis).text
            if let svg {
                try OutputFile.write(Diagrams.spectrumSVG(synthesis), to: svg)
                text += "wrote the plot to \(svg)\n"
            }
            FileHandle.standardOutput.write(Data(text.utf8))
        } catch {
            printError(describe(error))
            throw ExitCode(2)
        }
    }
}
