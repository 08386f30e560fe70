import Foundation
import CLapacke

/// A dense real matrix stored row-major (`entries[row * columns + column]`).
///
/// The toolkit's symmetric matrices (A of design.md §1) have the same layout in row- and
/// column-major order, so they go to LAPACKE as they are; products go through CBLAS.
public struct Matrix: Equatable, Sendable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// Row-major entries, `rows * columns` of them.
    public var entries: [Double]

    /// A `rows × columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.entries = Array(repeating: value, count: rows * columns)
    }

    /// A matrix from row-major entries; `entries.count` must equal `rows * columns`.
    public init(rows: Int, columns: Int, entries: [Double]) {
        precondition(entries.count == rows * columns, "entry count does not match the shape")
        self.rows = rows
        self.columns = columns
        self.entries = entries
    }

    /// A matrix from a list of equally long rows (the JSON layout of design.md §6).
    public init(rowArrays: [[Double]], columns: Int? = nil) {
        let width = columns ?? rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == width }, "rows must have equal length")
        self.init(rows: rowArrays.count, columns: width, entries: rowArrays.flatMap { $0 })
    }

    /// The `n × n` identity.
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    /// Entry access by (row, column).
    public subscript(row: Int, column: Int) -> Double {
        get { entries[row * columns + column] }
        set { entries[row * columns + column] = newValue }
    }

    /// Row `i` as an array.
    public func row(_ i: Int) -> [Double] {
        Array(entries[(i * columns)..<((i + 1) * columns)])
    }

    /// The rows in `range`, as a matrix.
    public func rows(_ range: Range<Int>) -> Matrix {
        Matrix(rows: range.count, columns: columns, entries: Array(entries[(range.lowerBound * columns)..<(range.upperBound * columns)]))
    }

    /// The rows as nested arrays (the JSON layout of design.md §6).
    public var rowArrays: [[Double]] { (0..<rows).map { row($0) } }

    /// The transpose.
    public var transposed: Matrix {
        var t = Matrix(rows: columns, columns: rows)
        let (r, c) = (rows, columns)
        entries.withUnsafeBufferPointer { source in
            t.entries.withUnsafeMutableBufferPointer { target in
                // 32 × 32 tiles keep both the rows read and the rows written in cache.
                for ib in stride(from: 0, to: r, by: 32) {
                    for jb in stride(from: 0, to: c, by: 32) {
                        for i in ib..<min(ib + 32, r) {
                            for j in jb..<min(jb + 32, c) { target[j * r + i] = source[i * c + j] }
                        }
                    }
                }
            }
        }
        return t
    }

    /// Whether the matrix is square and equal to its transpose, entry for entry.
    public var isSymmetric: Bool {
        guard rows == columns else { return false }
        let n = rows
        return entries.withUnsafeBufferPointer { m in
            for ib in stride(from: 0, to: n, by: 32) {
                for jb in stride(from: ib, to: n, by: 32) {
                    for i in ib..<min(ib + 32, n) {
                        for j in max(jb, i + 1)..<min(jb + 32, n) where m[i * n + j] != m[j * n + i] { return false }
                    }
                }
            }
            return true
        }
    }

    /// The symmetric part `(M + Mᵀ)/2` of a square matrix (design.md §1). A symmetric matrix is
    /// returned as it is, sharing its storage (no n² copy).
    public var symmetricPart: Matrix {
        precondition(rows == columns, "symmetric part needs a square matrix")
        if isSymmetric { return self }
        let n = rows
        var s = self
        entries.withUnsafeBufferPointer { m in
            s.entries.withUnsafeMutableBufferPointer { target in
                for ib in stride(from: 0, to: n, by: 32) {
                    for jb in stride(from: ib, to: n, by: 32) {
                        for i in ib..<min(ib + 32, n) {
                            for j in max(jb, i + 1)..<min(jb + 32, n) {
                                let v = 0.5 * m[i * n + j] + 0.5 * m[j * n + i]  // one rounding, and no overflow of the sum
                                target[i * n + j] = v
                                target[j * n + i] = v
                            }
                        }
                    }
                }
            }
        }
        return s
    }

    /// The Frobenius norm `sqrt(Σ m_ij²)`.
    public var frobeniusNorm: Double { Vector.norm(entries) }

    /// The largest absolute entry.
    public var maxAbsEntry: Double { entries.withUnsafeBufferPointer { Vector.maxAbs($0) } }

    /// Whether every entry is finite.
    public var isFinite: Bool { Vector.firstNonFinite(entries) == nil }

    /// The entrywise absolute values |M| (they scale the rounding error of products with M).
    public var absolute: Matrix {
        Matrix(rows: rows, columns: columns, entries: [Double](unsafeUninitializedCapacity: entries.count) { target, initialized in
            entries.withUnsafeBufferPointer { source in
                for i in 0..<source.count { target[i] = abs(source[i]) }
            }
            initialized = entries.count
        })
    }

    /// `self · x` through CBLAS `dgemv`.
    public func multiply(_ x: [Double]) -> [Double] {
        precondition(x.count == columns, "vector length does not match the matrix")
        return multiply(Matrix(rows: columns, columns: 1, entries: x)).entries
    }

    /// `selfᵀ · x` through CBLAS `dgemv`.
    public func multiplyTransposed(_ x: [Double]) -> [Double] {
        precondition(x.count == rows, "vector length does not match the matrix")
        return multiply(Matrix(rows: rows, columns: 1, entries: x), transposeSelf: true).entries
    }

    /// `self[rows] · op(other)`: the product of the rows `rows` of self, read in place, with
    /// `other` or its transpose (CBLAS `dgemm`, `dgemv` for one column).
    public func multiply(rows range: Range<Int>, _ other: Matrix, transposeOther: Bool = false) -> Matrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "row range outside the matrix")
        return product(firstRow: range.lowerBound, rowCount: range.count, other, transposeSelf: false, transposeOther: transposeOther)
    }

    /// `op(self) · op(other)` through CBLAS `dgemm` (`dgemv` for one column), where op transposes
    /// when asked.
    public func multiply(_ other: Matrix, transposeSelf: Bool = false, transposeOther: Bool = false) -> Matrix {
        product(firstRow: 0, rowCount: rows, other, transposeSelf: transposeSelf, transposeOther: transposeOther)
    }

    /// `op(S) · op(other)` for the block S of `rowCount` rows of self from `firstRow`, read in place.
    private func product(firstRow: Int, rowCount: Int, _ other: Matrix, transposeSelf: Bool, transposeOther: Bool) -> Matrix {
        let m = transposeSelf ? columns : rowCount
        let k = transposeSelf ? rowCount : columns
        let k2 = transposeOther ? other.columns : other.rows
        let n = transposeOther ? other.rows : other.columns
        precondition(k == k2, "inner dimensions do not match")
        guard m > 0, n > 0, k > 0 else { return Matrix(rows: m, columns: n) }
        // With β = 0, dgemm writes every entry of C without reading it: no zero fill needed.
        var c = n == 1 ? Matrix(rows: m, columns: 1) : Matrix(rows: m, columns: n, entries: .largeUninitialized(count: m * n) { _ in })
        entries.withUnsafeBufferPointer { all in
            let a = all.baseAddress! + firstRow * columns
            other.entries.withUnsafeBufferPointer { b in
                c.entries.withUnsafeMutableBufferPointer { cp in
                    if n == 1 {
                        // One column (a network's output or skip): dgemv reads op(S) once, where
                        // dgemm would first pack a copy of it. `other` holds the k numbers in a row.
                        cblas_dgemv(CblasRowMajor, transposeSelf ? CblasTrans : CblasNoTrans, Int32(rowCount), Int32(columns), 1.0,
                                    a, Int32(columns), b.baseAddress, 1, 0.0, cp.baseAddress, 1)
                    } else {
                        cblas_dgemm(CblasRowMajor, transposeSelf ? CblasTrans : CblasNoTrans, transposeOther ? CblasTrans : CblasNoTrans,
                                    Int32(m), Int32(n), Int32(k), 1.0, a, Int32(columns),
                                    b.baseAddress, Int32(other.columns), 0.0, cp.baseAddress, Int32(n))
                    }
                }
            }
        }
        return c
    }
}

