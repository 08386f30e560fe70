import Foundation

/// The result of expanding exact networks back into `(c', a', A')` (design.md §4).
public struct ExactVerification: Sendable {
    /// The residual network's expansion.
    public let residual: ExactExpansion
    /// The plain network's expansion.
    public let plain: ExactExpansion
    /// Whether the residual expansion equals the form.
    public let residualEqual: Bool
    /// Whether the plain expansion equals the form.
    public let plainEqual: Bool

    /// Compares both expansions with `form`.
    public init(residual: ExactExpansion, plain: ExactExpansion, form: ExactForm) {
        self.residual = residual
        self.plain = plain
        residualEqual = residual.equals(form)
        plainEqual = plain.equals(form)
    }

    /// Both networks equal f exactly.
    public var passed: Bool { residualEqual && plainEqual }
}
