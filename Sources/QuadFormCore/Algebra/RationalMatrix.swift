import CGMP

/// A dense matrix of exact rationals, row-major: the linear algebra of exact synthesis
/// (design.md §4) — products, the projector `P = L(LᵀL)⁻¹Lᵀ`, ranks and determinants with no
/// rounding. Meant for small n (the arithmetic is BigInt).
public struct RationalMatrix: Equatable, Hashable, Sendable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// Entries, row-major.
    public var entries: [Rational]

    /// The `rows × columns` zero matrix.
    public init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        entries = [Rational](repeating: .zero, count: rows * columns)
    }

    /// A matrix from its rows; every row must have `columns` entries (the length of row 0 when nil).
    public init(rowArrays: [[Rational]], columns: Int? = nil) {
        let width = columns ?? rowArrays.first?.count ?? 0
        self.rows = rowArrays.count
        self.columns = width
        entries = rowArrays.flatMap { $0 }
    }

    /// A matrix whose columns are `vectors` (each of length `length`).
    public init(columnVectors vectors: [[Rational]], length: Int) {
        var m = RationalMatrix(rows: length, columns: vectors.count)
        for (j, v) in vectors.enumerated() { for i in 0..<length { m[i, j] = v[i] } }
        self = m
    }

    /// The n×n identity.
    public static func identity(_ n: Int) -> RationalMatrix {
        var m = RationalMatrix(rows: n, columns: n)
        for i in 0..<n { m[i, i] = .one }
        return m
    }

    /// Entry (row, column), 0-based.
    public subscript(row: Int, column: Int) -> Rational {
        get { entries[row * columns + column] }
        set { entries[row * columns + column] = newValue }
    }

    /// Row i.
    public func row(_ i: Int) -> [Rational] { Array(entries[(i * columns)..<((i + 1) * columns)]) }

    /// Column j.
    public func column(_ j: Int) -> [Rational] { (0..<rows).map { self[$0, j] } }

    /// All rows.
    public var rowArrays: [[Rational]] { (0..<rows).map(row) }

    /// The transpose.
    public var transposed: RationalMatrix {
        var t = RationalMatrix(rows: columns, columns: rows)
        for i in 0..<rows { for j in 0..<columns { t[j, i] = self[i, j] } }
        return t
    }

    /// `(M + Mᵀ)/2` of a square matrix.
    public var symmetricPart: RationalMatrix {
        var s = self
        let half = Rational(1, 2)
        for i in 0..<rows {
            for j in (i + 1)..<max(i + 1, columns) where self[i, j] != self[j, i] {
                s[i, j] = (self[i, j] + self[j, i]) * half
                s[j, i] = s[i, j]
            }
        }
        return s
    }

    /// Whether every entry is zero.
    public var isZero: Bool { entries.allSatisfy(\.isZero) }

    /// The product `self · other`.
    public func multiply(_ other: RationalMatrix) -> RationalMatrix {
        var p = RationalMatrix(rows: rows, columns: other.columns)
        for i in 0..<rows {
            for l in 0..<columns {
                let a = self[i, l]
                if a.isZero { continue }
                for j in 0..<other.columns where !other[l, j].isZero { p[i, j] = p[i, j] + a * other[l, j] }
            }
        }
        return p
    }

    /// The product `self · x`.
    public func multiply(_ x: [Rational]) -> [Rational] {
        (0..<rows).map { i in RationalVector.dot(row(i), x) }
    }

    /// The nearest floating-point matrix.
    public var doubleMatrix: Matrix { Matrix(rows: rows, columns: columns, entries: entries.map(\.doubleValue)) }

    /// The reduced row echelon form and its pivot columns (Gauss–Jordan, exact).
    public var reducedRowEchelon: (matrix: RationalMatrix, pivotColumns: [Int]) {
        var m = self
        var pivots: [Int] = []
        var r = 0
        for c in 0..<columns where r < rows {
            guard let p = (r..<rows).first(where: { !m[$0, c].isZero }) else { continue }
            if p != r { for j in 0..<columns { let t = m[r, j]; m[r, j] = m[p, j]; m[p, j] = t } }
            let inverse = Rational.one / m[r, c]
            for j in c..<columns { m[r, j] = m[r, j] * inverse }
            for i in 0..<rows where i != r && !m[i, c].isZero {
                let factor = m[i, c]
                for j in c..<columns { m[i, j] = m[i, j] - factor * m[r, j] }
            }
            pivots.append(c)
            r += 1
        }
        return (m, pivots)
    }

    /// The rank (number of pivots of Gaussian elimination; exact).
    public var rank: Int { reducedRowEchelon.pivotColumns.count }

    /// The determinant of a square matrix (exact elimination).
    public var determinant: Rational {
        precondition(rows == columns, "determinant of a non-square matrix")
        var m = self
        var det = Rational.one
        for c in 0..<columns {
            guard let p = (c..<rows).first(where: { !m[$0, c].isZero }) else { return .zero }
            if p != c {
                for j in 0..<columns { let t = m[c, j]; m[c, j] = m[p, j]; m[p, j] = t }
                det = -det
            }
            det = det * m[c, c]
            let inverse = Rational.one / m[c, c]
            for i in (c + 1)..<max(c + 1, rows) where !m[i, c].isZero {
                let factor = m[i, c] * inverse
                for j in c..<columns { m[i, j] = m[i, j] - factor * m[c, j] }
            }
        }
        return det
    }

    /// The inverse of a square matrix, or nil when it is singular.
    public var inverse: RationalMatrix? {
        precondition(rows == columns, "inverse of a non-square matrix")
        let n = rows
        var augmented = RationalMatrix(rows: n, columns: 2 * n)
        for i in 0..<n {
            for j in 0..<n { augmented[i, j] = self[i, j] }
            augmented[i, n + i] = .one
        }
        let (reduced, pivots) = augmented.reducedRowEchelon
        guard pivots.count >= n, pivots.prefix(n) == ArraySlice(0..<n) else { return nil }
        var result = RationalMatrix(rows: n, columns: n)
        for i in 0..<n { for j in 0..<n { result[i, j] = reduced[i, n + j] } }
        return result
    }

    /// The principal submatrix on `indices` (rows and columns).
    public func principalSubmatrix(_ indices: [Int]) -> RationalMatrix {
        RationalMatrix(rowArrays: indices.map { i in indices.map { j in self[i, j] } }, columns: indices.count)
    }
}

