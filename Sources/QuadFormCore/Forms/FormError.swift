import Foundation

/// Errors in the description of a quadratic form f(x) = c + aᵀx + xᵀMx (design.md §2): parts of
/// different sizes, variable lists that do not fit the expression, random forms out of range.
public enum FormError: Error, Equatable, CustomStringConvertible {
    /// The linear term a has `entries` entries, the quadratic matrix M is `rows`×`columns`.
    case linearLength(entries: Int, rows: Int, columns: Int)
    /// `names` variable names were given for `variables` variables.
    case nameCount(names: Int, variables: Int)
    /// The variable names repeat one.
    case repeatedNames([String])
    /// An expression with more variables than expressions allow.
    case tooManyVariables(count: Int, limit: Int)
    /// `--variables` lists something that is not an identifier.
    case notAVariableName(String)
    /// `--variables` lists a name twice.
    case listedTwice(String)
    /// `--variables` leaves out variables the expression uses.
    case unlisted([String])
    /// `--random` with a negative number of variables.
    case negativeDimension(Int)
    /// `--random` beyond the size limit.
    case dimensionLimit(Int, limit: Int)
    /// `--rank` outside 0…n.
    case rankOutOfRange(rank: Int, n: Int)

    /// The message for users.
    public var description: String {
        switch self {
        case let .linearLength(entries, rows, columns):
            return "linear term has \(entries) entries but the quadratic matrix is \(rows)×\(columns)"
        case let .nameCount(names, variables):
            return "\(names) variable names for \(variables) variables"
        case let .repeatedNames(names):
            return "variable names are not distinct: \(names.joined(separator: ", "))"
        case let .tooManyVariables(count, limit):
            return "the expression has \(count) variables, more than the limit of \(limit) for expressions; give large forms as JSON (--input) or .npy (--quadratic)"
        case let .notAVariableName(name):
            return "--variables: '\(name)' is not a variable name (letters, digits and _, not starting with a digit)"
        case let .listedTwice(name):
            return "--variables lists a name twice: \(name)"
        case let .unlisted(names):
            return "--variables does not list \(names.joined(separator: ", ")), which the expression uses"
        case let .negativeDimension(n):
            return "--random: the number of variables must be ≥ 0, got \(n)"
        case let .dimensionLimit(n, limit):
            return "--random: n = \(n) exceeds the limit of \(limit)"
        case let .rankOutOfRange(k, n):
            return "--rank must be between 0 and n = \(n), got \(k)"
        }
    }
}
