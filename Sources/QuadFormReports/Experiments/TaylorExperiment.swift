import QuadFormCore
import Foundation

/// How a synthesized square network is rewritten with the activation s (design.md §3, T3).
public enum TaylorConstruction: String, Sendable, CaseIterable {
    /// The paper's eq. (7)/(10) with the correct sign: each square neuron t² of the residual network
    /// becomes `(T(z* + δt) − T(z*)) / (αδ²)` with the shift `z* = −β/(2α) = z₀ − s'(z₀)/s''(z₀)`
    /// (the vertex of T). Exact for s = T; for a real s the neurons work at z*, not at z₀.
    case vertexShift = "eq7-shift"
    /// Each square neuron t² of the residual network becomes `(T(z₀ + δt) − s(z₀) − s'(z₀)δt) / (αδ²)`;
    /// the linear part `s'(z₀)δt` goes into the skip V and the output bias. Error O(δ) (the cubic term).
    case single
    /// Each square neuron t² of the plain network becomes the pair `(T(z₀ + δt) + T(z₀ − δt) − 2s(z₀)) / (2αδ²)`:
    /// odd powers cancel, so the error is O(δ²); twice the neurons, no skip.
    case paired
}

/// Settings of the Taylor experiment.
public struct TaylorOptions: Sendable {
    /// The activations tested.
    public var activations: [SmoothActivation]
    /// Expansion point z₀ (the same for every activation).
    public var center: Double
    /// The input scalings δ, in the order tried.
    public var deltas: [Double]
    /// Points uniform in `[−R, R]ⁿ` where the error is measured.
    public var samples: Int
    /// R.
    public var boxRadius: Double
    /// Seed of the points.
    public var seed: UInt64

    /// The default sweep `δ = 2⁻², 2⁻³, …, 2⁻¹⁰`.
    public static let defaultDeltas = (2...10).map { pow(2, -Double($0)) }

    /// `count` values of δ spaced geometrically from `largest` down to `smallest` (the sweep of
    /// `quadform experiment taylor --delta-max --delta-min --deltas`).
    public static func geometricDeltas(largest: Double, smallest: Double, count: Int) throws -> [Double] {
        guard count >= 2 else { throw ExperimentError.invalidSetting("--deltas must be at least 2, got \(count)") }
        guard smallest > 0, largest.isFinite, smallest < largest else {
            throw ExperimentError.invalidSetting("need 0 < --delta-min < --delta-max, got \(smallest) and \(largest)")
        }
        let ratio = pow(smallest / largest, 1 / Double(count - 1))
        return (0..<count).map { $0 == count - 1 ? smallest : largest * pow(ratio, Double($0)) }
    }

    /// Defaults: all five activations, z₀ = 0.5 (where s'' ≠ 0 and s''' ≠ 0 for all of them),
    /// δ = 2⁻² … 2⁻¹⁰, 256 points in [−1, 1]ⁿ, seed 1.
    public init(activations: [SmoothActivation] = SmoothActivation.allCases, center: Double = 0.5,
                deltas: [Double] = TaylorOptions.defaultDeltas, samples: Int = 256, boxRadius: Double = 1, seed: UInt64 = 1) {
        self.activations = activations
        self.center = center
        self.deltas = deltas
        self.samples = samples
        self.boxRadius = boxRadius
        self.seed = seed
    }

    func validate() throws {
        guard !activations.isEmpty else { throw ExperimentError.invalidSetting("no activation chosen") }
        guard center.isFinite else { throw ExperimentError.invalidSetting("z0 must be finite") }
        guard deltas.count >= 2 else { throw ExperimentError.invalidSetting("need at least two values of δ to measure a slope") }
        if let bad = deltas.first(where: { !($0 > 0 && $0.isFinite) }) { throw ExperimentError.invalidSetting("δ must be a finite number > 0, got \(bad)") }
        guard Set(deltas).count == deltas.count else { throw ExperimentError.invalidSetting("the values of δ must be distinct") }
        guard samples >= 1 else { throw ExperimentError.invalidSetting("samples must be ≥ 1, got \(samples)") }
        guard boxRadius > 0, boxRadius.isFinite else { throw ExperimentError.invalidSetting("box radius must be a finite number > 0, got \(boxRadius)") }
    }
}

