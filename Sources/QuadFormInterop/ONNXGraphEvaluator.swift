import QuadFormCore
import Foundation
import ONNXProto

/// Evaluates an ONNX graph of `[batch, features]` values in Double at a batch of points: the
/// project's own evaluation of a whole model, for comparing a model with its compressed copy
/// (design.md §10). Operators: those the tracer reads (MatMul, Gemm, Add, Sub, Sum, Neg, Mul,
/// Div, Pow, ReduceSum, BatchNormalization, Relu, Identity, Constant), LayerNormalization over
/// the features and the common elementwise activations (Sigmoid, Tanh, LeakyRelu); anything else
/// is `Unsupported`.
enum ONNXGraphEvaluator {
    /// The graph uses something this evaluator does not compute.
    struct Unsupported: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    /// Values computed at most (summed over the nodes), so a small file declaring a huge width
    /// cannot make the comparison allocate gigabytes.
    static let maximumEntries = 1 << 26

    /// A value: a constant tensor (broadcast along the batch) or a batch × width matrix.
    enum Value {
        case constant(shape: [Int], values: [Double])
        case batch(Matrix)
    }

    /// The graph's outputs at the rows of `points` (the graph's one input).
    static func evaluate(_ graph: Onnx_GraphProto, points: Matrix) throws -> [String: Matrix] {
        var tracer = GraphTracer(path: "", fileBytes: Int.max / 4)
        var values: [String: Value] = [:]
        for t in graph.initializer {
            let c = try tracer.constant(t, what: "initializer '\(t.name)'")
            values[t.name] = .constant(shape: c.shape, values: c.values)
        }
        let inputs = graph.input.filter { values[$0.name] == nil }
        guard inputs.count == 1 else { throw Unsupported(reason: "the graph has \(inputs.count) inputs") }
        values[inputs[0].name] = .batch(points)
        var entries = 0
        for node in graph.node {
            let label = "node '\(node.name)' (\(node.opType))"
            guard node.output.count == 1 else { throw Unsupported(reason: "\(label) has \(node.output.count) outputs") }
            let operands: [Value] = try node.input.map { name in
                guard let v = values[name] else { throw Unsupported(reason: "\(label): input '\(name)' is not computed") }
                return v
            }
            let value = try apply(node, operands, tracer: &tracer, label: label, batch: points.rows)
            if case .batch(let m) = value { entries += m.entries.count }
            guard entries <= maximumEntries else { throw Unsupported(reason: "more than \(maximumEntries) values would be computed") }
            values[node.output[0]] = value
        }
        var outputs: [String: Matrix] = [:]
        for output in graph.output {
            guard case .batch(let m)? = values[output.name] else { throw Unsupported(reason: "output '\(output.name)' is not a batch of values") }
            outputs[output.name] = m
        }
        return outputs
    }