/// Small vector helpers used by the formulas of design.md §2 and §5.
public enum Vector {
    /// The Euclidean norm, without overflow or underflow: the plain sum of squares (in SIMD
    /// lanes) where it is representable, the sum scaled by max|v_i| where it is not.
    public static func norm(_ v: [Double]) -> Double {
        v.withUnsafeBufferPointer { norm($0) }
    }

    /// `norm(_:)` of the numbers in `v`.
    static func norm(_ v: UnsafeBufferPointer<Double>) -> Double {
        let squares = sumOfSquares(v, scale: 1)
        // Above 2^-900 a square lost to underflow (< 2^-1022 each) is below the sum's last bit.
        if squares.isFinite && squares >= 0x1p-900 { return squares.squareRoot() }
        let largest = maxAbs(v)
        guard largest > 0, largest.isFinite else { return largest }
        // Scaling by a power of two is exact, so the result is as accurate as the plain sum.
        let scale = Double(sign: .plus, exponent: largest.exponent, significand: 1)
        let inverse = Double(sign: .plus, exponent: -largest.exponent, significand: 1)
        if inverse.isFinite { return scale * sumOfSquares(v, scale: inverse).squareRoot() }
        var s = 0.0
        for x in v { let y = x / scale; s += y * y }
        return scale * s.squareRoot()
    }