/// Exact vector helpers for design.md §4.
public enum RationalVector {
    /// `uᵀv`: on GMP integers over one common denominator per vector, so a long dot product of
    /// big fractions takes one gcd, not one per term.
    public static func dot(_ u: [Rational], _ v: [Rational]) -> Rational {
        let pairs = zip(u, v).filter { !$0.0.isZero && !$0.1.isZero }
        if pairs.count <= 2 { return pairs.reduce(Rational.zero) { $0 + $1.0 * $1.1 } }
        let (x, dx) = GMP.commonDenominator(pairs.map(\.0))
        let (y, dy) = GMP.commonDenominator(pairs.map(\.1))
        let t = IntegerMatrix(rows: 1, columns: 2)
        for i in 0..<pairs.count { qf_mpz_addmul(t[0], x[i], y[i]) }
        qf_mpz_mul(t[1], dx[0], dy[0])
        return GMP.rational(t[0], t[1])
    }

    /// `u + s·v`, each entry over the common denominator of both vectors (GMP).
    public static func adding(_ u: [Rational], _ v: [Rational], scaledBy s: Rational = .one) -> [Rational] {
        let n = min(u.count, v.count)
        if n <= 2 || s.isZero { return zip(u, v).map { $0 + s * $1 } }
        let (x, dx) = GMP.commonDenominator(Array(u.prefix(n)))
        let (y, dy) = GMP.commonDenominator(Array(v.prefix(n)))
        let t = IntegerMatrix(rows: 1, columns: 5)
        GMP.set(t[0], s.numerator)
        qf_mpz_mul(t[1], dx[0], dy[0])
        GMP.set(t[2], s.denominator)
        qf_mpz_mul(t[1], t[1], t[2])  // common denominator dx·dy·s_den
        qf_mpz_mul(t[3], dy[0], t[2])  // multiplies u's numerators
        qf_mpz_mul(t[4], dx[0], t[0])  // multiplies v's numerators
        return (0..<n).map { i in
            qf_mpz_mul(t[0], x[i], t[3])
            qf_mpz_addmul(t[0], y[i], t[4])
            return qf_mpz_sgn(t[0]) == 0 ? .zero : GMP.rational(t[0], t[1])
        }
    }

    /// The zero vector of length n.
    public static func zero(_ n: Int) -> [Rational] { [Rational](repeating: .zero, count: n) }
}
