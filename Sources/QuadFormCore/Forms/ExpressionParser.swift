import Foundation

/// The expression grammar: numbers (integer, decimal, scientific), identifiers,
/// `+ - * /` (division by constants only), `^` or `**` with a non-negative integer exponent,
/// parentheses and unary signs. Products and powers are expanded; degree > 2 is an error.
public enum ExpressionParser {
    /// Deepest nesting of parentheses and unary signs accepted; deeper input is refused with an
    /// error instead of risking the stack.
    public static let maximumNesting = 200
    /// Largest exponent accepted after `^`.
    public static let maximumExponent = 10_000
    /// Largest exact coefficient (numerator plus denominator bits) the expander builds in exact mode.
    public static let maximumExactBits = 32_768
    /// Most variables `form` accepts: a larger form belongs in a JSON or `.npy` file, and its
    /// n × n matrix would be allocated from a short expression.
    public static let maximumVariables = 5_000
    /// Most quadratic terms one product may create: 2,100,000 is `(x1+…+x2048)^2` (2,098,176
    /// terms) and `(x1+…+x1449)*(y1+…+y1449)`. A larger product is refused before it is expanded
    /// (`(x1+…+x5000)^2` would have 12.5 million terms); give such forms as JSON or `.npy`.
    public static let maximumProductTerms = 2_100_000

    /// Parses `text` into a syntax tree.
    public static func parse(_ text: String) throws -> ExpressionNode {
        try LargeStack.run {
            var parser = Parser(source: text)
            return try parser.parseAll()
        }
    }

    /// How many distinct names `text` mentions, from its tokens alone (no parse, no expansion): an
    /// upper bound on its variables that a caller can check before expanding products.
    public static func distinctNames(in text: String) throws -> Int {
        var parser = Parser(source: text)
        try parser.tokenize()
        var names = Set<String>()
        for token in parser.tokens { if case .identifier(let name) = token.kind { names.insert(name) } }
        return names.count
    }

    /// Parses and expands `text` into a polynomial of degree ≤ 2 with coefficients in `F`.
    public static func polynomial<F: FieldScalar>(_ text: String, as: F.Type = F.self) throws -> QuadraticPolynomial<F> {
        try LargeStack.run {
            var parser = Parser(source: text)
            let tree = try parser.parseAll()
            return try Expander<F>(source: text).expand(tree)
        }
    }

    /// Parses `text` into a floating-point `QuadraticForm`. Variables are ordered naturally
    /// (x2 before x10) unless `variables` gives the order; that list may name extra variables
    /// (coefficient zero) but must contain every variable of the expression.
    public static func form(_ text: String, variables: [String]? = nil) throws -> QuadraticForm {
        let p: QuadraticPolynomial<Double> = try polynomial(text)
        let names = try orderedVariables(of: p, given: variables, source: text)
        guard names.count <= maximumVariables else {
            throw FormError.tooManyVariables(count: names.count, limit: maximumVariables)
        }
        var index: [String: Int] = [:]
        for (i, name) in names.enumerated() { index[name] = i }
        var linear = [Double](repeating: 0, count: names.count)
        var m = Matrix(rows: names.count, columns: names.count)
        for (name, v) in p.linear {
            guard let i = index[name] else { continue }
            linear[i] = v
        }
        for (pair, v) in p.quadratic {
            guard let i = index[pair.first], let j = index[pair.second] else { continue }
            m[min(i, j), max(i, j)] = v
        }
        return try QuadraticForm(variables: names, constant: p.constant, linear: linear, quadratic: m)
    }

    /// The variable order: `given` checked against the polynomial, or the natural order.
    public static func orderedVariables<F>(of p: QuadraticPolynomial<F>, given: [String]?, source: String) throws -> [String] {
        let used = p.variables.union(p.linear.keys).union(p.quadratic.keys.flatMap { [$0.first, $0.second] })
        guard let given else { return used.union(p.mentionedVariables).sorted(by: naturalOrder) }
        if let bad = given.first(where: { !isIdentifier($0) }) {
            throw FormError.notAVariableName(bad)
        }
        var seen = Set<String>()
        if let repeated = given.first(where: { !seen.insert($0).inserted }) {
            throw FormError.listedTwice(repeated)
        }
        let missing = used.subtracting(given)
        if !missing.isEmpty {
            throw FormError.unlisted(missing.sorted(by: naturalOrder))
        }
        return given
    }

    /// Whether `name` is a valid identifier of the grammar.
    public static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    /// Natural order: runs of digits compare by value, so `x2 < x10`.
    public static func naturalOrder(_ a: String, _ b: String) -> Bool {
        let ca = chunks(a), cb = chunks(b)
        for (x, y) in zip(ca, cb) where x != y {
            if let nx = Int(x), let ny = Int(y) { return nx < ny }
            return x < y
        }
        return ca.count < cb.count
    }

