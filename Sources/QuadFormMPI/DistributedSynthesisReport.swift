import Foundation
import QuadFormCore
import QuadFormReports
import QuadFormInterop

/// The report of `quadform-mpi synth`: the keys and lines of `quadform synth`'s `SynthesisReport`
/// (JSON for tools, text for people), from a `DistributedSynthesis` on process 0. Members that
/// would hold an n × n matrix (`form.quadratic`, `symmetric_matrix`) are null: the matrix stays
/// distributed (it is the input file). `plain_approximate` is null (not computed distributed).
public struct DistributedSynthesisReport {
    /// The synthesis (process 0's, with its core and verification).
    public let synthesis: DistributedSynthesis
    /// The core.
    public let core: Synthesis.Core
    /// The verification.
    public let verification: VerificationReport
    /// The BLAS/LAPACK under ScaLAPACK on process 0.
    public let blas: BLASInfo
    /// The input file.
    public let matrixPath: String

    /// The report of `synthesis`, on process 0 (nil elsewhere).
    public init?(synthesis: DistributedSynthesis, matrixPath: String) {
        guard let core = synthesis.core, let verification = synthesis.verification else { return nil }
        self.synthesis = synthesis
        self.core = core
        self.verification = verification
        self.blas = BLASInfo.current
        self.matrixPath = matrixPath
    }

    /// Whether both networks verified (equal f up to rounding).
    public var passed: Bool { verification.passed }

    /// PASSED, APPROXIMATE or FAILED.
    public var status: VerificationStatus { verification.status }

    /// Whether ‖a_N‖ is within the Davis–Kahan uncertainty although the plain network carries it.
    var nullPartUncertain: Bool { core.hasLinearNullPart && core.linearNullPartNorm <= core.linearNullPartTolerance }

    /// Whether kept and dropped eigenvalues are within a factor 10³ (as `Synthesis.rankIsIllDetermined`).
    var rankIsIllDetermined: Bool {
        guard let kept = core.smallestKept, let dropped = core.largestDropped, dropped > 0 else { return false }
        return kept / dropped < 1e3
    }

    var variables: [String] { QuadraticForm.defaultVariables(synthesis.dimension) }

    /// The rank tolerance with its rule (the single-process report's `RankTolerance`).
    var tolerance: RankTolerance {
        RankTolerance(dimension: synthesis.dimension, eigenvalues: synthesis.eigenvalues,
                      precision: synthesis.precision, userValue: synthesis.options.rankTolerance)
    }

    var plainReason: String {
        SynthesisReport.plainReason(rank: core.rank, hasLinearNullPart: core.hasLinearNullPart, nullPart: core.linearNullPartComputed,
                                    nullNorm: core.linearNullPartNorm, boxRadius: synthesis.options.boxRadius, uncertain: nullPartUncertain,
                                    squaresOverflow: core.plainSquaresOverflow, linear: synthesis.linear)
    }

    /// The distribution, for both formats.
    var distribution: String {
        let g = synthesis.gridShape
        return "\(synthesis.processes) MPI process\(synthesis.processes == 1 ? "" : "es"), BLACS grid \(g.rows)×\(g.columns), block \(g.block)"
    }

