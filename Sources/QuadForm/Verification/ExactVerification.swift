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
        residualEqual = ExactIntegerCheck.network(residual, equals: form)
        // When a_N = 0 the plain network has the residual one's parameters and no skip (the skip
        // being zero): the same polynomial, so the same expansion.
        let sameParameters = plain.activation == residual.activation && plain.firstWeights == residual.firstWeights
            && plain.firstBias == residual.firstBias && plain.outputWeights == residual.outputWeights
            && plain.outputBias == residual.outputBias && (residual.skip ?? []).allSatisfy(\.isZero) && plain.skip == nil
        plainEqual = sameParameters ? residualEqual : ExactIntegerCheck.network(plain, equals: form)
    }

    /// Both networks equal f exactly.
    public var passed: Bool { residualEqual && plainEqual }
}
