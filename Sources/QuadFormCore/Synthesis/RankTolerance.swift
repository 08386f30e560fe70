/// The rank tolerance of a synthesis and the rule that set it (design.md §5): eigenvalues with
/// |λ| at or below `value` are dropped. The one source of its formula for the reports, their JSON
/// and the command-line help.
public struct RankTolerance: Sendable, Equatable {
    /// What set the tolerance.
    public enum Rule: String, Sendable, Equatable {
        /// `max(n,1)·ε·max|λ|`, the usual matrix-rank convention.
        case spectral
        /// `max(n,1)·ε·m·ε·max Σ_j|w_jα||u_j||u_j|ᵀ`: an extracted A summed (in double-double) from m
        /// rank-one terms so much larger than A that the sum's own rounding exceeds the spectral rule.
        case summedTerms
        /// A value the user gave.
        case user
    }

    /// The absolute tolerance.
    public let value: Double
    /// The rule behind it.
    public let rule: Rule
    /// The input precision whose ε the default rules use.
    public let precision: InputPrecision

    /// The default rule as help text (options of `synth`, `spectrum`, `prove`, `quadform-mpi`).
    public static let defaultRuleHelp = "max(n,1)·ε·max|λ|; ε is float32's for float32 input"

    /// A tolerance from its parts.
    public init(value: Double, rule: Rule, precision: InputPrecision) {
        self.value = value
        self.rule = rule
        self.precision = precision
    }

    /// The tolerance for a matrix with these eigenvalues: `userValue` when given, else
    /// `max(n,1)·ε·max|λ|` with ε the input precision's. Forming A = (M + Mᵀ)/2 from a
    /// non-symmetric M costs one rounding relative to A's own entries, not to the skew part
    /// (design.md §5), so the skew part does not enter.
    /// `summedTermScale` is what the summation of A itself may have left (`SynthesisOptions`); 0 for
    /// a form given by its coefficients.
    public init(dimension n: Int, eigenvalues: [Double], precision: InputPrecision, userValue: Double?, summedTermScale: Double = 0) {
        let spectral = eigenvalues.reduce(0) { max($0, abs($1)) }
        let epsilon = max(Double.ulpOfOne, precision.epsilon)
        if let userValue {
            self.init(value: userValue, rule: .user, precision: precision)
        } else {
            self.init(value: Double(max(n, 1)) * epsilon * max(spectral, summedTermScale),
                      rule: summedTermScale > spectral ? .summedTerms : .spectral, precision: precision)
        }
    }

    /// The tolerance as a function of the eigenvalues, for the eigensolvers that pick eigenvectors
    /// by it (`SymmetricEigendecomposition`'s threshold).
    public static func rule(dimension n: Int, precision: InputPrecision, userValue: Double?, summedTermScale: Double = 0) -> ([Double]) -> Double {
        { values in RankTolerance(dimension: n, eigenvalues: values, precision: precision, userValue: userValue, summedTermScale: summedTermScale).value }
    }

    /// The rule as a formula, `max(n,1)·ε·max|λ|` (ε_float32 for float32 input); nil for a user value.
    public var formula: String? {
        let epsilon = precision == .float64 ? "ε" : "ε_\(precision.rawValue)"
        switch rule {
        case .spectral: return "max(n,1)·\(epsilon)·max|λ|"
        case .summedTerms: return "max(n,1)·\(epsilon)·m·ε·max Σ|w_j||u_j||u_j|ᵀ"
        case .user: return nil
        }
    }

    /// The rule in ASCII for the JSON reports' `rank_tolerance_rule`: `max(n,1)*eps*max|lambda|`,
    /// `max(n,1)*eps*|(M-M^T)/2|_F`, or `user`.
    public var jsonRule: String {
        let epsilon = precision == .float64 ? "eps" : "eps_\(precision.rawValue)"
        switch rule {
        case .spectral: return "max(n,1)*\(epsilon)*max|lambda|"
        case .summedTerms: return "max(n,1)*\(epsilon)*m*eps*max sum|w||u||u|^T"
        case .user: return "user"
        }
    }

    /// How the reports say where the value came from: `= formula`, or `(given)` for a user value.
    public var origin: String {
        switch rule {
        case .spectral: return "= " + (formula ?? "")
        case .summedTerms: return "= " + (formula ?? "") + " (A was summed from much larger terms)"
        case .user: return "(given)"
        }
    }
}
