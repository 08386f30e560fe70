import BigInt
import CGMP

/// The exact checks of design.md §4 on GMP integers: every rational vector or matrix is read as
/// integer numerators over one common denominator, so expanding m neurons back into (c', a', A')
/// and comparing with the form costs O(n²m) integer multiply-adds and no gcd per entry.
public enum ExactIntegerCheck {
    /// Whether the expansion of `network` (any activation αz² + βz + γ, with or without its skip)
    /// equals f = c + aᵀx + xᵀAx exactly: Σ w_j α u_j u_jᵀ = A, skip + Σ w_j (2αb_j + β) u_j = a
    /// and B2 + Σ w_j (αb_j² + βb_j + γ) = c.
    public static func network(_ network: ExactNetwork, equals form: ExactForm) -> Bool {
        let n = network.inputWidth, m = network.hiddenNeurons
        guard n == form.dimension else { return false }
        let (alpha, beta, gamma) = network.activation.coefficients
        var constant = network.outputBias
        let two = Rational(2)
        var linearScales: [Rational] = []
        var quadraticScales: [Rational] = []
        for j in 0..<m {
            let w = network.outputWeights[j], b = network.firstBias[j]
            if !w.isZero { constant = constant + w * ((alpha * b + beta) * b + gamma) }
            linearScales.append(w * (two * alpha * b + beta))
            quadraticScales.append(w * alpha)
        }
        guard constant == form.constant else { return false }
        let rows = (0..<m).map { network.firstWeights.row($0) }
        guard linear(scales: linearScales, rows: rows, skip: network.skip, equals: form.linear) else { return false }
        return sumOfSquares(weights: quadraticScales, vectors: rows, equals: form.symmetricMatrix)
    }

    /// Whether `Σ_j weights_j · v_j v_jᵀ` equals the symmetric matrix `a` exactly.
    ///
    /// Each term is N_j/D_j · U_j U_jᵀ with U_j integer. One denominator for all terms would be the
    /// lcm of every D_j — for the fraction-free networks about the product of all pivots, thousands
    /// of digits — and every one of the n²m multiply-adds would carry it. Instead the terms are
    /// summed in a balanced tree: two halves over their own lcms are brought to the lcm of both
    /// (two multiplications per entry), so numbers reach the full size only at the top and the cost
    /// is about n²/2 · log m multiplications at the final size.
    public static func sumOfSquares(weights: [Rational], vectors: [[Rational]], equals a: RationalMatrix) -> Bool {
        let n = a.rows
        guard a.columns == n, vectors.allSatisfy({ $0.count == n }), weights.count == vectors.count else { return false }
        var terms: [(numerator: IntegerMatrix, denominator: IntegerMatrix, row: IntegerMatrix, support: [Int])] = []
        for (w, v) in zip(weights, vectors) where !w.isZero {
            // v = U / δ: the weight of U Uᵀ is w / δ².
            let (u, delta) = GMP.commonDenominator(v)
            let d = GMP.bigInt(delta[0])
            let c = d == 1 ? w : w / Rational(d * d)
            let numerator = IntegerMatrix(rows: 1, columns: 1), denominator = IntegerMatrix(rows: 1, columns: 1)
            GMP.set(numerator[0], c.numerator)
            GMP.set(denominator[0], c.denominator)
            let support = (0..<n).filter { qf_mpz_sgn(u[$0]) != 0 }
            if !support.isEmpty { terms.append((numerator, denominator, u, support)) }
        }
        let (target, s) = GMP.commonDenominator(a.entries)
        let t = IntegerMatrix(rows: 1, columns: 1)
        // S / D = Σ terms; then S·s must equal A_num·D.
        let (sum, denominator) = terms.isEmpty ? (IntegerMatrix(rows: n, columns: n), oneMatrix()) : accumulate(terms[...], n: n)
        for p in 0..<n {
            for q in p..<n {
                qf_mpz_mul(t[0], target[p * n + q], denominator[0])
                qf_mpz_mul(sum[p, q], sum[p, q], s[0])
                if qf_mpz_cmp(t[0], sum[p, q]) != 0 { return false }
                if q != p, qf_mpz_cmp(target[p * n + q], target[q * n + p]) != 0 { return false }
            }
        }
        return true
    }

    private static func oneMatrix() -> IntegerMatrix {
        let one = IntegerMatrix(rows: 1, columns: 1)
        qf_mpz_set_si(one[0], 1)
        return one
    }

