import BigInt
/// A one-hidden-layer network with exact rational parameters (design.md §4): widths (n, m, 1),
/// activation σ(z) = z² or s(z) = αz² + βz + γ, and either no skip (plain) or the linear skip
/// V_{0,2} from input to output (residual). It is the exact counterpart of `ResNet` for the
/// networks synthesis builds:
///
///     g(x) = B2 + Vx + Σ_j w_j σ(u_jᵀx + b_j).
public struct ExactNetwork: Equatable, Sendable {
    /// The activation of the hidden layer.
    public enum Activation: Equatable, Sendable {
        /// σ(z) = z².
        case square
        /// s(z) = αz² + βz + γ (the paper's eq. 4), α ≠ 0.
        case quadratic(alpha: Rational, beta: Rational, gamma: Rational)

        /// σ(z), exactly.
        public func callAsFunction(_ z: Rational) -> Rational {
            switch self {
            case .square: return z * z
            case let .quadratic(a, b, c): return (a * z + b) * z + c
            }
        }

        /// (α, β, γ); the square is (1, 0, 0).
        public var coefficients: (alpha: Rational, beta: Rational, gamma: Rational) {
            switch self {
            case .square: return (.one, .zero, .zero)
            case let .quadratic(a, b, c): return (a, b, c)
            }
        }
    }

    /// n.
    public let inputWidth: Int
    /// σ.
    public let activation: Activation
    /// W_1: row j is u_jᵀ (m × n).
    public let firstWeights: RationalMatrix
    /// B_1 = (b_1 … b_m).
    public let firstBias: [Rational]
    /// W_2 = (w_1 … w_m).
    public let outputWeights: [Rational]
    /// B_2.
    public let outputBias: Rational
    /// V_{0,2}ᵀ (length n), or nil for a plain network (S = ∅).
    public let skip: [Rational]?

    /// A network from its parameters; shapes must agree and α ≠ 0.
    public init(inputWidth n: Int, activation: Activation, firstWeights: RationalMatrix, firstBias: [Rational],
                outputWeights: [Rational], outputBias: Rational, skip: [Rational]?) throws {
        let m = firstWeights.rows
        guard firstWeights.columns == n else { throw NetworkError.layerShape(layer: 1, "weights are \(m)×\(firstWeights.columns), the input has \(n)") }
        guard firstBias.count == m else { throw NetworkError.layerShape(layer: 1, "bias has \(firstBias.count) entries, the layer \(m)") }
        guard outputWeights.count == m else { throw NetworkError.layerShape(layer: 2, "weights are 1×\(outputWeights.count), the hidden layer has \(m)") }
        if let skip, skip.count != n { throw NetworkError.badSkip(index: 0, "weights are 1×\(skip.count), the input has \(n)") }
        if case let .quadratic(alpha, _, _) = activation, alpha.isZero {
            throw NetworkError.badActivation("activation: alpha must not be 0 (s would not be quadratic)")
        }
        self.inputWidth = n
        self.activation = activation
        self.firstWeights = firstWeights
        self.firstBias = firstBias
        self.outputWeights = outputWeights
        self.outputBias = outputBias
        self.skip = skip
    }

    /// m, the hidden neurons.
    public var hiddenNeurons: Int { firstWeights.rows }
    /// Whether S = ∅.
    public var isPlain: Bool { skip == nil }

    /// g(x), exactly.
    public func evaluate(_ x: [Rational]) -> Rational {
        var g = outputBias
        if let skip { g = g + RationalVector.dot(skip, x) }
        for j in 0..<hiddenNeurons {
            g = g + outputWeights[j] * activation(RationalVector.dot(firstWeights.row(j), x) + firstBias[j])
        }
        return g
    }

    /// `(c', a', A')` of g: neuron j contributes `w_jα u_j u_jᵀ`, `w_j(2αb_j + β) u_j` and
    /// `w_j(αb_j² + βb_j + γ)` (design.md §3's coefficient matching), exactly.
    public var expansion: ExactExpansion {
        let n = inputWidth
        let (alpha, beta, gamma) = activation.coefficients
        var constant = outputBias
        var linear = skip ?? RationalVector.zero(n)
        var quadratic = RationalMatrix(rows: n, columns: n)
        for j in 0..<hiddenNeurons {
            let u = firstWeights.row(j), b = firstBias[j], w = outputWeights[j]
            if w.isZero { continue }
            constant = constant + w * ((alpha * b + beta) * b + gamma)
            let linearScale = w * (Rational(2) * alpha * b + beta)
            let quadraticScale = w * alpha
            for p in 0..<n where !u[p].isZero {
                linear[p] = linear[p] + linearScale * u[p]
                let scaled = quadraticScale * u[p]
                for q in 0..<n where !u[q].isZero { quadratic[p, q] = quadratic[p, q] + scaled * u[q] }
            }
        }
        return ExactExpansion(constant: constant, linear: linear, quadratic: quadratic)
    }

