import Foundation
import CQuadFormMPI
import CLapacke
import QuadFormCore
import QuadFormReports
import QuadFormInterop

/// An m × n matrix distributed 2-D block-cyclically over a `ProcessGrid` in square blocks of nb
/// (ScaLAPACK's layout; docs/distributed.md): this process holds its local part, column-major
/// with leading dimension `leading`.
public struct DistributedMatrix {
    /// Global rows.
    public let rows: Int
    /// Global columns.
    public let columns: Int
    /// The block size nb (rows and columns).
    public let block: Int
    /// The grid.
    public let grid: ProcessGrid
    /// Local rows held here.
    public let localRows: Int
    /// Local columns held here.
    public let localColumns: Int
    /// The local part, column-major, `leading` × `localColumns`.
    public var local: [Double]
    /// The ScaLAPACK array descriptor.
    public var descriptor: [Int32]

    /// Leading dimension of `local` (≥ 1, as ScaLAPACK requires).
    public var leading: Int { Swift.max(1, localRows) }

    /// A zero matrix of `rows` × `columns` on `grid` in blocks of `block`.
    public init(rows: Int, columns: Int, block: Int, grid: ProcessGrid) throws {
        self.rows = rows
        self.columns = columns
        self.block = block
        self.grid = grid
        localRows = grid.contains ? localCount(rows, block: block, index: grid.row, count: grid.rows) : 0
        localColumns = grid.contains ? localCount(columns, block: block, index: grid.column, count: grid.columns) : 0
        let lld = Swift.max(1, localRows)
        local = [Double](repeating: 0, count: lld * localColumns)
        var desc = [Int32](repeating: 0, count: 9)
        if grid.contains {
            var m = Int32(rows), n = Int32(columns), nb = Int32(block), zero: Int32 = 0, context = grid.context, ld = Int32(lld), info: Int32 = 0
            descinit_(&desc, &m, &n, &nb, &nb, &zero, &zero, &context, &ld, &info)
            guard info == 0 else { throw DistributedError(description: "ScaLAPACK descinit: argument \(-info) is illegal (\(rows)×\(columns), block \(block))") }
        } else {
            desc[1] = -1
        }
        descriptor = desc
    }

    /// The global row of local row `i`.
    @inline(__always) public func globalRow(_ i: Int) -> Int { ((i / block) * grid.rows + grid.row) * block + i % block }
    /// The global column of local column `j`.
    @inline(__always) public func globalColumn(_ j: Int) -> Int { ((j / block) * grid.columns + grid.column) * block + j % block }

    /// Runs of consecutive local rows that are consecutive global rows: (first local, first global, count).
    func rowRuns() -> [(local: Int, global: Int, count: Int)] {
        if grid.rows == 1 { return localRows > 0 ? [(0, 0, localRows)] : [] }
        return stride(from: 0, to: localRows, by: block).map { ($0, globalRow($0), Swift.min(block, localRows - $0)) }
    }

    /// Runs of consecutive local columns that are consecutive global columns.
    func columnRuns() -> [(local: Int, global: Int, count: Int)] {
        if grid.columns == 1 { return localColumns > 0 ? [(0, 0, localColumns)] : [] }
        return stride(from: 0, to: localColumns, by: block).map { ($0, globalColumn($0), Swift.min(block, localColumns - $0)) }
    }

    /// `C := Aᵀ` with ScaLAPACK `pdtran` (C a new matrix of the transposed shape, same grid and block).
    public func transposed() throws -> DistributedMatrix {
        var c = try DistributedMatrix(rows: columns, columns: rows, block: block, grid: grid)
        guard grid.contains else { return c }
        var m = Int32(columns), n = Int32(rows), one: Int32 = 1, alpha = 1.0, beta = 0.0
        var descA = descriptor, descC = c.descriptor
        local.withUnsafeBufferPointer { a in
            c.local.withUnsafeMutableBufferPointer { cl in
                pdtran_(&m, &n, &alpha, a.baseAddress, &one, &one, &descA, &beta, cl.baseAddress, &one, &one, &descC)
            }
        }
        return c
    }

