import BigInt
import CGMP

/// Everything exact synthesis takes from the fraction-free reduction (design.md §4), in exact
/// rationals: f(x) = outputBias + a_Nᵀx + Σ_j w_j (u_jᵀx + b_j)², each u_j an integer vector
/// reduced by its common factor g_j, b_j the border entry over the same g_j, w_j one rational.
struct ExactReductionResult: Sendable {
    /// The steps, with the rational pivots (q/(p·s)) or pair entries (e/(p·s)) of A's Schur complements.
    var steps: [LagrangeReduction.Step]
    /// w_j.
    var weights: [Rational]
    /// u_j (integers).
    var vectors: [[Rational]]
    /// b_j.
    var biases: [Rational]
    /// The pivot indices in order.
    var pivotIndices: [Int]
    /// c − Σ w_j b_j² (the constant left over).
    var outputBias: Rational
    /// det A[P, P] on the pivot indices P.
    var minorDeterminant: Rational
    /// a_N = (I − P)a, the orthogonal projection of a onto null(A); nil when a ∉ range(A) but its
    /// projection's estimated work exceeds the bound (`nullPartOmission`).
    var nullPart: [Rational]?
    /// Why a_N was not computed.
    var nullPartOmission: ExactLimitError?
    /// v = a − A·y with y on the pivots: the part of a the completed squares leave, zero on the
    /// pivots, zero exactly when a ∈ range(A), and v − a_N ∈ range(A).
    var remainder: [Rational]
    /// The plain network's two extra neurons: vᵀx = ((zᵀx + t)² − (zᵀx − t)²)·w with z integer
    /// and t a power of two of z's size (v = 4wt·z); nil when v = 0.
    var remainderNeuron: (vector: [Rational], offset: Rational, weight: Rational)?
}

