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
            var parser = ExpressionSyntaxParser(source: text)
            return try parser.parseAll()
        }
    }

    /// How many distinct names `text` mentions, from its tokens alone (no parse, no expansion): an
    /// upper bound on its variables that a caller can check before expanding products.
    public static func distinctNames(in text: String) throws -> Int {
        var parser = ExpressionSyntaxParser(source: text)
        try parser.tokenize()
        var names = Set<String>()
        for token in parser.tokens { if case .identifier(let name) = token.kind { names.insert(name) } }
        return names.count
    }

    /// Parses and expands `text` into a polynomial of degree ≤ 2 with coefficients in `F`.
    public static func polynomial<F: FieldScalar>(_ text: String, as: F.Type = F.self) throws -> QuadraticPolynomial<F> {
        try LargeStack.run {
            var parser = ExpressionSyntaxParser(source: text)
            let tree = try parser.parseAll()
            return try ExpressionExpander<F>(source: text).expand(tree)
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