    /// Columns `first ..< first + count` of the matrix, gathered onto process 0 (ScaLAPACK
    /// `pdgemr2d` into a 1 × 1 grid there) as the rows of a count × rows matrix — for
    /// eigenvectors (columns of Z), the rows q_iᵀ. Collective; other processes get an empty matrix.
    public func gatherColumns(_ first: Int, count: Int, root: ProcessGrid, world: MPIWorld) throws -> Matrix {
        var target = [Double](repeating: 0, count: root.contains ? Swift.max(1, rows * count) : 1)
        var descB = [Int32](repeating: 0, count: 9)
        if root.contains {
            var m = Int32(rows), n = Int32(Swift.max(count, 1)), nb = Int32(block), zero: Int32 = 0, context = root.context, ld = Int32(Swift.max(1, rows)), info: Int32 = 0
            descinit_(&descB, &m, &n, &nb, &nb, &zero, &zero, &context, &ld, &info)
        } else {
            descB[1] = -1
        }
        if count > 0 && rows > 0 {
            var descA = descriptor
            // Every process of the world takes part (gcontext: the full grid's context).
            local.withUnsafeBufferPointer { a in
                target.withUnsafeMutableBufferPointer { b in
                    Cpdgemr2d(Int32(rows), Int32(count), UnsafeMutablePointer(mutating: a.baseAddress), 1, Int32(first + 1), &descA,
                              b.baseAddress, 1, 1, &descB, grid.context)
                }
            }
        }
        guard world.isRoot else { return Matrix(rows: 0, columns: 0) }
        return Matrix(rows: count, columns: rows, entries: Array(target.prefix(rows * count)))
    }

    /// Reads this process's blocks of the square matrix in the `.npy` file `path` (its `layout`
    /// parsed once by process 0) with positioned reads: each process reads only its own blocks,
    /// row segments of C-order files and column segments of Fortran-order ones.
    public mutating func read(npy path: String, layout: Npy.Layout) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw DistributedError(description: "\(path): cannot open (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        let size = layout.itemSize
        let n = columns
        // Contiguous in the file: along columns for C order (row i fixed), along rows for Fortran.
        let (outer, inner) = layout.fortranOrder ? (columnRuns(), rowRuns()) : (rowRuns(), columnRuns())
        let longest = inner.reduce(0) { Swift.max($0, $1.count) }
        var raw = [UInt8](repeating: 0, count: Swift.max(1, longest * size))
        var decoded = [Double](repeating: 0, count: Swift.max(1, longest))
        let lld = leading
        for run in outer {
            for o in 0..<run.count {
                let localOuter = run.local + o, globalOuter = run.global + o
                for segment in inner {
                    let offset = layout.dataOffset + (globalOuter * n + segment.global) * size
                    let bytes = segment.count * size
                    var done = 0
                    while done < bytes {
                        let got = raw.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, bytes - done, off_t(offset + done)) }
                        guard got > 0 else {
                            throw DistributedError(description: "\(path): read failed at byte \(offset + done) (\(got < 0 ? String(cString: strerror(errno)) : "unexpected end of file"))")
                        }
                        done += got
                    }
                    raw.withUnsafeBytes { r in
                        decoded.withUnsafeMutableBufferPointer { d in
                            Npy.decode(UnsafeRawBufferPointer(rebasing: r[0..<bytes]), descr: layout.descr,
                                       into: UnsafeMutableBufferPointer(rebasing: d[0..<segment.count]))
                        }
                    }
                    local.withUnsafeMutableBufferPointer { l in
                        if layout.fortranOrder {
                            // column localOuter, rows segment.local ..< +count: contiguous in memory too
                            for t in 0..<segment.count { l[localOuter * lld + segment.local + t] = decoded[t] }
                        } else {
                            for t in 0..<segment.count { l[(segment.local + t) * lld + localOuter] = decoded[t] }
                        }
                    }
                }
            }
        }
    }

    /// The first entry (row-major global index i·n + j) that is NaN or ±∞ on this process, or nil.
    public func firstNonFiniteLocal() -> Int? {
        var best: Int?
        let lld = leading
        local.withUnsafeBufferPointer { l in
            for j in 0..<localColumns {
                let gj = globalColumn(j)
                for i in 0..<localRows where !l[j * lld + i].isFinite {
                    let index = globalRow(i) * columns + gj
                    if best == nil || index < best! { best = index }
                }
            }
        }
        return best
    }

    /// The owner's rank of global entry (i, j).
    public func owner(row i: Int, column j: Int) -> Int {
        grid.rank(row: (i / block) % grid.rows, column: (j / block) % grid.columns)
    }

    /// The local position of global entry (i, j) on its owner.
    public func localIndex(row i: Int, column j: Int) -> Int {
        let li = (i / (block * grid.rows)) * block + i % block
        let lj = (j / (block * grid.columns)) * block + j % block
        return lj * leading + li
    }
}
