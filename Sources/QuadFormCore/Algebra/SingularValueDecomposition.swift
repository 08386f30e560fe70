import Foundation
import CLapacke

/// The thin singular value decomposition `Y = U Σ Vᵀ` of an r × c matrix from LAPACKE `dgesvd`
/// (design.md §9): the singular values, descending, and optionally the left singular vectors
/// (the first min(r, c) columns of U). The numerical rank of Y and an orthonormal basis of its
/// column space come from them, with a tolerance scaled as design.md §5 scales rank tolerances.
public struct SingularValueDecomposition: Sendable {
    /// σ_1 ≥ σ_2 ≥ … ≥ σ_min(r,c) ≥ 0.
    public let values: [Double]
    /// U's first min(r, c) columns, row-major r × min(r, c) (an empty 0 × 0 matrix unless asked for).
    public let leftVectors: Matrix

    /// Decomposes `y` (row-major); `leftVectors` computes U's columns too. Non-finite entries are
    /// refused naming the entry; LAPACK's non-convergence is a `LinearAlgebraError`.
    public init(_ y: Matrix, leftVectors wanted: Bool = false) throws {
        let r = y.rows, c = y.columns, p = min(r, c)
        if let index = Vector.firstNonFinite(y.entries) {
            throw LinearAlgebraError.nonFiniteEntry(row: index / max(c, 1), column: index % max(c, 1))
        }
        guard p > 0 else {
            values = []
            leftVectors = Matrix(rows: wanted ? r : 0, columns: 0)
            return
        }
        guard r <= Int(Int32.max) / max(c, 1) else { throw LinearAlgebraError.tooLarge(n: max(r, c)) }
        var colMajor = y.transposed.entries
        var s = [Double](repeating: 0, count: p)
        var u = [Double](repeating: 0, count: wanted ? r * p : 1)
        var vt = [Double](repeating: 0, count: 1)
        var superb = [Double](repeating: 0, count: max(p - 1, 1))
        let jobu = CChar(UInt8(ascii: wanted ? "S" : "N")), jobvt = CChar(UInt8(ascii: "N"))
        let info = LAPACKE_dgesvd(LAPACK_COL_MAJOR, jobu, jobvt, Int32(r), Int32(c), &colMajor, Int32(r), &s,
                                  &u, Int32(wanted ? r : 1), &vt, 1, &superb)
        if info < 0 { throw LinearAlgebraError.illegalArgument(routine: "dgesvd", argument: Int(-info)) }
        if info > 0 { throw LinearAlgebraError.noConvergence(routine: "dgesvd", info: Int(info)) }
        values = s
        // Column-major r × p is the row-major p × r transpose.
        leftVectors = wanted ? Matrix(rows: p, columns: r, entries: u).transposed : Matrix(rows: 0, columns: 0)
    }

    /// The number of singular values above `tolerance`.
    public func rank(tolerance: Double) -> Int { values.filter { $0 > tolerance }.count }
}
