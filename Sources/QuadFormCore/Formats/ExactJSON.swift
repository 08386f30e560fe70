import Foundation

extension JSONContent {
    /// An exact rational from a JSON number (its literal read exactly) or a `"p/q"` string.
    public func rational(_ value: JSONValue, _ path: String) throws -> Rational {
        switch value {
        case .number(let literal):
            guard let r = Rational(exactText: literal) else { throw error(path, "number \(literal) cannot be read exactly (exponent beyond ±\(Rational.maximumDecimalExponent))") }
            return r
        case .string(let text):
            guard let r = Rational(exactText: text) else { throw error(path, "expected a number or a \"p/q\" string, found the string \"\(text.prefix(40))\"") }
            return r
        default:
            throw error(path, "expected a number, found \(value.typeName)")
        }
    }
}

/// Writing exact numbers into the JSON of design.md §6: integers as JSON numbers, other rationals
/// as strings `"p/q"` (which the network and form readers accept).
public enum ExactJSON {
    /// An integer as a number, otherwise the string `"p/q"`.
    public static func number(_ r: Rational) -> JSONValue {
        r.denominator == 1 ? .number(GMP.decimalString(r.numerator)) : .string(r.description)
    }

    /// A JSON array of exact numbers.
    public static func numbers(_ v: [Rational]) -> JSONValue { .array(v.map(number)) }

    /// A JSON array of rows.
    public static func matrix(_ m: RationalMatrix) -> JSONValue { .array(m.rowArrays.map(numbers)) }

    /// `t_1 ± t_2 ± …` for (coefficient, monomial) terms; an empty monomial is a constant.
    package static func join(_ terms: [(Rational, String)], limit: Int = 24) -> String {
        var out = ""
        for (index, (c, name)) in terms.prefix(limit).enumerated() {
            let magnitude = c.magnitude
            let shown = magnitude.denominator == 1 ? magnitude.description : "(\(magnitude))"
            let body = name.isEmpty ? magnitude.description : (magnitude == .one ? name : "\(shown)*\(name)")
            if index == 0 { out += (c < .zero ? "-" : "") + body } else { out += (c < .zero ? " - " : " + ") + body }
        }
        if terms.count > limit { out += " + … (\(terms.count - limit) more terms)" }
        return out
    }
}
