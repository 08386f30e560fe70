import QuadFormCore

/// The s-networks' lines in the synth report (design.md §3, T3).
extension QuadraticActivationNetworks {
    /// Text lines for the synth report.
    public var textLines: [String] {
        let r = residualCheck, p = plainCheck
        return [
            "\(spec.formula); inputs scaled by t = \(NumberFormat.short(inputScale)), output weights w/(αt²)",
            "residual: w(uᵀx + b)² → (w/(αt²))·s(t(uᵀx + b)), the linear part βt(uᵀx + b) taken out in the skip (no shift)",
            "plain:    w(uᵀx + b)² → (w/(αt²))·s(t(uᵀx + b) − β/(2α)) (the shift of eq. 4/7)",
            "residual: \(residual.hiddenNeurons) s-neuron\(residual.hiddenNeurons == 1 ? "" : "s") + skip, coefficients \(NumberFormat.short(r.coefficientError)) \(r.coefficientsPassed ? "≤" : ">") \(NumberFormat.short(r.coefficientTolerance)), samples error/tolerance \(NumberFormat.short(r.worstRatio)) \(r.status == .passed ? "ok" : r.status.rawValue)",
            "plain:    \(plain.hiddenNeurons) s-neuron\(plain.hiddenNeurons == 1 ? "" : "s"), coefficients \(NumberFormat.short(p.coefficientError)) \(p.coefficientsPassed ? "≤" : ">") \(NumberFormat.short(p.coefficientTolerance)), samples error/tolerance \(NumberFormat.short(p.worstRatio)) \(p.status == .passed ? "ok" : p.status.rawValue)",
            "the shift +β/(2α) printed in the paper's eq. (10) misses f by up to \(NumberFormat.short(printedEquation10Error)) on the box" + (spec.beta.isZero ? " (β = 0: both shifts agree)" : ""),
        ] + [("residual", r), ("plain", p)].compactMap { name, check in
            check.isIllConditioned ? "\(name): " + SynthesisReport.conditioningExplanation(check) : nil
        }
    }
}
