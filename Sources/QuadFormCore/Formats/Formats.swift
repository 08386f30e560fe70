import Foundation

/// The interchange formats of design.md §6 for forms and networks.
public enum Formats {
    // MARK: Quadratic form

    /// The form JSON `{"constant", "linear", "quadratic", "variables"?}` of design.md §6.
    public static func formJSON(_ form: QuadraticForm) -> JSONValue {
        formJSON(variables: form.variables, constant: form.constant, linear: form.linear, quadratic: JSONWriter.matrix(form.quadratic))
    }

    /// The form JSON from its parts, the quadratic member as given (null where M is not at hand).
    public static func formJSON(variables: [String], constant: Double, linear: [Double], quadratic: JSONValue) -> JSONValue {
        .object([
            ("variables", .array(variables.map { .string($0) })),
            ("constant", JSONWriter.number(constant)),
            ("linear", JSONWriter.numbers(linear)),
            ("quadratic", quadratic),
        ])
    }

    /// Reads a form from the JSON of design.md §6; errors name the JSON path (`quadratic[1][2]`).
    /// `constant` defaults to 0 and `linear` to zeros when absent; `quadratic` is required.
    public static func form(from value: JSONValue, name: String) throws -> QuadraticForm {
        let content = JSONContent(name: name)
        let quadraticValue = try content.formQuadratic(value)
        let rows = try content.array(quadraticValue, "quadratic")
        let n = rows.count
        for (i, row) in rows.enumerated() {
            if case .array(let entries) = row, entries.count != n {
                throw content.error("quadratic[\(i)]", "has \(entries.count) entr\(entries.count == 1 ? "y" : "ies") but quadratic has \(n) row\(n == 1 ? "" : "s"); the matrix must be square (n × n)")
            }
        }
        let quadratic = try content.matrix(quadraticValue, "quadratic", rows: n, columns: n)
        var linear = [Double](repeating: 0, count: n)
        if let linearValue = value["linear"] {
            linear = try content.vector(linearValue, "linear")
            guard linear.count == n else {
                throw content.error("linear", "has \(linear.count) entries but quadratic is \(n)×\(n)")
            }
        }
        var constant = 0.0
        if let c = value["constant"] { constant = try content.double(c, "constant") }
        let variables = try content.formVariables(value, count: n)
        return try QuadraticForm(variables: variables, constant: constant, linear: linear, quadratic: quadratic)
    }

    /// Reads a form JSON file.
    public static func readForm(_ path: String) throws -> QuadraticForm {
        try form(from: JSONReader.parseFile(path), name: path)
    }

    // MARK: Network

    /// The network JSON of design.md §6.
    public static func networkJSON(_ net: ResNet) -> JSONValue {
        .object([
            ("widths", .array(net.widths.map { .number(String($0)) })),
            ("activation", activationJSON(net.activation)),
            ("layers", .array(net.layers.map { layer in
                .object([("weights", matrixRows(layer.weights)), ("bias", JSONWriter.numbers(layer.bias))])
            })),
            ("skips", .array(net.skips.map { skip in
                .object([("from", .number(String(skip.from))), ("to", .number(String(skip.to))),
                         ("weights", matrixRows(skip.weights))])
            })),
        ])
    }

    /// The `activation` member of a network (design.md §6): its `kind`, and α, β, γ of a quadratic one.
    public static func activationJSON(_ activation: Activation) -> JSONValue {
        var members: [(String, JSONValue)] = [("kind", .string(activation.kind))]
        if case let .quadratic(a, b, c) = activation {
            members += [("alpha", JSONWriter.number(a)), ("beta", JSONWriter.number(b)), ("gamma", JSONWriter.number(c))]
        }
        return .object(members)
    }

    /// Rows of a matrix; a matrix with rows but no columns is written as that many empty rows.
    static func matrixRows(_ m: Matrix) -> JSONValue {
        .array((0..<m.rows).map { JSONWriter.numbers(m.row($0)) })
    }

