import CGMP

/// Fraction-free Gaussian elimination (Bareiss) on GMP integers, for the exact certificates of
/// design.md §4: determinants of principal minors and solutions of integer systems, with every
/// intermediate a minor of the input and no fraction or gcd along the way.
enum IntegerElimination {
    /// Reduces `m` (rows × columns, rows ≤ columns, consumed) to upper-triangular form on its
    /// first `rows` columns by Bareiss' method with row exchanges. Returns false when the leading
    /// square block is singular; on success the last diagonal entry is the block's determinant
    /// times `sign` (the parity of the exchanges).
    static func forward(_ m: IntegerMatrix, sign: inout Int) -> Bool {
        let rows = m.rows, columns = m.columns
        let previous = IntegerMatrix(rows: 1, columns: 1)
        qf_mpz_set_si(previous[0], 1)
        sign = 1
        for k in 0..<rows {
            var pivot = -1, bits = Int.max
            for r in k..<rows where qf_mpz_sgn(m[r, k]) != 0 {
                let b = GMP.bits(m[r, k])
                if b < bits { pivot = r; bits = b }
            }
            if pivot < 0 { return false }
            if pivot != k {
                for j in 0..<columns { qf_mpz_swap(m[k, j], m[pivot, j]) }
                sign = -sign
            }
            let one = qf_mpz_cmp_si(previous[0], 1) == 0
            for i in (k + 1)..<max(k + 1, rows) {
                let factor = m[i, k]
                for j in (k + 1)..<columns {
                    qf_mpz_mul(m[i, j], m[i, j], m[k, k])
                    qf_mpz_submul(m[i, j], factor, m[k, j])
                    if !one { qf_mpz_divexact(m[i, j], m[i, j], previous[0]) }
                }
                qf_mpz_set_si(factor, 0)
            }
            qf_mpz_set(previous[0], m[k, k])
        }
        return true
    }

    /// det M for a square integer matrix (consumed).
    static func determinant(_ m: IntegerMatrix) -> IntegerMatrix {
        let result = IntegerMatrix(rows: 1, columns: 1)
        if m.rows == 0 { qf_mpz_set_si(result[0], 1); return result }
        var sign = 1
        guard forward(m, sign: &sign) else { return result }
        qf_mpz_set(result[0], m[m.rows - 1, m.rows - 1])
        if sign < 0 { qf_mpz_neg(result[0], result[0]) }
        return result
    }

    /// Solves G x = b for square non-singular G: returns X and D with x = X / D (D = ±det G, so X
    /// is integer by Cramer's rule), or nil when G is singular. `augmented` is [G | b]
    /// (m × (m + 1), consumed).
    static func solve(_ augmented: IntegerMatrix) -> (numerators: IntegerMatrix, denominator: IntegerMatrix)? {
        solveWithDeterminant(augmented).map { ($0.numerators, $0.denominator) }
    }

    /// `solve(_:)` that also returns det G exactly (the elimination computes it on the way).
    static func solveWithDeterminant(_ augmented: IntegerMatrix) -> (numerators: IntegerMatrix, denominator: IntegerMatrix, determinant: IntegerMatrix)? {
        let m = augmented.rows
        var sign = 1
        let x = IntegerMatrix(rows: 1, columns: m)
        let d = IntegerMatrix(rows: 1, columns: 1)
        let det = IntegerMatrix(rows: 1, columns: 1)
        if m == 0 { qf_mpz_set_si(d[0], 1); qf_mpz_set_si(det[0], 1); return (x, d, det) }
        guard forward(augmented, sign: &sign) else { return nil }
        qf_mpz_set(d[0], augmented[m - 1, m - 1])
        qf_mpz_set(det[0], d[0])
        if sign < 0 { qf_mpz_neg(det[0], det[0]) }
        let t = IntegerMatrix(rows: 1, columns: 1)
        for i in stride(from: m - 1, through: 0, by: -1) {
            qf_mpz_mul(t[0], d[0], augmented[i, m])
            for j in (i + 1)..<m { qf_mpz_submul(t[0], augmented[i, j], x[j]) }
            qf_mpz_divexact(x[i], t[0], augmented[i, i])
        }
        return (x, d, det)
    }

    /// Solves Gᵀ-style systems with many right-hand sides at once: `augmented` is [G | R]
    /// (r × (r + q), consumed), G square and non-singular. Returns X (r × q) and D = ±det G with
    /// G·(X/D) = R column by column (Cramer: X integer), or nil when G is singular. One Bareiss
    /// elimination serves every column (design.md §4, the factored extraction's coordinates).
    static func solveMany(_ augmented: IntegerMatrix, rightHandSides q: Int) -> (numerators: IntegerMatrix, denominator: IntegerMatrix)? {
        let r = augmented.rows
        let x = IntegerMatrix(rows: r, columns: max(q, 1))
        let d = IntegerMatrix(rows: 1, columns: 1)
        if r == 0 { qf_mpz_set_si(d[0], 1); return (x, d) }
        var sign = 1
        guard forward(augmented, sign: &sign) else { return nil }
        qf_mpz_set(d[0], augmented[r - 1, r - 1])
        let t = IntegerMatrix(rows: 1, columns: 1)
        for c in 0..<q {
            for i in stride(from: r - 1, through: 0, by: -1) {
                qf_mpz_mul(t[0], d[0], augmented[i, r + c])
                for j in (i + 1)..<r { qf_mpz_submul(t[0], augmented[i, j], x[j, c]) }
                qf_mpz_divexact(x[i, c], t[0], augmented[i, i])
            }
        }
        return (x, d)
    }
}
