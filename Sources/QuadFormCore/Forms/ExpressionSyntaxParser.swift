import Foundation

/// A token of an expression: its kind and its character range in the source.
struct ExpressionToken {
    enum Kind: Equatable { case number(String), identifier(String), op(String), leftParen, rightParen, end }
    let kind: Kind
    let start: Int
    let end: Int
}

/// The recursive-descent parser of `ExpressionParser`'s grammar: tokens, then a syntax tree
/// (nesting bounded by `ExpressionParser.maximumNesting`).
struct ExpressionSyntaxParser {
    let source: String
    let chars: [Character]
    var tokens: [ExpressionToken] = []
    var position = 0
    var depth = 0

    init(source: String) {
        self.source = source
        self.chars = Array(source)
    }

    func error(_ message: String, _ start: Int, _ end: Int) -> ExpressionError {
        ExpressionError(message, source: source, offset: start, length: end - start)
    }

    func describe(_ token: ExpressionToken) -> String {
        switch token.kind {
        case .number(let s): return "number '\(s)'"
        case .identifier(let s): return "'\(s)'"
        case .op(let s): return "'\(s)'"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .end: return "end of expression"
        }
    }

    mutating func tokenize() throws {
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            let start = i
            if c.isASCII && (c.isNumber || (c == "." && i + 1 < chars.count && chars[i + 1].isASCII && chars[i + 1].isNumber)) {
                while i < chars.count, chars[i].isASCII, chars[i].isNumber { i += 1 }
                if i < chars.count, chars[i] == "." {
                    i += 1
                    while i < chars.count, chars[i].isASCII, chars[i].isNumber { i += 1 }
                }
                if i < chars.count, chars[i] == "e" || chars[i] == "E" {
                    var j = i + 1
                    if j < chars.count, chars[j] == "+" || chars[j] == "-" { j += 1 }
                    let digitsStart = j
                    while j < chars.count, chars[j].isASCII, chars[j].isNumber { j += 1 }
                    if j == digitsStart {
                        throw error("malformed number '\(String(chars[start..<j]))': the exponent after 'e' has no digits", start, j)
                    }
                    i = j
                }
                if i < chars.count, chars[i] == "." || (chars[i].isASCII && chars[i].isNumber) {
                    var j = i
                    while j < chars.count, chars[j] == "." || (chars[j].isASCII && chars[j].isNumber) { j += 1 }
                    throw error("malformed number '\(String(chars[start..<j]))'", start, j)
                }
                tokens.append(ExpressionToken(kind: .number(String(chars[start..<i])), start: start, end: i))
                continue
            }
            if c.isASCII && (c.isLetter || c == "_") {
                while i < chars.count, chars[i].isASCII, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" { i += 1 }
                tokens.append(ExpressionToken(kind: .identifier(String(chars[start..<i])), start: start, end: i))
                continue
            }
            switch c {
            case "+", "-", "/", "^":
                tokens.append(ExpressionToken(kind: .op(String(c)), start: i, end: i + 1)); i += 1
            case "*":
                if i + 1 < chars.count, chars[i + 1] == "*" {
                    tokens.append(ExpressionToken(kind: .op("^"), start: i, end: i + 2)); i += 2
                } else {
                    tokens.append(ExpressionToken(kind: .op("*"), start: i, end: i + 1)); i += 1
                }
            case "(":
                tokens.append(ExpressionToken(kind: .leftParen, start: i, end: i + 1)); i += 1
            case ")":
                tokens.append(ExpressionToken(kind: .rightParen, start: i, end: i + 1)); i += 1
            default:
                let codes = c.unicodeScalars.map { String(format: "U+%04X", $0.value) }.joined(separator: " ")
                let shown = ExpressionError.isControl(c) ? "control character \(codes)" : "character '\(c)' (\(codes))"
                throw error("unexpected \(shown); the grammar knows numbers, names, + - * / ^ ** and parentheses", i, i + 1)
            }
        }
        tokens.append(ExpressionToken(kind: .end, start: chars.count, end: chars.count))
    }

    var current: ExpressionToken { tokens[position] }

    mutating func parseAll() throws -> ExpressionNode {
        try tokenize()
        if tokens.count == 1 {
            throw error("empty expression", 0, 0)
        }
        let node = try parseSum()
        if current.kind != .end {
            if current.kind == .rightParen {
                throw error("unbalanced ')': no '(' to close", current.start, current.end)
            }
            let previous = tokens[position - 1]
            if case .identifier(let name) = previous.kind, current.kind == .leftParen {
                throw error("functions are not supported: '\(name)(…)' is not a quadratic term (only numbers, variables, + - * /, ^ or ** with integer exponents and parentheses; write '\(name)*(…)' to multiply a variable by a bracket)", previous.start, current.end)
            }
            throw error("missing operator between \(describe(previous)) and \(describe(current)) (write '*' to multiply)", current.start, current.end)
        }
        return node
    }

    mutating func enter(_ token: ExpressionToken) throws {
        depth += 1
        if depth > ExpressionParser.maximumNesting {
            throw error("expression nests deeper than \(ExpressionParser.maximumNesting) levels of parentheses or signs", token.start, token.end)
        }
    }

    mutating func parseSum() throws -> ExpressionNode {
        let first = try parseProduct()
        var terms: [(negated: Bool, term: ExpressionNode)] = [(false, first)]
        while case .op(let o) = current.kind, o == "+" || o == "-" {
            position += 1
            terms.append((o == "-", try parseProduct()))
        }
        if terms.count == 1 { return first }
        return ExpressionNode(.sum(terms), start: first.start, end: terms.last!.term.end)
    }

    mutating func parseProduct() throws -> ExpressionNode {
        let first = try parseUnary()
        var factors: [(divides: Bool, factor: ExpressionNode)] = [(false, first)]
        while case .op(let o) = current.kind, o == "*" || o == "/" {
            position += 1
            factors.append((o == "/", try parseUnary()))
        }
        if factors.count == 1 { return first }
        return ExpressionNode(.product(factors), start: first.start, end: factors.last!.factor.end)
    }

    mutating func parseUnary() throws -> ExpressionNode {
        if case .op(let o) = current.kind, o == "+" || o == "-" {
            let token = current
            // `a - -b` is a legitimate double negation; `a ++ b` adds nothing and is almost
            // always a typo (C's increment), so it is refused as a doubled operator.
            if o == "+", position > 0, tokens[position - 1].kind == .op("+") {
                let previous = tokens[position - 1]
                throw error("doubled operator '++': write one '+'", previous.start, token.end)
            }
            try enter(token)
            position += 1
            let operand = try parseUnary()
            depth -= 1
            if o == "+" { return operand }
            return ExpressionNode(.negate(operand), start: token.start, end: operand.end)
        }
        return try parsePower()
    }

    mutating func parsePower() throws -> ExpressionNode {
        let base = try parsePrimary()
        guard case .op("^") = current.kind else { return base }
        let caret = current
        position += 1
        var exponentToken = current
        var closing: ExpressionToken? = nil
        var parenthesized = false
        if current.kind == .leftParen {
            parenthesized = true
            position += 1
            exponentToken = current
        }
        let exponent: Int
        switch exponentToken.kind {
        case .number(let text):
            guard text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw error("exponent must be a non-negative integer, not \(text)", exponentToken.start, exponentToken.end)
            }
            guard let value = Int(text), value <= ExpressionParser.maximumExponent else {
                throw error("exponent \(text) is too large (at most \(ExpressionParser.maximumExponent))", exponentToken.start, exponentToken.end)
            }
            exponent = value
        case .op("-"):
            throw error("exponent must be a non-negative integer; negative powers are division by a variable", exponentToken.start, exponentToken.end)
        case .end:
            throw error("'^' needs an exponent", caret.start, caret.end)
        default:
            throw error("exponent must be a non-negative integer literal, found \(describe(exponentToken))", exponentToken.start, exponentToken.end)
        }
        position += 1
        if parenthesized {
            guard current.kind == .rightParen else {
                throw error("expected ')' after the exponent", current.start, max(current.end, current.start + 1))
            }
            closing = current
            position += 1
        }
        let end = closing?.end ?? exponentToken.end
        if case .op("^") = current.kind {
            throw error("chained exponents are ambiguous: write (a^b)^c or a^(b) explicitly", current.start, current.end)
        }
        return ExpressionNode(.power(base, exponent), start: base.start, end: end)
    }

    mutating func parsePrimary() throws -> ExpressionNode {
        let token = current
        switch token.kind {
        case .number(let text):
            position += 1
            return ExpressionNode(.number(text), start: token.start, end: token.end)
        case .identifier(let name):
            position += 1
            return ExpressionNode(.variable(name), start: token.start, end: token.end)
        case .leftParen:
            try enter(token)
            position += 1
            if current.kind == .rightParen {
                throw error("empty parentheses", token.start, current.end)
            }
            let inner = try parseSum()
            guard current.kind == .rightParen else {
                if current.kind == .end {
                    throw error("unbalanced '(': no ')' closes it", token.start, token.end)
                }
                throw error("expected ')' or an operator, found \(describe(current))", current.start, current.end)
            }
            let close = current
            position += 1
            depth -= 1
            return ExpressionNode(inner.kind, start: token.start, end: close.end)
        case .end:
            if position == 0 { throw error("empty expression", 0, 0) }
            let previous = tokens[position - 1]
            throw error("expression ends after \(describe(previous)); an operand is missing", previous.start, previous.end)
        case .op(let o):
            if position > 0, case .op = tokens[position - 1].kind {
                throw error("doubled operator: '\(o)' cannot follow '\(source(of: tokens[position - 1]))'", token.start, token.end)
            }
            if position == 0 {
                throw error("expression cannot start with '\(o)'", token.start, token.end)
            }
            throw error("'\(o)' needs an operand before it", token.start, token.end)
        case .rightParen:
            if position > 0, tokens[position - 1].kind == .leftParen {
                throw error("empty parentheses", tokens[position - 1].start, token.end)
            }
            if position > 0, case .op(let o) = tokens[position - 1].kind {
                throw error("'\(o)' is missing its right operand", tokens[position - 1].start, tokens[position - 1].end)
            }
            throw error("unbalanced ')': no '(' to close", token.start, token.end)
        }
    }

    func source(of token: ExpressionToken) -> String { String(chars[token.start..<token.end]) }
}
