import Foundation
import CQuadFormMPI
import QuadFormCore
import QuadFormReports
import QuadFormInterop

/// The ScaLAPACK eigendecomposition of a distributed symmetric matrix (design.md §2 with
/// docs/distributed.md): `pdsyevd` for all eigenpairs, or `pdsyevr` — all eigenpairs, or the
/// eigenvalues first and then eigenvectors only for the kept index ranges (low rank).
struct DistributedEigen {
    /// All eigenvalues, ascending, on every process.
    let eigenvalues: [Double]
    /// The ScaLAPACK driver that ran ("pdsyevd", "pdsyevr").
    let driverName: String
    /// Eigenvector matrices with the eigenvalue index of their first column: Z holds columns
    /// `first ..< first + count` of Q.
    let vectorBlocks: [(z: DistributedMatrix, first: Int, count: Int)]
    /// Wall time of the ScaLAPACK calls.
    let seconds: Double

    /// Whether `pdsyevr` over an index range (`range = I`) is used for `selected`. Off: with
    /// Debian's ScaLAPACK 2.2.1 it stops in its back-transformation ("PDORMTR parameter number 16
    /// had an illegal value", whatever the workspace) and returns wrong vectors, which the
    /// verification reported as FAILED; `selected` therefore computes all pairs with pdsyevr.
    static let indexRangesWork = false

    /// The ScaLAPACK driver for `driver` (the names of `--driver`): `dsyevr` → `pdsyevr` (all
    /// pairs), `selected` → `pdsyevr` over the kept index ranges, the others → `pdsyevd`.
    static func driverName(for driver: EigenDriver) -> String {
        driver == .dsyevr || driver == .selected ? "pdsyevr" : "pdsyevd"
    }

    /// Why that driver, for the report.
    static func reason(for driver: EigenDriver) -> String {
        switch driver {
        case .dsyevr: return "dsyevr: named by the caller, run as ScaLAPACK pdsyevr (MRRR, all eigenpairs)"
        case .selected: return indexRangesWork
            ? "selected: named by the caller: ScaLAPACK pdsyev (eigenvalues only), then pdsyevr for the eigenvectors of the kept index ranges only"
            : "selected: named by the caller, run as ScaLAPACK pdsyevr for all eigenpairs (Debian's ScaLAPACK 2.2.1 pdsyevr over an index range fails in pdormtr: docs/distributed.md)"
        case .auto: return "auto: ScaLAPACK pdsyevd (divide and conquer, all eigenpairs)"
        default: return "\(driver.rawValue): named by the caller, run as ScaLAPACK pdsyevd (divide and conquer, all eigenpairs; ScaLAPACK's QR driver pdsyev is far slower)"
        }
    }

    /// Decomposes `a`, which it overwrites (ScaLAPACK works in place: no n × n copy). `keep`
    /// receives all eigenvalues and returns the kept index ranges (ascending, disjoint) for
    /// index-range `selected`, whose calls each work on a copy.
    init(destroying a: inout DistributedMatrix, driver: EigenDriver, world: MPIWorld,
         keep: ([Double]) -> [(first: Int, count: Int)]) throws {
        let n = a.rows
        let start = MPIWorld.time
        driverName = DistributedEigen.driverName(for: driver)
        guard n > 0 else { eigenvalues = []; vectorBlocks = []; seconds = 0; return }
        if driver == .selected && DistributedEigen.indexRangesWork {
            var copy = a
            let values = try DistributedEigen.eigenvaluesOnly(&copy)
            var blocks: [(z: DistributedMatrix, first: Int, count: Int)] = []
            for range in keep(values) where range.count > 0 {
                copy = a
                let z = try DistributedEigen.pdsyevr(&copy, vectors: true, range: (range.first, range.first + range.count - 1)).z
                blocks.append((z, range.first, range.count))
            }
            eigenvalues = values
            vectorBlocks = blocks
        } else if driver == .dsyevr || driver == .selected {
            let (w, z) = try DistributedEigen.pdsyevr(&a, vectors: true, range: nil)
            eigenvalues = w
            vectorBlocks = [(z, 0, n)]
        } else {
            let (w, z) = try DistributedEigen.pdsyevd(&a)
            eigenvalues = w
            vectorBlocks = [(z, 0, n)]
        }
        seconds = MPIWorld.time - start
    }

