import BigInt
import CGMP

/// The exact checks of design.md §4 on GMP integers. Expanding m neurons back into (c', a', A')
/// and comparing with the form is a sum of rational multiples of integer vectors and of their
/// outer products; it is accumulated term by term as S / D (S integer, D one common denominator)
/// and reduced by the common factor of D and S after each term, so the numbers stay as small as
/// the partial sums themselves: for the fraction-free networks these are A minus a Schur
/// complement, whose denominator is one pivot (Sylvester's identity), not the product of all of
/// them. An entry (p, q) of A is compared as soon as no later term touches coordinate p or q, and
/// is not carried further: on the triangular rows of a Lagrange reduction the whole check costs
/// about what the elimination did, O(n²k) operations on numbers of the size of A's minors.
public enum ExactIntegerCheck {
    /// Whether the expansion of `network` (any activation αz² + βz + γ, with or without its skip)
    /// equals f = c + aᵀx + xᵀAx exactly: Σ w_j α u_j u_jᵀ = A, skip + Σ w_j (2αb_j + β) u_j = a
    /// and B2 + Σ w_j (αb_j² + βb_j + γ) = c.
    public static func network(_ network: ExactNetwork, equals form: ExactForm) -> Bool {
        networks([network], equal: form)[0]
    }

    /// `network(_:equals:)` for each network; networks whose quadratic terms are the same (after
    /// merging equal rows) share one expansion of Σ w_j α u_j u_jᵀ.
    public static func networks(_ networks: [ExactNetwork], equal form: ExactForm) -> [Bool] {
        var memo = SumOfSquaresMemo()
        return networks.map { check($0, equals: form, memo: &memo) }
    }

    /// The quadratic parts already expanded, with the matrix each was compared with and the result.
    package struct SumOfSquaresMemo {
        var entries: [(terms: [SquareTerm], matrix: RationalMatrix, equal: Bool)] = []
        package init() {}

        /// The result of `Σ terms = a`, computed once per distinct (term list, matrix).
        mutating func check(_ terms: [SquareTerm], equals a: RationalMatrix) -> Bool {
            if let known = entries.first(where: { $0.terms == terms && $0.matrix == a }) { return known.equal }
            let equal = ExactIntegerCheck.sumOfSquares(terms, equals: a)
            entries.append((terms, a, equal))
            return equal
        }
    }

    /// One term c · v vᵀ of a sum of squares.
    struct SquareTerm: Equatable {
        var weight: Rational
        var vector: [Rational]
    }

    static func check(_ network: ExactNetwork, equals form: ExactForm, memo: inout SumOfSquaresMemo) -> Bool {
        let n = network.inputWidth, m = network.hiddenNeurons
        guard n == form.dimension else { return false }
        let (alpha, beta, gamma) = network.activation.coefficients
        let two = Rational(2)
        var constantScales: [Rational] = [], linearScales: [Rational] = [], quadraticScales: [Rational] = []
        for j in 0..<m {
            let w = network.outputWeights[j], b = network.firstBias[j]
            constantScales.append(w.isZero ? .zero : w * ((alpha * b + beta) * b + gamma))
            linearScales.append(w.isZero ? .zero : w * (two * alpha * b + beta))
            quadraticScales.append(w * alpha)
        }
        guard linear(scales: constantScales, rows: constantScales.map { _ in [Rational.one] }, skip: [network.outputBias],
                     equals: [form.constant]) else { return false }
        let rows = (0..<m).map { network.firstWeights.row($0) }
        guard linear(scales: linearScales, rows: rows, skip: network.skip, equals: form.linear) else { return false }
        return memo.check(mergedSquares(weights: quadraticScales, vectors: rows), equals: form.symmetricMatrix)
    }

    /// The terms `w_j · v_j v_jᵀ` with equal (or opposite) vectors merged into one and zero terms
    /// dropped: the two neurons that carry a_Nᵀx in a plain network cancel here.
    static func mergedSquares(weights: [Rational], vectors: [[Rational]]) -> [SquareTerm] {
        var terms: [SquareTerm] = []
        var index: [[Rational]: Int] = [:]
        for (w, v) in zip(weights, vectors) where !w.isZero {
            guard let first = v.first(where: { !$0.isZero }) else { continue }
            let canonical = first.numerator.sign == .minus ? v.map { -$0 } : v
            if let j = index[canonical] {
                terms[j].weight = terms[j].weight + w
            } else {
                index[canonical] = terms.count
                terms.append(SquareTerm(weight: w, vector: canonical))
            }
        }
        return terms.filter { !$0.weight.isZero }
    }