/// One (activation, construction, δ) measurement.
public struct TaylorMeasurement: Sendable {
    /// s.
    public let activation: SmoothActivation
    /// How the square network was rewritten.
    public let construction: TaylorConstruction
    /// Hidden neurons of the rewritten network.
    public let neurons: Int
    /// δ.
    public let delta: Double
    /// max over the points of |g_s(x) − f(x)|, with the real s.
    public let maxError: Double
    /// maxError divided by the scale max(|c| + Σ|a_i x_i| + Σ|A_ij x_i x_j|) over the points.
    public let relativeError: Double
    /// Whether the same network with s replaced by its Taylor polynomial T passes design.md §5's
    /// verification against f (coefficients and samples): the quadratic model is exact.
    public let taylorModelExact: Bool
}

/// The least-squares slope of log(error) against log(δ) for one activation and construction.
public struct TaylorSlope: Sendable {
    /// s.
    public let activation: SmoothActivation
    /// The construction.
    public let construction: TaylorConstruction
    /// The slope p in error ≈ C δᵖ.
    public let slope: Double
}

/// How well do real activations behave like the quadratic model? Rewrites the synthesized square
/// networks of f with s through its Taylor polynomial at z₀ (design.md §3, T3) and inputs scaled by
/// δ, then measures the error of the network with the real s against f as δ → 0.
public struct TaylorExperiment: Sendable {
    /// The form f.
    public let form: QuadraticForm
    /// Its synthesized networks (design.md §2).
    public let synthesis: Synthesis
    /// Settings.
    public let options: TaylorOptions

    /// An experiment for `form`; rejects activations with s''(z₀) = 0 and invalid options.
    public init(form: QuadraticForm, options: TaylorOptions = TaylorOptions()) throws {
        try options.validate()
        for s in options.activations {
            let (s0, s1, s2) = s.derivatives(at: options.center)
            if abs(s2) <= 1e-8 * (abs(s0) + abs(s1)) {
                throw ExperimentError.flatCurvature(activation: s.rawValue, z0: options.center, second: s2)
            }
        }
        self.form = form
        self.options = options
        self.synthesis = try Synthesis(form: form, options: SynthesisOptions(boxRadius: options.boxRadius))
    }

    /// The rewritten network, with the Taylor polynomial T of s at z₀ as its (quadratic) activation.
    /// Replacing T by s is the experiment; with T itself the network computes f exactly.
    public func network(for s: SmoothActivation, construction: TaylorConstruction, delta: Double) throws -> ResNet {
        let z0 = options.center
        let taylor = s.taylorPolynomial(at: z0)
        let (s0, s1, s2) = s.derivatives(at: z0)
        let alpha = s2 / 2
        let source = construction == .paired ? synthesis.plain : synthesis.residual
        let n = source.inputWidth, m = source.widths[1]
        let u = source.layers[0].weights, b = source.layers[0].bias
        let w = source.layers[1].weights.entries
        var outputBias = source.layers[1].bias[0]
        var skip = source.skips.first?.weights.row(0) ?? [Double](repeating: 0, count: n)
        var rows: [[Double]] = [], biases: [Double] = [], weights: [Double] = []
        switch construction {
        case .vertexShift:
            guard case let .quadratic(_, beta, _) = taylor else { return source }
            let vertex = -beta / (2 * alpha)
            let valueAtVertex = taylor(vertex)  // γ − β²/(4α)
            for j in 0..<m {
                rows.append(u.row(j).map { delta * $0 })
                biases.append(vertex + delta * b[j])
                weights.append(w[j] / (alpha * delta * delta))
                outputBias -= w[j] * valueAtVertex / (alpha * delta * delta)
            }
        case .single:
            for j in 0..<m {
                let uj = u.row(j)
                rows.append(uj.map { delta * $0 })
                biases.append(z0 + delta * b[j])
                weights.append(w[j] / (alpha * delta * delta))
                outputBias -= w[j] * (s0 + s1 * delta * b[j]) / (alpha * delta * delta)
                for i in 0..<n { skip[i] -= w[j] * s1 * uj[i] / (alpha * delta) }
            }
        case .paired:
            for j in 0..<m {
                let uj = u.row(j)
                for sign in [1.0, -1.0] {
                    rows.append(uj.map { sign * delta * $0 })
                    biases.append(z0 + sign * delta * b[j])
                    weights.append(w[j] / (2 * alpha * delta * delta))
                }
                outputBias -= w[j] * s0 / (alpha * delta * delta)
            }
        }
        return try ResNet.oneHiddenLayer(activation: taylor, inputWeights: Matrix(rows: rows.count, columns: n, entries: rows.flatMap { $0 }),
                                         hiddenBias: biases, outputWeights: weights, outputBias: outputBias,
                                         skip: construction == .paired ? nil : skip)
    }