    /// The JSON report: `quadform synth`'s members, plus `distribution`.
    public var json: JSONValue {
        let s = synthesis, c = core, v = verification
        let gap: JSONValue = {
            guard let kept = c.smallestKept, let dropped = c.largestDropped, dropped > 0 else { return .null }
            return JSONWriter.number(kept / dropped)
        }()
        var members: [(String, JSONValue)] = [
            ("variables", .array(variables.map { .string($0) })),
            ("form", .object([
                ("variables", .array(variables.map { .string($0) })),
                ("constant", JSONWriter.number(s.constant)),
                ("linear", JSONWriter.numbers(s.linear)),
                ("quadratic", .null),
            ])),
            ("symmetric_matrix", .null),
            ("eigen_driver", .string(s.driverName)),
            ("eigen_driver_requested", .string(s.options.driver.rawValue)),
            ("eigen_driver_reason", .string(s.driverReason)),
            ("blas", blas.json),
            ("eigenvalues", JSONWriter.numbers(s.eigenvalues)),
            ("rank", .number(String(c.rank))),
            ("rank_tolerance", JSONWriter.number(c.rankTolerance)),
            ("rank_tolerance_rule", .string(tolerance.jsonRule)),
            ("input_precision", .string(s.precision.rawValue)),
            ("unit_roundoff", JSONWriter.number(s.unitRoundoff)),
            ("rank_ill_determined", .bool(rankIsIllDetermined)),
            ("smallest_kept_eigenvalue", c.smallestKept.map(JSONWriter.number) ?? .null),
            ("largest_dropped_eigenvalue", c.largestDropped.map(JSONWriter.number) ?? .null),
            ("eigenvalue_gap", gap),
            ("linear_range_part", JSONWriter.numbers(c.linearRangePart)),
            ("linear_null_part", JSONWriter.numbers(c.linearNullPartComputed)),
            ("linear_null_part_norm", JSONWriter.number(c.linearNullPartNorm)),
            ("linear_null_part_tolerance", JSONWriter.number(c.linearNullPartTolerance)),
            ("linear_null_part_rounding_ratio", JSONWriter.number(c.linearNullPartRoundingRatio)),
            ("linear_null_part_certain", .bool(!nullPartUncertain)),
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
                ("coefficient_error", JSONWriter.number(Swift.max(v.residual.coefficientError, v.plain.coefficientError))),
                ("sample_error", JSONWriter.number(Swift.max(v.residual.sampleError, v.plain.sampleError))),
                ("sample_relative_error", JSONWriter.number(Swift.max(v.residual.sampleRelativeError, v.plain.sampleRelativeError))),
                ("tolerance", .object([
                    ("coefficient", JSONWriter.number(Swift.max(v.residual.coefficientTolerance, v.plain.coefficientTolerance))),
                    ("sample", JSONWriter.number(Swift.max(v.residual.sampleTolerance, v.plain.sampleTolerance))),
                    ("safety_factor", JSONWriter.number(v.safetyFactor)),
                    ("unit_roundoff", JSONWriter.number(v.unitRoundoff)),
                ])),
                ("points", .number(String(v.points))),
                ("box_radius", JSONWriter.number(s.options.boxRadius)),
                ("dropped_eigenvalue_bound", JSONWriter.number(v.droppedEigenvalueBound)),
                ("residual", v.residual.json),
                ("plain", v.plain.json),
            ])),
            ("plain_approximate", .null),
        ]
        let g = s.gridShape
        members.append(("distribution", .object([
            ("processes", .number(String(s.processes))),
            ("grid", .array([.number(String(g.rows)), .number(String(g.columns))])),
            ("block", .number(String(g.block))),
            ("matrix_file", .string(matrixPath)),
        ])))
        return .object(members)
    }

    /// The report for people: `quadform synth`'s lines, A shown by its norm.
    public var text: String {
        let s = synthesis, c = core, v = verification
        let n = s.dimension
        let fmt = NumberFormat.short
        var out = ""
        func line(_ label: String, _ value: String) {
            out += label.padding(toLength: 20, withPad: " ", startingAt: 0) + value + "\n"
        }
        line("variables", n == 0 ? "(none)" : "x1 … x\(n)   (n = \(n))")
        line("f(x)", "c + aᵀx + xᵀAx, c = \(fmt(s.constant)), ‖a‖ = \(fmt(Vector.norm(s.linear))), A from \(matrixPath)")
        line("A = (M + Mᵀ)/2", "\(n)×\(n), ‖A‖_F = \(fmt(s.frobeniusNorm))   (distributed: \(distribution))")
        line("eigenvalues", "\(SynthesisReport.list(numbers: s.eigenvalues, limit: 10))   (ScaLAPACK \(s.driverName), ascending)")
        if s.options.driver == .auto { line("", "driver " + s.driverReason) }
        var rankLine = "k = \(c.rank)   tolerance \(fmt(c.rankTolerance))"
        rankLine += " " + tolerance.origin
        line("rank", rankLine)
        var gapLine = "smallest kept |λ| = " + (c.smallestKept.map(fmt) ?? "none")
        gapLine += ", largest dropped |λ| = " + (c.largestDropped.map(fmt) ?? "none")
        if let kept = c.smallestKept, let dropped = c.largestDropped {
            gapLine += dropped > 0 ? ", gap ×\(fmt(kept / dropped))" : ", gap ∞"
        }
        line("", gapLine)
        line("a_N = (I − P)a", n <= 8 ? "[" + c.linearNullPartComputed.map(fmt).joined(separator: ", ") + "]" : "(\(n) entries)")
        line("", "‖a_N‖ = \(fmt(c.linearNullPartNorm)) against tolerance \(fmt(c.linearNullPartTolerance)): "
             + (c.hasLinearNullPart ? "the linear term leaves range(A)" : "the linear term lies in range(A)"))
        if s.precision != .float64 {
            line("precision", "input read as \(s.precision.rawValue): ε = \(fmt(s.unitRoundoff)) in the rank tolerance and the verification")
        }
        out += "\n"
        line("residual network", "\(c.residual.hiddenNeurons) square neuron\(c.residual.hiddenNeurons == 1 ? "" : "s") + linear skip   l = \(SynthesisReport.widths(c.residual)), S = {(0,2)}")
        line("plain network", "\(c.plain.hiddenNeurons) square neuron\(c.plain.hiddenNeurons == 1 ? "" : "s")   l = \(SynthesisReport.widths(c.plain)), S = ∅")
        line("", plainReason)
        out += "\n"
        for (label, text) in SynthesisReport.verificationLines(v, boxRadius: s.options.boxRadius, farRadius: s.farSampleRadius) { line(label, text) }
        if v.status == .approximate {
            line("", "APPROXIMATE, not f: the rank tolerance \(fmt(c.rankTolerance)) dropped eigenvalues with Σ|λ| = \(fmt(c.droppedEigenvalueSum)), more than rounding; on [−R, R]^n |f − g| ≤ \(fmt(v.droppedEigenvalueBound))")
        }
        out += "\n"
        line("distribution", distribution)
        line("BLAS/LAPACK", blas.summary)
        return out
    }

    /// The arrays `--save-networks` writes (the same names as `quadform synth`'s).
    public var networkArrays: [NpzArray] {
        Npz.arrays(of: core.residual, prefix: "residual") + Npz.arrays(of: core.plain, prefix: "plain")
    }
}