    /// The floating-point `ResNet`, each parameter rounded once to the nearest Double. Square
    /// neurons are first rescaled by a power of two s_j (exact): `w(uᵀx + b)² = (w·s²)((u/s)ᵀx + b/s)²`
    /// with s_j the power of two nearest the largest |u_ji|, |b_j|, so that integer rows far beyond
    /// Double's range (fraction-free reductions of large forms) still fit; where that product
    /// cannot be balanced the network is refused naming the neuron (design.md §4).
    public func resNet() throws -> ResNet {
        let act: QuadFormCore.Activation
        switch activation {
        case .square: act = .square
        case let .quadratic(a, b, c): act = .quadratic(alpha: a.doubleValue, beta: b.doubleValue, gamma: c.doubleValue)
        }
        var first = firstWeights
        var bias = firstBias
        var output = outputWeights
        if case .square = activation {
            for j in 0..<hiddenNeurons {
                let entries = first.row(j) + [bias[j]]
                guard let largest = entries.filter({ !$0.isZero }).map(ExactNetwork.binaryExponent).max() else { continue }
                guard largest != 0 else { continue }
                // s = 2^largest: row entries then have exponents ≤ 0, the weight gains 2·largest.
                let down = Rational(1, BigInt(1) << Swift.max(largest, 0))
                let up = Rational(BigInt(1) << Swift.max(-largest, 0))
                let scale = largest > 0 ? down : up  // 1/s
                for i in 0..<inputWidth { first[j, i] = first[j, i] * scale }
                bias[j] = bias[j] * scale
                output[j] = output[j] / (scale * scale)
            }
        }
        let weights = first.doubleMatrix
        if let index = weights.entries.firstIndex(where: { !$0.isFinite }) {
            throw NetworkError.unsupported("exact neuron \(index / Swift.max(inputWidth, 1) + 1) has a first-layer weight beyond Double's range")
        }
        let outputDoubles = output.map(\.doubleValue)
        if let j = outputDoubles.firstIndex(where: { !$0.isFinite }) {
            throw NetworkError.unsupported("exact neuron \(j + 1)'s output weight \(ExactNetwork.sizeDescription(output[j])) does not fit a Double even with its first-layer row rescaled: the function itself leaves Double's range")
        }
        return try ResNet.oneHiddenLayer(activation: act, inputWeights: weights, hiddenBias: bias.map(\.doubleValue),
                                         outputWeights: outputDoubles, outputBias: outputBias.doubleValue,
                                         skip: skip.map { $0.map(\.doubleValue) })
    }

    /// ⌊log₂|q|⌋ within one, from the bit widths (q ≠ 0).
    static func binaryExponent(_ q: Rational) -> Int {
        q.numerator.magnitude.bitWidth - q.denominator.magnitude.bitWidth
    }

    /// "about 2^e" for a message.
    static func sizeDescription(_ q: Rational) -> String { "≈ 2^\(binaryExponent(q))" }

    /// The network JSON of design.md §6 with exact numbers: integers as numbers, other values as
    /// `"p/q"` strings (the network reader `Formats.network` accepts both).
    public var json: JSONValue {
        var act: [(String, JSONValue)] = []
        switch activation {
        case .square: act = [("kind", .string("square"))]
        case let .quadratic(a, b, c):
            act = [("kind", .string("quadratic")), ("alpha", ExactJSON.number(a)), ("beta", ExactJSON.number(b)), ("gamma", ExactJSON.number(c))]
        }
        var skips: [JSONValue] = []
        if let skip {
            skips.append(.object([("from", .number("0")), ("to", .number("2")), ("weights", .array([ExactJSON.numbers(skip)]))]))
        }
        return .object([
            ("widths", .array([inputWidth, hiddenNeurons, 1].map { .number(String($0)) })),
            ("activation", .object(act)),
            ("layers", .array([
                .object([("weights", .array(firstWeights.rowArrays.map(ExactJSON.numbers))), ("bias", ExactJSON.numbers(firstBias))]),
                .object([("weights", .array([ExactJSON.numbers(outputWeights)])), ("bias", .array([ExactJSON.number(outputBias)]))]),
            ])),
            ("skips", .array(skips)),
        ])
    }

