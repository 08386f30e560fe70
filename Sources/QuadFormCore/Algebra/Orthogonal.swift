import Foundation
import CLapacke

/// Orthogonal matrices from LAPACK's Householder QR (`dgeqrf` + `dorgqr`).
public enum Orthogonal {
    /// The Q factor of the QR decomposition of the `n × n` matrix `g` (row-major), as a row-major
    /// matrix whose columns are orthonormal. With Gaussian `g` this is a random orthogonal matrix.
    public static func qFactor(of g: Matrix) throws -> Matrix {
        precondition(g.rows == g.columns, "qFactor needs a square matrix")
        let n = g.rows
        guard n > 0 else { return g }
        var colMajor = g.transposed.entries
        var tau = [Double](repeating: 0, count: n)
        var info = LAPACKE_dgeqrf(LAPACK_COL_MAJOR, Int32(n), Int32(n), &colMajor, Int32(n), &tau)
        if info != 0 { throw LinearAlgebraError.illegalArgument(routine: "dgeqrf", argument: Int(-info)) }
        info = LAPACKE_dorgqr(LAPACK_COL_MAJOR, Int32(n), Int32(n), Int32(n), &colMajor, Int32(n), &tau)
        if info != 0 { throw LinearAlgebraError.illegalArgument(routine: "dorgqr", argument: Int(-info)) }
        return Matrix(rows: n, columns: n, entries: colMajor).transposed
    }
}

