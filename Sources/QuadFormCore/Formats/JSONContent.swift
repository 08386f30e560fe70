import Foundation

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
        guard case .array(let items) = value.expanded else { throw error(path, "expected an array, found \(value.typeName)") }
        return items
    }

    /// A finite Double from a JSON number (or an exact `"p/q"` string), or an error.
    public func double(_ value: JSONValue, _ path: String) throws -> Double {
        switch value {
        case .number(let literal):
            guard let d = Double.finiteLiteral(literal) else {
                if let d = Double(literal), d == 0 { throw error(path, "number \(literal.prefix(40)) underflows to zero in a Double") }
                throw error(path, "number \(literal.prefix(40)) overflows a Double")
            }
            return d
        case .string(let text):
            if let r = Rational(exactText: text) {
                let d = r.doubleValue
                guard d.isFinite else { throw error(path, "exact number \"\(text.prefix(40))\" overflows a Double") }
                guard d != 0 || r.isZero else { throw error(path, "exact number \"\(text.prefix(40))\" underflows to zero in a Double") }
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
