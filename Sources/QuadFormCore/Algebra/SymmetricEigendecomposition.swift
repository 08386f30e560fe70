import Foundation
import CLapacke

/// The eigendecomposition `A = Q Λ Qᵀ` of a symmetric matrix (design.md §2).
public struct SymmetricEigendecomposition: Sendable {
    /// Eigenvalues in ascending order (as LAPACK returns them).
    public let eigenvalues: [Double]
    /// Qᵀ as an n × n row-major matrix: row j is the unit eigenvector of `eigenvalues[j]`
    /// (LAPACK's column-major Q, kept as it came back, without copying vectors out).
    public let eigenvectorRows: Matrix
    /// `vectorIndices[r]` is the eigenvalue index of row r of `eigenvectorRows`: all of 0..<n, in
    /// order, except with the `selected` driver, which computes the kept eigenvectors only.
    public let vectorIndices: [Int]
    /// The driver that computed them.
    public let driver: EigenDriver
    /// The driver that was asked for (`auto` or a concrete one).
    public let requestedDriver: EigenDriver
    /// Wall time of the LAPACKE call, in seconds.
    public let seconds: Double

    /// The row of `eigenvectorRows` holding eigenvector j, or nil when it was not computed.
    public func vectorRow(of j: Int) -> Int? {
        if vectorIndices.count == eigenvalues.count { return j }
        var low = 0, high = vectorIndices.count  // vectorIndices ascend: binary search
        while low < high {
            let middle = (low + high) / 2
            if vectorIndices[middle] < j { low = middle + 1 } else { high = middle }
        }
        return low < vectorIndices.count && vectorIndices[low] == j ? low : nil
    }

    /// Eigenvector j (belonging to `eigenvalues[j]`), as an array; empty when not computed.
    public func eigenvector(_ j: Int) -> [Double] { vectorRow(of: j).map { eigenvectorRows.row($0) } ?? [] }

    /// All eigenvectors as separate arrays, indexed like `eigenvalues` (a copy of n² numbers;
    /// prefer `eigenvectorRows`); empty arrays for eigenvectors that were not computed.
    public var eigenvectors: [[Double]] { eigenvalues.indices.map { eigenvector($0) } }

    /// Why `driver` ran (see `EigenDriver.reason(forOrder:)`).
    public var driverReason: String { requestedDriver.reason(forOrder: eigenvalues.count) }

    /// Largest order accepted: dsyevd's workspace of 1 + 6n + 2n² must fit LAPACK's 32-bit int.
    public static let maximumOrder = 32_000