    /// One node's value.
    static func apply(_ node: Onnx_NodeProto, _ operands: [Value], tracer: inout GraphTracer, label: String, batch: Int) throws -> Value {
        switch node.opType {
        case "Constant":
            guard case .constant(let c) = try tracer.constantNode(node, label: label) else { throw Unsupported(reason: label) }
            return .constant(shape: c.shape, values: c.values)
        case "Identity", "Dropout":
            return operands[0]
        case "MatMul", "Gemm":
            guard operands.count >= 2, case .batch(let x) = operands[0], case .constant(let shape, let w) = operands[1], shape.count == 2 else {
                throw Unsupported(reason: "\(label): only (values) × (constant matrix)")
            }
            let transB = node.opType == "Gemm" && (GraphTracer.attribute("transB", of: node)?.i ?? 0) != 0
            if node.opType == "Gemm", (GraphTracer.attribute("transA", of: node)?.i ?? 0) != 0 { throw Unsupported(reason: "\(label): transA") }
            let weights = Matrix(rows: shape[0], columns: shape[1], entries: w)
            guard (transB ? weights.columns : weights.rows) == x.columns else { throw Unsupported(reason: "\(label): shapes do not chain") }
            var y = x.multiply(weights, transposeOther: transB)
            if node.opType == "Gemm" {
                let alpha = Double(GraphTracer.attribute("alpha", of: node)?.f ?? 1), beta = Double(GraphTracer.attribute("beta", of: node)?.f ?? 1)
                y.entries = y.entries.map { alpha * $0 }
                if operands.count == 3 {
                    let c = try elementwise(.batch(y), operands[2], label: label, batch: batch) { $0 + beta * $1 }
                    return c
                }
            }
            return .batch(y)
        case "Add": return try elementwise(operands[0], operands[1], label: label, batch: batch, +)
        case "Sub": return try elementwise(operands[0], operands[1], label: label, batch: batch, -)
        case "Mul": return try elementwise(operands[0], operands[1], label: label, batch: batch, *)
        case "Div": return try elementwise(operands[0], operands[1], label: label, batch: batch, /)
        case "Pow": return try elementwise(operands[0], operands[1], label: label, batch: batch) { $1 == 2 ? $0 * $0 : Foundation.pow($0, $1) }
        case "Sum":
            var total = operands[0]
            for next in operands.dropFirst() { total = try elementwise(total, next, label: label, batch: batch, +) }
            return total
        case "Neg": return try unary(operands[0], label: label) { -$0 }
        case "Relu": return try unary(operands[0], label: label) { max($0, 0) }
        case "Sigmoid": return try unary(operands[0], label: label) { 1 / (1 + Foundation.exp(-$0)) }
        case "Tanh": return try unary(operands[0], label: label) { Foundation.tanh($0) }
        case "LeakyRelu":
            let alpha = Double(GraphTracer.attribute("alpha", of: node)?.f ?? 0.01)
            return try unary(operands[0], label: label) { $0 >= 0 ? $0 : alpha * $0 }
        case "BatchNormalization":
            guard operands.count == 5, case .batch(let x) = operands[0] else { throw Unsupported(reason: "\(label): inputs") }
            var p: [[Double]] = []
            for operand in operands.dropFirst() {
                guard case .constant(_, let v) = operand, v.count == x.columns else { throw Unsupported(reason: "\(label): parameters") }
                p.append(v)
            }
            let epsilon = Double(GraphTracer.attribute("epsilon", of: node)?.f ?? 1e-5)
            var y = x
            for i in 0..<x.rows { for j in 0..<x.columns { y.entries[i * x.columns + j] = p[0][j] * (x[i, j] - p[2][j]) / (p[3][j] + epsilon).squareRoot() + p[1][j] } }
            return .batch(y)
        case "LayerNormalization":
            guard operands.count >= 2, case .batch(let x) = operands[0], case .constant(_, let gamma) = operands[1], gamma.count == x.columns,
                  (GraphTracer.attribute("axis", of: node)?.i ?? -1) == -1 || GraphTracer.attribute("axis", of: node)?.i == 1 else {
                throw Unsupported(reason: "\(label): only over the features")
            }
            var beta = [Double](repeating: 0, count: x.columns)
            if operands.count == 3, case .constant(_, let b) = operands[2], b.count == x.columns { beta = b }
            let epsilon = Double(GraphTracer.attribute("epsilon", of: node)?.f ?? 1e-5)
            var y = x
            for i in 0..<x.rows {
                let row = x.row(i), mean = row.reduce(0, +) / Double(row.count)
                let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(row.count)
                for j in 0..<x.columns { y.entries[i * x.columns + j] = gamma[j] * (row[j] - mean) / (variance + epsilon).squareRoot() + beta[j] }
            }
            return .batch(y)
        case "ReduceSum":
            guard case .batch(let x) = operands[0] else { throw Unsupported(reason: "\(label): of a constant") }
            var axes: [Int64] = GraphTracer.attribute("axes", of: node)?.ints ?? []
            if operands.count == 2, case .constant(_, let a) = operands[1] { axes = a.map { Int64($0) } }
            guard axes == [1] || axes == [-1], (GraphTracer.attribute("keepdims", of: node)?.i ?? 1) != 0 else { throw Unsupported(reason: "\(label): axes") }
            return .batch(Matrix(rows: x.rows, columns: 1, entries: (0..<x.rows).map { x.row($0).reduce(0, +) }))
        default:
            throw Unsupported(reason: "\(label): operator \(node.opType)")
        }
    }

    /// An elementwise operation on a batch value.
    static func unary(_ v: Value, label: String, _ f: (Double) -> Double) throws -> Value {
        switch v {
        case .batch(var m):
            m.entries = m.entries.map(f)
            return .batch(m)
        case .constant(let shape, let values):
            return .constant(shape: shape, values: values.map(f))
        }
    }

