import QuadFormCore
import QuadFormReports
import Foundation

/// A request to the explorer (`quadform serve`, docs/serve.md) that cannot be answered: the HTTP
/// status it maps to, what went wrong, and for an expression error the column and length of the
/// offending part, so the page can put a caret under it as the command line does.
public struct ExplorerError: Error, Equatable, CustomStringConvertible {
    /// The HTTP status: 400 bad input, 413 body too large, 503 busy.
    public let status: Int
    /// What went wrong, in words (for an expression: the command line's message with its caret lines).
    public let message: String
    /// First column (1-based) of the offending part of the expression, if the error is in it.
    public let column: Int?
    /// Characters to underline from `column`.
    public let length: Int?

    /// An error with HTTP status `status`.
    public init(status: Int = 400, _ message: String, column: Int? = nil, length: Int? = nil) {
        self.status = status
        self.message = message
        self.column = column
        self.length = length
    }

    /// The error of any library error met while answering: expression errors keep their column.
    public init(_ error: Error) {
        if let e = error as? ExplorerError { self = e; return }
        if let e = error as? ExpressionError {
            self.init(String(describing: e), column: e.column, length: e.length)
            return
        }
        self.init(String(describing: error))
    }

    public var description: String { message }

    /// The JSON body of the error response: `{"error": …, "column": …, "length": …}`.
    public var json: JSONValue {
        .object([
            ("error", .string(message)),
            ("column", column.map { .number(String($0)) } ?? .null),
            ("length", length.map { .number(String($0)) } ?? .null),
        ])
    }
}
