import Foundation

/// A parse or expansion error in a quadratic expression, with the columns it concerns.
public struct ExpressionError: Error, Equatable, CustomStringConvertible {
    /// What went wrong, in words.
    public let message: String
    /// The expression text.
    public let source: String
    /// First column of the offending text (1-based, in characters).
    public let column: Int
    /// Number of characters to underline (at least 1).
    public let length: Int

    /// Creates an error for `source` at the 0-based character offset `offset`.
    public init(_ message: String, source: String, offset: Int, length: Int = 1) {
        self.message = message
        self.source = source
        self.column = offset + 1
        self.length = max(1, length)
    }

    /// `expression:1:COL: MESSAGE`, then the expression and a caret line under the offending part.
    /// Long expressions are shown as a window of about 70 characters around the column; tabs,
    /// newlines and other control characters are shown as spaces so the caret stays aligned.
    public var description: String {
        let characters = source.map { ExpressionError.isControl($0) ? " " : $0 }
        let window = 70
        var first = 0
        var last = characters.count
        if characters.count > window {
            first = max(0, min(column - 1 - window / 2, characters.count - window))
            last = min(characters.count, first + window)
        }
        let prefix = first > 0 ? "..." : ""
        let suffix = last < characters.count ? "..." : ""
        let shown = prefix + String(characters[first..<last]) + suffix
        let caretStart = prefix.count + (column - 1 - first)
        let caretLength = max(1, min(length, last - (column - 1)))
        return "expression:1:\(column): \(message)\n  " + shown + "\n  "
            + String(repeating: " ", count: max(0, caretStart)) + String(repeating: "^", count: caretLength)
    }

    /// Whether `c` contains a C0 or C1 control code (tab, newline, NUL, …), which would break the
    /// one-line message or the caret alignment if printed as is.
    static func isControl(_ c: Character) -> Bool {
        c.unicodeScalars.contains { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) }
    }
}