    private static func chunks(_ s: String) -> [String] {
        var result: [String] = []
        var current = ""
        var digits = false
        for c in s {
            let d = c.isASCII && c.isNumber
            if !current.isEmpty && d != digits { result.append(current); current = "" }
            digits = d
            current.append(c)
        }
        if !current.isEmpty { result.append(current) }
        return result
    }
}

private struct Token {
    enum Kind: Equatable { case number(String), identifier(String), op(String), leftParen, rightParen, end }
    let kind: Kind
    let start: Int
    let end: Int
}

private struct Parser {
    let source: String
    let chars: [Character]
    var tokens: [Token] = []
    var position = 0
    var depth = 0

    init(source: String) {
        self.source = source
        self.chars = Array(source)
    }

    func error(_ message: String, _ start: Int, _ end: Int) -> ExpressionError {
        ExpressionError(message, source: source, offset: start, length: end - start)
    }

    func describe(_ token: Token) -> String {
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
                tokens.append(Token(kind: .number(String(chars[start..<i])), start: start, end: i))
                continue
            }
            if c.isASCII && (c.isLetter || c == "_") {
                while i < chars.count, chars[i].isASCII, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" { i += 1 }
                tokens.append(Token(kind: .identifier(String(chars[start..<i])), start: start, end: i))
                continue
            }
            switch c {
            case "+", "-", "/", "^":
                tokens.append(Token(kind: .op(String(c)), start: i, end: i + 1)); i += 1
            case "*":
                if i + 1 < chars.count, chars[i + 1] == "*" {
                    tokens.append(Token(kind: .op("^"), start: i, end: i + 2)); i += 2
                } else {
                    tokens.append(Token(kind: .op("*"), start: i, end: i + 1)); i += 1
                }
            case "(":
                tokens.append(Token(kind: .leftParen, start: i, end: i + 1)); i += 1
            case ")":
                tokens.append(Token(kind: .rightParen, start: i, end: i + 1)); i += 1
            default:
                let codes = c.unicodeScalars.map { String(format: "U+%04X", $0.value) }.joined(separator: " ")
                let shown = ExpressionError.isControl(c) ? "control character \(codes)" : "character '\(c)' (\(codes))"
                throw error("unexpected \(shown); the grammar knows numbers, names, + - * / ^ ** and parentheses", i, i + 1)
            }
        }
        tokens.append(Token(kind: .end, start: chars.count, end: chars.count))
    }

    var current: Token { tokens[position] }

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

    mutating func enter(_ token: Token) throws {
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
        var closing: Token? = nil
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

    func source(of token: Token) -> String { String(chars[token.start..<token.end]) }
}

/// Expands a syntax tree into a polynomial, refusing anything of degree > 2.
private struct Expander<F: FieldScalar> {
    let source: String
    let chars: [Character]

    init(source: String) {
        self.source = source
        self.chars = Array(source)
    }

    func text(_ node: ExpressionNode) -> String {
        let s = String(chars[node.start..<min(node.end, chars.count)])
        return s.count > 40 ? String(s.prefix(37)) + "..." : s
    }

    func error(_ message: String, _ node: ExpressionNode) -> ExpressionError {
        ExpressionError(message, source: source, offset: node.start, length: node.end - node.start)
    }