    /// The realization of `net` (Definition 1.5.4) with its activation replaced by s, on many
    /// inputs (one per row); each layer's product goes through CBLAS.
    public static func realization(of net: ResNet, activation s: SmoothActivation, batch points: Matrix) throws -> Matrix {
        guard points.columns == net.inputWidth else { throw NetworkError.inputLength(expected: net.inputWidth, found: points.columns) }
        var outputs: [Matrix] = [points]
        for k in 1...net.depth {
            let layer = net.layers[k - 1]
            var z = outputs[k - 1].multiply(layer.weights, transposeOther: true)
            for skip in net.skips where skip.to == k {
                let v = outputs[skip.from].multiply(skip.weights, transposeOther: true)
                for i in 0..<z.entries.count { z.entries[i] += v.entries[i] }
            }
            let width = net.widths[k]
            for row in 0..<points.rows {
                for j in 0..<width {
                    let value = z.entries[row * width + j] + layer.bias[j]
                    z.entries[row * width + j] = k < net.depth ? s(value) : value
                }
            }
            outputs.append(z)
        }
        return outputs[net.depth]
    }

    /// Least-squares slope of log y against log x.
    public static func logLogSlope(_ x: [Double], _ y: [Double]) -> Double {
        let pairs = zip(x, y).filter { $0.0 > 0 && $0.1 > 0 && $0.1.isFinite }
        guard pairs.count >= 2 else { return .nan }
        let lx = pairs.map { log($0.0) }, ly = pairs.map { log($0.1) }
        let mx = lx.reduce(0, +) / Double(lx.count), my = ly.reduce(0, +) / Double(ly.count)
        var sxy = 0.0, sxx = 0.0
        for i in 0..<lx.count { sxy += (lx[i] - mx) * (ly[i] - my); sxx += (lx[i] - mx) * (lx[i] - mx) }
        return sxx > 0 ? sxy / sxx : .nan
    }

