import Foundation

/// Writes JSON text: two-space indentation, members in the order given, numbers as the shortest
/// text that reads back to the same Double, and short arrays of numbers on one line. `write(_:to:)`
/// streams the text into a file or standard output in 64 KiB pieces, so a report of hundreds of MB
/// needs no memory beyond its values (design.md §6).
public enum JSONWriter {
    /// The JSON text of `value` followed by a newline.
    public static func write(_ value: JSONValue) -> String {
        var out = ""
        write(value, indent: 0, into: &out, flush: { _ in })
        out += "\n"
        return out
    }

    /// Streams the JSON text of `value`, followed by a newline, into `sink` (the same text as
    /// `write(_:)`), holding at most about 64 KiB of it at a time.
    public static func write(_ value: JSONValue, to sink: inout FileSink) throws {
        var out = ""
        out.reserveCapacity(chunk + 4096)
        try write(value, indent: 0, into: &out) { text in
            if text.utf8.count >= chunk {
                try sink.write(text)
                text.removeAll(keepingCapacity: true)
            }
        }
        out += "\n"
        try sink.write(out)
    }

    /// Text collected before it is handed to the sink.
    static let chunk = 1 << 16

    /// The JSON number for `x`: shortest round-trip text; NaN and infinities become `null`.
    public static func number(_ x: Double) -> JSONValue {
        x.isFinite ? .number(numberText(x)) : .null
    }

    /// The text of `number(x)`.
    static func numberText(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        // −0.0 keeps its sign (ONNX and safetensors do; the JSON round trip is bit-exact too).
        if x == 0 { return x.sign == .minus ? "-0.0" : "0" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }

    /// A JSON array of numbers (sharing `v`'s storage).
    public static func numbers(_ v: [Double]) -> JSONValue { .numbers(v) }

    /// A JSON array of rows (sharing `m`'s storage).
    public static func matrix(_ m: Matrix) -> JSONValue { .rows(m) }

    package static func escape(_ s: String) -> String {
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

    /// `[a, b, c]` on one line.
    static func writeFlat(_ v: UnsafeBufferPointer<Double>, into out: inout String) {
        out += "["
        for (i, x) in v.enumerated() {
            if i > 0 { out += ", " }
            out += numberText(x)
        }
        out += "]"
    }

    /// Appends the text of `value` to `out`, calling `flush` after each element of an array or
    /// object (it may hand `out` on and empty it).
    static func write(_ value: JSONValue, indent: Int, into out: inout String, flush: (inout String) throws -> Void) rethrows {
        let pad = String(repeating: "  ", count: indent + 1)
        let closePad = String(repeating: "  ", count: indent)
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let s): out += s
        case .string(let s): out += escape(s)
        case .numbers(let v):
            if v.isEmpty { out += "[]"; return }
            out += "["
            for (i, x) in v.enumerated() {
                if i > 0 { out += ", " }
                out += numberText(x)
                if i & 255 == 255 { try flush(&out) }
            }
            out += "]"
        case .rows(let m):
            if m.rows == 0 { out += "[]"; return }
            out += "[\n"
            try m.entries.withUnsafeBufferPointer { entries in
                for r in 0..<m.rows {
                    out += pad
                    writeFlat(UnsafeBufferPointer(rebasing: entries[(r * m.columns)..<((r + 1) * m.columns)]), into: &out)
                    out += r + 1 < m.rows ? ",\n" : "\n"
                    try flush(&out)
                }
            }
            out += closePad + "]"
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            if isFlat(items) {
                out += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += ", " }
                    try write(item, indent: indent + 1, into: &out, flush: flush)
                }
                out += "]"
                return
            }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += pad
                try write(item, indent: indent + 1, into: &out, flush: flush)
                out += i + 1 < items.count ? ",\n" : "\n"
                try flush(&out)
            }
            out += closePad + "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{\n"
            for (i, (key, item)) in members.enumerated() {
                out += pad + escape(key) + ": "
                try write(item, indent: indent + 1, into: &out, flush: flush)
                out += i + 1 < members.count ? ",\n" : "\n"
                try flush(&out)
            }
            out += closePad + "}"
        }
    }
}
