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

    /// Builds the certificate from an exact synthesis; every check runs on GMP integers
    /// (`ExactIntegerCheck`), the preimage y by one fraction-free solve on the pivot block.
    public init(synthesis s: ExactSynthesis) {
        var memo = ExactIntegerCheck.SumOfSquaresMemo()
        self.init(synthesis: s, memo: &memo)
    }

    /// The certificate, taking the expansion of Σ d_i ℓ_i ℓ_iᵀ from `memo` when a network with
    /// the same squares was already checked against A (the residual network has exactly them).
    init(synthesis s: ExactSynthesis, memo: inout ExactIntegerCheck.SumOfSquaresMemo) {
        let n = s.form.dimension
        let a = s.symmetricMatrix
        rank = s.rank
        reductionReproducesMatrix = memo.check(ExactIntegerCheck.mergedSquares(weights: s.reduction.coefficients, vectors: s.reduction.vectors), equals: a)
        minorIndices = s.reduction.pivotIndices
        minorDeterminant = s.minorDeterminant
        if s.hasLinearNullPart {
            let z = s.linearNullPart
            nullVector = z
            matrixTimesNullVector = ExactIntegerCheck.product(a, z)
            nullVectorDotLinear = RationalVector.dot(z, s.form.linear)
            rangePreimage = nil
        } else {
            nullVector = nil
            matrixTimesNullVector = nil
            nullVectorDotLinear = nil
            // y supported on the pivots: A[P,P] y_P = a_P (A[P,P] is non-singular, and a ∈ range(A)
            // = span of A's pivot columns).
            rangePreimage = ExactIntegerCheck.solvePrincipal(a, indices: s.reduction.pivotIndices, rightSide: s.form.linear)
                ?? RationalVector.zero(n)
        }
    }

    /// Whether every piece checks: the counts are then proved for this instance. Recomputes each
    /// piece from `form` on integers (the determinant by a fraction-free elimination).
    public func holds(for form: ExactForm) -> Bool {
        let a = form.symmetricMatrix
        guard reductionReproducesMatrix, minorIndices.count == rank, !minorDeterminant.isZero,
              rank == 0 || ExactIntegerCheck.principalDeterminant(a, indices: minorIndices) == minorDeterminant else { return false }
        if let z = nullVector {
            return ExactIntegerCheck.product(a, z).allSatisfy(\.isZero) && !RationalVector.dot(z, form.linear).isZero
        }
        if let y = rangePreimage { return ExactIntegerCheck.product(a, y) == form.linear }
        return false
    }
}
