import Foundation

/// One network's verification against the form (design.md §5).
public struct NetworkCheck: Sendable {
    /// Which network ("residual" or "plain").
    public let name: String
    /// Its hidden neurons.
    public let neurons: Int
    /// max(|c' − c|, max|a' − a|, max|A' − A|).
    public let coefficientError: Double
    /// The tolerance it is compared with (the largest of the three groups' tolerances).
    public let coefficientTolerance: Double
    /// Whether every coefficient group is within its tolerance.
    public let coefficientsPassed: Bool
    /// max over sample points of |f(x) − g(x)|.
    public let sampleError: Double
    /// max over sample points of |f(x) − g(x)| / (|c| + Σ|a_i x_i| + Σ|A_ij x_i x_j|), over the
    /// points where that magnitude is not 0.
    public let sampleRelativeError: Double
    /// The tolerance at the point where the error is closest to it.
    public let sampleTolerance: Double
    /// max over points of error / tolerance (≤ 1 passes).
    public let worstRatio: Double
    /// Whether every point is within its tolerance.
    public let samplesPassed: Bool
    /// max over points of (magnitude of the network's terms) / (magnitude of f's terms): how much
    /// larger the numbers the network adds up are than f's. Rounding error grows with it, and the
    /// sample tolerance allows for it, so a network can pass (it is f in real arithmetic, evaluated
    /// as accurately as its own terms allow) and still agree with f only to `amplification · ε`.
    public let amplification: Double

    /// Relative agreement below which the report warns that the network, though exact in real
    /// arithmetic, is ill-conditioned in floating point (the core issue's 1e-9 relative).
    public static let conditioningWarningLevel = 1e-9

    /// Both checks passed.
    public var passed: Bool { coefficientsPassed && samplesPassed }

    /// Whether the network passed but agrees with f only to worse than `conditioningWarningLevel`
    /// relative, because its terms are far larger than f's (`amplification`).
    public var isIllConditioned: Bool { sampleRelativeError > NetworkCheck.conditioningWarningLevel }

    /// The check as a member of the JSON report (design.md §5 quantities, §6 report).
    public var json: JSONValue {
        .object([
            ("passed", .bool(passed)),
            ("neurons", .number(String(neurons))),
            ("coefficient_error", JSONWriter.number(coefficientError)),
            ("coefficient_tolerance", JSONWriter.number(coefficientTolerance)),
            ("sample_error", JSONWriter.number(sampleError)),
            ("sample_relative_error", JSONWriter.number(sampleRelativeError)),
            ("sample_tolerance", JSONWriter.number(sampleTolerance)),
            ("worst_error_to_tolerance", JSONWriter.number(worstRatio)),
            ("amplification", JSONWriter.number(amplification)),
            ("ill_conditioned", .bool(isIllConditioned)),
        ])
    }
}

/// The verification report of a synthesis: both networks, both checks (design.md §5).
public struct VerificationReport: Sendable {
    /// The residual network's check.
    public let residual: NetworkCheck
    /// The plain network's check.
    public let plain: NetworkCheck
    /// Number of sample points.
    public let points: Int
    /// The constant K in the tolerances `K · (n + m) · ε · magnitude`.
    public let safetyFactor: Double
    /// `Σ|λ_dropped| · n · R²`: the bound on the change dropping eigenvalues makes on the box.
    public let droppedEigenvalueBound: Double
    /// Whether all checks of both networks passed.
    public var passed: Bool { residual.passed && plain.passed }
}

