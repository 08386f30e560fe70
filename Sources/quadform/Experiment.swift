import ArgumentParser
import Foundation
import QuadFormCore
import QuadFormReports
import QuadFormInterop
import TerminalProgress

struct Experiment: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Experiments: does training find the minimal networks, and how good is the quadratic model?",
        subcommands: [ExperimentTrain.self, ExperimentTaylor.self]
    )
}

/// The outputs of an experiment: the table for people, the JSON report, one CSV row per run, and the plot.
protocol ExperimentOutputs {
    var text: String { get }
    var json: JSONValue { get }
    var csv: String { get }
    var svg: String { get }
}

extension TrainingResult: ExperimentOutputs {}
extension TaylorResult: ExperimentOutputs {}

/// Prints the experiment's table or JSON report (or writes it to `output`) and writes its CSV and
/// SVG to the files asked for (all atomically).
func publish(_ result: some ExperimentOutputs, format: ReportFormat, output: String?, csv: String?, svg: String?, quiet: Bool) throws {
    finishProgress()
    if format == .json {
        let json = result.json
        try emit(to: output) { try JSONWriter.write(json, to: &$0) }
    } else {
        try emit(result.text, to: output)
    }
    if let output { try announceWritten(output, format == .json ? "the JSON report" : "the table", reportOnStandardOutput: false, quiet: quiet) }
    if let csv {
        try emit(result.csv, to: csv)
        try announceWritten(csv, "one CSV row per run", reportOnStandardOutput: output == nil, quiet: quiet)
    }
    if let svg {
        try emit(result.svg, to: svg)
        try announceWritten(svg, "the plot", reportOnStandardOutput: output == nil, quiet: quiet)
    }
}

/// The experiment's own progress lines (one per architecture or activation): on a terminal's
/// standard error as finished stages of the progress line; nothing otherwise or with --quiet.
func printProgress(_ line: String) {
    (ProgressContext.reporter as? ProgressLine)?.note(line)
}

struct ExperimentTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fit plain and residual square networks of several widths to f by Adam from many random starts.",
        discussion: """
        With k = rank A, trains plain networks with m = k, k + 1, k + 2 neurons and residual networks \
        (linear skip from input to output) with m = k − 1, k, each from --starts seeded random starts by \
        full-batch Adam on --samples points uniform in [−R, R]^n, with closed-form gradients. The table \
        gives per architecture the smallest and the median final loss, how many starts reached the exact \
        solution (max|g − f| ≤ tolerance · scale on held-out points, scale = max(|c| + Σ|a_i x_i| + \
        Σ|A_ij x_i x_j|)), and the median largest parameter. Progress goes to standard error.

        Examples:
          quadform experiment train "x1^2 + x2"
          quadform experiment train "x1^2 + x2" --quick --csv runs.csv --svg losses.svg
        """
    )

    @Argument(help: "The quadratic expression f, e.g. \"x1^2 + x2\".")
    var expression: String

    @Flag(help: "A small run that finishes in seconds (8 starts × 1500 steps, 32 points); explicit options still apply.")
    var quick = false

    @Option(help: "Random starts per architecture (default 20; 8 with --quick).")
    var starts: Int?

    @Option(help: "Adam steps per start (default 5000; 1500 with --quick).")
    var steps: Int?

    @Option(help: "Training points (default 64; 32 with --quick).")
    var samples: Int?

    @Option(help: ArgumentHelp("Radius R of the box [−R, R]^n the points come from.", valueName: "R"))
    var box: Double = 1

    @Option(name: .customLong("learning-rate"), help: "Initial Adam step size; it decays geometrically to --final-learning-rate.")
    var learningRate: Double = 0.1

    @Option(name: .customLong("final-learning-rate"), help: "Adam step size at the last step.")
    var finalLearningRate: Double = 3e-5

    @Option(help: "Relative tolerance for 'reached exact': max|g − f| ≤ tolerance · scale.")
    var tolerance: Double = 1e-6

    @Option(help: "Seed of the points and the starts.")
    var seed: UInt64 = 1

    @OptionGroup var report: ReportOutput

    @Option(help: ArgumentHelp("Write one CSV row per run to this file.", valueName: "file"))
    var csv: String?

    @Option(help: ArgumentHelp("Write a plot of the final losses (SVG) to this file.", valueName: "file"))
    var svg: String?

    func run() throws {
        let form = try ExpressionParser.form(expression)
        var options = quick ? TrainingOptions.quick(seed: seed) : TrainingOptions(seed: seed)
        if let starts { options.starts = starts }
        if let steps { options.steps = steps }
        if let samples { options.samples = samples }
        options.boxRadius = box
        options.learningRate = learningRate
        options.finalLearningRate = finalLearningRate
        options.tolerance = tolerance
        let result = try ProgressLine.run(progressLine(quiet: report.quiet)) {
            try TrainingExperiment(form: form, options: options).run(progress: printProgress)
        }
        try publish(result, format: report.format, output: report.output, csv: csv, svg: svg, quiet: report.quiet)
    }
}