/// Builds `ExactReductionResult` from a rational form on GMP integers: A scaled to integers once
/// (B = s·A), the symmetric Bareiss elimination of `FractionFreeReduction`, then the linear term
/// as a border column replayed through the same steps (design.md §4).
enum ExactReductionBuilder {
    /// Reduces `xᵀAx + aᵀx + c` (A symmetric, rational).
    static func build(symmetric a: RationalMatrix, linear: [Rational], constant: Rational) throws -> ExactReductionResult {
        let n = a.rows
        let (numerators, scale) = GMP.commonDenominator(a.entries)
        let b = IntegerMatrix(rows: n, columns: n)
        for i in 0..<n { for j in i..<n { qf_mpz_swap(b[i, j], numerators[i * n + j]) } }
        let reduction = FractionFreeReduction(eliminating: b)
        let s = GMP.bigInt(scale[0])
        let k = reduction.rank
        let finalPivot = reduction.pivots[reduction.steps.count]

        // The linear term as the border. What is left of it on the non-pivot coordinates after the
        // elimination is v = a − A·y (y on the pivots): zero exactly when a ∈ range(A).
        let border = borderColumn(linear: linear, constant: constant, scale: s)
        let edge = reduction.replay(column: border.column, corner: border.corner[0])
        let outside = reduction.remaining.filter { qf_mpz_sgn(border.column[$0]) != 0 }
        var nullPart: [Rational]? = RationalVector.zero(n)
        var nullPartOmission: ExactLimitError?
        var remainder = RationalVector.zero(n)
        var remainderNeuron: (vector: [Rational], offset: Rational, weight: Rational)?
        if !outside.isEmpty {
            // v_j = 2·c_j / (p_k·s·τ) with c the border column left by the replay; the plain
            // network carries vᵀx = ((zᵀx + t)² − (zᵀx − t)²)·g/(2·p_k·s·τ·t) with z = c/g, g the
            // content of c: integers of the size of A's (k+1)×(k+1) bordered minors. The offset t
            // is the power of two with t ≤ max|z_i| < 2t: any t ≠ 0 is exact, and one of zᵀx's
            // size keeps the two squares from cancelling when the network is evaluated in
            // floating point (with t = 1 and z of 60 digits, (zᵀx ± 1)² lose the ±1 entirely).
            let r = IntegerMatrix(rows: 1, columns: 4)
            for j in outside { qf_mpz_gcd(r[0], r[0], border.column[j]) }
            if qf_mpz_sgn(border.column[outside[0]]) < 0 { qf_mpz_neg(r[0], r[0]) }
            GMP.set(r[1], s)
            GMP.set(r[2], border.tau)
            qf_mpz_mul(r[1], r[1], r[2])
            qf_mpz_mul(r[1], r[1], finalPivot)  // p_k·s·τ
            var z = RationalVector.zero(n)
            for j in outside {
                qf_mpz_divexact(r[3], border.column[j], r[0])
                z[j] = Rational(GMP.bigInt(r[3]))
                qf_mpz_mul_si(r[3], border.column[j], 2)
                remainder[j] = GMP.rational(r[3], r[1])
            }
            let largest = z.map { $0.numerator.magnitude.bitWidth }.max() ?? 0
            let offset = BigInt(1) << max(largest - 1, 0)
            GMP.set(r[2], offset)
            qf_mpz_mul(r[1], r[1], r[2])
            qf_mpz_mul_si(r[1], r[1], 2)
            remainderNeuron = (z, Rational(offset), GMP.rational(r[0], r[1]))
            // a_N is reported, not needed: neither the networks (v) nor the certificate (a null
            // vector) use it, so a projection beyond the work bound is left out, not refused.
            do {
                nullPart = try orthogonalNullPart(of: linear, symmetric: a, pivots: reduction.steps.flatMap { step -> [Int] in
                    switch step {
                    case let .diagonal(i): return [i]
                    case let .pair(i, j): return [i, j]
                    }
                })
            } catch let limit as ExactLimitError {
                nullPart = nil
                nullPartOmission = limit
            }
        }

        // The terms: each row with its border entry, scaled by τ and reduced by its common factor.
        let tau = border.tau
        let t = IntegerMatrix(rows: 1, columns: 6)
        GMP.set(t[0], tau)
        GMP.set(t[1], s)
        var steps: [LagrangeReduction.Step] = []
        var weights: [Rational] = [], vectors: [[Rational]] = [], biases: [Rational] = [], pivots: [Int] = []
        let row = IntegerMatrix(rows: 1, columns: n + 1)
        /// Appends the term (sign/den)·(vᵀx + β)² for v = τ·combination of pivot rows, β its border.
        func term(_ fill: (Int) -> Void, denominator: UnsafeMutablePointer<__mpz_struct>, negative: Bool, flip: Bool) {
            for j in 0...n { fill(j) }
            for j in 0..<n where qf_mpz_sgn(row[j]) != 0 { qf_mpz_mul(row[j], row[j], t[0]) }
            qf_mpz_set_si(t[2], 0)
            for j in 0..<n where qf_mpz_sgn(row[j]) != 0 { qf_mpz_gcd(t[2], t[2], row[j]) }
            if qf_mpz_sgn(t[2]) == 0 { qf_mpz_set_si(t[2], 1) }
            if flip { qf_mpz_neg(t[2], t[2]) }
            for j in 0..<n where qf_mpz_sgn(row[j]) != 0 { qf_mpz_divexact(row[j], row[j], t[2]) }
            qf_mpz_mul(t[3], t[2], t[2])
            if negative { qf_mpz_neg(t[3], t[3]) }
            weights.append(GMP.rational(t[3], denominator))
            vectors.append((0..<n).map { qf_mpz_sgn(row[$0]) == 0 ? .zero : Rational(GMP.bigInt(row[$0])) })
            // The bias over the same factor: β = border / g (an integer unless the linear term's
            // denominators remain).
            biases.append(qf_mpz_sgn(row[n]) == 0 ? .zero : GMP.rational(row[n], t[2]))
        }
        let den = IntegerMatrix(rows: 1, columns: 1)
        for (index, step) in reduction.steps.enumerated() {
            let p = reduction.pivots[index], value = reduction.stepValues[index]
            let first = reduction.firstRow[index]
            // den = s·p·value·τ² (times 2 for a pair).
            qf_mpz_mul(den[0], t[1], p)
            qf_mpz_mul(den[0], den[0], value)
            qf_mpz_mul(den[0], den[0], t[0])
            qf_mpz_mul(den[0], den[0], t[0])
            qf_mpz_mul(t[4], t[1], p)
            let schur = GMP.rational(value, t[4])
            switch step {
            case let .diagonal(r):
                term({ j in if j < n { qf_mpz_set(row[j], reduction.pivotRows[first, j]) } else { qf_mpz_set(row[n], edge[first]) } },
                     denominator: den[0], negative: false, flip: qf_mpz_sgn(value) < 0)
                steps.append(.diagonal(index: r, pivot: schur))
                pivots.append(r)
            case let .pair(r, q):
                qf_mpz_mul_si(den[0], den[0], 2)
                let flip = qf_mpz_sgn(value) < 0
                let u = first, v = first + 1
                term({ j in
                    if j < n { qf_mpz_add(row[j], reduction.pivotRows[u, j], reduction.pivotRows[v, j]) } else { qf_mpz_add(row[n], edge[u], edge[v]) }
                }, denominator: den[0], negative: false, flip: flip)
                term({ j in
                    if j < n { qf_mpz_sub(row[j], reduction.pivotRows[u, j], reduction.pivotRows[v, j]) } else { qf_mpz_sub(row[n], edge[u], edge[v]) }
                }, denominator: den[0], negative: true, flip: flip)
                steps.append(.productPair(i: r, j: q, entry: schur))
                pivots += [r, q]
            }
        }
        // Constant left over: corner / (s·p_k·τ²); det A[P,P] = p_k / s^k.
        qf_mpz_mul(den[0], t[1], finalPivot)
        qf_mpz_mul(den[0], den[0], t[0])
        qf_mpz_mul(den[0], den[0], t[0])
        let outputBias = GMP.rational(border.corner[0], den[0])
        GMP.set(t[5], s.power(k))
        let minorDeterminant = GMP.rational(finalPivot, t[5])
        return ExactReductionResult(steps: steps, weights: weights, vectors: vectors, biases: biases, pivotIndices: pivots,
                                    outputBias: outputBias, minorDeterminant: minorDeterminant, nullPart: nullPart, nullPartOmission: nullPartOmission,
                                    remainder: remainder, remainderNeuron: remainderNeuron)
    }