    /// Decomposes the symmetric matrix `a` with LAPACKE (`uplo = "U"`, column-major; for a symmetric
    /// matrix the row-major storage is the same array). Only the triangle LAPACK reads is used and
    /// checked for NaN and ∞: the column-major upper one, i.e. entries (i, j) with j ≤ i of `a`. With the
    /// `selected` driver, `threshold` receives all eigenvalues (ascending) and returns the
    /// tolerance t: eigenvectors are computed for |λ| > t only (all of them when it is nil).
    public init(symmetric a: Matrix, driver: EigenDriver = .dsyev, threshold: (([Double]) -> Double)? = nil) throws {
        precondition(a.rows == a.columns, "eigendecomposition needs a square matrix")
        let n = a.rows
        // LAPACK reads the column-major upper triangle, which is the row-major lower one: row i up
        // to the diagonal.
        try a.entries.withUnsafeBufferPointer { entries in
            for i in 0..<n {
                let read = UnsafeBufferPointer(rebasing: entries[(i * n)..<(i * n + i + 1)])
                if let j = Vector.firstNonFinite(read) { throw LinearAlgebraError.nonFiniteEntry(row: i, column: j) }
            }
        }
        // dsyevd's integer workspace is 1 + 6n + 2n² entries, which must fit LAPACK's 32-bit int.
        guard n <= Self.maximumOrder else { throw LinearAlgebraError.tooLarge(n: n) }
        let chosen = driver.resolved(forOrder: n)
        self.driver = chosen
        self.requestedDriver = driver
        guard n > 0 else {
            eigenvalues = []
            eigenvectorRows = Matrix(rows: 0, columns: 0)
            vectorIndices = []
            seconds = 0
            return
        }
        let start = DispatchTime.now().uptimeNanoseconds
        if chosen == .selected {
            (eigenvalues, eigenvectorRows, vectorIndices) = try Self.selectedPairs(a, threshold: threshold)
            seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            return
        }
        var w = [Double](repeating: 0, count: n)
        // (a plain copy: huge-page advice here measured no faster and sometimes stalled on compaction)
        var vectors = a.entries
        let jobz = CChar(UInt8(ascii: "V"))
        let uplo = CChar(UInt8(ascii: "U"))
        let info: Int32
        switch chosen {
        case .dsyev, .auto, .selected:
            info = LAPACKE_dsyev(LAPACK_COL_MAJOR, jobz, uplo, Int32(n), &vectors, Int32(n), &w)
        case .dsyevd:
            info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, jobz, uplo, Int32(n), &vectors, Int32(n), &w)
        case .dsyevr:
            var z = [Double](repeating: 0, count: n * n)
            var isuppz = [Int32](repeating: 0, count: 2 * n)
            var found: Int32 = 0
            let range = CChar(UInt8(ascii: "A"))
            info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, jobz, range, uplo, Int32(n), &vectors, Int32(n),
                                  0, 0, 0, 0, 0, &found, &w, &z, Int32(n), &isuppz)
            vectors = z
        }
        let routine = "\(chosen.rawValue)"
        if info < 0 { throw LinearAlgebraError.illegalArgument(routine: routine, argument: Int(-info)) }
        if info > 0 { throw LinearAlgebraError.noConvergence(routine: routine, info: Int(info)) }
        eigenvalues = w
        eigenvectorRows = Matrix(rows: n, columns: n, entries: vectors)
        vectorIndices = Array(0..<n)
        seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// The `selected` driver: dsytrd, dsterf, dstemr on the kept index ranges, dormtr.
    static func selectedPairs(_ a: Matrix, threshold: (([Double]) -> Double)?) throws -> ([Double], Matrix, [Int]) {
        let n = a.rows
        let n32 = Int32(n)
        var reflectors = a.entries
        var diagonal = [Double](repeating: 0, count: n)
        var offDiagonal = [Double](repeating: 0, count: n)
        var tau = [Double](repeating: 0, count: n)
        let uplo = CChar(UInt8(ascii: "U"))
        var info = LAPACKE_dsytrd(LAPACK_COL_MAJOR, uplo, n32, &reflectors, n32, &diagonal, &offDiagonal, &tau)
        if info < 0 { throw LinearAlgebraError.illegalArgument(routine: "dsytrd", argument: Int(-info)) }
        var values = diagonal
        var scratch = offDiagonal
        info = LAPACKE_dsterf(n32, &values, &scratch)
        if info < 0 { throw LinearAlgebraError.illegalArgument(routine: "dsterf", argument: Int(-info)) }
        if info > 0 { throw LinearAlgebraError.noConvergence(routine: "dsterf", info: Int(info)) }
        // Kept: λ < −t (a prefix, eigenvalues ascend) and λ > t (a suffix).
        let t = threshold?(values) ?? -1
        var ranges: [Range<Int>] = []
        if t < 0 {
            ranges = [0..<n]
        } else {
            let negativeEnd = values.firstIndex { $0 >= -t } ?? n
            let positiveStart = (values.lastIndex { $0 <= t } ?? -1) + 1
            if negativeEnd >= positiveStart { ranges = [0..<n] } else {
                ranges = [0..<negativeEnd, positiveStart..<n].filter { !$0.isEmpty }
            }
        }
        let kept = ranges.reduce(0) { $0 + $1.count }
        var vectors = [Double](repeating: 0, count: n * kept)
        var column = 0
        for range in ranges {
            var d = diagonal, e = offDiagonal
            var found: Int32 = 0
            var w = [Double](repeating: 0, count: n)
            var support = [Int32](repeating: 0, count: 2 * range.count)
            var relativeAccuracy: Int32 = 1
            info = vectors.withUnsafeMutableBufferPointer { z in
                LAPACKE_dstemr(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "I")), n32, &d, &e, 0, 0,
                               Int32(range.lowerBound + 1), Int32(range.upperBound), &found, &w,
                               z.baseAddress! + column * n, n32, Int32(range.count), &support, &relativeAccuracy)
            }
            if info < 0 { throw LinearAlgebraError.illegalArgument(routine: "dstemr", argument: Int(-info)) }
            if info > 0 { throw LinearAlgebraError.noConvergence(routine: "dstemr", info: Int(info)) }
            guard Int(found) == range.count else { throw LinearAlgebraError.noConvergence(routine: "dstemr", info: range.count - Int(found)) }
            column += range.count
        }
        if kept > 0 {
            info = LAPACKE_dormtr(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), uplo, CChar(UInt8(ascii: "N")),
                                  n32, Int32(kept), reflectors, n32, tau, &vectors, n32)
            if info < 0 { throw LinearAlgebraError.illegalArgument(routine: "dormtr", argument: Int(-info)) }
        }
        return (values, Matrix(rows: kept, columns: n, entries: vectors), ranges.flatMap { Array($0) })
    }
}