    /// `f(a, b)` with numpy broadcasting of `[batch, w]`, `[batch, 1]`, `[w]`, `[1, w]` and scalars.
    static func elementwise(_ a: Value, _ b: Value, label: String, batch: Int, _ f: (Double, Double) -> Double) throws -> Value {
        if case .constant(let sa, let va) = a, case .constant(_, let vb) = b {
            guard va.count == 1 || vb.count == 1 || va.count == vb.count else { throw Unsupported(reason: "\(label): constant shapes") }
            let count = max(va.count, vb.count)
            return .constant(shape: va.count >= vb.count ? sa : [count], values: (0..<count).map { f(va[va.count == 1 ? 0 : $0], vb[vb.count == 1 ? 0 : $0]) })
        }
        func entry(_ v: Value, rows: Int, columns: Int) throws -> (Int, Int) -> Double {
            switch v {
            case .batch(let m):
                guard m.rows == rows, m.columns == columns || m.columns == 1 else { throw Unsupported(reason: "\(label): shapes [\(m.rows), \(m.columns)] and [\(rows), \(columns)]") }
                return m.columns == 1 ? { i, _ in m.entries[i] } : { i, j in m.entries[i * columns + j] }
            case .constant(_, let values):
                guard values.count == 1 || values.count == columns else { throw Unsupported(reason: "\(label): a constant of \(values.count) values against width \(columns)") }
                return values.count == 1 ? { _, _ in values[0] } : { _, j in values[j] }
            }
        }
        var columns = 1
        for v in [a, b] {
            switch v {
            case .batch(let m): columns = max(columns, m.columns)
            case .constant(_, let values): columns = max(columns, values.count)
            }
        }
        let x = try entry(a, rows: batch, columns: columns), y = try entry(b, rows: batch, columns: columns)
        var out = Matrix(rows: batch, columns: columns)
        for i in 0..<batch { for j in 0..<columns { out.entries[i * columns + j] = f(x(i, j), y(i, j)) } }
        return .batch(out)
    }
}

extension ModelCompression {
    /// Both models evaluated at the same points, the origin and `modelSamples` uniform random
    /// points of the verification box [−R, R]^n: the largest difference of any output, against τ
    /// times the largest |output| (design.md §10). Not evaluated when the graph has more than one input, an input
    /// whose width is not declared, or an operator `ONNXGraphEvaluator` does not compute.
    static func compareModels(_ original: Onnx_ModelProto, _ compressed: Onnx_ModelProto, options: CompressionOptions, accuracy: Double) -> ModelCheck {
        func skipped(_ reason: String) -> ModelCheck { ModelCheck(points: 0, maxError: 0, scale: 0, accuracy: accuracy, notEvaluated: reason) }
        let constants = Set(original.graph.initializer.map(\.name))
        let inputs = original.graph.input.filter { !constants.contains($0.name) }
        guard inputs.count == 1, let n = QuadraticBlockFinder.declaredWidth(inputs[0]) else {
            return skipped("the graph does not have one input of shape [batch, n] with n fixed")
        }
        guard (options.modelSamples + 1).multipliedReportingOverflow(by: n).partialValue <= ONNXGraphEvaluator.maximumEntries / 4, n <= ONNXGraphEvaluator.maximumEntries else {
            return skipped("n = \(n) inputs: too many to evaluate at \(options.modelSamples + 1) points here")
        }
        var random = SplitMix64(seed: options.synthesis.seed)
        let radius = options.synthesis.boxRadius
        var points = Matrix(rows: options.modelSamples + 1, columns: n)
        for i in n..<points.entries.count { points.entries[i] = radius * (2 * random.nextUnit() - 1) }
        do {
            let before = try ONNXGraphEvaluator.evaluate(original.graph, points: points)
            let after = try ONNXGraphEvaluator.evaluate(compressed.graph, points: points)
            var error = 0.0, scale = 0.0
            for (name, y) in before {
                guard let z = after[name], z.rows == y.rows, z.columns == y.columns else { return skipped("output '\(name)' changed shape") }
                for (u, v) in zip(y.entries, z.entries) {
                    error = max(error, abs(u - v))
                    scale = max(scale, abs(u))
                    if !(u - v).isFinite { error = .infinity }
                }
            }
            return ModelCheck(points: points.rows, maxError: error, scale: scale, accuracy: accuracy, notEvaluated: nil)
        } catch {
            return skipped("\(error)")
        }
    }
}