    /// Whether `Σ_j weights_j · v_j v_jᵀ` equals the symmetric matrix `a` exactly.
    public static func sumOfSquares(weights: [Rational], vectors: [[Rational]], equals a: RationalMatrix) -> Bool {
        guard a.columns == a.rows, vectors.allSatisfy({ $0.count == a.rows }), weights.count == vectors.count else { return false }
        return sumOfSquares(mergedSquares(weights: weights, vectors: vectors), equals: a)
    }

    /// One term N/D · U (or U Uᵀ) with U an integer vector, and where U is non-zero.
    private struct IntegerTerm {
        let numerator: IntegerMatrix
        let denominator: IntegerMatrix
        let vector: IntegerMatrix
        let support: [Int]

        /// `c · v` as N/D · U: v = U/δ gives N/D = c/δ, or c/δ² for `squared`.
        init?(scale c: Rational, vector v: [Rational], squared: Bool) {
            guard !c.isZero else { return nil }
            let (u, delta) = GMP.commonDenominator(v)
            let support = (0..<v.count).filter { qf_mpz_sgn(u[$0]) != 0 }
            guard !support.isEmpty else { return nil }
            let d = GMP.bigInt(delta[0])
            let scaled = d == 1 ? c : c / Rational(squared ? d * d : d)
            numerator = IntegerMatrix(rows: 1, columns: 1)
            denominator = IntegerMatrix(rows: 1, columns: 1)
            GMP.set(numerator[0], scaled.numerator)
            GMP.set(denominator[0], scaled.denominator)
            vector = u
            self.support = support
        }
    }

    /// Brings S / D to the common denominator of S / D and one more term N_t / D_t: on return D is
    /// the lcm, `factors[0]` = lcm / D_old (to multiply S by) and `factors[1]` = N_t · lcm / D_t.
    private static func commonDenominator(_ d: UnsafeMutablePointer<__mpz_struct>, with term: IntegerTerm, factors: IntegerMatrix) {
        qf_mpz_lcm(factors[2], d, term.denominator[0])
        qf_mpz_divexact(factors[0], factors[2], d)
        qf_mpz_divexact(factors[1], factors[2], term.denominator[0])
        qf_mpz_mul(factors[1], factors[1], term.numerator[0])
        qf_mpz_swap(d, factors[2])
    }

    /// Divides D and every entry `entries` yields by their greatest common factor.
    private static func reduce(_ d: UnsafeMutablePointer<__mpz_struct>, scratch g: UnsafeMutablePointer<__mpz_struct>,
                               _ entries: (_ body: (UnsafeMutablePointer<__mpz_struct>) -> Bool) -> Void) {
        if qf_mpz_cmp_si(d, 1) == 0 { return }
        qf_mpz_set(g, d)
        entries { x in
            if qf_mpz_sgn(x) != 0, qf_mpz_divisible_p(x, g) == 0 { qf_mpz_gcd(g, g, x) }
            return qf_mpz_cmp_si(g, 1) != 0
        }
        if qf_mpz_cmp_si(g, 1) == 0 { return }
        entries { x in
            if qf_mpz_sgn(x) != 0 { qf_mpz_divexact(x, x, g) }
            return true
        }
        qf_mpz_divexact(d, d, g)
    }