    /// The rows q_iᵀ of the eigenvectors `indices` (in that order) as a matrix on process 0:
    /// each contiguous run of the vector blocks is gathered with one `pdgemr2d`. Collective.
    func rows(_ indices: [Int], root: ProcessGrid, world: MPIWorld) throws -> Matrix {
        let n = eigenvalues.count
        // Contiguous runs of the ascending indices, gathered block by block.
        let sorted = indices.sorted()
        var runs: [(first: Int, count: Int)] = []
        for i in sorted {
            if let last = runs.last, last.first + last.count == i { runs[runs.count - 1].count += 1 } else { runs.append((i, 1)) }
        }
        var pieces: [(first: Int, count: Int, rows: Matrix)] = []
        for run in runs {
            var position = run.first
            while position < run.first + run.count {
                guard let block = vectorBlocks.first(where: { position >= $0.first && position < $0.first + $0.count }) else {
                    throw DistributedError(description: "ScaLAPACK: eigenvector \(position + 1) was not computed")
                }
                let count = Swift.min(run.first + run.count, block.first + block.count) - position
                let rows = try block.z.gatherColumns(position - block.first, count: count, root: root, world: world)
                pieces.append((position, count, rows))
                position += count
            }
        }
        guard world.isRoot else { return Matrix(rows: 0, columns: 0) }
        var entries = [Double](repeating: 0, count: indices.count * n)
        entries.withUnsafeMutableBufferPointer { out in
            for (r, index) in indices.enumerated() {
                let piece = pieces.first { index >= $0.first && index < $0.first + $0.count }!
                piece.rows.entries.withUnsafeBufferPointer { src in
                    out.baseAddress!.advanced(by: r * n).update(from: src.baseAddress!.advanced(by: (index - piece.first) * n), count: n)
                }
            }
        }
        return Matrix(rows: indices.count, columns: n, entries: entries)
    }

    static func failure(_ routine: String, _ info: Int32) -> DistributedError {
        info < 0
            ? DistributedError(description: "ScaLAPACK \(routine): argument \(-info) is illegal (a bug in quadform-mpi)")
            : DistributedError(description: "ScaLAPACK \(routine) did not converge (info = \(info))")
    }

    /// All eigenpairs with `pdsyevd` (divide and conquer).
    static func pdsyevd(_ work: inout DistributedMatrix) throws -> (w: [Double], z: DistributedMatrix) {
        let a = (rows: work.rows, columns: work.columns, block: work.block, grid: work.grid, descriptor: work.descriptor)
        var z = try DistributedMatrix(rows: a.rows, columns: a.columns, block: a.block, grid: a.grid)
        var w = [Double](repeating: 0, count: a.rows)
        var n = Int32(a.rows), one: Int32 = 1, info: Int32 = 0
        var descA = a.descriptor, descZ = z.descriptor
        var query = [0.0], iquery: [Int32] = [0]
        var lwork: Int32 = -1, liwork: Int32 = -1
        work.local.withUnsafeMutableBufferPointer { al in
            z.local.withUnsafeMutableBufferPointer { zl in
                pdsyevd_("V", "L", &n, al.baseAddress, &one, &one, &descA, &w, zl.baseAddress, &one, &one, &descZ,
                         &query, &lwork, &iquery, &liwork, &info)
            }
        }
        guard info == 0 else { throw failure("pdsyevd (workspace query)", info) }
        // Some ScaLAPACK versions under-report pdsyevd's workspace for small blocks: add slack.
        lwork = Int32(Swift.min(Double(Int32.max), query[0] * 1.05 + 4096))
        liwork = Swift.max(iquery[0], 7 * n + 8 * Int32(a.grid.columns) + 2)
        var buffer = [Double](repeating: 0, count: Int(lwork))
        var ibuffer = [Int32](repeating: 0, count: Int(liwork))
        work.local.withUnsafeMutableBufferPointer { al in
            z.local.withUnsafeMutableBufferPointer { zl in
                pdsyevd_("V", "L", &n, al.baseAddress, &one, &one, &descA, &w, zl.baseAddress, &one, &one, &descZ,
                         &buffer, &lwork, &ibuffer, &liwork, &info)
            }
        }
        guard info == 0 else { throw failure("pdsyevd", info) }
        return (w, z)
    }

