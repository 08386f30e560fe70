import Foundation
import CQuadFormMPI

/// A BLACS process grid of nprow × npcol processes in row-major order (docs/distributed.md).
public struct ProcessGrid: Sendable {
    /// The BLACS context (−1 on a process outside the grid).
    public let context: Int32
    /// Process rows.
    public let rows: Int
    /// Process columns.
    public let columns: Int
    /// This process's grid row (−1 outside the grid).
    public let row: Int
    /// This process's grid column (−1 outside the grid).
    public let column: Int

    /// The most nearly square grid for P processes: nprow the largest divisor of P with
    /// nprow ≤ √P, npcol = P / nprow (ScaLAPACK's drivers run best on square-ish grids).
    public static func shape(processes p: Int) -> (rows: Int, columns: Int) {
        var r = Swift.max(1, Int(Double(p).squareRoot()))
        while r > 1 && p % r != 0 { r -= 1 }
        return (r, p / r)
    }

    /// A grid of `rows` × `columns` processes over the first rows·columns ranks.
    public init(rows: Int, columns: Int) {
        var context: Int32 = 0
        Cblacs_get(-1, 0, &context)
        Cblacs_gridinit(&context, "Row", Int32(rows), Int32(columns))
        var nprow: Int32 = -1, npcol: Int32 = -1, myrow: Int32 = -1, mycol: Int32 = -1
        if context >= 0 { Cblacs_gridinfo(context, &nprow, &npcol, &myrow, &mycol) }
        self.context = context
        self.rows = rows
        self.columns = columns
        self.row = context >= 0 ? Int(myrow) : -1
        self.column = context >= 0 ? Int(mycol) : -1
    }

    /// Whether this process belongs to the grid.
    public var contains: Bool { context >= 0 && row >= 0 }

    /// The rank (in `MPI_COMM_WORLD`) of grid position (r, c).
    public func rank(row r: Int, column c: Int) -> Int { r * columns + c }

    /// Leaves the grid.
    public func release() { if contains { Cblacs_gridexit(context) } }
}

/// `numroc`: how many of n rows (or columns) in blocks of nb fall to process `index` of `count`.
func localCount(_ n: Int, block nb: Int, index: Int, count: Int) -> Int {
    var n32 = Int32(n), nb32 = Int32(nb), i32 = Int32(index), zero: Int32 = 0, p32 = Int32(count)
    return Int(numroc_(&n32, &nb32, &i32, &zero, &p32))
}
