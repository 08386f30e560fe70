import Foundation
import QuadFormCore
import QuadFormReports
import QuadFormInterop

/// The `--at` syntax of `quadform eval`: `5`, `1,2,3` or `1,2;3,4`.
enum PointList {
    /// Parses a point list into points of `width` coordinates. Numbers are separated by commas (or
    /// spaces); with `;` each part is one point, without it the numbers are taken `width` at a time.
    static func points(_ list: String, width: Int) throws -> [[Double]] {
        try points(list, width: width) { text in Double.finiteLiteral(text) }
    }

    /// The same list read exactly (`eval --exact`): each number a decimal literal or `p/q`.
    static func exactPoints(_ list: String, width: Int) throws -> [[Rational]] {
        try points(list, width: width) { Rational(exactText: $0) }
    }

    private static func points<Number>(_ list: String, width: Int, parse: (String) -> Number?) throws -> [[Number]] {
        let parts = list.split(separator: ";", omittingEmptySubsequences: false)
        var position = 0
        func numbers(_ text: Substring) throws -> [Number] {
            let tokens = text.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
            return try tokens.map { token in
                position += 1
                let normalized = token.replacingOccurrences(of: "−", with: "-")
                guard let x = parse(normalized) else {
                    throw PointListError.badNumber(list: list, value: token, position: position)
                }
                return x
            }
        }
        if parts.count > 1 {
            return try parts.enumerated().map { index, part in
                let point = try numbers(part)
                guard point.count == width else {
                    throw PointListError.pointLength(list: list, point: index + 1, found: point.count, width: width)
                }
                return point
            }
        }
        let values = try numbers(parts[0])
        guard width > 0 else {
            guard values.isEmpty else { throw PointListError.notWholePoints(list: list, count: values.count, width: width) }
            return [[]]
        }
        guard !values.isEmpty, values.count % width == 0 else {
            throw PointListError.notWholePoints(list: list, count: values.count, width: width)
        }
        return stride(from: 0, to: values.count, by: width).map { Array(values[$0..<($0 + width)]) }
    }
}

/// A point list given with `--at` that does not parse or does not fit the network.
enum PointListError: Error, Equatable, CustomStringConvertible {
    /// A value is not a finite number (the list, the value, its 1-based position).
    case badNumber(list: String, value: String, position: Int)
    /// The list holds `count` numbers, not a whole number of points of `width` coordinates.
    case notWholePoints(list: String, count: Int, width: Int)
    /// A `;`-separated point has the wrong number of coordinates.
    case pointLength(list: String, point: Int, found: Int, width: Int)

    var description: String {
        switch self {
        case let .badNumber(list, value, position):
            return "'\(list)': value \(position) ('\(value)') is not a finite number a Double can hold (it is not a number, overflows, or underflows to zero)"
        case let .notWholePoints(list, count, width):
            return "'\(list)' has \(count) number\(count == 1 ? "" : "s"); the network takes \(width) per point, so give a multiple of \(width)"
        case let .pointLength(list, point, found, width):
            return "'\(list)': point \(point) has \(found) coordinate\(found == 1 ? "" : "s"); the network takes \(width)"
        }
    }
}
