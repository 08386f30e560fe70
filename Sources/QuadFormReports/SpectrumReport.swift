import QuadFormCore
import Foundation

/// The spectrum of A = (M + Mᵀ)/2 for people: every |λ| in decreasing order, marked kept or
/// dropped against the rank tolerance, with the gap that makes k trustworthy (design.md §2, §5).
public struct SpectrumReport: Sendable {
    /// The synthesis whose eigen-decomposition and rank tolerance are reported.
    public let synthesis: Synthesis

    /// A report of `synthesis`.
    public init(synthesis: Synthesis) { self.synthesis = synthesis }

    /// Rows listed in full up to this n; above it the largest, the ones around the tolerance and the
    /// smallest are listed.
    public static let fullListingLimit = 40

    /// The eigenvalues (signed) ordered by decreasing |λ|; the first k are kept.
    public var eigenvaluesByMagnitude: [Double] {
        synthesis.eigen.eigenvalues.sorted { abs($0) > abs($1) }
    }

    /// The JSON report of `quadform spectrum --format json`: every eigenvalue by decreasing |λ|
    /// (the first `rank` kept), the rank tolerance and its rule, the gap, the bound on what dropping
    /// changes, and the driver that ran with the reason (design.md §2, §5).
    public var json: JSONValue {
        let s = synthesis
        let gap: JSONValue = {
            guard let kept = s.smallestKept, let dropped = s.largestDropped, dropped > 0 else { return .null }
            return JSONWriter.number(kept / dropped)
        }()
        return .object([
            ("variables", .array(s.form.variables.map { .string($0) })),
            ("n", .number(String(s.form.dimension))),
            ("eigen_driver", .string(s.eigen.driver.rawValue)),
            ("eigen_driver_requested", .string(s.eigen.requestedDriver.rawValue)),
            ("eigen_driver_reason", .string(s.eigen.driverReason)),
            ("eigenvalues_by_magnitude", JSONWriter.numbers(eigenvaluesByMagnitude)),
            ("rank", .number(String(s.rank))),
            ("rank_tolerance", JSONWriter.number(s.rankTolerance)),
            ("rank_tolerance_rule", .string(s.tolerance.jsonRule)),
            ("smallest_kept_eigenvalue", s.smallestKept.map(JSONWriter.number) ?? .null),
            ("largest_dropped_eigenvalue", s.largestDropped.map(JSONWriter.number) ?? .null),
            ("eigenvalue_gap", gap),
            ("dropped_eigenvalue_sum", JSONWriter.number(s.droppedEigenvalueSum)),
        ])
    }

    /// The text report.
    public var text: String {
        let s = synthesis
        let n = s.form.dimension
        let k = s.rank
        let values = eigenvaluesByMagnitude
        var out = "eigenvalues of A = (M + Mᵀ)/2 by decreasing |λ|   (n = \(n), LAPACKE \(s.eigen.driver.rawValue))\n"
        let shown: [Int]
        if n <= Self.fullListingLimit {
            shown = Array(0..<n)
        } else {
            let around = Set((max(0, k - 5)..<min(n, k + 5)))
            shown = Array(Set(0..<10).union(around).union(Set((n - 5)..<n))).sorted()
        }
        var previous = -1
        for i in shown {
            if i > previous + 1 { out += "     …  (\(i - previous - 1) more)\n" }
            let index = String(i + 1).leftPadded(to: 6)
            let lambda = NumberFormat.short(values[i]).padding(toLength: 14, withPad: " ", startingAt: 0)
            out += "\(index)  \(lambda)  \(i < k ? "kept" : "dropped")\n"
            previous = i
        }
        if previous < n - 1, n > 0 { out += "     …  (\(n - 1 - previous) more)\n" }
        var rule = "rank tolerance \(NumberFormat.short(s.rankTolerance))"
        rule += " " + s.tolerance.origin
        out += rule + "\n"
        out += "k = \(k): smallest kept |λ| = " + (s.smallestKept.map(NumberFormat.short) ?? "none")
        out += ", largest dropped |λ| = " + (s.largestDropped.map(NumberFormat.short) ?? "none")
        if let kept = s.smallestKept, let dropped = s.largestDropped {
            out += dropped > 0 ? ", gap ×\(NumberFormat.short(kept / dropped))" : ", gap ×∞ (the dropped eigenvalues are exactly 0)"
        }
        out += "\n"
        if s.droppedEigenvalueSum > 0 {
            out += "dropping them changes f by at most Σ|λ_dropped|·‖x‖² = \(NumberFormat.short(s.droppedEigenvalueSum))·‖x‖²\n"
        }
        return out
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
