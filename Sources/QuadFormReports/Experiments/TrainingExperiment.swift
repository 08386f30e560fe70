import QuadFormCore
import Foundation

/// One architecture of the training experiment: a kind and a width m, with m relative to k.
public struct TrainingArchitecture: Equatable, Sendable {
    /// Plain or residual.
    public let kind: NetworkKind
    /// m, the hidden neurons.
    public let neurons: Int
    /// m − k.
    public let offset: Int
    /// Whether an exact network of this kind and width exists for the form (design.md §3:
    /// residual m ≥ k; plain m ≥ k when a_N = 0, m ≥ k + 2 otherwise).
    public let exactExists: Bool

    /// "k", "k+1", "k-1", … .
    public var widthLabel: String { offset == 0 ? "k" : (offset > 0 ? "k+\(offset)" : "k\(offset)") }
    /// "plain k+2" and so on.
    public var label: String { "\(kind.rawValue) \(widthLabel)" }
}

/// Settings of the training experiment.
public struct TrainingOptions: Sendable {
    /// Random starts per architecture.
    public var starts: Int
    /// Full-batch Adam steps per start.
    public var steps: Int
    /// Training points, uniform in `[−R, R]ⁿ`.
    public var samples: Int
    /// R.
    public var boxRadius: Double
    /// Initial Adam step size.
    public var learningRate: Double
    /// Final step size; the step size decays geometrically from `learningRate` to this.
    public var finalLearningRate: Double
    /// A run reaches the exact solution when `max|g − f| ≤ tolerance · scale` on held-out points,
    /// where `scale = max_x (|c| + Σ|a_i x_i| + Σ|A_ij x_i x_j|)` over those points (design.md §5).
    public var tolerance: Double
    /// Seed of points and starts.
    public var seed: UInt64

    /// Defaults: 20 starts × 5000 steps, 64 points in [−1, 1]ⁿ, step size 0.1 decaying to 3e-5,
    /// tolerance 1e-6, seed 1.
    public init(starts: Int = 20, steps: Int = 5000, samples: Int = 64, boxRadius: Double = 1,
                learningRate: Double = 0.1, finalLearningRate: Double = 3e-5, tolerance: Double = 1e-6, seed: UInt64 = 1) {
        self.starts = starts
        self.steps = steps
        self.samples = samples
        self.boxRadius = boxRadius
        self.learningRate = learningRate
        self.finalLearningRate = finalLearningRate
        self.tolerance = tolerance
        self.seed = seed
    }

    /// The `--quick` preset (about a second even in a debug build): 8 starts × 1500 steps, 32 points.
    public static func quick(seed: UInt64 = 1) -> TrainingOptions {
        TrainingOptions(starts: 8, steps: 1500, samples: 32, seed: seed)
    }

    func validate() throws {
        guard starts >= 1 else { throw ExperimentError.invalidSetting("starts must be ≥ 1, got \(starts)") }
        guard steps >= 1 else { throw ExperimentError.invalidSetting("steps must be ≥ 1, got \(steps)") }
        guard samples >= 1 else { throw ExperimentError.invalidSetting("samples must be ≥ 1, got \(samples)") }
        guard boxRadius > 0, boxRadius.isFinite else { throw ExperimentError.invalidSetting("box radius must be a finite number > 0, got \(boxRadius)") }
        guard learningRate > 0, learningRate.isFinite, finalLearningRate > 0, finalLearningRate.isFinite else {
            throw ExperimentError.invalidSetting("learning rates must be finite numbers > 0")
        }
        guard tolerance > 0, tolerance.isFinite else { throw ExperimentError.invalidSetting("tolerance must be a finite number > 0, got \(tolerance)") }
    }
}

/// The outcome of one random start.
public struct TrainingRun: Sendable {
    /// Which architecture.
    public let architecture: TrainingArchitecture
    /// Start index 0…starts−1.
    public let start: Int
    /// The seed of its initial parameters.
    public let seed: UInt64
    /// Final training loss `(1/N) Σ (g − f)²`.
    public let finalLoss: Double
    /// `max|g − f| / scale` on the held-out points.
    public let relativeError: Double
    /// Largest coefficient difference of the expanded network (design.md §5) over the largest
    /// coefficient of f: a point-free measure of exactness.
    public let relativeCoefficientError: Double
    /// max |θ_i| at the end.
    public let largestParameter: Double
    /// `relativeError ≤ tolerance`.
    public let reachedExact: Bool
    /// The trained network.
    public let network: ResNet
}

