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

    /// The verdict (design.md §5).
    public var status: VerificationStatus { verification.status }

    var variables: [String] { QuadraticForm.defaultVariables(synthesis.dimension) }

    /// What this report shares with `quadform synth`'s: every member but the matrix, which stays
    /// distributed (`form.quadratic` and `symmetric_matrix` are null).
    var parts: SynthesisReportParts {
        let s = synthesis
        return SynthesisReportParts(variables: variables,
                                    form: Formats.formJSON(variables: variables, constant: s.constant, linear: s.linear, quadratic: .null),
                                    symmetricMatrix: .null, driver: (s.driverName, s.options.driver.rawValue, s.driverReason),
                                    eigenvalues: s.eigenvalues, precision: s.precision, linear: s.linear, core: core,
                                    verification: verification, options: s.options, farSampleRadius: s.farSampleRadius, blas: blas)
    }

    /// The distribution, for both formats.
    var distribution: String {
        let g = synthesis.gridShape
        return "\(synthesis.processes) MPI process\(synthesis.processes == 1 ? "" : "es"), BLACS grid \(g.rows)×\(g.columns), block \(g.block)"
    }

    /// The JSON report: `quadform synth`'s members (`SynthesisReportParts`), plus `distribution`.
    public var json: JSONValue {
        let s = synthesis, g = s.gridShape
        var members = parts.jsonMembers(plainApproximate: .null)
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
        let shared = parts
        for (label, text) in shared.rankLines { line(label, text) }
        out += "\n"
        line("residual network", "\(c.residual.hiddenNeurons) square neuron\(c.residual.hiddenNeurons == 1 ? "" : "s") + linear skip   l = \(SynthesisReport.widths(c.residual)), S = {(0,2)}")
        line("plain network", "\(c.plain.hiddenNeurons) square neuron\(c.plain.hiddenNeurons == 1 ? "" : "s")   l = \(SynthesisReport.widths(c.plain)), S = ∅")
        line("", shared.plainReason)
        out += "\n"
        for (label, text) in SynthesisReport.verificationLines(v, boxRadius: s.options.boxRadius, farRadius: s.farSampleRadius) { line(label, text) }
        for l in shared.approximationLines { line("", l) }
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
