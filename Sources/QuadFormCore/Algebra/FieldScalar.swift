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
    /// The Double nearest the literal; nil when it overflows to infinity or a non-zero literal
    /// underflows to zero (`Double.finiteLiteral`).
    public init?(decimalLiteral: String) {
        guard let value = Double.finiteLiteral(decimalLiteral) else { return nil }
        self = value
    }

    /// The Double nearest a decimal literal, or nil when there is none that keeps its meaning: not
    /// a number, infinite or NaN, overflowing to ±∞ (`1e999`), or a non-zero literal underflowing
    /// to zero (`1e-99999`). The one rule for numbers typed by people: expressions, JSON, `--at`,
    /// the explorer's API.
    public static func finiteLiteral(_ text: String) -> Double? {
        guard let value = Double(text), value.isFinite else { return nil }
        if value == 0 && literalUnderflows(text) { return nil }
        return value
    }

    /// Whether a literal whose Double is zero has a non-zero digit in its significand (so zero
    /// came from underflow, not from the number written).
    public static func literalUnderflows(_ text: String) -> Bool {
        for c in text.utf8 {
            if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { break }
            if c >= UInt8(ascii: "1") && c <= UInt8(ascii: "9") { return true }
        }
        return false
    }
    public static var one: Double { 1 }
    public var isZero: Bool { self == 0 }
    public var isFiniteValue: Bool { isFinite }
    public var doubleValue: Double { self }
    public var exactSizeInBits: Int { 0 }
}
