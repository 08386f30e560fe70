import BigInt
import CGMP

/// Lagrange's reduction (design.md §4) done fraction-free on integers, by Bareiss' method kept
/// symmetric: the integer matrix B = s·A (s the common denominator of A) is eliminated with
/// diagonal pivots, or with the 2×2 step `x_i x_j = ((x_i + x_j)² − (x_i − x_j)²)/4` when every
/// remaining diagonal entry is 0, dividing each update exactly by the previous pivot:
///
///     diagonal pivot q at r:   B'_ij = (q·B_ij − B_ir·B_rj) / p,                 p' = q
///     pair pivot e at (r, t):  B'_ij = −e·(e·B_ij − B_ir·B_tj − B_it·B_rj) / p²,   p' = −e² / p
///
/// By Sylvester's identity every entry after a step is a minor of B (det B[P∪{i}, P∪{j}] with P the
/// pivots so far) and p = det B[P, P], so the numbers stay within the Hadamard bound; nothing is a
/// fraction and no gcd is taken. The step at r contributes `(B_rᵀx)² / (s·p·q)`, a pair step
/// `(((u+v)ᵀx)² − ((u−v)ᵀx)²) / (2·e·p·s)` with u, v rows r, t: one denominator per row.
final class FractionFreeReduction: @unchecked Sendable {
    /// One elimination step.
    enum Step: Equatable {
        /// A 1×1 pivot at `index`.
        case diagonal(index: Int)
        /// A 2×2 pivot on the zero-diagonal pair (i, j) with B_ij ≠ 0.
        case pair(i: Int, j: Int)
    }

    /// n.
    let dimension: Int
    /// The steps in order.
    let steps: [Step]
    /// The rows B_r (diagonal step) or u, v (pair step) at the time of their step, one per term
    /// (rank × n); entries on earlier pivots are 0.
    let pivotRows: IntegerMatrix
    /// The row of `pivotRows` where each step's rows start.
    let firstRow: [Int]
    /// p_0 = 1, then det B[P_t, P_t] after each step t.
    let pivots: IntegerMatrix
    /// q (diagonal step) or e (pair step) of each step.
    let stepValues: IntegerMatrix
    /// The indices never chosen as pivots (the coordinates of the null directions).
    let remaining: [Int]

    /// k = rank A.
    var rank: Int { pivotRows.rows }

    /// Eliminates the symmetric integer matrix `b` (n × n; its entries are consumed).
    init(eliminating b: IntegerMatrix) {
        let n = b.rows
        dimension = n
        var active = Array(0..<n)
        var steps: [Step] = []
        var firstRow: [Int] = []
        let rowsOut = IntegerMatrix(rows: n, columns: n)
        let pivots = IntegerMatrix(rows: 1, columns: n + 1)
        let values = IntegerMatrix(rows: 1, columns: n)
        qf_mpz_set_si(pivots[0], 1)
        let t = IntegerMatrix(rows: 1, columns: 4)
        var produced = 0
        @inline(__always) func entry(_ i: Int, _ j: Int) -> UnsafeMutablePointer<__mpz_struct> { i <= j ? b[i, j] : b[j, i] }
        // Rows eliminated so far, for a progress line (ProgressContext; nothing without a reporter).
        ProgressContext.begin("exact reduction (rows eliminated)", total: n)
        while !active.isEmpty {
            ProgressContext.advance(n - active.count)
            let step = steps.count
            let p = pivots[step]
            let pIsOne = qf_mpz_cmp_si(p, 1) == 0
            // Pivoting: the non-zero diagonal entry of fewest bits keeps the numbers small.
            var best = -1, bestBits = Int.max
            for i in active where qf_mpz_sgn(b[i, i]) != 0 {
                let bits = Int(qf_mpz_sizeinbase(b[i, i], 2))
                if bits < bestBits { best = i; bestBits = bits }
            }
            if best >= 0 {
                let r = best
                active.removeAll { $0 == r }
                // Move row r out of B (its entries are not used again): row `produced`.
                let row = produced
                for i in active { qf_mpz_swap(rowsOut[row, i], entry(r, i)) }
                qf_mpz_swap(rowsOut[row, r], b[r, r])
                let q = rowsOut[row, r]
                qf_mpz_set(values[step], q)
                for (position, i) in active.enumerated() {
                    let ri = rowsOut[row, i]
                    for j in active[position...] {
                        let bij = b[i, j]
                        qf_mpz_mul(bij, bij, q)
                        qf_mpz_submul(bij, ri, rowsOut[row, j])
                        if !pIsOne { qf_mpz_divexact(bij, bij, p) }
                    }
                }
                qf_mpz_set(pivots[step + 1], q)
                steps.append(.diagonal(index: r))
                firstRow.append(row)
                produced += 1
                continue
            }
            // Every remaining diagonal entry is 0: a 2×2 step on the non-zero entry of fewest bits.
            var pair = (-1, -1)
            bestBits = Int.max
            for (position, i) in active.enumerated() {
                for j in active[(position + 1)...] where qf_mpz_sgn(b[i, j]) != 0 {
                    let bits = Int(qf_mpz_sizeinbase(b[i, j], 2))
                    if bits < bestBits { pair = (i, j); bestBits = bits }
                }
            }
            if pair.0 < 0 { break }
            let (r, s) = pair
            active.removeAll { $0 == r || $0 == s }
            let ur = produced, vr = produced + 1
            for i in active {
                qf_mpz_swap(rowsOut[ur, i], entry(r, i))
                qf_mpz_swap(rowsOut[vr, i], entry(s, i))
            }
            qf_mpz_swap(rowsOut[ur, s], b[r, s])
            qf_mpz_set(rowsOut[vr, r], rowsOut[ur, s])
            let e = rowsOut[ur, s]
            qf_mpz_set(values[step], e)
            qf_mpz_mul(t[2], p, p)  // p²
            for (position, i) in active.enumerated() {
                let ui = rowsOut[ur, i], vi = rowsOut[vr, i]
                for j in active[position...] {
                    let bij = b[i, j]
                    qf_mpz_mul(t[0], e, bij)
                    qf_mpz_submul(t[0], ui, rowsOut[vr, j])
                    qf_mpz_submul(t[0], vi, rowsOut[ur, j])
                    qf_mpz_mul(t[0], t[0], e)
                    qf_mpz_neg(t[0], t[0])
                    if pIsOne { qf_mpz_swap(bij, t[0]) } else { qf_mpz_divexact(bij, t[0], t[2]) }
                }
            }
            qf_mpz_mul(t[0], e, e)
            qf_mpz_neg(t[0], t[0])
            qf_mpz_divexact(pivots[step + 1], t[0], p)
            steps.append(.pair(i: r, j: s))
            firstRow.append(produced)
            produced += 2
        }
        // The rows of the pair steps hold the pair's own entries: row u has e at column s and 0
        // at r (B_rr = 0); row v has e at r and 0 at s.
        self.steps = steps
        self.firstRow = firstRow
        self.pivots = pivots
        self.stepValues = values
        self.remaining = active
        let compact = IntegerMatrix(rows: produced, columns: n)
        for i in 0..<produced { for j in 0..<n { qf_mpz_swap(compact[i, j], rowsOut[i, j]) } }
        self.pivotRows = compact
    }