extension SmoothActivation: ExpressibleByArgument {}

struct ExperimentTaylor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "taylor",
        abstract: "Run the synthesized square networks with real activations through their Taylor polynomials; measure the error against δ.",
        discussion: """
        For each activation s (softplus, tanh, gelu, sigmoid, silu) the synthesized square networks of f \
        are rewritten with the Taylor polynomial T(z) = αz² + βz + γ of s at z0 and inputs scaled by δ, in \
        three ways: eq7-shift (the paper's eq. 7/10 shift −β/(2α), residual), single (neurons at z0, the \
        linear part s'(z0)δt in the skip, residual) and paired (neurons at z0 ± δt, plain). With T the \
        networks compute f exactly (verified); the table gives the log-log slope of the error with the \
        real s over the δ sweep: order δ for single, δ² for paired.

        Examples:
          quadform experiment taylor
          quadform experiment taylor "x1*x2 + x1" --activation tanh --z0 1
          quadform experiment taylor --csv taylor.csv --svg taylor.svg
        """
    )

    @Argument(help: "The quadratic expression f.")
    var expression: String = "x1^2 + 3*x1*x2 + x2^2 + x3 - 5"

    @Option(name: .customLong("activation"), help: ArgumentHelp("An activation to test (repeatable): softplus, tanh, gelu, sigmoid, silu (default all).", valueName: "name"))
    var activations: [SmoothActivation] = []

    @Option(name: .customLong("z0"), parsing: .unconditional, help: ArgumentHelp("Expansion point z0; s''(z0) must not vanish.", valueName: "z0"))
    var center: Double = 0.5

    @Option(name: .customLong("delta-max"), help: "Largest δ of the sweep.")
    var deltaMax: Double = 0.25

    @Option(name: .customLong("delta-min"), help: "Smallest δ of the sweep.")
    var deltaMin: Double = 1.0 / 1024

    @Option(name: .customLong("deltas"), help: "Number of δ values, geometrically spaced from --delta-max to --delta-min.")
    var deltaCount: Int = 9

    @Option(help: "Points in [−R, R]^n where the error is measured.")
    var samples: Int = 256

    @Option(help: ArgumentHelp("Radius R of the box.", valueName: "R"))
    var box: Double = 1

    @Option(help: "Seed of the points.")
    var seed: UInt64 = 1

    @OptionGroup var report: ReportOutput

    @Option(help: ArgumentHelp("Write one CSV row per (activation, construction, δ) to this file.", valueName: "file"))
    var csv: String?

    @Option(help: ArgumentHelp("Write the log-log plot of error against δ (SVG) to this file.", valueName: "file"))
    var svg: String?

    func run() throws {
        let form = try ExpressionParser.form(expression)
        let deltas = try TaylorOptions.geometricDeltas(largest: deltaMax, smallest: deltaMin, count: deltaCount)
        let options = TaylorOptions(activations: activations.isEmpty ? SmoothActivation.allCases : activations, center: center,
                                    deltas: deltas, samples: samples, boxRadius: box, seed: seed)
        let result = try ProgressLine.run(progressLine(quiet: report.quiet)) {
            try TaylorExperiment(form: form, options: options).run(progress: printProgress)
        }
        try publish(result, format: report.format, output: report.output, csv: csv, svg: svg, quiet: report.quiet)
    }
}
