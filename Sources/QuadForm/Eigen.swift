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
    /// `dsyev` up to n = 200, `dsyevd` above (see `resolved(forOrder:)`).
    case auto

    /// The concrete driver used for a matrix of order `n`: `auto` picks `dsyev` for n ≤ 200,
    /// where its cost is negligible, and `dsyevd` above, where it is several times faster.
    public func resolved(forOrder n: Int) -> EigenDriver {
        guard self == .auto else { return self }
        return n <= 200 ? .dsyev : .dsyevd
    }
}

/// The eigendecomposition `A = Q Λ Qᵀ` of a symmetric matrix (design.md §2).
public struct SymmetricEigendecomposition: Sendable {
    /// Eigenvalues in ascending order (as LAPACK returns them).
    public let eigenvalues: [Double]
    /// Orthonormal eigenvectors; `eigenvectors[j]` belongs to `eigenvalues[j]`.
    public let eigenvectors: [[Double]]
    /// The driver that computed them.
    public let driver: EigenDriver

    /// Largest order accepted: dsyevd's workspace of 1 + 6n + 2n² must fit LAPACK's 32-bit int.
    public static let maximumOrder = 32_000

    /// Decomposes the symmetric matrix `a` with LAPACKE (`uplo = "U"`, column-major; for a symmetric
    /// matrix the row-major storage is the same array). Only the upper triangle is read.
    public init(symmetric a: Matrix, driver: EigenDriver = .dsyev) throws {
        precondition(a.rows == a.columns, "eigendecomposition needs a square matrix")
        let n = a.rows
        for i in 0..<n { for j in i..<n where !a[i, j].isFinite { throw LinearAlgebraError.nonFiniteEntry(row: i, column: j) } }
        // dsyevd's integer workspace is 1 + 6n + 2n² entries, which must fit LAPACK's 32-bit int.
        guard n <= Self.maximumOrder else { throw LinearAlgebraError.tooLarge(n: n) }
        let chosen = driver.resolved(forOrder: n)
        self.driver = chosen
        guard n > 0 else {
            eigenvalues = []
            eigenvectors = []
            return
        }
        var w = [Double](repeating: 0, count: n)
        var vectors = a.entries
        let jobz = CChar(UInt8(ascii: "V"))
        let uplo = CChar(UInt8(ascii: "U"))
        let info: Int32
        switch chosen {
        case .dsyev, .auto:
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
        eigenvectors = (0..<n).map { j in Array(vectors[(j * n)..<((j + 1) * n)]) }
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

/// The BLAS/LAPACK implementation this process runs, as reported to users and benchmarks.
public enum BLASInfo {
    /// A short description: the OpenBLAS configuration string when OpenBLAS is loaded,
    /// otherwise "reference BLAS/LAPACK".
    public static var description: String {
        typealias ConfigFn = @convention(c) () -> UnsafePointer<CChar>?
        guard let handle = dlopen(nil, RTLD_NOW),
              let symbol = dlsym(handle, "openblas_get_config") else {
            return "reference BLAS/LAPACK (libblas.so.3 / liblapack.so.3)"
        }
        let fn = unsafeBitCast(symbol, to: ConfigFn.self)
        guard let config = fn() else { return "OpenBLAS" }
        var text = "OpenBLAS " + String(cString: config)
        if let threadsSymbol = dlsym(handle, "openblas_get_num_threads") {
            typealias ThreadsFn = @convention(c) () -> Int32
            let threads = unsafeBitCast(threadsSymbol, to: ThreadsFn.self)()
            text += ", \(threads) thread\(threads == 1 ? "" : "s")"
        }
        return text
    }
}