    /// `Σ (scale · v_i)²`, summed in eight lanes (so the loop vectorizes).
    static func sumOfSquares(_ v: UnsafeBufferPointer<Double>, scale: Double) -> Double {
        var low = SIMD4<Double>(repeating: 0), high = SIMD4<Double>(repeating: 0)
        let count = v.count, blocks = count / 8
        guard let base = v.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        for b in 0..<blocks {
            let x = raw.loadUnaligned(fromByteOffset: b * 64, as: SIMD4<Double>.self) * scale
            let y = raw.loadUnaligned(fromByteOffset: b * 64 + 32, as: SIMD4<Double>.self) * scale
            low += x * x
            high += y * y
        }
        var s = (low + high).sum()
        for i in (blocks * 8)..<count { let y = v[i] * scale; s += y * y }
        return s
    }

    /// max |v_i| (0 for no numbers); when an entry is not finite, ∞ or NaN after the first
    /// such entry.
    static func maxAbs(_ v: UnsafeBufferPointer<Double>) -> Double {
        if let i = firstNonFinite(v) { return v[i].isNaN ? .nan : .infinity }
        var m = SIMD4<Double>(repeating: 0)
        let count = v.count, blocks = count / 4
        guard let base = v.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        for b in 0..<blocks {
            let x = raw.loadUnaligned(fromByteOffset: b * 32, as: SIMD4<Double>.self)
            m = pointwiseMax(m, pointwiseMax(x, -x))
        }
        var result = m.max()
        for i in (blocks * 4)..<count { result = Swift.max(result, abs(v[i])) }
        return result
    }

    /// The index of the first NaN or infinity in `v`, nil when all are finite: one vectorized
    /// pass (x · 0 is 0 for finite x and NaN otherwise), then a scan only when one was seen.
    static func firstNonFinite(_ v: UnsafeBufferPointer<Double>) -> Int? {
        var probe = SIMD4<Double>(repeating: 0)
        let count = v.count, blocks = count / 4
        guard let base = v.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        for b in 0..<blocks { probe += raw.loadUnaligned(fromByteOffset: b * 32, as: SIMD4<Double>.self) * 0 }
        var tail = 0.0
        for i in (blocks * 4)..<count { tail += v[i] * 0 }
        guard probe.sum().isNaN || tail.isNaN else { return nil }
        return v.firstIndex { !$0.isFinite }
    }

    /// The index of the first NaN or infinity in `v`, nil when all are finite.
    public static func firstNonFinite(_ v: [Double]) -> Int? {
        v.withUnsafeBufferPointer { firstNonFinite($0) }
    }

    /// The dot product `uᵀv`.
    public static func dot(_ u: [Double], _ v: [Double]) -> Double {
        precondition(u.count == v.count, "vector lengths differ")
        var s = 0.0
        for i in 0..<u.count { s += u[i] * v[i] }
        return s
    }

    /// `Σ |u_i v_i|`, the magnitude that bounds the rounding error of `dot(u, v)`.
    public static func absDot(_ u: [Double], _ v: [Double]) -> Double {
        var s = 0.0
        for i in 0..<u.count { s += abs(u[i] * v[i]) }
        return s
    }
}

extension Array where Element == Double {
    /// `count` doubles written by `fill`, without a zero fill first. Storage of 4 MiB or more is
    /// advised to use transparent huge pages (`madvise(MADV_HUGEPAGE)`, as NumPy does), so that
    /// first touching it costs one page fault per 2 MiB instead of one per 4 KiB.
    static func largeUninitialized(count: Int, _ fill: (UnsafeMutableBufferPointer<Double>) -> Void) -> [Double] {
        [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count * MemoryLayout<Double>.stride >= 4 << 20, let base = buffer.baseAddress {
                let page = 4096
                let start = (Int(bitPattern: base) + page - 1) / page * page
                let end = (Int(bitPattern: base) + count * MemoryLayout<Double>.stride) / page * page
                if end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) {
                    _ = madvise(pointer, end - start, 14)  // MADV_HUGEPAGE; advice only, failure is harmless
                }
            }
            fill(buffer)
            initialized = count
        }
    }
}
