import Foundation

/// A JSON value as read from text. Numbers keep their literal text, so exact mode (design.md §4)
/// can read `0.1` as 1/10 and floating mode as the nearest Double.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in the order written.
    case object([(String, JSONValue)])
    /// An array of numbers held as Doubles, written as `JSONWriter.number` of each (NaN and
    /// infinities as `null`). Built by `JSONWriter.numbers`, so a report shares the storage of its
    /// vectors instead of holding a String per number; the reader never produces it.
    case numbers([Double])
    /// A matrix as an array of rows of numbers (each row as `.numbers` would be written). Built by
    /// `JSONWriter.matrix`; shares the matrix's storage; the reader never produces it.
    case rows(Matrix)

    /// `.numbers` and `.rows` spelled out as `.array`s (of `.array`s) of `.number`s, as the reader
    /// would return them; other values unchanged.
    public var expanded: JSONValue {
        switch self {
        case .numbers(let v): return .array(v.map(JSONWriter.number))
        case .rows(let m): return .array((0..<m.rows).map { .array(m.row($0).map(JSONWriter.number)) })
        default: return self
        }
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.numbers, _), (.rows, _), (_, .numbers), (_, .rows):
            let (l, r) = (lhs.expanded, rhs.expanded)
            guard case .array(let a) = l, case .array(let b) = r else { return false }
            return a == b
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The member named `key` of an object.
    /// Arrays of numbers come `expanded`, so `case .array(let items)` matches them as it would
    /// after reading the text back.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members.first { $0.0 == key }?.1.expanded }
        return nil
    }

    /// A short name of the value's type, for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array, .numbers, .rows: return "an array"
        case .object: return "an object"
        }
    }
}

/// A JSON value in messages: compact JSON text (`[2, -2]`, not `[QuadForm.JSONValue.number("-2")]`),
/// cut after 200 characters.
extension JSONValue: CustomStringConvertible {
    public var description: String {
        var text = ""
        JSONValue.render(self, into: &text, limit: 200)
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    static func render(_ value: JSONValue, into text: inout String, limit: Int) {
        if text.count > limit { return }
        switch value {
        case .null: text += "null"
        case .bool(let b): text += b ? "true" : "false"
        case .number(let n): text += n
        case .string(let s): text += "\"" + (s.count > limit ? String(s.prefix(limit)) : s) + "\""
        case .array(let items):
            text += "["
            for (i, item) in items.enumerated() {
                if i > 0 { text += ", " }
                if text.count > limit { text += "…"; break }
                render(item, into: &text, limit: limit)
            }
            text += "]"
        case .object(let members):
            text += "{"
            for (i, (key, item)) in members.enumerated() {
                if i > 0 { text += ", " }
                if text.count > limit { text += "…"; break }
                text += "\"\(key)\": "
                render(item, into: &text, limit: limit)
            }
            text += "}"
        case .numbers, .rows:
            render(value.expanded, into: &text, limit: limit)
        }
    }
}
