import BigInt

/// An exact rational number `numerator / denominator` in lowest terms with a positive
/// denominator, on `attaswift/BigInt` (exact synthesis, design.md §4).
public struct Rational: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The numerator (carries the sign).
    public let numerator: BigInt
    /// The denominator, always positive.
    public let denominator: BigInt

    /// `p / q` reduced; `q` must not be zero.
    public init(_ p: BigInt, _ q: BigInt = 1) {
        precondition(!q.isZero, "zero denominator")
        if q == 1 {
            numerator = p
            denominator = q
            return
        }
        let g = Rational.gcd(p.magnitude, q.magnitude)
        var n = g.isZero ? p : p / g
        var d = g.isZero ? q : q / g
        if d.sign == .minus { n = -n; d = -d }
        numerator = n
        denominator = d
    }

    /// The integer `i`.
    public init(_ i: Int) { self.init(BigInt(i)) }

    /// `p / q` already in lowest terms with q > 0 (no gcd taken; the caller guarantees it).
    init(reducedNumerator p: BigInt, denominator q: BigInt) {
        numerator = p
        denominator = q
    }

    /// gcd(a, b) as a BigInt. Euclid's remainder steps first while the sizes differ by more than a
    /// word (one division removes the difference), then BigInt's binary gcd, whose iteration count
    /// follows the larger operand: gcd(9·10⁴⁰⁰⁰, 12345) takes one division instead of
    /// thousands of subtractions.
    static func gcd(_ a: BigUInt, _ b: BigUInt) -> BigInt {
        var (x, y) = a >= b ? (a, b) : (b, a)
        while !y.isZero, x.bitWidth > y.bitWidth + 64 {
            (x, y) = (y, x % y)
        }
        return BigInt(x.greatestCommonDivisor(with: y))
    }

    /// The exact value of a finite Double (every Double is a dyadic rational).
    public init?(exactly d: Double) {
        guard d.isFinite else { return nil }
        if d == 0 { self.init(0); return }
        let exponent = Int(d.exponent) - 52
        let significand = BigInt(d.significandBitPattern | (d.isNormal ? (1 << 52) : 0))
        let signed = d.sign == .minus ? -significand : significand
        let e = d.isNormal ? exponent : Int(Double.leastNormalMagnitude.exponent) - 52
        if e >= 0 { self.init(signed << e) } else { self.init(signed, BigInt(1) << -e) }
    }

    /// Largest power of ten accepted in a literal such as `1e300`, so input cannot demand a
    /// number of astronomic size.
    public static let maximumDecimalExponent = 4096

    /// Most digits accepted in a decimal literal, for the same reason.
    public static let maximumDecimalDigits = 4096

    /// Reads `12`, `-3`, `0.25`, `1.5e-3`, or `p/q` (each part such a literal) exactly.
    public init?(exactText text: String) {
        // Machine-size integers, the common case of a form file, without the general path's copies.
        if text.utf8.count <= 18, let small = Int(text) {
            self.init(reducedNumerator: BigInt(small), denominator: 1)
            return
        }
        if text.utf8.count <= 37, let slash = text.firstIndex(of: "/"),
           let p = Int(text[..<slash]), let q = Int(text[text.index(after: slash)...]), q != 0,
           p.magnitude < 1 << 62, q.magnitude < 1 << 62 {
            var (x, y) = (p.magnitude, q.magnitude)
            while y != 0 { (x, y) = (y, x % y) }
            let g = Int(x)
            self.init(reducedNumerator: BigInt(q < 0 ? -p / g : p / g), denominator: BigInt(q.magnitude / x))
            return
        }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let slash = trimmed.firstIndex(of: "/") {
            guard let p = Rational(decimalLiteral: String(trimmed[..<slash])),
                  let q = Rational(decimalLiteral: String(trimmed[trimmed.index(after: slash)...])),
                  !q.isZero else { return nil }
            self = p / q
        } else {
            guard let r = Rational(decimalLiteral: trimmed) else { return nil }
            self = r
        }
    }

    public static func < (lhs: Rational, rhs: Rational) -> Bool {
        lhs.numerator * rhs.denominator < rhs.numerator * lhs.denominator
    }

    /// The absolute value.
    public var magnitude: Rational { Rational(numerator.sign == .minus ? -numerator : numerator, denominator) }

    /// `p/q`, or `p` when the denominator is 1.
    public var description: String {
        denominator == 1 ? GMP.decimalString(numerator) : GMP.decimalString(numerator) + "/" + GMP.decimalString(denominator)
    }
}