    /// Applies the steps to a border column `c` (length n) and corner `c₀`: the elimination of
    /// the bordered matrix [[B, c], [cᵀ, c₀]] without pivoting on the border. Returns the border
    /// entry of each term's row (the biases' numerators, one per row of `pivotRows`); on return
    /// `c` holds the column of the final Schur complement times p_k (zero on pivots) and `corner`
    /// its corner. Exact when the bordered matrix is integer (its entries are then minors too).
    func replay(column c: IntegerMatrix, corner: UnsafeMutablePointer<__mpz_struct>) -> IntegerMatrix {
        let border = IntegerMatrix(rows: 1, columns: pivotRows.rows)
        let t = IntegerMatrix(rows: 1, columns: 3)
        var active = Set(0..<dimension)
        for (index, step) in steps.enumerated() {
            let p = pivots[index]
            let pIsOne = qf_mpz_cmp_si(p, 1) == 0
            let row = firstRow[index]
            switch step {
            case let .diagonal(r):
                active.remove(r)
                let q = stepValues[index]
                qf_mpz_set(border[row], c[r])
                qf_mpz_set_si(c[r], 0)
                let cr = border[row]
                for i in active {
                    qf_mpz_mul(c[i], c[i], q)
                    qf_mpz_submul(c[i], pivotRows[row, i], cr)
                    if !pIsOne { qf_mpz_divexact(c[i], c[i], p) }
                }
                qf_mpz_mul(corner, corner, q)
                qf_mpz_submul(corner, cr, cr)
                if !pIsOne { qf_mpz_divexact(corner, corner, p) }
            case let .pair(r, s):
                active.remove(r)
                active.remove(s)
                let e = stepValues[index]
                qf_mpz_set(border[row], c[r])
                qf_mpz_set(border[row + 1], c[s])
                qf_mpz_set_si(c[r], 0)
                qf_mpz_set_si(c[s], 0)
                let cu = border[row], cv = border[row + 1]
                qf_mpz_mul(t[2], p, p)
                for i in Array(active) + [-1] {
                    let target = i < 0 ? corner : c[i]
                    qf_mpz_mul(t[0], e, target)
                    if i < 0 {
                        qf_mpz_submul(t[0], cu, cv)
                        qf_mpz_submul(t[0], cv, cu)
                    } else {
                        qf_mpz_submul(t[0], pivotRows[row, i], cv)
                        qf_mpz_submul(t[0], pivotRows[row + 1, i], cu)
                    }
                    qf_mpz_mul(t[0], t[0], e)
                    qf_mpz_neg(t[0], t[0])
                    if pIsOne { qf_mpz_swap(target, t[0]) } else { qf_mpz_divexact(target, t[0], t[2]) }
                }
            }
        }
        return border
    }
}

extension FractionFreeReduction.Step {
    /// The first index of the step.
    var first: Int {
        switch self {
        case let .diagonal(i): return i
        case let .pair(i, _): return i
        }
    }
}
