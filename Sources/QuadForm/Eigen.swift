import Foundation
import CLapacke

/// Errors from the LAPACKE wrappers.
public enum LinearAlgebraError: Error, Equatable, CustomStringConvertible {
    /// LAPACK did not converge (`info > 0`): a property of the input, reported to the user.
    case noConvergence(routine: String, info: Int)
    /// LAPACK rejected argument `argument` (`info < 0`): a bug in the caller.
    case illegalArgument(routine: String, argument: Int)
    /// The matrix holds NaN or infinity at (row, column).
    case nonFiniteEntry(row: Int, column: Int)
    /// The matrix is too large for LAPACK's 32-bit dimensions.
    case tooLarge(n: Int)

    public var description: String {
        switch self {
        case let .noConvergence(routine, info):
            return "LAPACKE \(routine) did not converge (info = \(info)): \(info) off-diagonal elements of the tridiagonal form failed to reach zero"
        case let .illegalArgument(routine, argument):
            return "LAPACKE \(routine) rejected argument \(argument) (internal error, please report)"
        case let .nonFiniteEntry(row, column):
            return "matrix entry (\(row + 1), \(column + 1)) is not finite"
        case let .tooLarge(n):
            return "matrix of order \(n) is too large for LAPACK (at most \(SymmetricEigendecomposition.maximumOrder))"
        }
    }
}

/// Which LAPACKE driver computes the symmetric eigendecomposition (design.md §2, §7).
public enum EigenDriver: String, CaseIterable, Sendable {
    /// `dsyev`: QR iteration, the design's reference driver.
    case dsyev
    /// `dsyevd`: divide and conquer, much faster for large n.
    case dsyevd
    /// `dsyevr`: relatively robust representations (MRRR).
    case dsyevr
    /// `dsyev` up to n = `autoThreshold`, `dsyevd` above (see `resolved(forOrder:)`).
    case auto
    /// Eigenvectors only where |λ| exceeds the rank tolerance: LAPACKE `dsytrd` (one reduction to
    /// tridiagonal form), `dsterf` (all eigenvalues), `dstemr` (MRRR eigenvectors of the kept
    /// index ranges, the negative and the positive end) and `dormtr` (back-transformation of those
    /// k vectors only) — the steps `dsyevr` with a range takes, with one reduction for both ends.
    /// Pays off for low rank; for full rank it costs about what `dsyevr` does.
    case selected

    /// The largest order for which `auto` keeps the reference driver `dsyev`.
    public static let autoThreshold = 200

    /// The concrete driver used for a matrix of order `n`: `auto` picks `dsyev` for n ≤ 200,
    /// where its cost is negligible, and `dsyevd` above, where it is several times faster.
    public func resolved(forOrder n: Int) -> EigenDriver {
        guard self == .auto else { return self }
        return n <= EigenDriver.autoThreshold ? .dsyev : .dsyevd
    }

    /// Why `resolved(forOrder: n)` is the driver that runs, for reports.
    public func reason(forOrder n: Int) -> String {
        guard self == .auto else { return "\(rawValue): named by the caller (--driver, default dsyev), not chosen automatically" }
        return n <= EigenDriver.autoThreshold
            ? "auto: n = \(n) ≤ \(EigenDriver.autoThreshold), so dsyev (the design's reference QR driver; its cost is negligible at this size)"
            : "auto: n = \(n) > \(EigenDriver.autoThreshold), so dsyevd (divide and conquer: all eigenvectors several times faster than dsyev's QR iteration, measured 1.1 s against 7.9 s at n = 2000)"
    }
}

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

/// The BLAS/LAPACK implementation this process runs, as reported to users and benchmarks
/// (design.md §7: Debian's OpenBLAS takes over `libblas.so.3`/`liblapack.so.3`).
public struct BLASInfo: Sendable, Equatable {
    /// "OpenBLAS" when OpenBLAS is loaded, "reference BLAS/LAPACK" for Debian's reference
    /// libraries, otherwise "BLAS/LAPACK (not OpenBLAS)".
    public let implementation: String
    /// OpenBLAS's configuration string (version, kernel, threading model), when available.
    public let config: String?
    /// The number of threads OpenBLAS uses (`OPENBLAS_NUM_THREADS` or the core count), when known.
    public let threads: Int?
    /// The file that provides BLAS `dgemm_`, symbolic links resolved.
    public let blasLibrary: String?
    /// The file that provides LAPACK's `dsyevd_`, symbolic links resolved.
    public let lapackLibrary: String?

