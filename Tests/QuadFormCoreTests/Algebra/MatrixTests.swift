import Foundation
import Testing
@testable import QuadFormCore

/// The vectorized kernels behind norms and finiteness checks, against plain loops.
@Suite("Vector kernels: norm, max |v_i|, first non-finite entry")
struct VectorKernelTests {
    /// The scaled two-pass norm the fast path replaces, as a reference.
    static func referenceNorm(_ v: [Double]) -> Double {
        let scale = v.reduce(0) { max($0, abs($1)) }
        guard scale > 0 else { return 0 }
        return scale * v.reduce(0) { $0 + ($1 / scale) * ($1 / scale) }.squareRoot()
    }

    @Test("norm agrees with the scaled sum at every length 0…37 and at scales from 1e-300 to 1e300")
    func norms() {
        var rng = SplitMix64(seed: 77)
        for scale in [1e-300, 1e-200, 1e-160, 1e-20, 1, 1e20, 1e160, 1e200, 1e300] {
            for count in 0...37 {
                let v = (0..<count).map { _ in scale * rng.nextGaussian() }
                let expected = Self.referenceNorm(v)
                let norm = Vector.norm(v)
                #expect(abs(norm - expected) <= 4 * Double(count + 1) * .ulpOfOne * expected, "scale \(scale), count \(count)")
                #expect(norm.isFinite)
            }
        }
        // Exact Pythagorean triples at scales where the squares overflow or underflow.
        #expect(Vector.norm([3 * 0x1p600, 4 * 0x1p600]) == 5 * 0x1p600)
        #expect(Vector.norm([3 * 0x1p-600, -4 * 0x1p-600]) == 5 * 0x1p-600)
        #expect(Vector.norm([3 * 0x1p-1070, 4 * 0x1p-1070]) == 5 * 0x1p-1070)
        #expect(Vector.norm([0, 0, 0]) == 0)
        #expect(Vector.norm(Array(repeating: 1e300, count: 16)) == 4e300)
        #expect(Vector.norm([1, .infinity, 2]) == .infinity)
        #expect(Vector.norm([1, .nan, 2]).isNaN)
        #expect(Matrix(rows: 2, columns: 2, entries: [1, 2, 2, 4]).frobeniusNorm == 5)
    }

    @Test("firstNonFinite and maxAbs find NaN and ±∞ in the vector part and the tail")
    func nonFinite() {
        for count in [1, 3, 4, 7, 8, 9, 31, 64, 65] {
            var v = (0..<count).map { Double($0) - 3.5 }
            #expect(Vector.firstNonFinite(v) == nil)
            #expect(v.withUnsafeBufferPointer { Vector.maxAbs($0) } == v.map { abs($0) }.max()!)
            for position in Set([0, count / 2, count - 1]) {
                for bad in [Double.nan, .infinity, -.infinity] {
                    var w = v
                    w[position] = bad
                    w[count - 1 - position] = bad  // a second one (or the same), after or before the first
                    #expect(Vector.firstNonFinite(w) == w.firstIndex { !$0.isFinite }, "count \(count), position \(position), \(bad)")
                    let m = w.withUnsafeBufferPointer { Vector.maxAbs($0) }
                    #expect(bad.isNaN ? m.isNaN : m == .infinity)
                }
            }
            v[0] = -1e308
            #expect(Matrix(rows: 1, columns: count, entries: v).maxAbsEntry == 1e308)
            #expect(Matrix(rows: 1, columns: count, entries: v).absolute.entries == v.map { abs($0) })
        }
    }

    @Test("NaN and ∞ are named where LAPACK would read them, and by synthesis anywhere")
    func located() throws {
        // LAPACK (column-major, uplo = U) reads the row-major lower triangle.
        var entries = [Double](repeating: 1, count: 9 * 9)
        entries[6 * 9 + 4] = .nan
        #expect(throws: LinearAlgebraError.nonFiniteEntry(row: 6, column: 4)) {
            try SymmetricEigendecomposition(symmetric: Matrix(rows: 9, columns: 9, entries: entries), driver: .dsyevd)
        }
        var diagonal = [Double](repeating: 0, count: 9 * 9)
        diagonal[8 * 9 + 8] = -.infinity
        #expect(throws: LinearAlgebraError.nonFiniteEntry(row: 8, column: 8)) {
            try SymmetricEigendecomposition(symmetric: Matrix(rows: 9, columns: 9, entries: diagonal))
        }
        // The other triangle is never read: the decomposition is that of the lower triangle's matrix.
        var upper = Matrix.identity(9)
        upper[4, 6] = .infinity
        let eigen = try SymmetricEigendecomposition(symmetric: upper, driver: .dsyevd)
        #expect(eigen.eigenvalues.allSatisfy { abs($0 - 1) < 1e-15 })
        let form = try QuadraticForm(constant: 0, linear: [0, 0, 0], quadratic: Matrix(rows: 3, columns: 3, entries: [1, 0, 0, 0, 1, .nan, 0, 0, 1]))
        #expect { try Synthesis(form: form) } throws: { "\($0)".contains("quadratic matrix entry (2, 3)") }
    }
}

/// The one BLAS product behind `multiply`: every transpose combination, one column (dgemv) or
/// several (dgemm), whole matrices or a block of rows, against a plain triple loop.
@Suite("Matrix products against a plain loop")
struct MatrixProductTests {
    @Test("op(S)·op(B) for all transposes, 1 or 3 columns, and blocks of rows")
    func products() {
        var rng = SplitMix64(seed: 8)
        func matrix(_ r: Int, _ c: Int) -> Matrix { Matrix(rows: r, columns: c, entries: (0..<(r * c)).map { _ in rng.nextGaussian() }) }
        func naive(_ a: Matrix, _ b: Matrix) -> Matrix {
            var c = Matrix(rows: a.rows, columns: b.columns)
            for i in 0..<a.rows { for j in 0..<b.columns { for l in 0..<a.columns { c[i, j] += a[i, l] * b[l, j] } } }
            return c
        }
        func close(_ x: Matrix, _ y: Matrix) -> Bool {
            x.rows == y.rows && x.columns == y.columns && zip(x.entries, y.entries).allSatisfy { abs($0 - $1) <= 1e-12 * (1 + abs($1)) }
        }
        let self5x4 = matrix(5, 4)
        for n in [1, 3] {
            for (transposeSelf, transposeOther) in [(false, false), (false, true), (true, false), (true, true)] {
                let k = transposeSelf ? 5 : 4
                let other = transposeOther ? matrix(n, k) : matrix(k, n)
                let expected = naive(transposeSelf ? self5x4.transposed : self5x4, transposeOther ? other.transposed : other)
                #expect(close(self5x4.multiply(other, transposeSelf: transposeSelf, transposeOther: transposeOther), expected),
                        "n = \(n), transposeSelf \(transposeSelf), transposeOther \(transposeOther)")
            }
            for transposeOther in [false, true] {
                let other = transposeOther ? matrix(n, 4) : matrix(4, n)
                let block = self5x4.multiply(rows: 1..<4, other, transposeOther: transposeOther)
                #expect(close(block, naive(self5x4.rows(1..<4), transposeOther ? other.transposed : other)), "rows 1..<4, n = \(n)")
            }
        }
        #expect(self5x4.multiply(rows: 2..<2, matrix(4, 3)).rows == 0)
    }
}