    /// Reads a network from the JSON of design.md §6; errors name the path (`layers[1].weights[0]`).
    public static func network(from value: JSONValue, name: String) throws -> ResNet {
        let content = JSONContent(name: name)
        _ = try content.object(value, "")
        let widthItems = try content.array(try content.member(value, "widths", ""), "widths")
        let widths = try widthItems.enumerated().map { try content.integer($1, "widths[\($0)]") }
        guard widths.count >= 2 else { throw content.error("widths", "need at least two widths (input and output), found \(widths.count)") }
        if let i = widths.firstIndex(where: { $0 > 1_000_000 }) { throw content.error("widths[\(i)]", "width \(widths[i]) is implausibly large") }
        var parameters = ResNet.parameterCount(widths: widths)
        func checkParameters() throws {
            guard parameters <= ResNet.maximumParameters else {
                throw content.error("widths", "the network would have \(parameters) weights and biases; at most \(ResNet.maximumParameters) (512 MiB of Doubles) are accepted")
            }
        }
        try checkParameters()
        let (activationValue, kind) = try content.networkActivation(value)
        let activation: Activation
        switch kind {
        case "square": activation = .square
        case "relu": activation = .relu
        case "identity": activation = .identity
        case "quadratic":
            let (a, b, c) = try content.quadraticActivation(activationValue, read: content.double)
            activation = .quadratic(alpha: a, beta: b, gamma: c)
        default:
            throw content.error("activation.kind", "unknown activation \"\(kind)\" (known: square, relu, identity, quadratic)")
        }
        let layerItems = try content.array(try content.member(value, "layers", ""), "layers")
        guard layerItems.count == widths.count - 1 else {
            throw content.error("layers", "widths describe \(widths.count - 1) layers, found \(layerItems.count)")
        }
        var layers: [ResNet.Layer] = []
        for (i, item) in layerItems.enumerated() {
            let path = "layers[\(i)]"
            let w = try content.matrix(try content.member(item, "weights", path), "\(path).weights", rows: widths[i + 1], columns: widths[i])
            let b = try content.vector(try content.member(item, "bias", path), "\(path).bias")
            guard b.count == widths[i + 1] else { throw content.error("\(path).bias", "has \(b.count) entries, widths[\(i + 1)] = \(widths[i + 1])") }
            layers.append(ResNet.Layer(weights: w, bias: b))
        }
        var skips: [ResNet.Skip] = []
        if let skipValue = value["skips"] {
            for (i, item) in try content.array(skipValue, "skips").enumerated() {
                let path = "skips[\(i)]"
                let from = try content.integer(try content.member(item, "from", path), "\(path).from")
                let to = try content.integer(try content.member(item, "to", path), "\(path).to")
                guard from < to, to < widths.count else {
                    throw content.error(path, "skip (\(from), \(to)) must satisfy 0 ≤ from < to ≤ \(widths.count - 1)")
                }
                let (sum, overflow) = parameters.addingReportingOverflow(widths[to] * widths[from])
                parameters = overflow ? Int.max : sum
                try checkParameters()
                let w = try content.matrix(try content.member(item, "weights", path), "\(path).weights", rows: widths[to], columns: widths[from])
                skips.append(ResNet.Skip(from: from, to: to, weights: w))
            }
        }
        do {
            return try ResNet(widths: widths, activation: activation, layers: layers, skips: skips)
        } catch let error as NetworkError {
            throw content.error("", error.description)
        }
    }

    /// Reads a network JSON file.
    public static func readNetwork(_ path: String) throws -> ResNet {
        try network(from: JSONReader.parseFile(path), name: path)
    }
}

extension JSONContent {
    /// Checks that `value` is a form object of design.md §6 (keys constant, linear, quadratic,
    /// variables only) and returns its required `quadratic` member.
    func formQuadratic(_ value: JSONValue) throws -> JSONValue {
        let members = try object(value, "")
        let known: Set<String> = ["constant", "linear", "quadratic", "variables"]
        if let unknown = members.first(where: { !known.contains($0.0) }) {
            throw error(unknown.0, "unknown key (a form has constant, linear, quadratic, variables)")
        }
        guard let quadraticValue = value["quadratic"] else { throw error("", "missing key \"quadratic\"") }
        return quadraticValue
    }

    /// The optional `variables` member of a form with `n` variables (design.md §6): `n` distinct
    /// variable names, or nil when absent.
    func formVariables(_ value: JSONValue, count n: Int) throws -> [String]? {
        guard let v = value["variables"] else { return nil }
        let items = try array(v, "variables")
        guard items.count == n else { throw error("variables", "has \(items.count) names but quadratic is \(n)×\(n)") }
        let names = try items.enumerated().map { i, item in
            guard case .string(let s) = item else { throw error("variables[\(i)]", "expected a string, found \(item.typeName)") }
            guard ExpressionParser.isIdentifier(s) else { throw error("variables[\(i)]", "'\(s)' is not a variable name") }
            return s
        }
        if Set(names).count != n { throw error("variables", "names are not distinct") }
        return names
    }

    /// The `activation` member of a network object (design.md §6) and its `kind` string.
    func networkActivation(_ value: JSONValue) throws -> (value: JSONValue, kind: String) {
        let activationValue = try member(value, "activation", "")
        let kindValue = try member(activationValue, "kind", "activation")
        guard case .string(let kind) = kindValue else { throw error("activation.kind", "expected a string, found \(kindValue.typeName)") }
        return (activationValue, kind)
    }

    /// α, β, γ of a quadratic activation s(z) = αz² + βz + γ (design.md §6), each read with `read`;
    /// α must not be 0.
    package func quadraticActivation<T: FieldScalar>(_ activation: JSONValue, read: (JSONValue, String) throws -> T) throws -> (alpha: T, beta: T, gamma: T) {
        let a = try read(try member(activation, "alpha", "activation"), "activation.alpha")
        let b = try read(try member(activation, "beta", "activation"), "activation.beta")
        let c = try read(try member(activation, "gamma", "activation"), "activation.gamma")
        guard a != .zero else { throw error("activation.alpha", "alpha must not be 0 (s would not be quadratic)") }
        return (a, b, c)
    }
}
