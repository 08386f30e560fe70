import Foundation

/// Both exact networks rewritten for s(z) = αz² + βz + γ (T3 of design.md §3), each expanded
/// back and compared with f exactly, and the printed eq. (10) shift with its exact discrepancy.
public struct ExactQuadraticActivationNetworks: Sendable {
    /// s.
    public let spec: QuadraticActivationSpec
    /// The residual s-network.
    public let residual: ExactNetwork
    /// The plain s-network.
    public let plain: ExactNetwork
    /// Whether the residual s-network equals f exactly.
    public let residualEqual: Bool
    /// Whether the plain s-network equals f exactly.
    public let plainEqual: Bool
    /// g_printed − f for the plain network built with eq. (10)'s printed shift +β/(2α):
    /// `Σ w_j[(2β/α)(u_jᵀx + b_j) + β²/α²]` (constant, linear), checked against the expansion.
    public let printedEquation10Discrepancy: (constant: Rational, linear: [Rational])
    /// Whether the printed-shift network equals f (false whenever the discrepancy is non-zero).
    public let printedEquation10Equal: Bool

    /// Rewrites both networks of `synthesis` for `spec` and checks them exactly.
    public init(synthesis: ExactSynthesis, spec: QuadraticActivationSpec) throws {
        self.spec = spec
        residual = try QuadraticActivationRewrite.rewrite(synthesis.residual, to: spec)
        plain = try QuadraticActivationRewrite.rewrite(synthesis.plain, to: spec)
        let printed = try QuadraticActivationRewrite.rewrite(synthesis.plain, to: spec, shift: .printedEquation10)
        let equal = ExactIntegerCheck.networks([residual, plain, printed], equal: synthesis.form)
        residualEqual = equal[0]
        plainEqual = equal[1]
        printedEquation10Equal = equal[2]
        printedEquation10Discrepancy = QuadraticActivationRewrite.printedEquation10Discrepancy(of: synthesis.plain, spec: spec)
    }

    /// Both s-networks equal f.
    public var passed: Bool { residualEqual && plainEqual }
}