/// The runs of one architecture summarized.
public struct TrainingSummary: Sendable {
    /// Which architecture.
    public let architecture: TrainingArchitecture
    /// Smallest final loss.
    public let minimumLoss: Double
    /// Median final loss.
    public let medianLoss: Double
    /// Fraction of starts that reached the exact solution.
    public let exactFraction: Double
    /// Median of max |θ_i|.
    public let medianLargestParameter: Double
}

/// Does gradient descent find the minimal networks? Fits square networks of several widths, plain
/// and residual, to f by full-batch Adam from many seeded random starts (design.md §3 counts).
public struct TrainingExperiment: Sendable {
    /// The form f.
    public let form: QuadraticForm
    /// Its synthesis: gives k and whether a_N ≠ 0.
    public let synthesis: Synthesis
    /// Settings.
    public let options: TrainingOptions

    /// An experiment for `form`; rejects forms with no variables and invalid options.
    public init(form: QuadraticForm, options: TrainingOptions = TrainingOptions()) throws {
        try options.validate()
        guard form.dimension >= 1 else { throw ExperimentError.nothingToTrain }
        self.form = form
        self.options = options
        self.synthesis = try Synthesis(form: form, options: SynthesisOptions(boxRadius: options.boxRadius))
    }

    /// Plain m = k, k+1, k+2 and residual m = k−1, k (widths below 0 are skipped).
    public var architectures: [TrainingArchitecture] {
        let k = synthesis.rank
        let plainMinimum = synthesis.hasLinearNullPart ? k + 2 : k
        var out: [TrainingArchitecture] = []
        for offset in 0...2 {
            out.append(TrainingArchitecture(kind: .plain, neurons: k + offset, offset: offset, exactExists: k + offset >= plainMinimum))
        }
        for offset in -1...0 where k + offset >= 0 {
            out.append(TrainingArchitecture(kind: .residual, neurons: k + offset, offset: offset, exactExists: offset >= 0))
        }
        return out
    }

    /// Points uniform in `[−R, R]ⁿ`, one per row.
    static func boxPoints(count: Int, dimension n: Int, radius: Double, seed: UInt64) -> Matrix {
        var rng = SplitMix64(seed: seed)
        return Matrix(rows: count, columns: n, entries: (0..<(count * n)).map { _ in radius * (2 * rng.nextUnit() - 1) })
    }

    /// The seed of start `start` of architecture `index`.
    static func startSeed(_ seed: UInt64, architecture index: Int, start: Int) -> UInt64 {
        var rng = SplitMix64(seed: seed ^ (UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(start + 1) &* 0xD1B5_4A32_D192_ED03))
        return rng.next()
    }

