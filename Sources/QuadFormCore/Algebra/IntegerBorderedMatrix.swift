import BigInt
import CGMP

/// The bordered integer matrix [B | b] = s·[A | a] of a form (n × (n + 1), s the least common
/// denominator of A's and a's entries): what the multimodular certificate of design.md §4
/// ("Multimodular certificates") reduces modulo primes. rank B = rank A and b ∈ range(B) exactly
/// when a ∈ range(A), so the neuron counts of §3 are read from it. Entries are kept as Int64 when
/// they all fit (the usual case, reduced mod p by FLINT in one C loop), else as GMP integers.
package struct IntegerBorderedMatrix: @unchecked Sendable {
    /// n.
    package let dimension: Int
    /// Row-major n × (n + 1) entries when every one fits in an Int64, else nil.
    let small: [Int64]?
    /// The same entries as GMP integers when some do not fit, else nil.
    let large: IntegerMatrix?
    /// s, the common denominator the form was multiplied by.
    package let scale: BigInt

    /// Columns: n of B, then b.
    var columns: Int { dimension + 1 }

    /// [B | b] for the symmetric matrix `a` and linear term `linear` (exact, any rationals).
    package init(symmetric a: RationalMatrix, linear: [Rational]) {
        let n = linear.count
        dimension = n
        var integral = true
        for x in a.entries where x.denominator != 1 { integral = false; break }
        if integral { for x in linear where x.denominator != 1 { integral = false; break } }
        if integral {
            var entries = [Int64](repeating: 0, count: n * (n + 1))
            var fits = true
            for i in 0..<n where fits {
                for j in 0..<n {
                    guard let v = Int64(exactly: a[i, j].numerator) else { fits = false; break }
                    entries[i * (n + 1) + j] = v
                }
                guard let v = Int64(exactly: linear[i].numerator) else { fits = false; break }
                entries[i * (n + 1) + n] = v
            }
            if fits {
                small = entries
                large = nil
                scale = 1
                return
            }
        }
        var values: [Rational] = []
        values.reserveCapacity(n * (n + 1))
        for i in 0..<n {
            for j in 0..<n { values.append(a[i, j]) }
            values.append(linear[i])
        }
        let (numerators, denominator) = GMP.commonDenominator(values)
        scale = GMP.bigInt(denominator[0])
        let matrix = IntegerMatrix(rows: n, columns: n + 1)
        var entries = [Int64](repeating: 0, count: n * (n + 1))
        var fits = true
        for index in 0..<(n * (n + 1)) {
            qf_mpz_swap(matrix[index], numerators[index])
            if fits {
                if let v = Int64(exactly: GMP.bigInt(matrix[index])) { entries[index] = v } else { fits = false }
            }
        }
        small = fits ? entries : nil
        large = fits ? nil : matrix
    }

    /// The entries reduced into [0, p) as Int64 (the form FLINT's fill reads), row-major
    /// n × (n + 1): the stored entries themselves when small (FLINT reduces them), else the GMP
    /// entries reduced one by one.
    func withResidues<T>(_ p: UInt64, _ body: (UnsafePointer<Int64>) -> T) -> T {
        if let small { return small.withUnsafeBufferPointer { body($0.baseAddress!) } }
        var residues = [Int64](repeating: 0, count: dimension * columns)
        if let large {
            for index in 0..<residues.count { residues[index] = Int64(qf_mpz_fdiv_ui(large[index], UInt(p))) }
        }
        return residues.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// Entry (i, j) as a BigInt (j = n is b).
    package func entry(_ i: Int, _ j: Int) -> BigInt {
        if let small { return BigInt(small[i * columns + j]) }
        if let large { return GMP.bigInt(large[i, j]) }
        return 0
    }

    /// The squared Euclidean norms of B's columns (= its rows, B symmetric), of b, and of the rows
    /// of [B | b], exactly (GMP integers as BigInt).
    package func squaredNorms() -> (matrixColumns: [BigInt], border: BigInt, borderedRows: [BigInt]) {
        let n = dimension
        let sums = IntegerMatrix(rows: 1, columns: n + 1)
        let rowSums = IntegerMatrix(rows: 1, columns: n)
        let t = IntegerMatrix(rows: 1, columns: 1)
        for i in 0..<n {
            for j in 0...n {
                if let small { qf_mpz_set_si(t[0], Int(small[i * columns + j])) } else if let large { qf_mpz_set(t[0], large[i, j]) }
                qf_mpz_addmul(sums[j], t[0], t[0])
                qf_mpz_addmul(rowSums[i], t[0], t[0])
            }
        }
        return ((0..<n).map { GMP.bigInt(sums[$0]) }, GMP.bigInt(sums[n]), (0..<n).map { GMP.bigInt(rowSums[$0]) })
    }

    /// H², the square of Hadamard's bound on every t×t minor of B (`bordered` false) or of [B | b]
    /// (`bordered` true): |det M| ≤ Π ‖columns of M‖ ≤ the product of the t largest column norms
    /// of the whole matrix, and likewise for rows; the smaller of the two products. Exact integers,
    /// so the comparison with a product of primes is exact too.
    package func hadamardSquare(size t: Int, bordered: Bool) -> BigInt {
        hadamardSquare(size: t, bordered: bordered, norms: squaredNorms())
    }

    /// `hadamardSquare(size:bordered:)` from norms computed once (`squaredNorms()`).
    func hadamardSquare(size t: Int, bordered: Bool, norms: (matrixColumns: [BigInt], border: BigInt, borderedRows: [BigInt])) -> BigInt {
        func product(_ values: [BigInt]) -> BigInt {
            values.sorted(by: >).prefix(t).reduce(BigInt(1), *)
        }
        if !bordered { return product(norms.matrixColumns) }
        return min(product(norms.matrixColumns + [norms.border]), product(norms.borderedRows))
    }
}
