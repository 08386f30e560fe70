import Foundation
import CLapacke

/// The eigenvalues and right eigenvectors of a general (non-symmetric) real square matrix from
/// LAPACKE `dgeev`, and the solution of `A X = B` from `dgesv`: what the congruence basis of a
/// shared hidden layer needs (design.md §9), the eigenvectors of C⁻¹D for a pencil (C, D).
public struct GeneralEigendecomposition: Sendable {
    /// Real parts of the eigenvalues (in LAPACK's order).
    public let real: [Double]
    /// Imaginary parts (0 for a real eigenvalue; a complex pair is consecutive).
    public let imaginary: [Double]
    /// Row-major n × n: column j is the right eigenvector of eigenvalue j (unit 2-norm) when it
    /// is real; for a complex pair, columns j and j + 1 are its real and imaginary parts.
    public let vectors: Matrix

    /// Decomposes the square matrix `a` (row-major).
    public init(_ a: Matrix) throws {
        precondition(a.rows == a.columns, "eigendecomposition needs a square matrix")
        let n = a.rows
        if let index = Vector.firstNonFinite(a.entries) { throw LinearAlgebraError.nonFiniteEntry(row: index / max(n, 1), column: index % max(n, 1)) }
        guard n > 0 else {
            real = []; imaginary = []; vectors = a
            return
        }
        guard n <= SymmetricEigendecomposition.maximumOrder else { throw LinearAlgebraError.tooLarge(n: n) }
        var colMajor = a.transposed.entries
        var wr = [Double](repeating: 0, count: n), wi = [Double](repeating: 0, count: n)
        var vl = [Double](repeating: 0, count: 1), vr = [Double](repeating: 0, count: n * n)
        let info = LAPACKE_dgeev(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "V")), Int32(n), &colMajor, Int32(n),
                                 &wr, &wi, &vl, 1, &vr, Int32(n))
        if info < 0 { throw LinearAlgebraError.illegalArgument(routine: "dgeev", argument: Int(-info)) }
        if info > 0 { throw LinearAlgebraError.noConvergence(routine: "dgeev", info: Int(info)) }
        real = wr
        imaginary = wi
        vectors = Matrix(rows: n, columns: n, entries: vr).transposed
    }

    /// X with `a X = b` (a square, b with as many rows), by LU with partial pivoting; nil when a
    /// is exactly singular.
    public static func solve(_ a: Matrix, _ b: Matrix) throws -> Matrix? {
        precondition(a.rows == a.columns && b.rows == a.rows, "solve needs a square matrix and a matching right-hand side")
        let n = a.rows
        guard n > 0, b.columns > 0 else { return Matrix(rows: n, columns: b.columns) }
        var lu = a.transposed.entries, x = b.transposed.entries
        var pivots = [Int32](repeating: 0, count: n)
        let info = LAPACKE_dgesv(LAPACK_COL_MAJOR, Int32(n), Int32(b.columns), &lu, Int32(n), &pivots, &x, Int32(n))
        if info < 0 { throw LinearAlgebraError.illegalArgument(routine: "dgesv", argument: Int(-info)) }
        if info > 0 { return nil }
        return Matrix(rows: b.columns, columns: n, entries: x).transposed
    }
}
