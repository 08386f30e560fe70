import Foundation

/// Errors in the inputs given to `quadform eval`: a points array of the wrong shape.
public enum EvaluationError: Error, Equatable, CustomStringConvertible {
    /// A points array has a shape that does not hold points of `width` coordinates.
    case pointsShape(path: String, shape: [Int], width: Int)
    /// More points (or results) than `NetworkEvaluation`'s limits allow.
    case tooManyPoints(path: String, count: Int, limit: Int, what: String)

    public var description: String {
        switch self {
        case let .pointsShape(path, shape, width):
            let accepted = width == 1 ? "(m, 1) or (m,)" : "(m, \(width))"
            return "\(path): shape \(shape) does not hold points of \(width) coordinate\(width == 1 ? "" : "s"); expected \(accepted)"
        case let .tooManyPoints(path, count, limit, what):
            return "\(path): \(count) \(what); at most \(limit) are accepted"
        }
    }
}

/// One layer of a traced evaluation: the pre-activation `z_k = W_k x_{k−1} + B_k + Σ V_{r,k} x_r`
/// and the layer output `x_k = act_k(z_k)` (Definition 1.5.4, design.md §1).
public struct LayerTrace: Equatable, Sendable {
    /// k, 1 … L.
    public let layer: Int
    /// The skips (r, k) ∈ S that enter this layer, by r.
    public let skipSources: [Int]
    /// z_k.
    public let preActivation: [Double]
    /// x_k.
    public let output: [Double]
}

/// Evaluating networks of design.md §6 at points, with the trace of every layer (`quadform eval`).
public enum NetworkEvaluation {
    /// Most points of one evaluation (2²⁴): the row count is checked, not only the element
    /// count, since points of a network without inputs (shape (m, 0)) hold no elements at all.
    public static let maximumPoints = 1 << 24
    /// Most results (points × outputs) of one evaluation: 2²⁶, 512 MiB of Doubles.
    public static let maximumResults = 1 << 26
    /// Most points printed as a text or JSON report (2²⁰); more go to a `.npy` (`--output Y.npy`).
    public static let maximumReportedPoints = 1 << 20

    /// Checks `rows` points of a network with `outputs` outputs against the limits above, before
    /// anything is evaluated or allocated; `report` when the results are printed as text or JSON.
    public static func checkSize(points rows: Int, outputs: Int, path: String, report: Bool) throws {
        guard rows <= maximumPoints else { throw EvaluationError.tooManyPoints(path: path, count: rows, limit: maximumPoints, what: "points") }
        let (results, overflow) = rows.multipliedReportingOverflow(by: outputs)
        guard !overflow, results <= maximumResults else {
            throw EvaluationError.tooManyPoints(path: path, count: overflow ? Int.max : results, limit: maximumResults, what: "results (points × network outputs)")
        }
        if report, rows > maximumReportedPoints {
            throw EvaluationError.tooManyPoints(path: path, count: rows, limit: maximumReportedPoints,
                                                what: "points for a text or JSON report (write them to a .npy with --output Y.npy)")
        }
    }

    /// The points of a `.npy` array: shape `(m, width)`, or `(m,)` when `width` is 1, one point per
    /// row; at most `maximumPoints` rows.
    public static func points(fromNpy array: NpyArray, path: String, width: Int) throws -> Matrix {
        let shape = array.shape
        if let rows = shape.first, rows > maximumPoints {
            throw EvaluationError.tooManyPoints(path: path, count: rows, limit: maximumPoints, what: "points")
        }
        if shape.count == 2, shape[1] == width {
            try Npy.checkFinite(array, path: path)
            return Matrix(rows: shape[0], columns: width, entries: array.values)
        }
        if shape.count == 1, width == 1 {
            try Npy.checkFinite(array, path: path)
            return Matrix(rows: shape[0], columns: 1, entries: array.values)
        }
        throw EvaluationError.pointsShape(path: path, shape: shape, width: width)
    }

    /// Every layer's z_k and x_k at `x` (the steps of the notes' proof of Example 1.5.6); x_0 = `x`.
    public static func trace(_ net: ResNet, at x: [Double]) throws -> [LayerTrace] {
        let (preActivations, outputs) = try net.layerValues(x)
        let entering = net.skipsByTarget
        return (1...net.depth).map { k in
            let sources = entering[k].map { net.skips[$0].from }.sorted()
            return LayerTrace(layer: k, skipSources: sources, preActivation: preActivations[k - 1], output: outputs[k])
        }
    }

