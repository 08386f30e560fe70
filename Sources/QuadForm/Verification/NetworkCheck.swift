import Foundation

/// The verdict of a verification (design.md §5): PASSED means the network equals f up to the
/// rounding of evaluating it; APPROXIMATE that it differs from f by what the synthesis dropped on
/// purpose (eigenvalues under a rank tolerance), within that bound; FAILED anything else.
public enum VerificationStatus: String, Sendable, Equatable {
    /// Equal to f up to rounding.
    case passed = "PASSED"
    /// Not f: an approximation within its stated bound.
    case approximate = "APPROXIMATE"
    /// Not f, and not within any stated bound.
    case failed = "FAILED"

    /// The worse of two verdicts (FAILED over APPROXIMATE over PASSED).
    public static func worse(_ a: VerificationStatus, _ b: VerificationStatus) -> VerificationStatus {
        if a == .failed || b == .failed { return .failed }
        if a == .approximate || b == .approximate { return .approximate }
        return .passed
    }

    /// The verdict in lower case, as the JSON reports write it.
    public var jsonName: String { rawValue.lowercased() }
}

/// One network's verification against the form (design.md §5).
public struct NetworkCheck: Sendable {
    /// What an APPROXIMATE network is off by: the rigorous bound on the box and the measured error.
    public struct Approximation: Sendable, Equatable {
        /// `Σ|λ_dropped| · n · R²`, the most the dropped eigenvalues change f on `[−R, R]ⁿ`.
        public let boundOnBox: Double
        /// max |f − g| over the sample points inside the box.
        public let measuredErrorOnBox: Double
    }

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
    /// Set when the network fails the rounding tolerance but is within it plus what the synthesis
    /// dropped (the network is then APPROXIMATE, not PASSED).
    public let approximation: Approximation?

    /// A check's figures (the verifier computes them).
    public init(name: String, neurons: Int, coefficientError: Double, coefficientTolerance: Double,
                coefficientsPassed: Bool, sampleError: Double, sampleRelativeError: Double,
                sampleTolerance: Double, worstRatio: Double, samplesPassed: Bool,
                amplification: Double, approximation: Approximation? = nil) {
        self.name = name
        self.neurons = neurons
        self.coefficientError = coefficientError
        self.coefficientTolerance = coefficientTolerance
        self.coefficientsPassed = coefficientsPassed
        self.sampleError = sampleError
        self.sampleRelativeError = sampleRelativeError
        self.sampleTolerance = sampleTolerance
        self.worstRatio = worstRatio
        self.samplesPassed = samplesPassed
        self.amplification = amplification
        self.approximation = approximation
    }

    /// Relative agreement below which the report warns that the network, though exact in real
    /// arithmetic, is ill-conditioned in floating point (the core issue's 1e-9 relative).
    public static let conditioningWarningLevel = 1e-9

    /// Both checks passed: the network equals f up to rounding.
    public var passed: Bool { coefficientsPassed && samplesPassed }

    /// PASSED, APPROXIMATE (within the bound of what the synthesis dropped) or FAILED.
    public var status: VerificationStatus {
        if passed { return .passed }
        return approximation == nil ? .failed : .approximate
    }

    /// Whether the network passed but agrees with f only to worse than `conditioningWarningLevel`
    /// relative, because its terms are far larger than f's (`amplification`).
    public var isIllConditioned: Bool { sampleRelativeError > NetworkCheck.conditioningWarningLevel }

    /// The check as a member of the JSON report (design.md §5 quantities, §6 report).
    public var json: JSONValue {
        .object([
            ("passed", .bool(passed)),
            ("status", .string(status.jsonName)),
            ("neurons", .number(String(neurons))),
            ("coefficient_error", JSONWriter.number(coefficientError)),
            ("coefficient_tolerance", JSONWriter.number(coefficientTolerance)),
            ("sample_error", JSONWriter.number(sampleError)),
            ("sample_relative_error", JSONWriter.number(sampleRelativeError)),
            ("sample_tolerance", JSONWriter.number(sampleTolerance)),
            ("worst_error_to_tolerance", JSONWriter.number(worstRatio)),
            ("amplification", JSONWriter.number(amplification)),
            ("ill_conditioned", .bool(isIllConditioned)),
            ("approximation", approximation.map { .object([
                ("bound_on_box", JSONWriter.number($0.boundOnBox)),
                ("measured_error_on_box", JSONWriter.number($0.measuredErrorOnBox)),
            ]) } ?? .null),
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
    /// The constant K in the tolerances `K · (n + m + 2) · (ε · magnitude + η)`.
    public let safetyFactor: Double
    /// The ε of the tolerances: Double's, or the input's coarser one (float32 input).
    public let unitRoundoff: Double
    /// `Σ|λ_dropped| · n · R²`: the bound on the change dropping eigenvalues makes on the box.
    public let droppedEigenvalueBound: Double
    /// Whether both networks equal f up to rounding.
    public var passed: Bool { residual.passed && plain.passed }
    /// The worse of the two networks' verdicts.
    public var status: VerificationStatus { VerificationStatus.worse(residual.status, plain.status) }
}