    /// The border of [[s·A, τ·s·a/2], [·, τ²·s·c]] with the least τ (found from the denominators)
    /// that makes it integer.
    private static func borderColumn(linear: [Rational], constant: Rational, scale s: BigInt)
        -> (column: IntegerMatrix, corner: IntegerMatrix, tau: BigInt) {
        let factor = Rational(s) * Rational(1, 2)
        let halves = linear.map { $0.isZero ? Rational.zero : $0 * factor }
        let scaledConstant = Rational(s) * constant
        let (numerators, denominator) = GMP.commonDenominator(halves)
        var tau = GMP.bigInt(denominator[0])
        let cornerRational = scaledConstant * Rational(tau * tau)
        tau *= cornerRational.denominator
        let corner = IntegerMatrix(rows: 1, columns: 1)
        GMP.set(corner[0], (scaledConstant * Rational(tau * tau)).numerator)
        // column = halves·τ = numerators·(τ / denominator).
        let multiplier = IntegerMatrix(rows: 1, columns: 1)
        GMP.set(multiplier[0], cornerRational.denominator)
        for i in 0..<linear.count where qf_mpz_sgn(numerators[i]) != 0 { qf_mpz_mul(numerators[i], numerators[i], multiplier[0]) }
        return (numerators, corner, tau)
    }

    /// a_N = a − L(LᵀL)⁻¹Lᵀa with L = the pivot columns of s·A (they span range(A)): the
    /// orthogonal projection of a onto null(A), by one fraction-free solve of the k × k system
    /// LᵀL y = Lᵀa, whose entries are about twice the bits of A's (not of the reduction's rows).
    private static func orthogonalNullPart(of linear: [Rational], symmetric a: RationalMatrix, pivots: [Int]) throws -> [Rational] {
        let k = pivots.count, n = a.rows
        let (entries, _) = GMP.commonDenominator(pivots.flatMap { i in a.row(i) })
        var entryBits = 0
        for i in 0..<(k * n) { entryBits = max(entryBits, GMP.bits(entries[i])) }
        try ExactWorkEstimate(dimension: k, coefficientBits: 2 * entryBits + n.bitWidth - n.leadingZeroBitCount)
            .check(stage: "the orthogonal projection of a onto null(A)")
        let l = IntegerMatrix(rows: k, columns: n)
        for i in 0..<k { for c in 0..<n { qf_mpz_swap(l[i, c], entries[i * n + c]) } }
        let (v, delta) = GMP.commonDenominator(linear)
        let system = IntegerMatrix(rows: k, columns: k + 1)
        for i in 0..<k {
            for j in i..<k {
                for c in 0..<n where qf_mpz_sgn(l[i, c]) != 0 && qf_mpz_sgn(l[j, c]) != 0 { qf_mpz_addmul(system[i, j], l[i, c], l[j, c]) }
                if j != i { qf_mpz_set(system[j, i], system[i, j]) }
            }
            for c in 0..<n where qf_mpz_sgn(l[i, c]) != 0 { qf_mpz_addmul(system[i, k], l[i, c], v[c]) }
        }
        guard let (y, d) = IntegerElimination.solve(system) else { return linear }  // unreachable: the pivot columns are independent
        // a_N = (a·D − Σ_j Y_j L_j) / (D·δ).
        let value = IntegerMatrix(rows: 1, columns: 2)
        qf_mpz_mul(value[1], d[0], delta[0])
        return (0..<n).map { c in
            qf_mpz_mul(value[0], v[c], d[0])
            for j in 0..<k where qf_mpz_sgn(l[j, c]) != 0 { qf_mpz_submul(value[0], y[j], l[j, c]) }
            return qf_mpz_sgn(value[0]) == 0 ? .zero : GMP.rational(value[0], value[1])
        }
    }
}
