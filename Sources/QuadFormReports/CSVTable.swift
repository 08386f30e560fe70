import QuadFormCore
import Foundation

/// CSV text with a header row; fields are quoted when they hold commas, quotes or line breaks.
public struct CSVTable: Sendable {
    /// Column names.
    public var header: [String]
    /// Rows of fields.
    public var rows: [[String]]

    /// A table with the given header and no rows.
    public init(header: [String], rows: [[String]] = []) {
        self.header = header
        self.rows = rows
    }

    /// The CSV text (RFC 4180 quoting, `\n` line ends).
    public var text: String {
        func field(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        return ([header] + rows).map { $0.map(field).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// The same table for people: columns padded to their widest field, two spaces apart, no
    /// trailing spaces (the experiment tables of design.md §3).
    public var alignedText: String {
        let widths = header.indices.map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0 }
        func line(_ fields: [String]) -> String {
            fields.enumerated().map { c, f in f.padding(toLength: widths[c], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return ([header] + rows).map { line($0) + "\n" }.joined()
    }

    /// A number in full precision (round-trips through `Double(_:)`).
    public static func number(_ x: Double) -> String { x.isFinite ? "\(x)" : (x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf")) }
}
