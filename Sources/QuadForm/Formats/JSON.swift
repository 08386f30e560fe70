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

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
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
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members.first { $0.0 == key }?.1 }
        return nil
    }

    /// A short name of the value's type, for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

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

/// A strict JSON reader (RFC 8259) that reports line:column and refuses nesting deeper than
/// `maximumDepth`, so hostile input cannot exhaust the stack.
public struct JSONReader {
    /// Deepest nesting of arrays and objects accepted.
    public static let maximumDepth = 256

    /// Parses `text`; `name` (a file name) prefixes error locations.
    public static func parse(_ text: String, name: String = "<json>") throws -> JSONValue {
        try LargeStack.run {
            var reader = JSONReader(bytes: Array(text.utf8), name: name)
            if reader.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { reader.index = 3 }  // a UTF-8 byte order mark
            reader.skipWhitespace()
            if reader.index == reader.bytes.count { throw reader.error("empty input: expected a JSON value") }
            let value = try reader.parseValue(depth: 0)
            reader.skipWhitespace()
            if reader.index < reader.bytes.count { throw reader.error("unexpected text after the JSON value") }
            return value
        }
    }

    /// Reads and parses a file, with a clear error for a missing file, a directory or bad UTF-8.
    public static func parseFile(_ path: String) throws -> JSONValue {
        let text = try InputFile.readText(path)
        return try parse(text, name: path)
    }

    let bytes: [UInt8]
    let name: String
    var index = 0

    init(bytes: [UInt8], name: String) {
        self.bytes = bytes
        self.name = name
    }

    func error(_ message: String, at offset: Int? = nil) -> JSONError {
        let position = min(offset ?? index, bytes.count)
        var line = 1, column = 1
        var i = 0
        while i < position {
            if bytes[i] == UInt8(ascii: "\n") { line += 1; column = 1 }
            else if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return JSONError(location: "\(name):\(line):\(column)", message: message)
    }

    mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    func describeCurrent() -> String {
        guard index < bytes.count else { return "end of input" }
        let b = bytes[index]
        if b >= 0x20 && b < 0x7F { return "'\(Character(UnicodeScalar(b)))'" }
        return String(format: "byte 0x%02X", b)
    }

    mutating func parseValue(depth: Int) throws -> JSONValue {
        guard depth < JSONReader.maximumDepth else { throw error("nesting deeper than \(JSONReader.maximumDepth) levels") }
        guard index < bytes.count else { throw error("unexpected end of input: expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "N") where bytes[index...].starts(with: "NaN".utf8),
             UInt8(ascii: "I") where bytes[index...].starts(with: "Infinity".utf8):
            throw error("NaN and Infinity are not JSON numbers")
        default:
            throw error("unexpected \(describeCurrent()): expected a value")
        }
    }

    mutating func expectWord(_ word: String) throws {
        let w = Array(word.utf8)
        guard index + w.count <= bytes.count, Array(bytes[index..<(index + w.count)]) == w else {
            throw error("unexpected \(describeCurrent()): expected a value")
        }
        index += w.count
    }

    mutating func parseNumber() throws -> String {
        let start = index
        func isDigit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: "I") { throw error("NaN and Infinity are not JSON numbers", at: start) }
        guard isDigit(index) else { throw error("malformed number: digit expected after '-'") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if isDigit(index) { throw error("malformed number: leading zero", at: start) }
        } else {
            while isDigit(index) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard isDigit(index) else { throw error("malformed number: digit expected after '.'") }
            while isDigit(index) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard isDigit(index) else { throw error("malformed number: digit expected in the exponent") }
            while isDigit(index) { index += 1 }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    mutating func parseString() throws -> String {
        let open = index
        index += 1
        var runStart = index
        var result = ""
        func flush(_ to: Int) throws {
            guard let s = String(validating: bytes[runStart..<to], as: UTF8.self) else {
                throw error("string is not valid UTF-8", at: runStart)
            }
            result += s
        }
        while true {
            guard index < bytes.count else { throw error("unterminated string", at: open) }
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                try flush(index)
                index += 1
                return result
            }
            if b < 0x20 { throw error("control character in string") }
            if b == UInt8(ascii: "\\") {
                try flush(index)
                index += 1
                guard index < bytes.count else { throw error("unterminated string", at: open) }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""): result += "\""
                case UInt8(ascii: "\\"): result += "\\"
                case UInt8(ascii: "/"): result += "/"
                case UInt8(ascii: "b"): result += "\u{08}"
                case UInt8(ascii: "f"): result += "\u{0C}"
                case UInt8(ascii: "n"): result += "\n"
                case UInt8(ascii: "r"): result += "\r"
                case UInt8(ascii: "t"): result += "\t"
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800...0xDBFF).contains(code) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw error("unpaired surrogate in \\u escape")
                        }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired surrogate in \\u escape") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = UnicodeScalar(code) else { throw error("invalid \\u escape") }
                    result.unicodeScalars.append(scalar)
                default:
                    throw error("invalid escape '\\\(Character(UnicodeScalar(e)))'", at: index - 2)
                }
                runStart = index
                continue
            }
            index += 1
        }
    }

    mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("\\u escape needs four hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case 0x30...0x39: digit = UInt32(b - 0x30)
            case 0x41...0x46: digit = UInt32(b - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(b - 0x61 + 10)
            default: throw error("\\u escape needs four hex digits")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    mutating func parseArray(depth: Int) throws -> JSONValue {
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input: expected ',' or ']'") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            throw error("unexpected \(describeCurrent()): expected ',' or ']'")
        }
    }

    mutating func parseObject(depth: Int) throws -> JSONValue {
        index += 1
        var members: [(String, JSONValue)] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error("unexpected \(describeCurrent()): expected a member name in double quotes")
            }
            let keyOffset = index
            let key = try parseString()
            if members.contains(where: { $0.0 == key }) { throw error("duplicate member \"\(key)\"", at: keyOffset) }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("unexpected \(describeCurrent()): expected ':' after the member name")
            }
            index += 1
            skipWhitespace()
            members.append((key, try parseValue(depth: depth + 1)))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input: expected ',' or '}'") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw error("unexpected \(describeCurrent()): expected ',' or '}'")
        }
    }
}

