/// The rank tolerance of a synthesis and the rule that set it (design.md §5): eigenvalues with
/// |λ| at or below `value` are dropped. The one source of its formula for the reports, their JSON
/// and the command-line help.
public struct RankTolerance: Sendable, Equatable {
    /// What set the tolerance.
    public enum Rule: String, Sendable, Equatable {
        /// `max(n,1)·ε·max|λ|`, the usual matrix-rank convention.
        case spectral
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
    public init(dimension n: Int, eigenvalues: [Double], precision: InputPrecision, userValue: Double?) {
        let spectral = eigenvalues.reduce(0) { max($0, abs($1)) }
        let epsilon = max(Double.ulpOfOne, precision.epsilon)
        if let userValue {
            self.init(value: userValue, rule: .user, precision: precision)
        } else {
            self.init(value: Double(max(n, 1)) * epsilon * spectral, rule: .spectral, precision: precision)
        }
    }

    /// The tolerance as a function of the eigenvalues, for the eigensolvers that pick eigenvectors
    /// by it (`SymmetricEigendecomposition`'s threshold).
    public static func rule(dimension n: Int, precision: InputPrecision, userValue: Double?) -> ([Double]) -> Double {
        { values in RankTolerance(dimension: n, eigenvalues: values, precision: precision, userValue: userValue).value }
    }

    /// The rule as a formula, `max(n,1)·ε·max|λ|` (ε_float32 for float32 input); nil for a user value.
    public var formula: String? {
        let epsilon = precision == .float64 ? "ε" : "ε_\(precision.rawValue)"
        switch rule {
        case .spectral: return "max(n,1)·\(epsilon)·max|λ|"
        case .user: return nil
        }
    }

    /// The rule in ASCII for the JSON reports' `rank_tolerance_rule`: `max(n,1)*eps*max|lambda|`,
    /// `max(n,1)*eps*|(M-M^T)/2|_F`, or `user`.
    public var jsonRule: String {
        let epsilon = precision == .float64 ? "eps" : "eps_\(precision.rawValue)"
        switch rule {
        case .spectral: return "max(n,1)*\(epsilon)*max|lambda|"
        case .user: return "user"
        }
    }

    /// How the reports say where the value came from: `= formula`, or `(given)` for a user value.
    public var origin: String {
        switch rule {
        case .spectral: return "= " + (formula ?? "")
        case .user: return "(given)"
        }
    }
}