extension Rational: FieldScalar {
    public static let zero = Rational(0)
    public static let one = Rational(1)

    public static func + (l: Rational, r: Rational) -> Rational {
        if l.denominator == r.denominator { return Rational(l.numerator + r.numerator, l.denominator) }
        return Rational(l.numerator * r.denominator + r.numerator * l.denominator, l.denominator * r.denominator)
    }
    public static func - (l: Rational, r: Rational) -> Rational { l + (-r) }
    public static func * (l: Rational, r: Rational) -> Rational {
        Rational(l.numerator * r.numerator, l.denominator * r.denominator)
    }
    public static func / (l: Rational, r: Rational) -> Rational {
        Rational(l.numerator * r.denominator, l.denominator * r.numerator)
    }
    public static prefix func - (x: Rational) -> Rational { Rational(-x.numerator, x.denominator) }

    /// The exact value of a decimal literal (optional sign, digits, fraction, exponent).
    public init?(decimalLiteral text: String) {
        var s = Substring(text)
        var negative = false
        if s.first == "-" || s.first == "+" { negative = s.first == "-"; s = s.dropFirst() }
        var exponent = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let value = Int(s[s.index(after: e)...]),
                  (-Rational.maximumDecimalExponent...Rational.maximumDecimalExponent).contains(value) else { return nil }
            exponent = value
            s = s[..<e]
        }
        var digits = String(s)
        if let dot = digits.firstIndex(of: ".") {
            let fraction = digits[digits.index(after: dot)...]
            exponent -= fraction.count
            digits = String(digits[..<dot]) + fraction
        }
        guard !digits.isEmpty, digits.count <= Rational.maximumDecimalDigits, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let mantissa = BigInt(digits) else { return nil }
        let signed = negative ? -mantissa : mantissa
        let ten = BigInt(10)
        if exponent >= 0 { self.init(signed * ten.power(exponent)) } else { self.init(signed, ten.power(-exponent)) }
    }

    public var isZero: Bool { numerator.isZero }
    public var isFiniteValue: Bool { true }
    public var exactSizeInBits: Int { numerator.bitWidth + denominator.bitWidth }

    /// The nearest Double, rounded once (ties to even): 64 bits of the quotient with the rest
    /// folded into a sticky bit, so `Double(_:)` rounds exactly as the exact value would; values in
    /// the subnormal range are rounded on their own grid of 2⁻¹⁰⁷⁴; beyond Double's range, ±∞.
    public var doubleValue: Double {
        if numerator.isZero { return 0 }
        let sign: FloatingPointSign = numerator.sign == .minus ? .minus : .plus
        let n = numerator.magnitude, d = denominator.magnitude
        // q = ⌊n / (d·2^shift)⌋ has 63 or 64 bits.
        let shift = n.bitWidth - d.bitWidth - 63
        let (q, r) = shift >= 0 ? n.quotientAndRemainder(dividingBy: d << shift) : (n << -shift).quotientAndRemainder(dividingBy: d)
        let exponent = q.bitWidth - 1 + shift
        if exponent < Int(Double.leastNormalMagnitude.exponent) {
            // m = n·2¹⁰⁷⁴/d rounded to the nearest integer (ties to even); m ≤ 2⁵², so m·2⁻¹⁰⁷⁴ is exact.
            let (m0, r0) = (n << 1074).quotientAndRemainder(dividingBy: d)
            var m = m0
            let twice = r0 << 1
            if twice > d || (twice == d && m0 & 1 == 1) { m += 1 }
            return Double(sign: sign, exponent: -1074, significand: Double(UInt64(m)))
        }
        var bits = UInt64(q)
        if !r.isZero { bits |= 1 }
        return Double(sign: sign, exponent: shift, significand: Double(bits))
    }
}