    /// Runs the sweep; `progress` receives one line per activation.
    public func run(progress: (String) -> Void = { _ in }) throws -> TaylorResult {
        let n = form.dimension
        let points = TrainingExperiment.boxPoints(count: options.samples, dimension: n, radius: options.boxRadius, seed: options.seed)
        let targets = (0..<points.rows).map { form.evaluate(points.row($0)) }
        let scale = max((0..<points.rows).map { form.magnitude(at: points.row($0)) }.max() ?? 0, Double.leastNormalMagnitude)
        let verifier = Verifier(synthesis: synthesis)
        let checkPoints = Verifier.samplePoints(dimension: n, radius: options.boxRadius, random: 32, seed: options.seed)
        var measurements: [TaylorMeasurement] = []
        for s in options.activations {
            for construction in TaylorConstruction.allCases {
                for delta in options.deltas {
                    let net = try network(for: s, construction: construction, delta: delta)
                    // Exact in real arithmetic: within the rounding model (tiny δ makes the network ill-conditioned, design.md §5).
                    let exact = try verifier.check(net, name: construction.rawValue, points: checkPoints).withinRounding
                    let values = try TaylorExperiment.realization(of: net, activation: s, batch: points)
                    var worst = 0.0
                    for p in 0..<points.rows {
                        let error = abs(values[p, 0] - targets[p])
                        worst = error.isFinite ? max(worst, error) : .infinity
                    }
                    measurements.append(TaylorMeasurement(activation: s, construction: construction, neurons: net.hiddenNeurons,
                                                          delta: delta, maxError: worst, relativeError: worst / scale,
                                                          taylorModelExact: exact))
                }
            }
            progress("taylor: \(s.rawValue) done")
        }
        return TaylorResult(experiment: self, measurements: measurements, scale: scale)
    }
}

/// The measurements of a Taylor experiment with slopes, table, CSV and SVG.
public struct TaylorResult: Sendable {
    /// The experiment.
    public let experiment: TaylorExperiment
    /// Every measurement.
    public let measurements: [TaylorMeasurement]
    /// The scale of the relative errors.
    public let scale: Double

    /// The log-log slope of the error over the δ sweep, per activation and construction.
    public var slopes: [TaylorSlope] {
        experiment.options.activations.flatMap { s in
            TaylorConstruction.allCases.map { c in
                let mine = measurements.filter { $0.activation == s && $0.construction == c }
                return TaylorSlope(activation: s, construction: c, slope: TaylorExperiment.logLogSlope(mine.map(\.delta), mine.map(\.maxError)))
            }
        }
    }

    /// The slope for one activation and construction.
    public func slope(_ s: SmoothActivation, _ c: TaylorConstruction) -> Double {
        slopes.first { $0.activation == s && $0.construction == c }?.slope ?? .nan
    }

    /// The table for people.
    public var text: String {
        let e = experiment, o = e.options
        let deltas = o.deltas
        let smallest = deltas.min() ?? 0
        func neurons(_ c: TaylorConstruction) -> Int { measurements.first { $0.construction == c }?.neurons ?? 0 }
        var out = "f = \(SynthesisReport.formula(of: e.form))   (n = \(e.form.dimension), k = \(e.synthesis.rank))\n"
        out += "s → Taylor polynomial T at z0 = \(NumberFormat.short(o.center)); square neurons rewritten with T (exact) and then run with the real s\n"
        out += "  eq7-shift  residual, \(neurons(.vertexShift)) neurons at the vertex z* = z0 − s'/s'' (eq. 7 shift −β/(2α))\n"
        out += "  single     residual, \(neurons(.single)) neurons at z0 + δt, s'(z0)δt moved into the skip    expected order δ\n"
        out += "  paired     plain, \(neurons(.paired)) neurons at z0 ± δt (odd powers cancel)                  expected order δ²\n"
        out += "error = max|g_s(x) − f(x)| over \(o.samples) points in [−\(NumberFormat.short(o.boxRadius)), \(NumberFormat.short(o.boxRadius))]^\(e.form.dimension); "
        out += "slope of log error against log δ over δ = \(NumberFormat.short(deltas.max() ?? 0)) … \(NumberFormat.short(smallest)) (\(deltas.count) values)\n\n"
        let header = ["activation", "s''(z0)", "z*", "T exact", "eq7-shift slope", "single slope", "paired slope",
                      "single error", "paired error"]
        var rows: [[String]] = []
        for s in o.activations {
            let (_, s1, s2) = s.derivatives(at: o.center)
            let mine = measurements.filter { $0.activation == s }
            let exact = mine.allSatisfy(\.taylorModelExact)
            func errorAtSmallest(_ c: TaylorConstruction) -> String {
                String(format: "%.2e", mine.first { $0.construction == c && $0.delta == smallest }?.maxError ?? .nan)
            }
            rows.append([s.rawValue, String(format: "%.4g", s2), String(format: "%.4g", o.center - s1 / s2), exact ? "yes" : "NO",
                         String(format: "%.2f", slope(s, .vertexShift)), String(format: "%.2f", slope(s, .single)),
                         String(format: "%.2f", slope(s, .paired)), errorAtSmallest(.single), errorAtSmallest(.paired)])
        }
        out += CSVTable(header: header, rows: rows).alignedText
        out += "(errors at δ = \(NumberFormat.short(smallest)); 'T exact': with s replaced by T every network passes the verification of design.md §5)\n"
        return out
    }

