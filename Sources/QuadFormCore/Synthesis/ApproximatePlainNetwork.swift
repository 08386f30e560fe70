import Foundation

/// The "k + 1, approximate" plain network of design.md §3. When a_N ≠ 0 no plain network with
/// k + 1 square neurons computes f (theorem T2), but one can come arbitrarily close: the k range
/// neurons of the exact synthesis plus one neuron for p = a_N,
///
///     pᵀx ≈ ((pᵀx + t)² − t²)/(2t) = pᵀx + (pᵀx)²/(2t),
///
/// whose truncation error is at most `s²/(2t)` on the box [−R, R]ⁿ, with s = R‖p‖₁ = max |pᵀx|.
/// In floating point the neuron's value is about t/2 and cancels against the bias −t/2, so
/// rounding adds about `4·ε·(t + s)`; t is chosen to balance the two: `t = s / √(8ε)`.
/// THIS NETWORK IS NOT EXACT: its error is small, never zero.
public struct ApproximatePlainNetwork: Sendable {
    /// k + 1.
    public let neurons: Int
    /// The network: l = (n, k + 1, 1), S = ∅.
    public let network: ResNet
    /// R.
    public let boxRadius: Double
    /// t.
    public let t: Double
    /// s = R‖a_N‖₁, the largest |a_Nᵀx| on the box.
    public let reach: Double
    /// `s²/(2t)`: the exact-arithmetic error bound on the box.
    public let truncationBound: Double
    /// `4ε(t + s) + (n + k + 3)·ε·F`, F the largest |term sum| of f on the box: the rounding estimate.
    public let roundingEstimate: Double
    /// truncationBound + roundingEstimate.
    public let errorBound: Double
    /// `Σ|λ_dropped|·n·R²` when the rank tolerance dropped eigenvalues (0 otherwise): part of the bound.
    public let droppedBound: Double
    /// max |f(x) − g(x)| over the measurement points in the box.
    public let maxErrorMeasured: Double
    /// Number of measurement points (origin, ±R e_i, the corners ±R·sign(a_N), random points).
    public let points: Int

    /// The t that minimizes `s²/(2t) + 4εt`.
    public static func balancedShift(reach s: Double) -> Double { s / (8 * Double.ulpOfOne).squareRoot() }

    /// Builds and measures the k + 1 network for `synthesis` on its box; nil when a_N = 0 (the
    /// plain network then already has k neurons and is exact) or when its neuron's square
    /// (≈ (t/h)², t/h ≈ R/√(8ε)) or its bias −t/2 would overflow (R beyond ~10¹⁴⁶, or ‖a_N‖ beyond
    /// ~10³⁰⁰: no Double network of this shape exists).
    public init?(synthesis: Synthesis) throws {
        guard synthesis.hasLinearNullPart else { return nil }
        let form = synthesis.form
        let n = form.dimension
        let k = synthesis.rank
        let r = synthesis.options.boxRadius
        let p = synthesis.linearNullPart
        let s = r * p.reduce(0) { $0 + abs($1) }
        let t = Self.balancedShift(reach: s)
        let shiftOverScale = t / Synthesis.powerOfTwoScale(synthesis.linearNullPartNorm)
        guard (4 * shiftOverScale * shiftOverScale).isFinite, (t + abs(synthesis.plain.layers[1].bias[0])).isFinite else { return nil }
        let eps = Double.ulpOfOne
        // The plain network's k completed squares (its first k neurons and output bias), plus one.
        let plain = synthesis.plain
        // The same neuron written as h²((p/h)ᵀx + t/h)² − … keeps its square near (t/h)² ≈ (R‖x‖)²/(8ε)
        // instead of t², which overflows once ‖a_N‖ passes about 1e146.
        let h = Synthesis.powerOfTwoScale(synthesis.linearNullPartNorm)
        let rows = Array(plain.layers[0].weights.entries.prefix(k * n)) + p.map { $0 / h }
        let network = try ResNet.oneHiddenLayer(inputWeights: Matrix(rows: k + 1, columns: n, entries: rows),
                                                hiddenBias: Array(plain.layers[0].bias.prefix(k)) + [t / h],
                                                outputWeights: Array(plain.layers[1].weights.entries.prefix(k)) + [h * (h / (2 * t))],
                                                outputBias: plain.layers[1].bias[0] - t / 2)

        var rng = SplitMix64(seed: synthesis.options.seed &+ 0x5EED)
        var pointRows: [[Double]] = [[Double](repeating: 0, count: n)]
        for i in 0..<min(n, 8) {
            for sign in [-1.0, 1.0] { var e = [Double](repeating: 0, count: n); e[i] = sign * r; pointRows.append(e) }
        }
        let corner = p.map { $0 >= 0 ? r : -r }
        pointRows += [corner, corner.map { -$0 }]
        for _ in 0..<max(synthesis.options.randomSamples, 32) { pointRows.append((0..<n).map { _ in r * (2 * rng.nextUnit() - 1) }) }
        let points = Matrix(rowArrays: pointRows, columns: n)
        let values = try network.realization(batch: points)
        let formValues = synthesis.formValues(batch: points).values
        var measured = 0.0
        for i in 0..<points.rows { measured = max(measured, abs(formValues[i] - values[i, 0])) }

        let a = synthesis.symmetricMatrix
        let magnitudeF = abs(form.constant) + r * form.linear.reduce(0) { $0 + abs($1) } + r * r * a.entries.reduce(0) { $0 + abs($1) }
        let truncation = s * s / (2 * t)
        let rounding = 4 * eps * (t + s) + Double(n + k + 3) * eps * magnitudeF
        self.neurons = k + 1
        self.network = network
        self.boxRadius = r
        self.t = t
        self.reach = s
        self.truncationBound = truncation
        self.roundingEstimate = rounding
        self.droppedBound = synthesis.approximationBoundOnBox
        self.errorBound = truncation + rounding + synthesis.approximationBoundOnBox
        self.maxErrorMeasured = measured
        self.points = points.rows
    }

    /// The plain statement for reports.
    public var note: String {
        "NOT EXACT: k + 1 = \(neurons) plain neurons can only approximate f (theorem T2: an exact plain network needs k + 2); "
            + "the neuron ((a_Nᵀx + t)² − t²)/(2t) = a_Nᵀx + (a_Nᵀx)²/(2t) has error ≤ s²/(2t) on the box, plus rounding ~ t·ε"
    }

    /// `plain_approximate` of the synth report.
    public var json: JSONValue {
        .object([
            ("exact", .bool(false)),
            ("neurons", .number(String(neurons))),
            ("box_radius", JSONWriter.number(boxRadius)),
            ("t", JSONWriter.number(t)),
            ("reach", JSONWriter.number(reach)),
            ("truncation_bound", JSONWriter.number(truncationBound)),
            ("rounding_estimate", JSONWriter.number(roundingEstimate)),
            ("dropped_eigenvalue_bound", JSONWriter.number(droppedBound)),
            ("error_bound", JSONWriter.number(errorBound)),
            ("max_error_measured", JSONWriter.number(maxErrorMeasured)),
            ("points", .number(String(points))),
            ("note", .string(note)),
            ("network", Formats.networkJSON(network)),
        ])
    }
}

extension ApproximatePlainNetwork {
}
