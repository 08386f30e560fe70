import Foundation
import QuadFormCore

/// Evaluates f(x) = c + aᵀx + xᵀMx directly from M (not its symmetric part): an independent check
/// of the form's own evaluation.
public func evaluateDirectly(_ form: QuadraticForm, _ x: [Double]) -> Double {
    var value = form.constant
    for i in 0..<form.dimension {
        value += form.linear[i] * x[i]
        for j in 0..<form.dimension { value += form.quadratic[i, j] * x[i] * x[j] }
    }
    return value
}

/// Builds a random form of rank k; see `RandomFormSpec`.
public func randomForm(n: Int, k: Int, seed: UInt64, linear: RandomFormSpec.LinearTerm, nonSymmetric: Bool = false) throws -> QuadraticForm {
    try RandomForm.make(RandomFormSpec(dimension: n, rank: k, seed: seed, linearTerm: linear, nonSymmetric: nonSymmetric))
}
