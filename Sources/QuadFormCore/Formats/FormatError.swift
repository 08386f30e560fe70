import Foundation

/// Errors of the file formats that are not about one file's bytes (those are `NpyError`,
/// `NpzError`, `JSONError`, `FileError`): arrays that do not fit together, names an archive cannot hold.
public enum FormatError: Error, Equatable, CustomStringConvertible {
    /// The `--linear` vector's length differs from the order of the `--quadratic` matrix.
    case vectorLength(linear: String, entries: Int, quadratic: String, order: Int)
    /// An `.npz` member name that is empty, too long or contains '/'.
    case invalidMemberName(String)
    /// Two `.npz` members with the same name.
    case repeatedMemberName(String)
    /// The reader thread of `LargeStack` ended without a result (a bug to report).
    case readerDidNotFinish

    /// The message for users.
    public var description: String {
        switch self {
        case let .vectorLength(linear, entries, quadratic, order):
            return "\(linear) has \(entries) entries but \(quadratic) is \(order)×\(order)"
        case let .invalidMemberName(name): return "npz array name '\(name)' is not a valid member name"
        case let .repeatedMemberName(name): return "npz array name '\(name)' appears twice"
        case .readerDidNotFinish: return "the reader thread did not finish"
        }
    }
}
