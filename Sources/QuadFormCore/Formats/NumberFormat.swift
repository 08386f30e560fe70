import Foundation

/// The number formatter of every text report and message: six significant digits, or exact
/// integers below 10¹²; `-0` prints as `0`, non-finite values as `nan`, `inf`, `-inf`.
public enum NumberFormat {
    /// `x` in six significant digits (integers exactly).
    public static func short(_ x: Double) -> String {
        if x == 0 { return "0" }
        if !x.isFinite { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
        if x == x.rounded(), abs(x) < 1e12 { return String(Int64(x)) }
        return String(format: "%.6g", x)
    }
}