    /// The JSON report of `quadform experiment taylor --format json`: the form, the options, the
    /// log-log slope per activation and construction, and every measurement (the CSV's columns),
    /// design.md §3 (T3).
    public var json: JSONValue {
        let o = experiment.options
        return .object([
            ("form", Formats.formJSON(experiment.form)),
            ("rank", .number(String(experiment.synthesis.rank))),
            ("options", .object([
                ("activations", .array(o.activations.map { .string($0.rawValue) })), ("z0", JSONWriter.number(o.center)),
                ("deltas", JSONWriter.numbers(o.deltas)), ("samples", .number(String(o.samples))),
                ("box_radius", JSONWriter.number(o.boxRadius)), ("seed", .number(String(o.seed))),
            ])),
            ("scale", JSONWriter.number(scale)),
            ("slopes", .array(slopes.map { slope in
                .object([("activation", .string(slope.activation.rawValue)), ("construction", .string(slope.construction.rawValue)),
                         ("slope", JSONWriter.number(slope.slope))])
            })),
            ("measurements", .array(measurements.map { m in
                .object([("activation", .string(m.activation.rawValue)), ("construction", .string(m.construction.rawValue)),
                         ("neurons", .number(String(m.neurons))), ("delta", JSONWriter.number(m.delta)),
                         ("max_abs_error", JSONWriter.number(m.maxError)), ("relative_error", JSONWriter.number(m.relativeError)),
                         ("taylor_model_exact", .bool(m.taylorModelExact))])
            })),
        ])
    }

    /// One CSV row per measurement.
    public var csv: String {
        var table = CSVTable(header: ["activation", "z0", "construction", "neurons", "delta", "max_abs_error", "relative_error", "taylor_model_exact"])
        for m in measurements {
            table.rows.append([m.activation.rawValue, CSVTable.number(experiment.options.center), m.construction.rawValue, String(m.neurons),
                               CSVTable.number(m.delta), CSVTable.number(m.maxError), CSVTable.number(m.relativeError), String(m.taylorModelExact)])
        }
        return table.text
    }

    /// Error against δ on log-log axes: one colour per activation; single solid, paired dashed, eq7-shift hollow markers.
    public var svg: String {
        var chart = SVGChart(title: "Square networks run with real activations, z0 = \(NumberFormat.short(experiment.options.center))",
                             xLabel: "input scaling δ", yLabel: "max |g_s(x) − f(x)| on the box", xLog: true, yLog: true)
        for (index, s) in experiment.options.activations.enumerated() {
            for c in TaylorConstruction.allCases {
                let mine = measurements.filter { $0.activation == s && $0.construction == c }
                chart.series.append(SVGChart.Series(name: "\(s.rawValue) \(c.rawValue) (slope \(String(format: "%.2f", slope(s, c))))",
                                                    points: mine.map { ($0.delta, $0.maxError) },
                                                    color: SVGChart.palette[index % SVGChart.palette.count],
                                                    joined: c != .vertexShift, hollow: c == .vertexShift, dashed: c == .paired))
            }
        }
        return chart.svg
    }
}