    /// Trains every architecture from every start; `progress` receives one line per architecture.
    public func run(progress: (String) -> Void = { _ in }) throws -> TrainingResult {
        let n = form.dimension
        let points = TrainingExperiment.boxPoints(count: options.samples, dimension: n, radius: options.boxRadius, seed: options.seed)
        let targets = (0..<points.rows).map { form.evaluate(points.row($0)) }
        let heldOut = TrainingExperiment.boxPoints(count: 256, dimension: n, radius: options.boxRadius, seed: options.seed &+ 0x5EED)
        let heldOutTargets = (0..<heldOut.rows).map { form.evaluate(heldOut.row($0)) }
        let scale = max((0..<heldOut.rows).map { form.magnitude(at: heldOut.row($0)) }.max() ?? 0, Double.leastNormalMagnitude)
        let a = form.symmetricMatrix
        let coefficientScale = max(abs(form.constant), form.linear.reduce(0) { max($0, abs($1)) }, a.entries.reduce(0) { max($0, abs($1)) }, Double.leastNormalMagnitude)
        let decay = options.steps > 1 ? pow(options.finalLearningRate / options.learningRate, 1 / Double(options.steps - 1)) : 1

        var runs: [TrainingRun] = []
        for (index, architecture) in architectures.enumerated() {
            let started = Date()
            // Starts trained so far, for a progress line (ProgressContext; nothing without a reporter).
            ProgressContext.begin("train \(architecture.label) (m = \(architecture.neurons)): starts", total: options.starts)
            for start in 0..<options.starts {
                ProgressContext.advance(start)
                let seed = TrainingExperiment.startSeed(options.seed, architecture: index, start: start)
                var rng = SplitMix64(seed: seed)
                var parameters = SquareNetworkParameters.random(kind: architecture.kind, inputs: n, neurons: architecture.neurons, using: &rng)
                var adam = AdamOptimizer(count: parameters.values.count, learningRate: options.learningRate)
                var loss = 0.0
                for _ in 0..<options.steps {
                    let (value, gradient) = parameters.lossAndGradient(points: points, targets: targets)
                    loss = value
                    if !value.isFinite { break }
                    adam.step(&parameters.values, gradient: gradient)
                    adam.learningRate *= decay
                }
                loss = parameters.lossAndGradient(points: points, targets: targets).loss
                let finite = parameters.values.allSatisfy { $0.isFinite }
                let network: ResNet
                var relativeError = Double.infinity, coefficientError = Double.infinity
                if finite {
                    network = try parameters.network
                    let values = try network.realization(batch: heldOut)
                    var worst = 0.0
                    for p in 0..<heldOut.rows { worst = max(worst, abs(values[p, 0] - heldOutTargets[p])) }
                    relativeError = worst / scale
                    let expanded = try ExpandedNetwork(network)
                    var difference = abs(expanded.constant - form.constant)
                    for i in 0..<n { difference = max(difference, abs(expanded.linear[i] - form.linear[i])) }
                    for i in 0..<(n * n) { difference = max(difference, abs(expanded.quadratic.entries[i] - a.entries[i])) }
                    coefficientError = difference / coefficientScale
                } else {
                    network = try SquareNetworkParameters(kind: architecture.kind, inputs: n, neurons: architecture.neurons,
                                                          values: [Double](repeating: 0, count: parameters.values.count)).network
                    loss = .infinity
                }
                runs.append(TrainingRun(architecture: architecture, start: start, seed: seed, finalLoss: loss,
                                        relativeError: relativeError, relativeCoefficientError: coefficientError,
                                        largestParameter: finite ? parameters.largestMagnitude : .infinity,
                                        reachedExact: relativeError <= options.tolerance, network: network))
            }
            let mine = runs.filter { $0.architecture == architecture }
            let exact = mine.filter(\.reachedExact).count
            progress("train: \(architecture.label) (m = \(architecture.neurons)): \(options.starts) starts, \(exact) exact, \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        }
        return TrainingResult(experiment: self, runs: runs, scale: scale)
    }
}

/// The runs of a training experiment with their table, CSV and SVG.
public struct TrainingResult: Sendable {
    /// The experiment that produced them.
    public let experiment: TrainingExperiment
    /// Every run, architecture by architecture.
    public let runs: [TrainingRun]
    /// The scale the tolerance multiplies.
    public let scale: Double

    /// One summary per architecture, in the order trained.
    public var summaries: [TrainingSummary] {
        experiment.architectures.map { architecture in
            let mine = runs.filter { $0.architecture == architecture }
            let losses = mine.map(\.finalLoss)
            return TrainingSummary(architecture: architecture, minimumLoss: losses.min() ?? .nan,
                                   medianLoss: TrainingResult.median(losses),
                                   exactFraction: mine.isEmpty ? 0 : Double(mine.filter(\.reachedExact).count) / Double(mine.count),
                                   medianLargestParameter: TrainingResult.median(mine.map(\.largestParameter)))
        }
    }

    /// The median (mean of the middle two for an even count; NaN for none).
    public static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : 0.5 * (sorted[middle - 1] + sorted[middle])
    }

    /// The table for people.
    public var text: String {
        let s = experiment.synthesis
        let o = experiment.options
        let k = s.rank
        var out = "f = \(SynthesisReport.formula(of: experiment.form))\n"
        out += "n = \(experiment.form.dimension), k = rank A = \(k), a_N \(s.hasLinearNullPart ? "≠ 0: exact plain needs k + 2 = \(k + 2)" : "= 0: exact plain needs k = \(k)"), exact residual needs k = \(k)\n"
        out += "\(o.starts) starts × \(o.steps) full-batch Adam steps (step size \(NumberFormat.short(o.learningRate)) → \(NumberFormat.short(o.finalLearningRate))), \(o.samples) points in [−\(NumberFormat.short(o.boxRadius)), \(NumberFormat.short(o.boxRadius))]^\(experiment.form.dimension), seed \(o.seed)\n"
        out += "exact: max|g − f| ≤ \(NumberFormat.short(o.tolerance)) × \(NumberFormat.short(scale)) on 256 held-out points\n\n"
        let header = ["network", "m", "width", "exact exists", "min loss", "median loss", "reached exact", "median max|θ|"]
        var rows: [[String]] = []
        for summary in summaries {
            let a = summary.architecture
            let count = runs.filter { $0.architecture == a }.count
            let exact = Int((summary.exactFraction * Double(count)).rounded())
            rows.append([a.kind.rawValue, String(a.neurons), a.widthLabel, a.exactExists ? "yes" : "no",
                         String(format: "%.3g", summary.minimumLoss), String(format: "%.3g", summary.medianLoss),
                         "\(exact)/\(count)", String(format: "%.3g", summary.medianLargestParameter)])
        }
        out += CSVTable(header: header, rows: rows).alignedText
        return out
    }

    /// The JSON report of `quadform experiment train --format json`: the form, k, the options,
    /// one summary per architecture and every run (the CSV's columns), design.md §3.
    public var json: JSONValue {
        let s = experiment.synthesis, o = experiment.options
        func architecture(_ a: TrainingArchitecture) -> [(String, JSONValue)] {
            [("network", .string(a.kind.rawValue)), ("neurons", .number(String(a.neurons))),
             ("width", .string(a.widthLabel)), ("exact_exists", .bool(a.exactExists))]
        }
        return .object([
            ("form", Formats.formJSON(experiment.form)),
            ("rank", .number(String(s.rank))),
            ("linear_in_range", .bool(!s.hasLinearNullPart)),
            ("options", .object([
                ("starts", .number(String(o.starts))), ("steps", .number(String(o.steps))),
                ("samples", .number(String(o.samples))), ("box_radius", JSONWriter.number(o.boxRadius)),
                ("learning_rate", JSONWriter.number(o.learningRate)), ("final_learning_rate", JSONWriter.number(o.finalLearningRate)),
                ("tolerance", JSONWriter.number(o.tolerance)), ("seed", .number(String(o.seed))),
            ])),
            ("scale", JSONWriter.number(scale)),
            ("summaries", .array(summaries.map { summary in
                .object(architecture(summary.architecture) + [
                    ("min_loss", JSONWriter.number(summary.minimumLoss)), ("median_loss", JSONWriter.number(summary.medianLoss)),
                    ("exact_fraction", JSONWriter.number(summary.exactFraction)),
                    ("median_max_abs_parameter", JSONWriter.number(summary.medianLargestParameter)),
                ])
            })),
            ("runs", .array(runs.map { run in
                .object(architecture(run.architecture) + [
                    ("start", .number(String(run.start))), ("seed", .number(String(run.seed))),
                    ("final_loss", JSONWriter.number(run.finalLoss)), ("relative_error", JSONWriter.number(run.relativeError)),
                    ("relative_coefficient_error", JSONWriter.number(run.relativeCoefficientError)),
                    ("max_abs_parameter", JSONWriter.number(run.largestParameter)), ("reached_exact", .bool(run.reachedExact)),
                ])
            })),
        ])
    }

    /// One CSV row per run.
    public var csv: String {
        var table = CSVTable(header: ["network", "neurons", "width", "exact_exists", "start", "seed", "final_loss",
                                      "relative_error", "relative_coefficient_error", "max_abs_parameter", "reached_exact"])
        for run in runs {
            let a = run.architecture
            table.rows.append([a.kind.rawValue, String(a.neurons), a.widthLabel, String(a.exactExists), String(run.start), String(run.seed),
                               CSVTable.number(run.finalLoss), CSVTable.number(run.relativeError),
                               CSVTable.number(run.relativeCoefficientError), CSVTable.number(run.largestParameter), String(run.reachedExact)])
        }
        return table.text
    }

    /// Final losses of every start, one column per architecture, with the tolerance drawn as
    /// the loss `(tolerance · scale)²` it corresponds to at most.
    public var svg: String {
        let architectures = experiment.architectures
        var chart = SVGChart(title: "Final training loss per start: f = \(SynthesisReport.formula(of: experiment.form))",
                             xLabel: "architecture: " + architectures.map { "\($0.label) m=\($0.neurons)" }.joined(separator: ", "),
                             yLabel: "final loss (mean squared error)", xLog: false, yLog: true,
                             xCategories: architectures.enumerated().map { (Double($0.offset), $0.element.label) })
        // Losses of exactly 0 cannot go on a log axis; they are drawn at 1e-32.
        let floor = 1e-32
        for (index, architecture) in architectures.enumerated() {
            let mine = runs.filter { $0.architecture == architecture }
            let points = mine.enumerated().map { (i, run) -> (x: Double, y: Double) in
                let jitter = mine.count > 1 ? (Double(i) / Double(mine.count - 1) - 0.5) * 0.4 : 0
                return (Double(index) + jitter, max(run.finalLoss, floor))
            }
            chart.series.append(SVGChart.Series(name: architecture.label, points: points,
                                                color: SVGChart.palette[index % SVGChart.palette.count], joined: false,
                                                hollow: !architecture.exactExists))
        }
        let tolerance = experiment.options.tolerance * scale
        chart.references.append(SVGChart.ReferenceLine(y: tolerance * tolerance, label: "(tolerance·scale)²"))
        return chart.svg
    }
}
