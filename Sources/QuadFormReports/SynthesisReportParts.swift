import QuadFormCore

/// What `quadform synth`'s report and `quadform-mpi`'s share (design.md §8): the outcome of the
/// decomposition (`Synthesis.Core`, the same value on one process or many), its verification, and
/// how the form and the eigensolver are described. Every JSON key and every rule of the report
/// lives here once; `SynthesisReport` adds the matrix and its own extras, the MPI report only its
/// distribution lines.
public struct SynthesisReportParts: Sendable {
    /// The variable names.
    public let variables: [String]
    /// The form member (`quadratic` null when the matrix stays distributed).
    public let form: JSONValue
    /// A, or null when it stays distributed.
    public let symmetricMatrix: JSONValue
    /// The eigensolver that ran, the one asked for, and why.
    public let driver: (ran: String, requested: String, reason: String)
    /// All eigenvalues, ascending.
    public let eigenvalues: [Double]
    /// The input precision.
    public let precision: InputPrecision
    /// a.
    public let linear: [Double]
    /// Rank, a_N and both networks.
    public let core: Synthesis.Core
    /// Both networks' checks.
    public let verification: VerificationReport
    /// The synthesis options.
    public let options: SynthesisOptions
    /// The radius of the far sample points.
    public let farSampleRadius: Double
    /// The BLAS/LAPACK that ran.
    public let blas: BLASInfo

    /// The parts from their values.
    public init(variables: [String], form: JSONValue, symmetricMatrix: JSONValue, driver: (ran: String, requested: String, reason: String),
                eigenvalues: [Double], precision: InputPrecision, linear: [Double], core: Synthesis.Core,
                verification: VerificationReport, options: SynthesisOptions, farSampleRadius: Double, blas: BLASInfo) {
        self.variables = variables
        self.form = form
        self.symmetricMatrix = symmetricMatrix
        self.driver = driver
        self.eigenvalues = eigenvalues
        self.precision = precision
        self.linear = linear
        self.core = core
        self.verification = verification
        self.options = options
        self.farSampleRadius = farSampleRadius
        self.blas = blas
    }

    /// The rank tolerance with the rule that set it.
    public var tolerance: RankTolerance {
        RankTolerance(dimension: variables.count, eigenvalues: eigenvalues, precision: precision, userValue: options.rankTolerance,
                      summedTermScale: options.summedTermScale ?? 0)
    }

    /// The unit roundoff of the tolerances.
    public var unitRoundoff: Double { max(Double.ulpOfOne, precision.epsilon) }

    /// Why the plain network has the neurons it has.
    public var plainReason: String {
        SynthesisReport.plainReason(rank: core.rank, hasLinearNullPart: core.hasLinearNullPart, nullPart: core.linearNullPartComputed,
                                    nullNorm: core.linearNullPartNorm, boxRadius: options.boxRadius,
                                    uncertain: core.linearNullPartIsUncertain, squaresOverflow: core.plainSquaresOverflow, linear: linear)
    }

