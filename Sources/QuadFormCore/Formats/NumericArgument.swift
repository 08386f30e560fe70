import Foundation

/// Command-line numbers that a Double cannot hold (docs/bad-input.md): a decimal literal such as
/// `1e-99999` that rounds to zero although its digits are not all zero, or `1e999` that rounds to
/// infinity. Option parsers read such literals silently as 0 or ∞; the executables check every
/// argument with this first, so `--rank-tolerance 1e-400` is refused instead of meaning 0.
public enum NumericArgument {
    /// Why `token` (a whole argument, or the value after `=` of `--name=value`) is a decimal
    /// literal outside Double's range, or nil when it is not a number or is representable.
    /// `option` names the option the value belongs to, for the message.
    public static func rangeProblem(_ token: String, option: String? = nil) -> String? {
        guard isDecimalLiteral(token), let value = Double(token) else { return nil }
        let what = option.map { "\($0) \(token)" } ?? "'\(token)'"
        if value.isInfinite {
            return "\(what) is out of range: it overflows a Double (largest magnitude \(Double.greatestFiniteMagnitude))"
        }
        if value == 0, hasNonZeroDigit(token) {
            return "\(what) is out of range: it underflows to zero in a Double (smallest positive \(Double.leastNonzeroMagnitude))"
        }
        return nil
    }

    /// The first out-of-range number among command-line `arguments` (without the program name),
    /// with the option it belongs to: `--opt VALUE`, `--opt=VALUE` or a positional argument.
    /// Arguments after `--` are checked as positional values.
    public static func firstRangeProblem(in arguments: [String]) -> String? {
        var previous: String?
        for argument in arguments {
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                let name = String(argument[..<equals])
                if let problem = rangeProblem(String(argument[argument.index(after: equals)...]), option: name) { return problem }
            } else if let problem = rangeProblem(argument, option: previous.flatMap { isOptionName($0) ? $0 : nil }) {
                return problem
            }
            previous = argument
        }
        return nil
    }

    static func isOptionName(_ argument: String) -> Bool {
        argument.hasPrefix("-") && argument.count > 1 && !isDecimalLiteral(argument) && !argument.contains("=")
    }

    /// `[+-] digits [. digits] [e [+-] digits]` (or `.digits`), as people type numbers.
    static func isDecimalLiteral(_ token: String) -> Bool {
        var characters = Substring(token)
        if let first = characters.first, first == "+" || first == "-" { characters = characters.dropFirst() }
        var mantissaDigits = 0
        var sawPoint = false
        while let c = characters.first {
            if c.isASCII, c.isNumber { mantissaDigits += 1 } else if c == ".", !sawPoint { sawPoint = true } else { break }
            characters = characters.dropFirst()
        }
        guard mantissaDigits > 0 else { return false }
        if let e = characters.first, e == "e" || e == "E" {
            characters = characters.dropFirst()
            if let sign = characters.first, sign == "+" || sign == "-" { characters = characters.dropFirst() }
            guard !characters.isEmpty, characters.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
            return true
        }
        return characters.isEmpty
    }

    static func hasNonZeroDigit(_ token: String) -> Bool {
        let mantissa = token.prefix { $0 != "e" && $0 != "E" }
        return mantissa.contains { $0.isASCII && $0.isNumber && $0 != "0" }
    }
}
