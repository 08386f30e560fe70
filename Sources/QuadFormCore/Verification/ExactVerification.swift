import Foundation

/// The result of expanding exact networks back into `(c', a', A')` and comparing with the form
/// (design.md §4), done on GMP integers over common denominators (`ExactIntegerCheck`):
/// O(n²m) big-number operations for m neurons.
public struct ExactVerification: Sendable {
    /// Whether the residual expansion equals the form.
    public let residualEqual: Bool
    /// Whether the plain expansion equals the form.
    public let plainEqual: Bool

    /// Compares both networks' expansions with `form`.
    public init(residual: ExactNetwork, plain: ExactNetwork, form: ExactForm) {
        var memo = ExactIntegerCheck.SumOfSquaresMemo()
        self.init(residual: residual, plain: plain, form: form, memo: &memo)
    }

    /// Compares both networks' expansions with `form`, reusing (and recording in `memo`) the
    /// expansions of quadratic parts already checked against the same matrix: when a_N = 0 the
    /// plain network has the residual one's squares, and when a_N ≠ 0 its two extra neurons'
    /// squares cancel, so one expansion of Σ w_j u_j u_jᵀ serves both.
    package init(residual: ExactNetwork, plain: ExactNetwork, form: ExactForm, memo: inout ExactIntegerCheck.SumOfSquaresMemo) {
        residualEqual = ExactIntegerCheck.check(residual, equals: form, memo: &memo)
        plainEqual = ExactIntegerCheck.check(plain, equals: form, memo: &memo)
    }

    /// Both networks equal f exactly.
    public var passed: Bool { residualEqual && plainEqual }
}
