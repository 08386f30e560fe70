import QuadFormCore

/// The k + 1 network's lines in the synth report (design.md §3).
extension ApproximatePlainNetwork {
    /// Text lines for the synth report.
    public var textLines: [String] {
        [
            "\(neurons) square neurons, APPROXIMATE (not exact): a_Nᵀx ≈ ((a_Nᵀx + t)² − t²)/(2t), t = \(NumberFormat.short(t))",
            "on [−\(NumberFormat.short(boxRadius)), \(NumberFormat.short(boxRadius))]^n: error ≤ s²/(2t) + rounding"
                + (droppedBound > 0 ? " + dropped eigenvalues" : "") + " = \(NumberFormat.short(truncationBound)) + \(NumberFormat.short(roundingEstimate))"
                + (droppedBound > 0 ? " + \(NumberFormat.short(droppedBound))" : "") + " = \(NumberFormat.short(errorBound)), s = R‖a_N‖₁ = \(NumberFormat.short(reach))",
            "measured max error \(NumberFormat.short(maxErrorMeasured)) on \(points) points; exact plain networks need k + 2 = \(neurons + 1) (T2)",
        ]
    }
}
