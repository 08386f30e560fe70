import Foundation

/// Errors of the synthesis (design.md §3–§4): inputs it cannot work with (non-finite entries, bad
/// options), results beyond the range of Double, exact numbers beyond the size limits.
public enum SynthesisError: Error, Equatable, CustomStringConvertible {
    /// An entry of the form is NaN or infinite (which one, in the message).
    case nonFinite(String)
    /// A synthesis option is out of range (which one, in the message).
    case invalidOption(String)
    /// The form's values or a completed square exceed the largest Double.
    case overflow(String)
    /// Exact numbers would exceed the size limits of the exact synthesis.
    case tooLarge(String)
    /// A state the mathematics rules out (a bug to report).
    case internalError(String)

    /// The message for users.
    public var description: String {
        switch self {
        case let .nonFinite(m), let .invalidOption(m), let .overflow(m), let .tooLarge(m), let .internalError(m): return m
        }
    }
}
