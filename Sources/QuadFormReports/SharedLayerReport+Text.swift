import QuadFormCore
import Foundation

extension SharedLayerReport {
    /// The report for people: one block per output (its form, rank, own counts, verdict), then the
    /// shared layer (width, construction, bound, minimal or not and why, each output's check).
    public var text: String {
        var lines: [(String, String)] = []
        let statuses = outputStatuses
        for i in 0..<outputCount {
            let formula: String
            if let shared { formula = SynthesisReport.formula(of: shared.perOutput[i].form, symmetric: shared.perOutput[i].symmetricMatrix, limit: 8) }
            else {
                let form = exactShared!.forms[i]
                formula = form.dimension <= ExactSynthesisReport.maximumShownDimension ? form.formula : "a quadratic of \(form.dimension) variables"
            }
            lines.append(("output \(i + 1)", "f = \(formula)"))
            lines.append(("", "rank \(ranks[i]); minimal residual network \(counts[i].residual) neuron\(counts[i].residual == 1 ? "" : "s"), plain \(counts[i].plain); verification \(statuses[i].rawValue)"))
        }
        let k = ranks.map(String.init).joined(separator: " + ")
        lines.append(("shared layer", "K = \(width) square neuron\(width == 1 ? "" : "s") for all \(outputCount) outputs, with a linear skip (each output alone: \(k) = \(ranks.reduce(0, +)))"))
        lines.append(("", "construction: \(construction.description)"))
        lines.append(("", "lower bound \(lowerBound) = max(dim Σ range(A_i) = \(rangeDimension), dim span{A_i} = \(spanDimension))"
                      + (exactShared != nil ? ", both ranks exact" : ", numerical ranks (design.md §5 tolerances)")))
        if isMinimal {
            lines.append(("", "minimal: yes — K meets the lower bound, so no shared layer is narrower"))
        } else {
            lines.append(("", "minimal: not shown — K = \(width) is above the bound \(lowerBound); the narrowest shared layer is a simultaneous-decomposition (symmetric tensor rank) question, NP-hard in general (design.md §9)"))
        }
        if let shared {
            if shared.bounds.rangeDimensionIsIllDetermined || shared.bounds.spanDimensionIsIllDetermined {
                lines.append(("", "the numerical \(shared.bounds.rangeDimensionIsIllDetermined ? "dim Σ range(A_i)" : "dim span{A_i}") is ill-determined (kept and dropped singular values within 10³): the bound is not settled numerically; --exact decides for rational weights"))
            }
            lines.append(("", "verification \(shared.status.rawValue): each output of the shared network against its form"))
            for check in shared.verification {
                lines.append(("  \(check.name)", "coefficients max error \(fmt(check.coefficientError)) (tolerance \(fmt(check.coefficientTolerance))), samples max error \(fmt(check.sampleError)), relative \(fmt(check.sampleRelativeError)) \(check.status.rawValue)"))
            }
            let tried = shared.candidates.map { c in
                c.width.map { "\(c.construction.rawValue) \($0)\(c.status.map { " " + $0.rawValue } ?? " (not verified)")" } ?? "\(c.construction.rawValue): \(c.note ?? "not built")"
            }
            lines.append(("constructions", tried.joined(separator: "; ")))
        } else if let exact = exactShared {
            lines.append(("", "verification \(sharedStatus.rawValue): every output of the shared network expands exactly to its form: \(exact.passed ? "equal" : "NOT EQUAL")"))
            let tried = exact.candidates.map { c in "\(c.construction.rawValue) \(c.width)\(c.equal.map { $0 ? " equal" : " NOT EQUAL" } ?? " (not checked)")" }
            lines.append(("constructions", tried.joined(separator: "; ")))
        }
        let labelWidth = lines.map(\.0.count).max() ?? 0
        return lines.map { label, text in label.padding(toLength: labelWidth + 2, withPad: " ", startingAt: 0) + text }.joined(separator: "\n") + "\n"
    }

    /// `NumberFormat.short`.
    func fmt(_ x: Double) -> String { NumberFormat.short(x) }
}
