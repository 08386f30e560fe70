import Foundation

/// Exact evidence for the neuron counts of design.md §3, each piece checkable on its own:
/// - rank A ≤ k: A = Σ_{i≤k} d_i ℓ_i ℓ_iᵀ (the reduction, re-expanded);
/// - rank A ≥ k: the principal k×k submatrix on the pivot indices has a non-zero determinant;
/// - a ∉ range(A) (T2 applies): z = a_N satisfies Az = 0 and zᵀa = ‖a_N‖² ≠ 0 — impossible
///   for a = Ay, since then zᵀa = (Az)ᵀy = 0;
/// - a ∈ range(A) (plain = k): a vector y with Ay = a.
public struct NeuronCountCertificate: Sendable {
    /// k.
    public let rank: Int
    /// Whether Σ d_i ℓ_i ℓ_iᵀ equals A exactly.
    public let reductionReproducesMatrix: Bool
    /// The pivot indices of the reduction (0-based).
    public let minorIndices: [Int]
    /// The determinant of the principal submatrix of A on `minorIndices` (non-zero).
    public let minorDeterminant: Rational
    /// z = a_N when a_N ≠ 0.
    public let nullVector: [Rational]?
    /// Az (zero when the certificate holds).
    public let matrixTimesNullVector: [Rational]?
    /// zᵀa (non-zero when the certificate holds).
    public let nullVectorDotLinear: Rational?
    /// y with Ay = a, when a ∈ range(A).
    public let rangePreimage: [Rational]?

    /// Builds the certificate from an exact synthesis.
    public init(synthesis s: ExactSynthesis) {
        let n = s.form.dimension
        let a = s.symmetricMatrix
        rank = s.rank
        reductionReproducesMatrix = s.reduction.reconstructed(dimension: n) == a
        minorIndices = s.reduction.pivotIndices
        minorDeterminant = s.rank == 0 ? .one : a.principalSubmatrix(s.reduction.pivotIndices).determinant
        if s.hasLinearNullPart {
            let z = s.linearNullPart
            nullVector = z
            matrixTimesNullVector = a.multiply(z)
            nullVectorDotLinear = RationalVector.dot(z, s.form.linear)
            rangePreimage = nil
        } else {
            nullVector = nil
            matrixTimesNullVector = nil
            nullVectorDotLinear = nil
            // A = L D Lᵀ and a = L y_c; y = L (LᵀL)⁻¹ D⁻¹ y_c gives Ay = L D D⁻¹ y_c = a.
            let basis = s.rangeBasis
            let gramInverse = basis.transposed.multiply(basis).inverse ?? RationalMatrix(rows: 0, columns: 0)
            let scaled = zip(s.rangeCoordinates, s.reduction.coefficients).map { $0 / $1 }
            rangePreimage = s.rank == 0 ? RationalVector.zero(n) : basis.multiply(gramInverse.multiply(scaled))
        }
    }

    /// Whether every piece checks: the counts are then proved for this instance.
    public func holds(for form: ExactForm) -> Bool {
        let a = form.symmetricMatrix
        guard reductionReproducesMatrix, minorIndices.count == rank, !minorDeterminant.isZero,
              a.principalSubmatrix(minorIndices).determinant == minorDeterminant || rank == 0 else { return false }
        if let z = nullVector {
            return a.multiply(z).allSatisfy(\.isZero) && !RationalVector.dot(z, form.linear).isZero
        }
        if let y = rangePreimage { return a.multiply(y) == form.linear }
        return false
    }
}
