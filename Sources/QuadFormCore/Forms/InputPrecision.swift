/// The precision at which a form's numbers were read (design.md §5): a float32 `.npy` carries only
/// float32's 24 significant bits, so its coefficients are known to float32's ε, not Double's, and
/// that ε enters the default rank tolerance and the verification's input-rounding term.
public enum InputPrecision: String, Sendable, Equatable, Hashable, CaseIterable {
    /// IEEE double (Double's ε = 2⁻⁵²): expressions, JSON, `f8` and integer `.npy` files.
    case float64
    /// IEEE single (ε = 2⁻²³): `f4` `.npy` files, float32 network weights.
    case float32

    /// The machine epsilon of the format (the spacing of numbers at 1): 2⁻⁵² or 2⁻²³.
    public var epsilon: Double {
        switch self {
        case .float64: return Double.ulpOfOne
        case .float32: return Double(Float.ulpOfOne)
        }
    }

    /// The coarser of two precisions (a form built from float32 and float64 parts is float32).
    public static func coarser(_ a: InputPrecision, _ b: InputPrecision) -> InputPrecision {
        a.epsilon >= b.epsilon ? a : b
    }
}