    func expand(_ node: ExpressionNode) throws -> QuadraticPolynomial<F> {
        switch node.kind {
        case .number(let literal):
            guard let value = F(decimalLiteral: literal) else {
                if F.one.exactSizeInBits > 0 {  // an exact scalar type
                    throw error("number \(text(node)) is too large for exact arithmetic (at most \(Rational.maximumDecimalDigits) digits and exponents up to ±\(Rational.maximumDecimalExponent))", node)
                }
                if let d = Double(literal), d == 0 {
                    throw error("number \(text(node)) is out of range (it underflows to zero in a Double)", node)
                }
                throw error("number \(text(node)) is out of range (it overflows a Double)", node)
            }
            return QuadraticPolynomial(constant: value)
        case .variable(let name):
            var p = QuadraticPolynomial<F>()
            p.linear[name] = .one
            p.mentionedVariables = [name]
            return p
        case .negate(let operand):
            return try expand(operand).scaled(by: -F.one)
        case .sum(let terms):
            var total = QuadraticPolynomial<F>()
            for (negated, term) in terms {
                let p = try expand(term)
                total.add(p, negated: negated)
                // Exact sums grow their denominators; check the coefficients this term touched.
                if F.one.exactSizeInBits > 0 {
                    let touched = CollectionOfOne(total.constant) + p.linear.keys.compactMap { total.linear[$0] }
                        + p.quadratic.keys.compactMap { total.quadratic[$0] }
                    try checkExactSize(touched, node)
                }
            }
            try checkRepresentable(total, node)
            return total
        case .product(let factors):
            // Constant factors multiply one scalar; at most two factors have degree 1 (or one has
            // degree 2), multiplied once at the end: linear in the terms of the result.
            var scalar = F.one
            var mentioned = Set<String>()
            var polynomials: [QuadraticPolynomial<F>] = []
            var degree = 0
            for (divides, factor) in factors {
                let p = try expand(factor)
                mentioned.formUnion(p.mentionedVariables)
                // Refuse before multiplying: an exact product has about the sum of the sizes.
                if F.one.exactSizeInBits > 0, scalar.exactSizeInBits + p.largestExactSize > ExpressionParser.maximumExactBits {
                    throw error("'\(text(node))' has a coefficient too large for exact arithmetic (about \(scalar.exactSizeInBits + p.largestExactSize) bits; at most \(ExpressionParser.maximumExactBits))", node)
                }
                if divides {
                    guard p.degree == 0 else {
                        throw error("division by an expression that contains \(p.variables.sorted(by: ExpressionParser.naturalOrder).joined(separator: ", ")): only division by constants keeps the form quadratic", factor)
                    }
                    guard !p.constant.isZero else { throw error("division by zero", factor) }
                    scalar = scalar / p.constant
                } else if p.degree == 0 {
                    scalar = scalar * p.constant
                } else {
                    if degree + p.degree > 2 && !scalar.isZero {
                        let span = ExpressionNode(.number(""), start: factors[0].factor.start, end: factor.end)
                        throw error("term '\(text(span))' has degree \(degree + p.degree); a quadratic form allows degree ≤ 2", span)
                    }
                    if !scalar.isZero {
                        degree += p.degree
                        polynomials.append(p)
                    }
                }
                if !scalar.isFiniteValue { throw error("'\(text(node))' overflows a Double", node) }
                try checkExactSize(CollectionOfOne(scalar), node)
            }
            var result: QuadraticPolynomial<F>
            if scalar.isZero || polynomials.isEmpty {
                result = QuadraticPolynomial(constant: scalar.isZero ? .zero : scalar)
            } else if polynomials.count == 1 {
                result = polynomials[0].scaled(by: scalar)
            } else {
                try checkProductSize(polynomials[0], polynomials[1], square: false, node)
                result = polynomials[0].scaled(by: scalar) * polynomials[1]
            }
            result.mentionedVariables = mentioned
            try checkRepresentable(result, node)
            return result
        case .power(let base, let exponent):
            let p = try expand(base)
            if exponent == 0 {
                var one = QuadraticPolynomial<F>(constant: .one)
                one.mentionedVariables = p.mentionedVariables
                return one
            }
            if p.degree * exponent > 2 {
                throw error("term '\(text(node))' has degree \(p.degree * exponent); a quadratic form allows degree ≤ 2", node)
            }
            if p.degree == 0 {
                let bits = p.constant.exactSizeInBits
                if bits > 0, bits > ExpressionParser.maximumExactBits / exponent {
                    throw error("'\(text(node))' is too large for exact arithmetic (about \(bits) × \(exponent) bits; at most \(ExpressionParser.maximumExactBits))", node)
                }
                var result = F.one
                var square = p.constant
                var e = exponent
                while e > 0 {
                    if e & 1 == 1 { result = result * square }
                    e >>= 1
                    if e > 0 { square = square * square }
                    guard result.isFiniteValue, square.isFiniteValue || e == 0 else {
                        throw error("'\(text(node))' overflows a Double", node)
                    }
                }
                return QuadraticPolynomial(constant: result)
            }
            if exponent == 1 { return p }
            try checkProductSize(p, p, square: true, node)
            return p.squared()
        }
    }

    /// Refuses a product that would create more than `ExpressionParser.maximumProductTerms`
    /// quadratic terms, before any is created.
    func checkProductSize(_ p: QuadraticPolynomial<F>, _ q: QuadraticPolynomial<F>, square: Bool, _ node: ExpressionNode) throws {
        let terms = QuadraticPolynomial<F>.productTermCount(p, q, square: square)
        if terms > ExpressionParser.maximumProductTerms {
            throw error("'\(text(node))' expands into \(terms) quadratic terms, more than the limit of \(ExpressionParser.maximumProductTerms) for expressions; give large forms as JSON (--input) or .npy (--quadratic)", node)
        }
    }

    /// Refuses coefficients that overflowed a Double or grew beyond the exact size limit.
    func checkRepresentable(_ p: QuadraticPolynomial<F>, _ node: ExpressionNode) throws {
        let values = CollectionOfOne(p.constant) + Array(p.linear.values) + Array(p.quadratic.values)
        if values.contains(where: { !$0.isFiniteValue }) {
            throw error("'\(text(node))' overflows a Double", node)
        }
        try checkExactSize(values, node)
    }

    /// Refuses exact coefficients larger than `ExpressionParser.maximumExactBits`.
    func checkExactSize<C: Collection>(_ values: C, _ node: ExpressionNode) throws where C.Element == F {
        if let big = values.first(where: { $0.exactSizeInBits > ExpressionParser.maximumExactBits }) {
            throw error("'\(text(node))' has a coefficient too large for exact arithmetic (\(big.exactSizeInBits) bits; at most \(ExpressionParser.maximumExactBits))", node)
        }
    }
}