    /// The JSON members of design.md §6's synth report, in order, with `plain_approximate` as given.
    public func jsonMembers(plainApproximate: JSONValue) -> [(String, JSONValue)] {
        let c = core, v = verification
        let gap: JSONValue = {
            guard let kept = c.smallestKept, let dropped = c.largestDropped, dropped > 0 else { return .null }
            return JSONWriter.number(kept / dropped)
        }()
        return [
            ("variables", .array(variables.map { .string($0) })),
            ("form", form),
            ("symmetric_matrix", symmetricMatrix),
            ("eigen_driver", .string(driver.ran)),
            ("eigen_driver_requested", .string(driver.requested)),
            ("eigen_driver_reason", .string(driver.reason)),
            ("blas", blas.json),
            ("eigenvalues", JSONWriter.numbers(eigenvalues)),
            ("rank", .number(String(c.rank))),
            ("rank_tolerance", JSONWriter.number(c.rankTolerance)),
            ("rank_tolerance_rule", .string(tolerance.jsonRule)),
            ("input_precision", .string(precision.rawValue)),
            ("unit_roundoff", JSONWriter.number(unitRoundoff)),
            ("rank_ill_determined", .bool(c.rankIsIllDetermined)),
            ("smallest_kept_eigenvalue", c.smallestKept.map(JSONWriter.number) ?? .null),
            ("largest_dropped_eigenvalue", c.largestDropped.map(JSONWriter.number) ?? .null),
            ("eigenvalue_gap", gap),
            ("linear_range_part", JSONWriter.numbers(c.linearRangePart)),
            ("linear_null_part", JSONWriter.numbers(c.linearNullPartComputed)),
            ("linear_null_part_norm", JSONWriter.number(c.linearNullPartNorm)),
            ("linear_null_part_tolerance", JSONWriter.number(c.linearNullPartTolerance)),
            ("linear_null_part_rounding_ratio", JSONWriter.number(c.linearNullPartRoundingRatio)),
            ("linear_null_part_certain", .bool(!c.linearNullPartIsUncertain)),
            ("linear_in_range", .bool(!c.hasLinearNullPart)),
            ("residual", .object([
                ("neurons", .number(String(c.residual.hiddenNeurons))),
                ("network", Formats.networkJSON(c.residual)),
            ])),
            ("plain", .object([
                ("neurons", .number(String(c.plain.hiddenNeurons))),
                ("reason", .string(plainReason)),
                ("network", Formats.networkJSON(c.plain)),
            ])),
            ("verification", .object([
                ("passed", .bool(v.passed)),
                ("status", .string(v.status.jsonName)),
                ("coefficient_error", JSONWriter.number(max(v.residual.coefficientError, v.plain.coefficientError))),
                ("sample_error", JSONWriter.number(max(v.residual.sampleError, v.plain.sampleError))),
                ("sample_relative_error", JSONWriter.number(max(v.residual.sampleRelativeError, v.plain.sampleRelativeError))),
                ("tolerance", .object([
                    ("coefficient", JSONWriter.number(max(v.residual.coefficientTolerance, v.plain.coefficientTolerance))),
                    ("sample", JSONWriter.number(max(v.residual.sampleTolerance, v.plain.sampleTolerance))),
                    ("safety_factor", JSONWriter.number(v.safetyFactor)),
                    ("unit_roundoff", JSONWriter.number(v.unitRoundoff)),
                ])),
                ("accuracy", JSONWriter.number(v.accuracy)),
                ("scale", JSONWriter.number(v.scale)),
                ("points", .number(String(v.points))),
                ("box_radius", JSONWriter.number(options.boxRadius)),
                ("dropped_eigenvalue_bound", JSONWriter.number(v.droppedEigenvalueBound)),
                ("residual", v.residual.json),
                ("plain", v.plain.json),
            ])),
            ("plain_approximate", plainApproximate),
        ]
    }

    /// The text lines from the rank to the a_N decision (label, text).
    public var rankLines: [(String, String)] {
        let c = core, n = variables.count, fmt = NumberFormat.short
        var lines: [(String, String)] = [("rank", "k = \(c.rank)   tolerance \(fmt(c.rankTolerance)) " + tolerance.origin)]
        var gapLine = "smallest kept |λ| = " + (c.smallestKept.map(fmt) ?? "none")
        gapLine += ", largest dropped |λ| = " + (c.largestDropped.map(fmt) ?? "none")
        if let kept = c.smallestKept, let dropped = c.largestDropped {
            gapLine += dropped > 0 ? ", gap ×\(fmt(kept / dropped))" : ", gap ∞"
        }
        lines.append(("", gapLine))
        lines.append(("a_N = (I − P)a", n <= 8 ? "[" + c.linearNullPartComputed.map(fmt).joined(separator: ", ") + "]" : "(\(n) entries)"))
        lines.append(("", "‖a_N‖ = \(fmt(c.linearNullPartNorm)) against tolerance \(fmt(c.linearNullPartTolerance)): "
                      + (c.hasLinearNullPart ? "the linear term leaves range(A)" : "the linear term lies in range(A)")))
        if c.hasLinearNullPart {
            lines.append(("", c.linearNullPartIsUncertain
                          ? "uncertain: ‖a_N‖ is within what rounding can tilt range(A) by, but leaving it out would miss f by ×\(fmt(c.linearNullPartRoundingRatio)) of 3/4 the rounding tolerance"
                          : "certain: margin ×\(fmt(c.linearNullPartNorm / c.linearNullPartTolerance)) over what rounding can tilt range(A) by"))
        }
        if precision != .float64 {
            lines.append(("precision", "input read as \(precision.rawValue): ε = \(fmt(unitRoundoff)) in the rank tolerance and the verification"))
        }
        return lines
    }

    /// The lines that explain an APPROXIMATE verdict: what was dropped, the bound, the measured error.
    public var approximationLines: [String] {
        let checks = [verification.residual, verification.plain].filter { $0.status == .approximate }
        guard let first = checks.first, let approximation = first.approximation else { return [] }
        let measured = checks.compactMap { $0.approximation?.measuredErrorOnBox }.max() ?? approximation.measuredErrorOnBox
        let fmt = NumberFormat.short
        return ["APPROXIMATE, not f: the rank tolerance \(fmt(core.rankTolerance)) dropped eigenvalues with Σ|λ| = \(fmt(core.droppedEigenvalueSum)), more than rounding",
                "on [−R, R]^n: |f − g| ≤ Σ|λ_dropped|·n·R² = \(fmt(approximation.boundOnBox)); measured \(fmt(measured))"]
    }
}
