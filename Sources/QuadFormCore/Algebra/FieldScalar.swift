/// The arithmetic the expression expander needs: a field with decimal literals.
///
/// `Double` (floating synthesis, design.md §2) and `Rational` (exact synthesis, design.md §4)
/// conform, so one parser serves both modes.
public protocol FieldScalar: Sendable, Equatable, CustomStringConvertible {
    /// The additive identity.
    static var zero: Self { get }
    /// The multiplicative identity.
    static var one: Self { get }
    /// Sum.
    static func + (lhs: Self, rhs: Self) -> Self
    /// Difference.
    static func - (lhs: Self, rhs: Self) -> Self
    /// Product.
    static func * (lhs: Self, rhs: Self) -> Self
    /// Quotient; callers ensure `rhs` is not zero.
    static func / (lhs: Self, rhs: Self) -> Self
    /// Negation.
    static prefix func - (operand: Self) -> Self
    /// The value of a decimal literal such as `12`, `0.5` or `1.5e-3`; nil if it is not
    /// representable (a Double overflow, or an exponent too large to expand exactly).
    init?(decimalLiteral: String)
    /// Whether the value is exactly zero.
    var isZero: Bool { get }
    /// Whether the value is finite (always true for exact numbers).
    var isFiniteValue: Bool { get }
    /// The nearest Double.
    var doubleValue: Double { get }
    /// Bits needed to hold the value exactly: numerator plus denominator for exact numbers, 0 for
    /// floating-point values (whose size is fixed). The expander refuses values above
    /// `ExpressionParser.maximumExactBits`, so input cannot demand numbers of astronomic size.
    var exactSizeInBits: Int { get }
}

extension Double: FieldScalar {
    /// The Double nearest the literal; nil when it overflows to infinity.
    public init?(decimalLiteral: String) {
        guard let value = Double(decimalLiteral), value.isFinite else { return nil }
        self = value
    }
    public static var one: Double { 1 }
    public var isZero: Bool { self == 0 }
    public var isFiniteValue: Bool { isFinite }
    public var doubleValue: Double { self }
    public var exactSizeInBits: Int { 0 }
}