    /// Reads a network JSON (design.md §6) exactly: numbers by their literal text, `"p/q"` strings.
    /// Only the shape exact synthesis produces is accepted: widths (n, m, 1), activation square or
    /// quadratic, skips at most (0, 2). Errors name the JSON path.
    public static func from(json value: JSONValue, name: String) throws -> ExactNetwork {
        let content = JSONContent(name: name)
        let widthItems = try content.array(try content.member(value, "widths", ""), "widths")
        let widths = try widthItems.enumerated().map { try content.integer($1, "widths[\($0)]") }
        guard widths.count == 3, widths[2] == 1 else {
            throw content.error("widths", "exact networks have widths (n, m, 1), found (\(widths.map(String.init).joined(separator: ", ")))")
        }
        let n = widths[0], m = widths[1]
        let (activationValue, kind) = try content.networkActivation(value)
        let activation: Activation
        switch kind {
        case "square": activation = .square
        case "quadratic":
            let (a, b, c) = try content.quadraticActivation(activationValue, read: content.rational)
            activation = .quadratic(alpha: a, beta: b, gamma: c)
        default:
            throw content.error("activation.kind", "exact networks have activation square or quadratic, found \"\(kind)\"")
        }
        let layers = try content.array(try content.member(value, "layers", ""), "layers")
        guard layers.count == 2 else { throw content.error("layers", "widths describe 2 layers, found \(layers.count)") }
        func matrix(_ v: JSONValue, _ path: String, rows: Int, columns: Int) throws -> RationalMatrix {
            let items = try content.array(v, path)
            guard items.count == rows else { throw content.error(path, "expected \(rows) row\(rows == 1 ? "" : "s"), found \(items.count)") }
            var result = RationalMatrix(rows: rows, columns: columns)
            for (i, rowValue) in items.enumerated() {
                let entries = try content.array(rowValue, "\(path)[\(i)]")
                guard entries.count == columns else { throw content.error("\(path)[\(i)]", "expected \(columns) entr\(columns == 1 ? "y" : "ies"), found \(entries.count)") }
                for (j, e) in entries.enumerated() { result[i, j] = try content.rational(e, "\(path)[\(i)][\(j)]") }
            }
            return result
        }
        func vector(_ v: JSONValue, _ path: String, count: Int) throws -> [Rational] {
            let items = try content.array(v, path)
            guard items.count == count else { throw content.error(path, "has \(items.count) entries, expected \(count)") }
            return try items.enumerated().map { try content.rational($1, "\(path)[\($0)]") }
        }
        let w1 = try matrix(try content.member(layers[0], "weights", "layers[0]"), "layers[0].weights", rows: m, columns: n)
        let b1 = try vector(try content.member(layers[0], "bias", "layers[0]"), "layers[0].bias", count: m)
        let w2 = try matrix(try content.member(layers[1], "weights", "layers[1]"), "layers[1].weights", rows: 1, columns: m)
        let b2 = try vector(try content.member(layers[1], "bias", "layers[1]"), "layers[1].bias", count: 1)
        var skip: [Rational]? = nil
        if let skipValue = value["skips"] {
            let items = try content.array(skipValue, "skips")
            guard items.count <= 1 else { throw content.error("skips", "exact networks have at most the skip (0, 2), found \(items.count) skips") }
            if let item = items.first {
                let from = try content.integer(try content.member(item, "from", "skips[0]"), "skips[0].from")
                let to = try content.integer(try content.member(item, "to", "skips[0]"), "skips[0].to")
                guard from == 0, to == 2 else { throw content.error("skips[0]", "exact networks have only the skip (0, 2), found (\(from), \(to))") }
                skip = try matrix(try content.member(item, "weights", "skips[0]"), "skips[0].weights", rows: 1, columns: n).row(0)
            }
        }
        do {
            return try ExactNetwork(inputWidth: n, activation: activation, firstWeights: w1, firstBias: b1,
                                    outputWeights: w2.row(0), outputBias: b2[0], skip: skip)
        } catch {
            throw content.error("", String(describing: error))
        }
    }

    /// `B2 + Vx + Σ w_j σ(u_jᵀx + b_j)` written out with exact coefficients.
    public func formula(variables: [String]) -> String {
        var parts: [(Rational, String)] = []
        if let skip { for (i, v) in skip.enumerated() where !v.isZero { parts.append((v, variables[i])) } }
        let name: String
        switch activation {
        case .square: name = ""
        case .quadratic: name = "s"
        }
        for j in 0..<hiddenNeurons {
            var inner: [(Rational, String)] = []
            for (i, u) in firstWeights.row(j).enumerated() where !u.isZero { inner.append((u, variables[i])) }
            let b = firstBias[j]
            if !b.isZero || inner.isEmpty { inner.append((b, "")) }
            let neuron = name.isEmpty ? "(" + ExactJSON.join(inner, limit: 8) + ")^2" : "s(" + ExactJSON.join(inner, limit: 8) + ")"
            parts.append((outputWeights[j], neuron))
        }
        if !outputBias.isZero || parts.isEmpty { parts.append((outputBias, "")) }
        return ExactJSON.join(parts, limit: 12)
    }
}