    /// A number as eval prints it: integers without a fraction, everything else in the shortest
    /// form that reads back to the same Double; `-0` prints as `0`.
    public static func format(_ x: Double) -> String {
        if x == 0 { return "0" }
        if !x.isFinite { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }

    /// `(a, b, c)`, or just `a` for one entry.
    public static func format(_ v: [Double]) -> String {
        v.count == 1 ? format(v[0]) : "(" + v.map { format($0) }.joined(separator: ", ") + ")"
    }

    /// The result line for one point: `realization(x) = y`; the last token is the output when it
    /// has one entry.
    public static func resultLine(input: [Double], output: [Double]) -> String {
        let argument = input.count == 1 ? format(input[0]) : input.map { format($0) }.joined(separator: ", ")
        return "realization(\(argument)) = \(format(output))"
    }

    /// The trace as text, one line per x_k and z_k, ending with the result line:
    ///
    ///     x_0 = 5
    ///     z_1 = W_1 x_0 + B_1 = 5
    ///     x_1 = relu(z_1) = 5
    ///     …
    ///     realization(5) = 28
    public static func traceText(_ net: ResNet, at x: [Double]) throws -> String {
        let steps = try trace(net, at: x)
        var out = "x_0 = \(format(x))\n"
        let name: String
        switch net.activation {
        case .quadratic: name = "s"
        default: name = net.activation.kind
        }
        for step in steps {
            let k = step.layer
            var sum = "W_\(k) x_\(k - 1) + B_\(k)"
            for r in step.skipSources { sum += " + V_{\(r),\(k)} x_\(r)" }
            out += "z_\(k) = \(sum) = \(format(step.preActivation))\n"
            let act = k < net.depth ? "\(name)(z_\(k))" : "z_\(k)"
            out += "x_\(k) = \(act) = \(format(step.output))\n"
        }
        out += resultLine(input: x, output: steps.last?.output ?? x) + "\n"
        return out
    }

    /// One sentence describing the network: widths, activation, skip set.
    public static func summary(_ net: ResNet) -> String {
        let widths = "(" + net.widths.map(String.init).joined(separator: ", ") + ")"
        let skips = net.skips.isEmpty ? "∅"
            : "{" + net.skips.map { "(\($0.from),\($0.to))" }.joined(separator: ", ") + "}"
        return "l = \(widths), S = \(skips), activation \(net.activation)"
    }

    /// The result line of an exact evaluation (`eval --exact`): `realization(x) = p/q`, and for a
    /// non-integer the nearest Double after `≈`; the last token is then that decimal.
    public static func exactResultLine(input: [Rational], output: Rational) -> String {
        let argument = input.map(\.description).joined(separator: ", ")
        let value = output.denominator == 1 ? output.description : "\(output) ≈ \(format(output.doubleValue))"
        return "realization(\(argument)) = \(value)"
    }

    /// The JSON of an exact evaluation: the network's shape and, per point, x and y as exact
    /// numbers (integers, or `"p/q"` strings) with y's nearest Double.
    public static func exactJSON(_ net: ExactNetwork, source: String, member: String?, inputs: [[Rational]], outputs: [Rational]) -> JSONValue {
        let points: [JSONValue] = inputs.indices.map { i in
            .object([("x", ExactJSON.numbers(inputs[i])), ("y", ExactJSON.number(outputs[i])),
                     ("y_double", JSONWriter.number(outputs[i].doubleValue))])
        }
        return .object([
            ("network", .object([
                ("source", .string(source)),
                ("member", member.map { .string($0) } ?? .null),
                ("widths", .array([net.inputWidth, net.hiddenNeurons, 1].map { .number(String($0)) })),
                ("skips", .array(net.skip == nil ? [] : [.array([.number("0"), .number("2")])])),
            ])),
            ("exact", .bool(true)),
            ("points", .array(points)),
        ])
    }

    /// The JSON report of `quadform eval --format json`: the network's widths, skips and activation,
    /// and for each point its input `x` and output `y` (design.md §1, §6); with `trace`, every
    /// layer's `z_k` and `x_k` as well. Non-finite outputs are written as `null`.
    public static func json(_ net: ResNet, source: String, member: String?, inputs: [[Double]],
                            outputs: [[Double]], traces: [[LayerTrace]]? = nil) -> JSONValue {
        let numbers = JSONWriter.numbers
        let points: [JSONValue] = inputs.indices.map { i in
            var members: [(String, JSONValue)] = [("x", numbers(inputs[i])), ("y", numbers(outputs[i]))]
            if let traces {
                members.append(("trace", .array(traces[i].map { step in
                    .object([("layer", .number(String(step.layer))),
                             ("skip_sources", .array(step.skipSources.map { .number(String($0)) })),
                             ("z", numbers(step.preActivation)), ("x", numbers(step.output))])
                })))
            }
            return .object(members)
        }
        return .object([
            ("network", .object([
                ("source", .string(source)),
                ("member", member.map { .string($0) } ?? .null),
                ("widths", .array(net.widths.map { .number(String($0)) })),
                ("skips", .array(net.skips.map { .array([.number(String($0.from)), .number(String($0.to))]) })),
                ("activation", Formats.activationJSON(net.activation)),
            ])),
            ("points", .array(points)),
        ])
    }
}
