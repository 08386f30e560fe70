import Foundation

/// A number kept as an unevaluated sum `hi + lo` of two Doubles (|lo| ≤ ulp(hi)/2), with the
/// error-free transformations TwoSum and TwoProduct (fma): sums and products of Doubles accumulate
/// with about u² relative error, so a sum of m terms that cancel down to a result 10¹⁰ times
/// smaller than its terms still ends accurate to about u of that result (design.md §5: the
/// coefficients of an extracted network are computed this way, then rounded once).
public struct DoubleDouble: Sendable, Equatable {
    /// The leading part (the Double nearest the value, once normalized).
    public var hi: Double
    /// The trailing part.
    public var lo: Double

    /// The Double `value` exactly.
    public init(_ value: Double) { hi = value; lo = 0 }

    /// `hi + lo` as given (not renormalized).
    public init(hi: Double, lo: Double) { self.hi = hi; self.lo = lo }

    /// The value rounded to the nearest Double (up to one ulp when `lo` is not normalized).
    public var value: Double { hi.isFinite ? hi + lo : hi }

    /// `a + b` exactly as `s + e` (Knuth's TwoSum).
    @inline(__always) static func twoSum(_ a: Double, _ b: Double) -> DoubleDouble {
        let s = a + b
        let bb = s - a
        let e = (a - (s - bb)) + (b - bb)
        return DoubleDouble(hi: s, lo: e)
    }

    /// `a · b` exactly as `p + e` (TwoProduct with a fused multiply-add), barring underflow.
    @inline(__always) public static func product(_ a: Double, _ b: Double) -> DoubleDouble {
        let p = a * b
        return DoubleDouble(hi: p, lo: p.isFinite ? fmaError(a, b, p) : 0)
    }

    @inline(__always) static func fmaError(_ a: Double, _ b: Double, _ p: Double) -> Double {
        // a·b − p, exactly, by one fused multiply-add.
        (-p).addingProduct(a, b)
    }

    /// The sum, renormalized.
    @inline(__always) public static func + (x: DoubleDouble, y: DoubleDouble) -> DoubleDouble {
        let s = twoSum(x.hi, y.hi)
        let t = twoSum(x.lo, y.lo)
        var r = quickTwoSum(s.hi, s.lo + t.hi)
        r = quickTwoSum(r.hi, r.lo + t.lo)
        return r
    }

    /// The product with a Double, renormalized.
    @inline(__always) public static func * (x: DoubleDouble, y: Double) -> DoubleDouble {
        let p = product(x.hi, y)
        return quickTwoSum(p.hi, p.lo + x.lo * y)
    }

    /// The product of two double-doubles, renormalized (the lo·lo term is below the precision).
    @inline(__always) public static func * (x: DoubleDouble, y: DoubleDouble) -> DoubleDouble {
        let p = product(x.hi, y.hi)
        return quickTwoSum(p.hi, p.lo + (x.hi * y.lo + x.lo * y.hi))
    }

    /// `a + b` as `s + e` when |a| ≥ |b| (or a = 0).
    @inline(__always) static func quickTwoSum(_ a: Double, _ b: Double) -> DoubleDouble {
        let s = a + b
        return DoubleDouble(hi: s, lo: b - (s - a))
    }
}
