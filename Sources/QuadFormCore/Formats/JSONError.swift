import Foundation

/// A JSON syntax error (with line and column) or a content error (with the JSON path).
public struct JSONError: Error, Equatable, CustomStringConvertible {
    /// Where: `FILE:LINE:COLUMN` for syntax errors, `FILE: PATH` for content errors.
    public let location: String
    /// What is wrong.
    public let message: String

    /// An error at `location`.
    public init(location: String, message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}
