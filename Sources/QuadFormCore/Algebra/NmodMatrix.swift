import CFLINT

/// A dense matrix modulo a word-size prime on FLINT's `nmod_mat` (libflint-dev): the elimination
/// of the multimodular certificate (design.md §4, "Multimodular certificates"). FLINT's LU is
/// blocked with delayed reduction and measured 4–7× faster than the hand-written `ModularRank`
/// loop at n ≥ 300 (docs/performance.md), so each prime of the certificate costs one call here.
/// Primes up to 2⁶² (FLINT's word-size moduli).
final class NmodMatrix {
    /// The FLINT matrix (owned).
    private var storage = nmod_mat_struct()
    /// Number of rows.
    let rows: Int
    /// Number of columns.
    let columns: Int
    /// The prime.
    let prime: UInt64

    /// The `rows × columns` zero matrix modulo `prime`.
    init(rows: Int, columns: Int, prime: UInt64) {
        self.rows = rows
        self.columns = columns
        self.prime = prime
        qf_nmod_mat_init(&storage, rows, columns, UInt(prime))
    }

    deinit { qf_nmod_mat_clear(&storage) }

    /// The residues of row-major Int64 entries (`stride` per row) on the first rows and columns.
    convenience init(entries: UnsafePointer<Int64>, stride: Int, rows: Int, columns: Int, prime: UInt64) {
        self.init(rows: rows, columns: columns, prime: prime)
        qf_nmod_mat_set_int64(&storage, entries, stride)
    }

    /// The residues of the submatrix of row-major Int64 entries on `rowIndices` × `columnIndices`.
    convenience init(entries: UnsafePointer<Int64>, stride: Int, rowIndices: [Int], columnIndices: [Int], prime: UInt64) {
        self.init(rows: rowIndices.count, columns: columnIndices.count, prime: prime)
        rowIndices.withUnsafeBufferPointer { r in
            columnIndices.withUnsafeBufferPointer { c in
                qf_nmod_mat_set_int64_indexed(&storage, entries, stride, r.baseAddress, c.baseAddress)
            }
        }
    }

    /// Entry (i, j).
    subscript(i: Int, j: Int) -> UInt64 {
        get { UInt64(qf_nmod_mat_get(&storage, i, j)) }
        set { qf_nmod_mat_set(&storage, i, j, UInt(newValue)) }
    }

    /// Reduces the matrix in place to FLINT's packed LU and returns the pivot columns of its row
    /// echelon form U: the first maximal set of independent columns, in order (their count is the
    /// rank mod p). The matrix holds L and U afterwards.
    func echelonPivotColumns() -> [Int] {
        guard rows > 0, columns > 0 else { return [] }
        var pivots = [Int](repeating: 0, count: min(rows, columns))
        let rank = pivots.withUnsafeMutableBufferPointer { qf_nmod_mat_echelon_pivots(&storage, $0.baseAddress) }
        return Array(pivots.prefix(rank))
    }

    /// The pivot columns of the reduced row echelon form (FLINT's `nmod_mat_rref`; the matrix is
    /// overwritten): the same columns as `echelonPivotColumns()`, read from an unambiguous form.
    func reducedEchelonPivotColumns() -> [Int] {
        guard rows > 0, columns > 0 else { return [] }
        var pivots = [Int](repeating: 0, count: min(rows, columns))
        let rank = pivots.withUnsafeMutableBufferPointer { qf_nmod_mat_rref_pivots(&storage, $0.baseAddress) }
        return Array(pivots.prefix(rank))
    }

    /// det mod p (square matrices).
    var determinant: UInt64 {
        rows == 0 ? 1 : UInt64(qf_nmod_mat_det(&storage))
    }

    /// The solution x of M x = b mod p for square non-singular M, nil when M is singular mod p.
    func solve(_ b: [UInt64]) -> [UInt64]? {
        guard rows > 0 else { return [] }
        var x = [UInt](repeating: 0, count: rows)
        let rhs = b.map { UInt($0) }
        let ok = x.withUnsafeMutableBufferPointer { xp in
            rhs.withUnsafeBufferPointer { qf_nmod_mat_solve_vec(xp.baseAddress, &storage, $0.baseAddress) }
        }
        return ok != 0 ? x.map { UInt64($0) } : nil
    }

    /// The `index`-th prime of the sequence for `seed`: the least prime above a random number in
    /// [2⁶¹, 2⁶²) (FLINT's `n_nextprime`, proved), deterministic for a given seed. FLINT's
    /// elimination costs per bit of modulus 1.6× less with primes below 2⁶² than with 31-bit ones
    /// (docs/performance.md).
    static func prime(seed: UInt64, index: Int) -> UInt64 {
        var generator = SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(index + 1))
        while true {
            let start = (UInt64(1) << 61) | (generator.next() >> 3)
            let p = UInt64(qf_n_nextprime(UInt(start)))
            if p < UInt64(1) << 62 { return p }
        }
    }

    /// Whether n is prime (FLINT's `n_is_prime`, deterministic on 64 bits).
    static func isPrime(_ n: UInt64) -> Bool { qf_n_is_prime(UInt(n)) != 0 }

    /// a·b mod p for residues a, b < p < 2⁶³.
    @inline(__always) static func multiply(_ a: UInt64, _ b: UInt64, _ p: UInt64) -> UInt64 {
        p.dividingFullWidth(a.multipliedFullWidth(by: b)).remainder
    }

    /// The FLINT version linked ("2.9.0"), for reports.
    static var flintVersion: String { String(cString: qf_flint_version()) }
}
