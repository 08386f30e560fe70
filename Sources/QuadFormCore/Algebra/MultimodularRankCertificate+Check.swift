import BigInt
import Foundation

extension MultimodularRankCertificate {
    /// Whether every piece checks for `form`, recomputed from the recorded primes and minors alone
    /// (design.md §4, "Multimodular certificates"): the minors non-zero mod their primes, the primes
    /// distinct and prime with product above Hadamard's bound for the claimed rank, and the rank of
    /// [B | b] modulo each of them within the claim. A wrong claimed rank fails: too low, some prime
    /// shows a larger rank; too high, no minor of that size is non-zero.
    public func rechecks(form: ExactForm) -> Bool {
        rechecks(IntegerBorderedMatrix(symmetric: form.symmetricMatrix, linear: form.linear))
    }

    /// `rechecks(form:)` on the integer bordered matrix.
    func rechecks(_ matrix: IntegerBorderedMatrix) -> Bool {
        let n = matrix.dimension
        guard n == dimension, rank >= 0, rank <= n else { return false }
        func valid(_ indices: [Int], limit: Int) -> Bool {
            Set(indices).count == indices.count && indices.allSatisfy { $0 >= 0 && $0 < limit }
        }
        // rank A ≥ k.
        let m = rankMinor
        guard m.rows.count == rank, m.columns.count == rank, valid(m.rows, limit: n), valid(m.columns, limit: n) else { return false }
        if rank > 0 {
            let det = Self.determinant(matrix, prime: m.prime, rows: m.rows, columns: m.columns)
            guard det != 0, det == m.determinant, NmodMatrix.isPrime(m.prime) else { return false }
        }
        // a ∉ range(A): rank [B | b] ≥ k + 1.
        if linearInRange {
            guard borderedMinor == nil else { return false }
        } else {
            guard let b = borderedMinor, b.rows.count == rank + 1, b.columns.count == rank + 1,
                  valid(b.rows, limit: n), valid(b.columns, limit: n + 1), b.columns.contains(n), NmodMatrix.isPrime(b.prime) else { return false }
            let det = Self.determinant(matrix, prime: b.prime, rows: b.rows, columns: b.columns)
            guard det != 0, det == b.determinant else { return false }
        }
        // rank A ≤ k (and rank [B | b] ≤ k when a ∈ range(A)), modulo primes past Hadamard's bound.
        guard Set(primes).count == primes.count, primes.allSatisfy({ $0 > 1 << 30 && $0 < 1 << 62 && NmodMatrix.isPrime($0) }) else { return false }
        let bound = Bound(matrix: matrix, norms: matrix.squaredNorms(), rank: rank, augmented: linearInRange ? rank : rank + 1)
        let product = primes.reduce(BigInt(1)) { $0 * BigInt($1) }
        guard !primes.isEmpty, product * product > bound.square else { return false }
        let reductions = Reduction.all(matrix, primes: primes, workers: max(1, ProcessInfo.processInfo.activeProcessorCount), done: 0)
        return reductions.count == primes.count && reductions.allSatisfy { r in
            r.rank <= rank && (!linearInRange || r.augmentedRank <= rank)
        }
    }

    /// A copy with another claim (rank, whether a ∈ range(A), minors): what `rechecks` must refuse
    /// when the claim is wrong (tests build wrong claims with it).
    func claiming(rank: Int, linearInRange: Bool, rankMinor: Minor, borderedMinor: Minor?) -> MultimodularRankCertificate {
        var copy = self
        copy.rank = rank
        copy.linearInRange = linearInRange
        copy.rankMinor = rankMinor
        copy.borderedMinor = borderedMinor
        return copy
    }

    /// det of [B | b] on `rows` × `columns` mod `prime` (FLINT).
    static func determinant(_ matrix: IntegerBorderedMatrix, prime: UInt64, rows: [Int], columns: [Int]) -> UInt64 {
        matrix.withResidues(prime) { entries in
            NmodMatrix(entries: entries, stride: matrix.columns, rowIndices: rows, columnIndices: columns, prime: prime).determinant
        }
    }

    /// [B | b] mod p as rows of residues in [0, p).
    static func residueRows(_ matrix: IntegerBorderedMatrix, prime: UInt64) -> [[UInt64]] {
        let columns = matrix.columns
        let p = Int64(prime)
        return matrix.withResidues(prime) { entries in
            (0..<matrix.dimension).map { i in
                (0..<columns).map { j in
                    let r = entries[i * columns + j] % p
                    return UInt64(r < 0 ? r + p : r)
                }
            }
        }
    }

    /// The k×k principal minor on the reduction's independent columns R: for a symmetric matrix
    /// the rows R are independent too, so B[R, R] is non-singular mod p. Recomputed by FLINT's
    /// determinant; should it vanish, R is read again from the reduced row echelon form of B.
    static func principalMinor(_ matrix: IntegerBorderedMatrix, reduction: Reduction) throws -> Minor {
        let n = matrix.dimension, p = reduction.prime
        var indices = reduction.pivots.filter { $0 < n }
        if indices.isEmpty { return Minor(prime: p, rows: [], columns: [], determinant: 1) }
        var det = determinant(matrix, prime: p, rows: indices, columns: indices)
        if det == 0 {
            indices = matrix.withResidues(p) { entries in
                NmodMatrix(entries: entries, stride: matrix.columns, rows: n, columns: n, prime: p).reducedEchelonPivotColumns()
            }
            det = determinant(matrix, prime: p, rows: indices, columns: indices)
        }
        guard det != 0 else { throw Failure.minorVanished(prime: p, size: indices.count) }
        return Minor(prime: p, rows: indices, columns: indices, determinant: det)
    }

    /// The (k+1)×(k+1) minor of [B | b] on rows R ∪ {j}, columns R ∪ {n}, at the first coordinate j
    /// where v = b − B[:, R]·B[R, R]⁻¹·b[R] is non-zero mod p: its determinant is det B[R, R]·v_j.
    static func borderedMinor(_ matrix: IntegerBorderedMatrix, reduction: Reduction) throws -> Minor {
        let n = matrix.dimension, p = reduction.prime
        let principal = try principalMinor(matrix, reduction: reduction)
        let r = principal.rows
        let rows = residueRows(matrix, prime: p)
        let block = NmodMatrix(rows: r.count, columns: r.count, prime: p)
        for (a, i) in r.enumerated() { for (b, j) in r.enumerated() { block[a, b] = rows[i][j] } }
        guard let y = block.solve(r.map { rows[$0][n] }) else { throw Failure.minorVanished(prime: p, size: r.count) }
        let inR = Set(r)
        for j in 0..<n where !inR.contains(j) {
            var v = rows[j][n]
            for (t, i) in r.enumerated() { v = (v + NmodMatrix.multiply(p - rows[j][i], y[t], p)) % p }
            guard v != 0 else { continue }
            let minorRows = r + [j], minorColumns = r + [n]
            let det = determinant(matrix, prime: p, rows: minorRows, columns: minorColumns)
            guard det != 0 else { throw Failure.minorVanished(prime: p, size: r.count + 1) }
            return Minor(prime: p, rows: minorRows, columns: minorColumns, determinant: det)
        }
        throw Failure.minorVanished(prime: p, size: r.count + 1)
    }
}
