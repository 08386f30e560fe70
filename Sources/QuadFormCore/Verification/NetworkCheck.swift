import Foundation

/// The verdict of a verification (design.md §5's accuracy contract): PASSED means the network's
/// coefficients and sampled values agree with f within τ·scale (and within the rounding model);
/// ILL_CONDITIONED that it is f in real arithmetic (within the rounding model) but its floating-point
/// coefficients or evaluation miss f by more than τ·scale; APPROXIMATE that it differs from f by
/// what the synthesis dropped on purpose (eigenvalues under a rank tolerance), within that bound;
/// FAILED anything else. Only PASSED exits 0.
public enum VerificationStatus: String, Sendable, Equatable {
    /// Within τ of f's scale, and within the rounding model.
    case passed = "PASSED"
    /// f in real arithmetic, but its floating point misses τ·scale.
    case illConditioned = "ILL_CONDITIONED"
    /// Not f: an approximation within its stated bound.
    case approximate = "APPROXIMATE"
    /// Not f, and not within any stated bound.
    case failed = "FAILED"

    /// The worse of two verdicts (FAILED over APPROXIMATE over ILL_CONDITIONED over PASSED).
    public static func worse(_ a: VerificationStatus, _ b: VerificationStatus) -> VerificationStatus {
        for verdict in [VerificationStatus.failed, .approximate, .illConditioned] where a == verdict || b == verdict { return verdict }
        return .passed
    }

    /// The verdict in lower case, as the JSON reports write it.
    public var jsonName: String { rawValue.lowercased() }

    /// The message a command prints on standard error for this verdict (nil for PASSED), shared by
    /// `quadform` and `quadform-mpi` so both say the same.
    public var failureMessage: String? {
        switch self {
        case .passed: return nil
        case .illConditioned:
            return "verification: ILL_CONDITIONED — a network equals f in real arithmetic but its floating-point weights miss f by more than the accuracy τ of f's scale (see the report; use the residual network or --exact)"
        case .approximate:
            return "verification: APPROXIMATE — the networks differ from f by the eigenvalues the rank tolerance dropped (bound and measured error in the report); they are not f"
        case .failed:
            return "verification failed: a network does not match the form within tolerance (see the report)"
        }
    }
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

    /// The accuracy contract's side of a check (design.md §5): errors against τ·scale, with what
    /// the check's own rounding could hide added to the coefficient errors.
    public struct Accuracy: Sendable, Equatable {
        /// τ.
        public let accuracy: Double
        /// f's scale: max(|c|, ‖a‖∞, max|A_ij|, |f| at the sample points in the box).
        public let scale: Double
        /// The largest coefficient error plus the rounding bound of its measurement (a bound on
        /// the true error of the network's coefficients as stored).
        public let coefficientErrorBound: Double
        /// Whether every coefficient's bound is within τ·scale.
        public let coefficientsWithin: Bool
        /// max over sample points of |f(x) − g(x)| / (scale · max(1, ‖x‖∞/R)²).
        public let scaledSampleError: Double
        /// Whether every sample is within τ of its scale.
        public let samplesWithin: Bool

        /// The contract's figures (the verifier computes them).
        public init(accuracy: Double, scale: Double, coefficientErrorBound: Double, coefficientsWithin: Bool,
                    scaledSampleError: Double, samplesWithin: Bool) {
            self.accuracy = accuracy
            self.scale = scale
            self.coefficientErrorBound = coefficientErrorBound
            self.coefficientsWithin = coefficientsWithin
            self.scaledSampleError = scaledSampleError
            self.samplesWithin = samplesWithin
        }

        /// Both within τ·scale.
        public var holds: Bool { coefficientsWithin && samplesWithin }

        /// The largest error as a multiple of τ·scale (≤ 1 holds): the coefficients' bound and the samples'.
        public var worstRatio: Double {
            let limit = accuracy * scale
            let coefficients = limit > 0 ? coefficientErrorBound / limit : (coefficientErrorBound == 0 ? 0 : .infinity)
            return max(coefficients, accuracy > 0 ? scaledSampleError / accuracy : (scaledSampleError == 0 ? 0 : .infinity))
        }
    }

    /// The accuracy contract's figures.
    public let accuracy: Accuracy

    /// A check's figures (the verifier computes them).
    public init(name: String, neurons: Int, coefficientError: Double, coefficientTolerance: Double,
                coefficientsPassed: Bool, sampleError: Double, sampleRelativeError: Double,
                sampleTolerance: Double, worstRatio: Double, samplesPassed: Bool,
                amplification: Double, accuracy: Accuracy, approximation: Approximation? = nil) {
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
        self.accuracy = accuracy
        self.approximation = approximation
    }

    /// Both rounding-model checks passed: the network is f in real arithmetic, up to rounding.
    public var withinRounding: Bool { coefficientsPassed && samplesPassed }

    /// PASSED: within the rounding model and within τ·scale of f (design.md §5).
    public var passed: Bool { withinRounding && accuracy.holds }

    /// PASSED, ILL_CONDITIONED (f up to its own rounding, which exceeds τ·scale), APPROXIMATE
    /// (within the bound of what the synthesis dropped) or FAILED.
    public var status: VerificationStatus {
        if passed { return .passed }
        if withinRounding { return .illConditioned }
        return approximation == nil ? .failed : .approximate
    }

    /// Whether the network is ILL_CONDITIONED.
    public var isIllConditioned: Bool { status == .illConditioned }

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
            ("accuracy", JSONWriter.number(accuracy.accuracy)),
            ("scale", JSONWriter.number(accuracy.scale)),
            ("coefficient_error_bound", JSONWriter.number(accuracy.coefficientErrorBound)),
            ("sample_error_to_scale", JSONWriter.number(accuracy.scaledSampleError)),
            ("within_accuracy", .bool(accuracy.holds)),
            ("within_rounding", .bool(withinRounding)),
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
    /// τ of the accuracy contract.
    public let accuracy: Double
    /// f's scale (design.md §5).
    public let scale: Double

    /// A report of both checks.
    public init(residual: NetworkCheck, plain: NetworkCheck, points: Int, safetyFactor: Double, unitRoundoff: Double,
                droppedEigenvalueBound: Double, accuracy: Double, scale: Double) {
        self.residual = residual
        self.plain = plain
        self.points = points
        self.safetyFactor = safetyFactor
        self.unitRoundoff = unitRoundoff
        self.droppedEigenvalueBound = droppedEigenvalueBound
        self.accuracy = accuracy
        self.scale = scale
    }
    /// Whether both networks equal f up to rounding.
    public var passed: Bool { residual.passed && plain.passed }
    /// The worse of the two networks' verdicts.
    public var status: VerificationStatus { VerificationStatus.worse(residual.status, plain.status) }
}

