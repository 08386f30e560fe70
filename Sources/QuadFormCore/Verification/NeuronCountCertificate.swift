import CGMP
import Foundation

/// Exact evidence for the neuron counts of design.md §3, each piece checkable on its own:
/// - rank A ≤ k: A = Σ_{i≤k} d_i ℓ_i ℓ_iᵀ (the reduction, re-expanded);
/// - rank A ≥ k: the principal k×k submatrix on the pivot indices has a non-zero determinant;
/// - a ∉ range(A) (T2 applies): a null vector z of A with zᵀa ≠ 0 — impossible for a = Ay,
///   since then zᵀa = (Az)ᵀy = 0. z is the null vector at a non-pivot coordinate j where the
///   remainder v = a − A·y is non-zero: z_j = det A[P,P], z_P = −adj(A[P,P])·A[P,j], divided by
///   its content (integers no larger than A's k×k minors; zᵀa = det A[P,P]·v_j up to that factor);
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
    /// z, a null vector of A with zᵀa ≠ 0, when a_N ≠ 0.
    public let nullVector: [Rational]?
    /// Az (zero when the certificate holds).
    public let matrixTimesNullVector: [Rational]?
    /// zᵀa (non-zero when the certificate holds).
    public let nullVectorDotLinear: Rational?
    /// y with Ay = a, when a ∈ range(A).
    public let rangePreimage: [Rational]?
    /// det A[P, P] as the certificate's own solve for z or y found it — a Bareiss elimination
    /// with row exchanges of the form's pivot block, independent of the symmetric reduction that
    /// gave `minorDeterminant`; nil when no solve ran (a = 0).
    let solveDeterminant: Rational?

    /// Builds the certificate from an exact synthesis; every check runs on GMP integers
    /// (`ExactIntegerCheck`), the preimage y by one fraction-free solve on the pivot block.
    public init(synthesis s: ExactSynthesis) {
        var memo = ExactIntegerCheck.SumOfSquaresMemo()
        self.init(synthesis: s, memo: &memo)
    }

    /// The certificate, taking the expansion of Σ d_i ℓ_i ℓ_iᵀ from `memo` when a network with
    /// the same squares was already checked against A (the residual network has exactly them).
    package init(synthesis s: ExactSynthesis, memo: inout ExactIntegerCheck.SumOfSquaresMemo) {
        let n = s.form.dimension
        let a = s.symmetricMatrix
        rank = s.rank
        reductionReproducesMatrix = memo.check(ExactIntegerCheck.mergedSquares(weights: s.reduction.coefficients, vectors: s.reduction.vectors), equals: a)
        minorIndices = s.reduction.pivotIndices
        minorDeterminant = s.minorDeterminant
        if s.hasLinearNullPart, let (z, det) = NeuronCountCertificate.nullVector(of: a, pivots: s.reduction.pivotIndices, remainder: s.linearRemainder) {
            nullVector = z
            matrixTimesNullVector = ExactIntegerCheck.product(a, z)
            nullVectorDotLinear = RationalVector.dot(z, s.form.linear)
            rangePreimage = nil
            solveDeterminant = det
        } else {
            nullVector = nil
            matrixTimesNullVector = nil
            nullVectorDotLinear = nil
            // y supported on the pivots: A[P,P] y_P = a_P (A[P,P] is non-singular, and a ∈ range(A)
            // = span of A's pivot columns).
            let solved = ExactIntegerCheck.solvePrincipalWithDeterminant(a, indices: s.reduction.pivotIndices, rightSide: s.form.linear)
            rangePreimage = solved?.solution ?? RationalVector.zero(n)
            solveDeterminant = solved?.determinant
        }
    }

    /// The integer null vector of A at the first coordinate j where the remainder is non-zero:
    /// A[P,P]·w = A[P,j] solved fraction-free, z = (d at j, −d·w on P) over its content.
    /// Also returns det A[P, P] from the same elimination.
    static func nullVector(of a: RationalMatrix, pivots: [Int], remainder: [Rational]) -> (vector: [Rational], determinant: Rational)? {
        guard let j = remainder.firstIndex(where: { !$0.isZero }) else { return nil }
        let k = pivots.count
        let (entries, delta) = GMP.commonDenominator(pivots.flatMap { i in pivots.map { a[i, $0] } + [a[i, j]] })
        let system = IntegerMatrix(rows: k, columns: k + 1)
        for i in 0..<k { for c in 0...k { qf_mpz_swap(system[i, c], entries[i * (k + 1) + c]) } }
        guard let (w, d, det) = IntegerElimination.solveWithDeterminant(system) else { return nil }
        // The block is E / δ entrywise: det A[P, P] = det E / δ^k.
        let power = IntegerMatrix(rows: 1, columns: 1)
        qf_mpz_set_si(power[0], 1)
        for _ in 0..<k { qf_mpz_mul(power[0], power[0], delta[0]) }
        let determinant = GMP.rational(det[0], power[0])
        let content = IntegerMatrix(rows: 1, columns: 2)
        qf_mpz_gcd(content[0], d[0], d[0])
        for i in 0..<k { qf_mpz_gcd(content[0], content[0], w[i]) }
        if qf_mpz_sgn(d[0]) < 0 { qf_mpz_neg(content[0], content[0]) }
        var z = RationalVector.zero(a.columns)
        qf_mpz_divexact(content[1], d[0], content[0])
        z[j] = Rational(GMP.bigInt(content[1]))
        for (position, i) in pivots.enumerated() where qf_mpz_sgn(w[position]) != 0 {
            qf_mpz_divexact(content[1], w[position], content[0])
            qf_mpz_neg(content[1], content[1])
            z[i] = Rational(GMP.bigInt(content[1]))
        }
        return (z, determinant)
    }

    /// Whether every piece checks: the counts are then proved for this instance. Recomputes each
    /// piece from `form` on integers (the determinant by a fraction-free elimination).
    public func holds(for form: ExactForm) -> Bool {
        holds(for: form, determinant: nil)
    }

    /// `holds(for:)` for the form the certificate was built from: det A[P, P] is taken from the
    /// certificate's own solve (an elimination of that form's pivot block with row exchanges,
    /// independent of the reduction) instead of a third elimination of the same block.
    package func holdsForItsForm(_ form: ExactForm) -> Bool {
        holds(for: form, determinant: solveDeterminant)
    }

    private func holds(for form: ExactForm, determinant known: Rational?) -> Bool {
        let a = form.symmetricMatrix
        guard reductionReproducesMatrix, minorIndices.count == rank, !minorDeterminant.isZero else { return false }
        if rank > 0 {
            let determinant = known ?? ExactIntegerCheck.principalDeterminant(a, indices: minorIndices)
            guard determinant == minorDeterminant else { return false }
        }
        if let z = nullVector {
            return ExactIntegerCheck.product(a, z).allSatisfy(\.isZero) && !RationalVector.dot(z, form.linear).isZero
        }
        if let y = rangePreimage { return ExactIntegerCheck.product(a, y) == form.linear }
        return false
    }
}
