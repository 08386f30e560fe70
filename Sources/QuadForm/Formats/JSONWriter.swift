import Foundation

/// Writes JSON text: two-space indentation, members in the order given, numbers as the shortest
/// text that reads back to the same Double, and short arrays of numbers on one line.
public enum JSONWriter {
    /// The JSON text of `value` followed by a newline.
    public static func write(_ value: JSONValue) -> String {
        var out = ""
        write(value, indent: 0, into: &out)
        out += "\n"
        return out
    }

    /// The JSON number for `x`: shortest round-trip text; NaN and infinities become `null`.
    public static func number(_ x: Double) -> JSONValue {
        guard x.isFinite else { return .null }
        if x == x.rounded(), abs(x) < 1e15 { return .number(String(Int64(x))) }
        return .number("\(x)")
    }

    /// A JSON array of numbers.
    public static func numbers(_ v: [Double]) -> JSONValue { .array(v.map(number)) }

    /// A JSON array of rows.
    public static func matrix(_ m: Matrix) -> JSONValue { .array(m.rowArrays.map(numbers)) }

    static func escape(_ s: String) -> String {
        var r = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": r += "\\\""
            case "\\": r += "\\\\"
            case "\n": r += "\\n"
            case "\r": r += "\\r"
            case "\t": r += "\\t"
            default:
                if scalar.value < 0x20 { r += String(format: "\\u%04x", scalar.value) } else { r.unicodeScalars.append(scalar) }
            }
        }
        return r + "\""
    }

    static func isFlat(_ items: [JSONValue]) -> Bool {
        items.allSatisfy {
            switch $0 {
            case .number, .null, .bool, .string: return true
            default: return false
            }
        }
    }

    static func write(_ value: JSONValue, indent: Int, into out: inout String) {
        let pad = String(repeating: "  ", count: indent + 1)
        let closePad = String(repeating: "  ", count: indent)
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let s): out += s
        case .string(let s): out += escape(s)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            if isFlat(items) {
                out += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += ", " }
                    write(item, indent: indent + 1, into: &out)
                }
                out += "]"
                return
            }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += pad
                write(item, indent: indent + 1, into: &out)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += closePad + "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{\n"
            for (i, (key, item)) in members.enumerated() {
                out += pad + escape(key) + ": "
                write(item, indent: indent + 1, into: &out)
                out += i + 1 < members.count ? ",\n" : "\n"
            }
            out += closePad + "}"
        }
    }
}
