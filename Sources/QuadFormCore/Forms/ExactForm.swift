/// A quadratic function `f(x) = c + aᵀx + xᵀMx` with exact rational coefficients (design.md §1,
/// §4): the input of exact synthesis. `quadratic` is M as given; computations use `A = (M + Mᵀ)/2`.
public struct ExactForm: Equatable, Sendable {
    /// Variable names, one per coordinate.
    public let variables: [String]
    /// c.
    public let constant: Rational
    /// a.
    public let linear: [Rational]
    /// M as given (not necessarily symmetric).
    public let quadratic: RationalMatrix

    /// A form from its parts; sizes must agree and names be distinct.
    public init(variables: [String]? = nil, constant: Rational, linear: [Rational], quadratic: RationalMatrix) throws {
        let n = linear.count
        guard quadratic.rows == n, quadratic.columns == n else {
            throw FormError.linearLength(entries: n, rows: quadratic.rows, columns: quadratic.columns)
        }
        let names = variables ?? QuadraticForm.defaultVariables(n)
        guard names.count == n else { throw FormError.nameCount(names: names.count, variables: n) }
        guard Set(names).count == n else {
            throw FormError.repeatedNames(names)
        }
        self.variables = names
        self.constant = constant
        self.linear = linear
        self.quadratic = quadratic
        self.symmetricMatrix = quadratic.symmetricPart
    }

    /// n.
    public var dimension: Int { linear.count }

    /// `A = (M + Mᵀ)/2`, formed once.
    public let symmetricMatrix: RationalMatrix

    /// `f(x)`, exactly.
    public func evaluate(_ x: [Rational]) -> Rational {
        let a = symmetricMatrix
        return constant + RationalVector.dot(linear, x) + RationalVector.dot(x, a.multiply(x))
    }

    /// The nearest floating-point form (each coefficient rounded once).
    public func doubleForm() throws -> QuadraticForm {
        try QuadraticForm(variables: variables, constant: constant.doubleValue,
                          linear: linear.map(\.doubleValue), quadratic: quadratic.doubleMatrix)
    }

    /// The exact form of an expression: coefficients read as exact decimals (`0.1` is 1/10),
    /// variables in natural order unless `variables` gives it (design.md §4).
    public static func parse(_ text: String, variables: [String]? = nil) throws -> ExactForm {
        // Refused before its products are expanded: `(x1+…+x2000)^2` names 2000 variables.
        let mentioned = try ExpressionParser.distinctNames(in: text)
        guard mentioned <= ExactWorkEstimate.maximumDimension else {
            throw ExactLimitError.dimension(variables: mentioned, limit: ExactWorkEstimate.maximumDimension)
        }
        let p = try ExpressionParser.polynomial(text, as: Rational.self)
        let names = try ExpressionParser.orderedVariables(of: p, given: variables, source: text)
        guard names.count <= ExactWorkEstimate.maximumDimension else {
            throw ExactLimitError.dimension(variables: names.count, limit: ExactWorkEstimate.maximumDimension)
        }
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        var linear = RationalVector.zero(names.count)
        var m = RationalMatrix(rows: names.count, columns: names.count)
        for (name, v) in p.linear { if let i = index[name] { linear[i] = v } }
        for (pair, v) in p.quadratic {
            guard let i = index[pair.first], let j = index[pair.second] else { continue }
            m[min(i, j), max(i, j)] = v
        }
        return try ExactForm(variables: names, constant: p.constant, linear: linear, quadratic: m)
    }

    /// Reads a form from the JSON of design.md §6 exactly: numbers keep their literal text, so
    /// `0.1` is 1/10; strings `"p/q"` are accepted as well. Errors name the JSON path.
    public static func from(json value: JSONValue, name: String) throws -> ExactForm {
        let content = JSONContent(name: name)
        let quadraticValue = try content.formQuadratic(value)
        let rowItems = try content.array(quadraticValue, "quadratic")
        let n = rowItems.count
        guard n <= ExactWorkEstimate.maximumDimension else {
            throw ExactLimitError.dimension(variables: n, limit: ExactWorkEstimate.maximumDimension)
        }
        var m = RationalMatrix(rows: n, columns: n)
        for (i, rowValue) in rowItems.enumerated() {
            let items = try content.array(rowValue, "quadratic[\(i)]")
            guard items.count == n else { throw content.error("quadratic[\(i)]", "expected \(n) entr\(n == 1 ? "y" : "ies"), found \(items.count)") }
            for (j, item) in items.enumerated() { m[i, j] = try content.rational(item, "quadratic[\(i)][\(j)]") }
        }
        var linear = RationalVector.zero(n)
        if let linearValue = value["linear"] {
            let items = try content.array(linearValue, "linear")
            guard items.count == n else { throw content.error("linear", "has \(items.count) entries but quadratic is \(n)×\(n)") }
            linear = try items.enumerated().map { try content.rational($1, "linear[\($0)]") }
        }
        var constant = Rational.zero
        if let c = value["constant"] { constant = try content.rational(c, "constant") }
        let variables = try content.formVariables(value, count: n)
        return try ExactForm(variables: variables, constant: constant, linear: linear, quadratic: m)
    }

    /// Reads a form JSON file exactly.
    public static func readJSON(_ path: String) throws -> ExactForm {
        try from(json: JSONReader.parseFile(path), name: path)
    }

    /// The form JSON of design.md §6 with exact numbers (integers, or `"p/q"` strings).
    public var json: JSONValue {
        .object([
            ("variables", .array(variables.map { .string($0) })),
            ("constant", ExactJSON.number(constant)),
            ("linear", ExactJSON.numbers(linear)),
            ("quadratic", ExactJSON.matrix(quadratic)),
        ])
    }

    /// `c + Σ a_i x_i + Σ A_ij x_i x_j` written out with exact coefficients.
    public var formula: String {
        let a = symmetricMatrix
        var terms: [(Rational, String)] = []
        for i in 0..<dimension {
            for j in i..<dimension {
                let coefficient = i == j ? a[i, i] : a[i, j] + a[j, i]
                if !coefficient.isZero { terms.append((coefficient, i == j ? "\(variables[i])^2" : "\(variables[i])*\(variables[j])")) }
            }
        }
        for i in 0..<dimension where !linear[i].isZero { terms.append((linear[i], variables[i])) }
        if !constant.isZero || terms.isEmpty { terms.append((constant, "")) }
        return ExactJSON.join(terms)
    }
}