    /// Whether the terms sum to the symmetric matrix `a`.
    static func sumOfSquares(_ squares: [SquareTerm], equals a: RationalMatrix) -> Bool {
        let n = a.rows
        guard a.columns == n, squares.allSatisfy({ $0.vector.count == n }) else { return false }
        let terms = squares.compactMap { IntegerTerm(scale: $0.weight, vector: $0.vector, squared: true) }
        // A = target / s.
        let (target, s) = GMP.commonDenominator(a.entries)
        for p in 0..<n { for q in (p + 1)..<max(p + 1, n) where qf_mpz_cmp(target[p * n + q], target[q * n + p]) != 0 { return false } }
        // Entry (p, q) is complete after the last term non-zero at p or at q.
        var last = [Int](repeating: -1, count: n)
        for (t, term) in terms.enumerated() { for p in term.support { last[p] = t } }
        for p in 0..<n where last[p] < 0 {
            for q in 0..<n where qf_mpz_sgn(target[p * n + q]) != 0 { return false }
        }
        var alive = (0..<n).filter { last[$0] >= 0 }
        let sum = IntegerMatrix(rows: n, columns: n)  // upper triangle
        let scratch = IntegerMatrix(rows: 1, columns: 6)
        let d = scratch[3], g = scratch[4], product = scratch[5]
        qf_mpz_set_si(d, 1)
        let factors = IntegerMatrix(rows: 1, columns: 3)
        let scaled = IntegerMatrix(rows: 1, columns: n)
        for (t, term) in terms.enumerated() {
            commonDenominator(d, with: term, factors: factors)
            if qf_mpz_cmp_si(factors[0], 1) != 0 {
                for (position, p) in alive.enumerated() {
                    for q in alive[position...] where qf_mpz_sgn(sum[p, q]) != 0 { qf_mpz_mul(sum[p, q], sum[p, q], factors[0]) }
                }
            }
            let u = term.vector
            for p in term.support { qf_mpz_mul(scaled[p], u[p], factors[1]) }
            for (position, p) in term.support.enumerated() {
                for q in term.support[position...] { qf_mpz_addmul(sum[p, q], scaled[p], u[q]) }
            }
            // Compare the entries that are now complete: S·s = target·D.
            if alive.contains(where: { last[$0] == t }) {
                for p in alive where last[p] == t {
                    for q in alive where last[q] > t || q >= p {
                        let (i, j) = p <= q ? (p, q) : (q, p)
                        qf_mpz_mul(product, sum[i, j], s[0])
                        qf_mpz_mul(g, target[i * n + j], d)
                        if qf_mpz_cmp(product, g) != 0 { return false }
                    }
                }
                alive.removeAll { last[$0] == t }
            }
            reduce(d, scratch: g) { body in
                for (position, p) in alive.enumerated() {
                    for q in alive[position...] where !body(sum[p, q]) { return }
                }
            }
        }
        return true
    }

    /// Whether `skip + Σ_j scales_j · rows_j` equals `a` exactly.
    static func linear(scales: [Rational], rows: [[Rational]], skip: [Rational]?, equals a: [Rational]) -> Bool {
        let n = a.count
        guard rows.allSatisfy({ $0.count == n }), skip.map({ $0.count == n }) ?? true else { return false }
        let (sum, skipDenominator) = GMP.commonDenominator(skip ?? RationalVector.zero(n))
        let scratch = IntegerMatrix(rows: 1, columns: 3)
        let d = scratch[0], g = scratch[1]
        qf_mpz_set(d, skipDenominator[0])
        let factors = IntegerMatrix(rows: 1, columns: 3)
        for (c, row) in zip(scales, rows) {
            guard let term = IntegerTerm(scale: c, vector: row, squared: false) else { continue }
            commonDenominator(d, with: term, factors: factors)
            if qf_mpz_cmp_si(factors[0], 1) != 0 {
                for i in 0..<n where qf_mpz_sgn(sum[i]) != 0 { qf_mpz_mul(sum[i], sum[i], factors[0]) }
            }
            for i in term.support { qf_mpz_addmul(sum[i], factors[1], term.vector[i]) }
            reduce(d, scratch: g) { body in
                for i in 0..<n where !body(sum[i]) { return }
            }
        }
        let (target, s) = GMP.commonDenominator(a)
        for i in 0..<n {
            qf_mpz_mul(scratch[2], sum[i], s[0])
            qf_mpz_mul(g, target[i], d)
            if qf_mpz_cmp(scratch[2], g) != 0 { return false }
        }
        return true
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

    /// y with A y = b and y zero off `indices`, from A[P, P] y_P = b_P (nil when A[P, P] is
    /// singular), with det A[P, P] as its elimination found it (nil when b = 0: no elimination ran).
    static func solvePrincipalWithDeterminant(_ a: RationalMatrix, indices: [Int], rightSide b: [Rational]) -> (solution: [Rational], determinant: Rational?)? {
        let k = indices.count
        var y = RationalVector.zero(a.columns)
        if b.allSatisfy(\.isZero) { return (y, nil) }
        // A[P, P] = E / δ entrywise (δ the common denominator of the block and b_P), so
        // det A[P, P] = det E / δ^k.
        let (entries, delta) = GMP.commonDenominator(indices.flatMap { i in indices.map { a[i, $0] } + [b[i]] })
        let system = IntegerMatrix(rows: k, columns: k + 1)
        for i in 0..<k { for j in 0...k { qf_mpz_swap(system[i, j], entries[i * (k + 1) + j]) } }
        guard let (x, d, det) = IntegerElimination.solveWithDeterminant(system) else { return nil }
        for (position, i) in indices.enumerated() where qf_mpz_sgn(x[position]) != 0 { y[i] = GMP.rational(x[position], d[0]) }
        let power = IntegerMatrix(rows: 1, columns: 1)
        qf_mpz_set_si(power[0], 1)
        for _ in 0..<k { qf_mpz_mul(power[0], power[0], delta[0]) }
        return (y, GMP.rational(det[0], power[0]))
    }
}
