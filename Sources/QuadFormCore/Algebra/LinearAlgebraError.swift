import Foundation

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