    /// All eigenvalues, without vectors, with `pdsyev` (`jobz = N`: one reduction to tridiagonal
    /// form and QR iteration on it, O(n²) after the reduction): Debian's ScaLAPACK 2.2 does not
    /// implement `pdsyevr` with `jobz = N`.
    static func eigenvaluesOnly(_ work: inout DistributedMatrix) throws -> [Double] {
        let a = (rows: work.rows, columns: work.columns, block: work.block, grid: work.grid, descriptor: work.descriptor)
        var z = try DistributedMatrix(rows: a.rows, columns: a.columns, block: a.block, grid: a.grid)
        var w = [Double](repeating: 0, count: a.rows)
        var n = Int32(a.rows), one: Int32 = 1, info: Int32 = 0
        var descA = a.descriptor, descZ = z.descriptor
        var query = [0.0], lwork: Int32 = -1
        work.local.withUnsafeMutableBufferPointer { al in
            z.local.withUnsafeMutableBufferPointer { zl in
                pdsyev_("N", "L", &n, al.baseAddress, &one, &one, &descA, &w, zl.baseAddress, &one, &one, &descZ, &query, &lwork, &info)
            }
        }
        guard info == 0 else { throw failure("pdsyev (workspace query)", info) }
        lwork = Int32(Swift.min(Double(Int32.max), query[0] * 1.05 + 4096))
        var buffer = [Double](repeating: 0, count: Int(lwork))
        work.local.withUnsafeMutableBufferPointer { al in
            z.local.withUnsafeMutableBufferPointer { zl in
                pdsyev_("N", "L", &n, al.baseAddress, &one, &one, &descA, &w, zl.baseAddress, &one, &one, &descZ, &buffer, &lwork, &info)
            }
        }
        guard info == 0 else { throw failure("pdsyev", info) }
        return w
    }

    /// `pdsyevr` (MRRR): all eigenvalues (vectors false), all eigenpairs (range nil), or the
    /// eigenpairs of the 0-based index range `range.low ... range.high`; the vectors are Z's
    /// first columns.
    static func pdsyevr(_ work: inout DistributedMatrix, vectors: Bool, range: (low: Int, high: Int)?) throws -> (w: [Double], z: DistributedMatrix) {
        let a = (rows: work.rows, columns: work.columns, block: work.block, grid: work.grid, descriptor: work.descriptor)
        let count = range.map { $0.high - $0.low + 1 } ?? a.rows
        // pdsyevr checks Z as an n × n matrix (CHK1MAT with N, N) even when fewer vectors are asked for.
        var z = try DistributedMatrix(rows: a.rows, columns: a.columns, block: a.block, grid: a.grid)
        var w = [Double](repeating: 0, count: a.rows)
        var n = Int32(a.rows), one: Int32 = 1, info: Int32 = 0, vl = 0.0, vu = 0.0
        var il = Int32((range?.low ?? 0) + 1), iu = Int32((range?.high ?? a.rows - 1) + 1)
        var found: Int32 = 0, foundVectors: Int32 = 0
        var descA = a.descriptor, descZ = z.descriptor
        let jobz = vectors ? "V" : "N", which = range == nil ? "A" : "I"
        var query = [0.0], iquery: [Int32] = [0]
        var lwork: Int32 = -1, liwork: Int32 = -1
        work.local.withUnsafeMutableBufferPointer { al in
            z.local.withUnsafeMutableBufferPointer { zl in
                // The query for all pairs: for an index range, Debian's ScaLAPACK 2.2 under-reports
                // the workspace its back-transformation (pdormtr) needs.
                pdsyevr_(jobz, "A", "L", &n, al.baseAddress, &one, &one, &descA, &vl, &vu, &il, &iu, &found, &foundVectors,
                         &w, zl.baseAddress, &one, &one, &descZ, &query, &lwork, &iquery, &liwork, &info)
            }
        }
        guard info == 0 else { throw failure("pdsyevr (workspace query)", info) }
        lwork = Int32(Swift.min(Double(Int32.max), query[0] * 2 + Double(a.rows * a.block) + 4096))
        liwork = iquery[0] + 1024
        var buffer = [Double](repeating: 0, count: Int(lwork))
        var ibuffer = [Int32](repeating: 0, count: Int(liwork))
        work.local.withUnsafeMutableBufferPointer { al in
            z.local.withUnsafeMutableBufferPointer { zl in
                pdsyevr_(jobz, which, "L", &n, al.baseAddress, &one, &one, &descA, &vl, &vu, &il, &iu, &found, &foundVectors,
                         &w, zl.baseAddress, &one, &one, &descZ, &buffer, &lwork, &ibuffer, &liwork, &info)
            }
        }
        guard info == 0 else { throw failure("pdsyevr", info) }
        guard Int(found) == count, !vectors || Int(foundVectors) == count else {
            throw DistributedError(description: "ScaLAPACK pdsyevr found \(found) eigenvalues and \(foundVectors) eigenvectors of the \(count) asked for")
        }
        return (Array(w.prefix(count)), z)
    }
}