    /// What this process has loaded, found with `dlsym`/`dladdr`.
    public static var current: BLASInfo {
        let handle = dlopen(nil, RTLD_NOW)
        // The mapped file whose address range holds the symbol (/proc/self/maps, read to the
        // end: procfs reports size 0; scanned as bytes, lines "low-high perms offset dev inode path").
        let maps = FileHandle(forReadingAtPath: "/proc/self/maps").map { [UInt8]($0.readDataToEndOfFile()) } ?? []
        func libraryFile(of symbolName: String) -> String? {
            guard let symbol = dlsym(handle, symbolName) else { return nil }
            let address = UInt(bitPattern: symbol)
            var lineStart = 0
            while lineStart < maps.count {
                let lineEnd = maps[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? maps.count
                defer { lineStart = lineEnd + 1 }
                var low: UInt = 0, high: UInt = 0, i = lineStart
                while i < lineEnd, let digit = hexValue(maps[i]) { low = low << 4 | digit; i += 1 }
                guard i < lineEnd, maps[i] == UInt8(ascii: "-") else { continue }
                i += 1
                while i < lineEnd, let digit = hexValue(maps[i]) { high = high << 4 | digit; i += 1 }
                guard low <= address, address < high,
                      let slash = maps[i..<lineEnd].firstIndex(of: UInt8(ascii: "/")) else { continue }
                return URL(fileURLWithPath: String(decoding: maps[slash..<lineEnd], as: UTF8.self)).resolvingSymlinksInPath().path
            }
            return nil
        }
        let blasFile = libraryFile(of: "dgemm_") ?? libraryFile(of: "cblas_dgemm")
        let lapackFile = libraryFile(of: "dsyevd_")
        guard let configSymbol = dlsym(handle, "openblas_get_config") else {
            let reference = blasFile?.contains("/blas/") ?? false
            return BLASInfo(implementation: reference ? "reference BLAS/LAPACK" : "BLAS/LAPACK (not OpenBLAS)",
                            config: nil, threads: reference ? 1 : nil,
                            blasLibrary: blasFile, lapackLibrary: lapackFile)
        }
        typealias ConfigFn = @convention(c) () -> UnsafePointer<CChar>?
        typealias ThreadsFn = @convention(c) () -> Int32
        let config = unsafeBitCast(configSymbol, to: ConfigFn.self)().map { String(cString: $0).trimmingCharacters(in: .whitespaces) }
        let threads = dlsym(handle, "openblas_get_num_threads").map { Int(unsafeBitCast($0, to: ThreadsFn.self)()) }
        return BLASInfo(implementation: "OpenBLAS", config: config, threads: threads,
                        blasLibrary: blasFile, lapackLibrary: lapackFile)
    }

    private static func hexValue(_ byte: UInt8) -> UInt? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt(byte - UInt8(ascii: "a") + 10)
        default: return nil
        }
    }

    /// A one-line summary, e.g. "OpenBLAS 0.3.21 … , 2 threads".
    public var summary: String {
        var text = implementation
        if let config { text = config.hasPrefix(implementation) ? config : text + " " + config }
        if let threads { text += ", \(threads) thread\(threads == 1 ? "" : "s")" }
        return text
    }

    /// `summary` of the current process (kept for callers of the earlier API).
    public static var description: String { current.summary }

    /// The `blas` object of the JSON report.
    public var json: JSONValue {
        .object([
            ("implementation", .string(implementation)),
            ("config", config.map { .string($0) } ?? .null),
            ("threads", threads.map { .number(String($0)) } ?? .null),
            ("openblas_num_threads_env", ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"].map { .string($0) } ?? .null),
            ("blas_library", blasLibrary.map { .string($0) } ?? .null),
            ("lapack_library", lapackLibrary.map { .string($0) } ?? .null),
        ])
    }
}