/// Reads typed content out of a `JSONValue`, naming the JSON path (`quadratic[1][2]`) in errors.
public struct JSONContent {
    /// The file name used in error locations.
    public let name: String

    /// A reader for values from `name`.
    public init(name: String) { self.name = name }

    /// An error at `path`.
    public func error(_ path: String, _ message: String) -> JSONError {
        JSONError(location: path.isEmpty ? name : "\(name): \(path)", message: message)
    }

    /// The object members, or an error.
    public func object(_ value: JSONValue, _ path: String) throws -> [(String, JSONValue)] {
        guard case .object(let members) = value else { throw error(path, "expected an object, found \(value.typeName)") }
        return members
    }

    /// A required member of an object.
    public func member(_ value: JSONValue, _ key: String, _ path: String) throws -> JSONValue {
        _ = try object(value, path)
        guard let v = value[key] else { throw error(path, "missing key \"\(key)\"") }
        return v
    }

    /// The array items, or an error.
    public func array(_ value: JSONValue, _ path: String) throws -> [JSONValue] {
        guard case .array(let items) = value else { throw error(path, "expected an array, found \(value.typeName)") }
        return items
    }

    /// A finite Double from a JSON number (or an exact `"p/q"` string), or an error.
    public func double(_ value: JSONValue, _ path: String) throws -> Double {
        switch value {
        case .number(let literal):
            guard let d = Double(literal), d.isFinite else { throw error(path, "number \(literal) overflows a Double") }
            return d
        case .string(let text):
            if let r = Rational(exactText: text) {
                let d = r.doubleValue
                guard d.isFinite else { throw error(path, "exact number \"\(text.prefix(40))\" overflows a Double") }
                return d
            }
            throw error(path, "expected a number or an exact \"p/q\" string, found the string \"\(text.prefix(40))\"")
        default:
            throw error(path, "expected a number, found \(value.typeName)")
        }
    }

    /// A non-negative integer, or an error.
    public func integer(_ value: JSONValue, _ path: String) throws -> Int {
        guard case .number(let literal) = value else { throw error(path, "expected an integer, found \(value.typeName)") }
        guard let i = Int(literal), i >= 0 else { throw error(path, "expected a non-negative integer, found \(literal)") }
        return i
    }

    /// A vector of finite Doubles.
    public func vector(_ value: JSONValue, _ path: String) throws -> [Double] {
        try array(value, path).enumerated().map { try double($1, "\(path)[\($0)]") }
    }

    /// A `rows × columns` matrix given as a list of rows; `columns` nil means "as long as row 0".
    public func matrix(_ value: JSONValue, _ path: String, rows: Int?, columns: Int?) throws -> Matrix {
        let items = try array(value, path)
        if let rows, items.count != rows {
            throw error(path, "expected \(rows) row\(rows == 1 ? "" : "s"), found \(items.count)")
        }
        var width = columns
        var entries: [Double] = []
        for (i, item) in items.enumerated() {
            let row = try vector(item, "\(path)[\(i)]")
            if let w = width, row.count != w {
                throw error("\(path)[\(i)]", "expected \(w) entr\(w == 1 ? "y" : "ies"), found \(row.count)\(columns == nil ? " (row 0 has \(w))" : "")")
            }
            width = row.count
            entries += row
        }
        return Matrix(rows: items.count, columns: width ?? 0, entries: entries)
    }
}

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
