import Foundation

/// The coefficients `(c', a', A')` of an exact network expanded back into a quadratic (A'
/// symmetric); comparing them with the form is an exact proof of equivalence (design.md §4).
public struct ExactExpansion: Equatable, Sendable {
    /// c'.
    public let constant: Rational
    /// a'.
    public let linear: [Rational]
    /// A'.
    public let quadratic: RationalMatrix

    /// Whether `(c', a', A') = (c, a, (M + Mᵀ)/2)` exactly, i.e. g = f as functions.
    public func equals(_ form: ExactForm) -> Bool {
        constant == form.constant && linear == form.linear && quadratic == form.symmetricMatrix
    }
}