    /// Σ_j N_j/D_j · U_j U_jᵀ on the upper triangle as (S, D), S integer, by halves.
    private static func accumulate(_ terms: ArraySlice<(numerator: IntegerMatrix, denominator: IntegerMatrix, row: IntegerMatrix, support: [Int])>,
                                   n: Int) -> (IntegerMatrix, IntegerMatrix) {
        if terms.count == 1, let term = terms.first {
            let sum = IntegerMatrix(rows: n, columns: n)
            let v = IntegerMatrix(rows: 1, columns: n)
            for p in term.support { qf_mpz_mul(v[p], term.row[p], term.numerator[0]) }
            for (index, p) in term.support.enumerated() {
                for q in term.support[index...] { qf_mpz_mul(sum[p, q], v[p], term.row[q]) }
            }
            let d = IntegerMatrix(rows: 1, columns: 1)
            qf_mpz_set(d[0], term.denominator[0])
            return (sum, d)
        }
        let middle = terms.startIndex + terms.count / 2
        let (left, dl) = accumulate(terms[..<middle], n: n)
        let (right, dr) = accumulate(terms[middle...], n: n)
        let f = IntegerMatrix(rows: 1, columns: 3)
        qf_mpz_lcm(f[0], dl[0], dr[0])
        qf_mpz_divexact(f[1], f[0], dl[0])
        qf_mpz_divexact(f[2], f[0], dr[0])
        let leftOne = qf_mpz_cmp_si(f[1], 1) == 0, rightOne = qf_mpz_cmp_si(f[2], 1) == 0
        for p in 0..<n {
            for q in p..<n {
                let l = left[p, q], r = right[p, q]
                if !leftOne, qf_mpz_sgn(l) != 0 { qf_mpz_mul(l, l, f[1]) }
                if qf_mpz_sgn(r) != 0 {
                    if rightOne { qf_mpz_add(l, l, r) } else { qf_mpz_addmul(l, r, f[2]) }
                }
            }
        }
        qf_mpz_set(dl[0], f[0])
        return (left, dl)
    }

    /// Whether `skip + Σ_j scales_j · rows_j` equals `a` exactly.
    static func linear(scales: [Rational], rows: [[Rational]], skip: [Rational]?, equals a: [Rational]) -> Bool {
        let n = a.count
        var integerRows: [IntegerMatrix] = []
        var scaled: [Rational] = []
        for (c, row) in zip(scales, rows) {
            if c.isZero { integerRows.append(IntegerMatrix(rows: 1, columns: n)); scaled.append(.zero); continue }
            let (u, delta) = GMP.commonDenominator(row)
            integerRows.append(u)
            scaled.append(c / Rational(GMP.bigInt(delta[0])))
        }
        let m = scaled.count
        let skipValues = skip ?? RationalVector.zero(n)
        let (all, _) = GMP.commonDenominator(scaled + skipValues + a)
        let sum = IntegerMatrix(rows: 1, columns: n)
        for i in 0..<n { qf_mpz_set(sum[i], all[m + i]) }
        for j in 0..<m where qf_mpz_sgn(all[j]) != 0 {
            let u = integerRows[j]
            for i in 0..<n where qf_mpz_sgn(u[i]) != 0 { qf_mpz_addmul(sum[i], all[j], u[i]) }
        }
        return (0..<n).allSatisfy { qf_mpz_cmp(sum[$0], all[m + n + $0]) == 0 }
    }

    /// `A x`, exactly.
    public static func product(_ a: RationalMatrix, _ x: [Rational]) -> [Rational] {
        let n = a.rows, c = a.columns
        let (entries, s) = GMP.commonDenominator(a.entries)
        let (v, delta) = GMP.commonDenominator(x)
        let t = IntegerMatrix(rows: 1, columns: 2)
        qf_mpz_mul(t[1], s[0], delta[0])
        let support = (0..<c).filter { qf_mpz_sgn(v[$0]) != 0 }
        return (0..<n).map { i in
            qf_mpz_set_si(t[0], 0)
            for j in support where qf_mpz_sgn(entries[i * c + j]) != 0 { qf_mpz_addmul(t[0], entries[i * c + j], v[j]) }
            return qf_mpz_sgn(t[0]) == 0 ? .zero : GMP.rational(t[0], t[1])
        }
    }

    /// det A[P, P], exactly (fraction-free elimination).
    public static func principalDeterminant(_ a: RationalMatrix, indices: [Int]) -> Rational {
        let k = indices.count
        let (entries, d) = GMP.commonDenominator(indices.flatMap { i in indices.map { a[i, $0] } })
        let m = IntegerMatrix(rows: k, columns: k)
        for i in 0..<k { for j in 0..<k { qf_mpz_swap(m[i, j], entries[i * k + j]) } }
        let det = IntegerElimination.determinant(m)
        let power = IntegerMatrix(rows: 1, columns: 1)
        qf_mpz_set_si(power[0], 1)
        for _ in 0..<k { qf_mpz_mul(power[0], power[0], d[0]) }
        return GMP.rational(det[0], power[0])
    }

    /// y with A y = b and y zero off `indices`, from A[P, P] y_P = b_P; nil when A[P, P] is singular.
    public static func solvePrincipal(_ a: RationalMatrix, indices: [Int], rightSide b: [Rational]) -> [Rational]? {
        let k = indices.count
        var y = RationalVector.zero(a.columns)
        if b.allSatisfy(\.isZero) { return y }
        let (entries, _) = GMP.commonDenominator(indices.flatMap { i in indices.map { a[i, $0] } + [b[i]] })
        let system = IntegerMatrix(rows: k, columns: k + 1)
        for i in 0..<k { for j in 0...k { qf_mpz_swap(system[i, j], entries[i * (k + 1) + j]) } }
        guard let (x, d) = IntegerElimination.solve(system) else { return nil }
        for (position, i) in indices.enumerated() where qf_mpz_sgn(x[position]) != 0 { y[i] = GMP.rational(x[position], d[0]) }
        return y
    }
}
