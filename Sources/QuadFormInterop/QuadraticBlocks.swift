import QuadFormCore
import Foundation
import ONNXProto

/// A maximal quadratic block of an ONNX graph (design.md §10): the nodes that compute tensor
/// `output` from tensor `input` as a polynomial of degree 2 in it, with no other tensor of theirs
/// read outside the block.
public struct QuadraticBlock: Sendable, Equatable {
    /// The tensor the block reads (the graph's input, or the output of a node that is not a
    /// polynomial of its own input, such as a ReLU).
    public let input: String
    /// The tensor the block computes, read by the rest of the graph or a graph output.
    public let output: String
    /// Indices in the graph's node list of the nodes the block replaces, in order.
    public let nodes: [Int]
    /// n, the width of `input`.
    public let inputWidth: Int
    /// m, the width of `output`.
    public let outputWidth: Int
    /// The block's quadratic units: the width of each product or square of degree-1 values
    /// (`Mul(a, b)`, `Mul(z, z)`, `Pow(z, 2)`), summed.
    public let productWidth: Int
    /// The constant tensors only the block's nodes read (its weights and biases; not a `Pow`
    /// exponent or `ReduceSum` axes).
    public let parameterTensors: [String]
    /// How many values they hold.
    public let parameters: Int
}

/// Finds every maximal quadratic block of a graph (design.md §10): each tensor gets a source (the
/// tensor it is a polynomial of) and a degree in it; an operator that is not a polynomial, mixes
/// two sources or would exceed degree 2 starts a new source. A degree-2 tensor of a source read
/// outside the source's nodes ends a block: the nodes it depends on, when no other tensor of theirs
/// is read outside them.
enum QuadraticBlockFinder {
    /// What is known of a tensor: nil source for a constant.
    struct Info {
        var source: String?
        var degree: Int
        var width: Int?
    }

    static let polynomialOperators: Set<String> = ["MatMul", "Gemm", "Add", "Sub", "Sum", "Neg", "Mul", "Div", "Pow", "Identity", "ReduceSum", "BatchNormalization"]

    /// The blocks of `graph`, in the order their outputs are computed.
    static func blocks(of graph: Onnx_GraphProto) -> [QuadraticBlock] {
        var constantShapes: [String: [Int]] = [:]
        var constantValues: [String: [Double]] = [:]
        for t in graph.initializer {
            constantShapes[t.name] = t.dims.map { Int($0) }
            if t.dims.reduce(1, *) <= 1 { constantValues[t.name] = scalarValues(t) }
        }
        let inputs = graph.input.filter { constantShapes[$0.name] == nil }
        var info: [String: Info] = [:]
        for input in inputs { info[input.name] = Info(source: input.name, degree: 1, width: declaredWidth(input)) }
        var declared: [String: Int] = [:]
        for v in graph.valueInfo + graph.output { if let w = declaredWidth(v) { declared[v.name] = w } }
        var producer: [String: Int] = [:]
        var productWidths: [Int: Int] = [:]
        for (index, node) in graph.node.enumerated() {
            for name in node.output { producer[name] = index }
            if node.opType == "Constant" {
                if let t = GraphTracer.attribute("value", of: node), t.hasT {
                    constantShapes[node.output.first ?? ""] = t.t.dims.map { Int($0) }
                    if t.t.dims.reduce(1, *) <= 1 { constantValues[node.output.first ?? ""] = scalarValues(t.t) }
                } else if let f = GraphTracer.attribute("value_float", of: node) {
                    constantShapes[node.output.first ?? ""] = []
                    constantValues[node.output.first ?? ""] = [Double(f.f)]
                } else if let i = GraphTracer.attribute("value_int", of: node) {
                    constantShapes[node.output.first ?? ""] = []
                    constantValues[node.output.first ?? ""] = [Double(i.i)]
                } else if let fs = GraphTracer.attribute("value_floats", of: node) {
                    constantShapes[node.output.first ?? ""] = [fs.floats.count]
                }
                continue
            }
            let operands: [Info?] = node.input.map { name in constantShapes[name] != nil ? Info(source: nil, degree: 0, width: nil) : info[name] }
            let sources = Set(operands.compactMap { $0?.source })
            var result: Info?
            let known = operands.compactMap { $0 }
            if polynomialOperators.contains(node.opType), node.output.count == 1, known.count == operands.count, sources.count == 1,
               let degree = polynomialDegree(node, known, constantShapes: constantShapes, constantValues: constantValues), degree <= 2 {
                let width = outputWidth(node, known, constantShapes: constantShapes)
                result = Info(source: sources.first, degree: degree, width: width ?? declared[node.output[0]])
                if degree == 2, node.opType == "Mul" || node.opType == "Pow", known.allSatisfy({ $0.degree <= 1 }) {
                    productWidths[index] = result?.width ?? 0
                }
            }
            for name in node.output {
                if let result, sources.count == 1 {
                    info[name] = result
                } else if sources.isEmpty && !node.input.isEmpty && operands.allSatisfy({ $0?.source == nil && $0 != nil }) {
                    info[name] = Info(source: nil, degree: 0, width: nil)
                    constantShapes[name] = constantShapes[name] ?? []
                } else {
                    let width = node.input.first.flatMap { info[$0]?.width }
                    info[name] = Info(source: name, degree: 1, width: declared[name] ?? (elementwise(node.opType) ? width : nil))
                }
            }
        }
        // Readers of each tensor, and the graph's outputs.
        var readers: [String: [Int]] = [:]
        for (index, node) in graph.node.enumerated() { for name in Set(node.input) { readers[name, default: []].append(index) } }
        let graphOutputs = Set(graph.output.map(\.name))
        var members: [String: [Int]] = [:]
        for (index, node) in graph.node.enumerated() where node.opType != "Constant" {
            guard node.output.count == 1, let i = info[node.output[0]], let source = i.source, source != node.output[0] else { continue }
            members[source, default: []].append(index)
        }
        var blocks: [QuadraticBlock] = []
        for (source, indices) in members {
            guard let n = info[source]?.width else { continue }
            func readOutside(_ index: Int, _ within: Set<Int>) -> Bool {
                let name = graph.node[index].output[0]
                return graphOutputs.contains(name) || (readers[name] ?? []).contains { !within.contains($0) }
            }
            // Each degree-2 tensor read outside the source's nodes ends a candidate block: the nodes
            // it depends on, none of whose other tensors may be read outside them (so blocks are
            // disjoint, and a side branch of the same source, such as an affine skip into a ReLU,
            // stays as it was).
            let all = Set(indices)
            for last in indices where readOutside(last, all) {
                let output = graph.node[last].output[0]
                guard let outInfo = info[output], outInfo.degree == 2, let m = outInfo.width else { continue }
                var needed = Set<Int>()
                var stack = [last]
                while let index = stack.popLast() {
                    guard needed.insert(index).inserted else { continue }
                    for name in graph.node[index].input { if let p = producer[name], all.contains(p) { stack.append(p) } }
                }
                guard needed.allSatisfy({ $0 == last || !readOutside($0, needed) }) else { continue }
                let nodes = needed.sorted()
                // Constants read only by these nodes are the block's parameters.
                var tensors: [String] = []
                var parameters = 0
                for index in nodes {
                    let node = graph.node[index]
                    for (position, name) in node.input.enumerated() where !tensors.contains(name) {
                        guard let shape = constantShapes[name] else { continue }
                        if (node.opType == "Pow" || node.opType == "ReduceSum") && position == 1 { continue }
                    if node.opType == "BatchNormalization" && position >= 3 { continue }  // running statistics
                        guard (readers[name] ?? []).allSatisfy({ needed.contains($0) }) else { continue }
                        tensors.append(name)
                        parameters += shape.reduce(1, *)
                    }
                }
                let productWidth = nodes.reduce(0) { $0 + (productWidths[$1] ?? 0) }
                blocks.append(QuadraticBlock(input: source, output: output, nodes: nodes, inputWidth: n, outputWidth: m,
                                             productWidth: productWidth, parameterTensors: tensors, parameters: parameters))
            }
        }
        return blocks.sorted { ($0.nodes.last ?? 0) < ($1.nodes.last ?? 0) }
    }

    /// The degree of a polynomial operator's output in its source, or nil when it is not a
    /// polynomial of its operands as the tracer reads them (weights that are not constant, a
    /// power other than 2, a division by a value).
    static func polynomialDegree(_ node: Onnx_NodeProto, _ operands: [Info], constantShapes: [String: [Int]], constantValues: [String: [Double]]) -> Int? {
        let degrees = operands.map(\.degree)
        switch node.opType {
        case "MatMul", "Gemm":
            guard operands.count >= 2, operands[0].source != nil, operands[1...].allSatisfy({ $0.source == nil }) else { return nil }
            return degrees[0]
        case "Mul":
            guard operands.count == 2 else { return nil }
            return degrees[0] + degrees[1]
        case "Div":
            guard operands.count == 2, operands[1].source == nil else { return nil }
            return degrees[0]
        case "Pow":
            guard operands.count == 2, operands[1].source == nil, constantValues[node.input[1]] == [2] else { return nil }
            return 2 * degrees[0]
        case "ReduceSum", "BatchNormalization":
            guard operands.dropFirst().allSatisfy({ $0.source == nil }) else { return nil }
            return degrees[0]
        default:
            return degrees.max()
        }
    }

    /// The width of a polynomial operator's output, when the shapes say it.
    static func outputWidth(_ node: Onnx_NodeProto, _ operands: [Info], constantShapes: [String: [Int]]) -> Int? {
        switch node.opType {
        case "MatMul":
            guard let shape = constantShapes[node.input[1]], shape.count == 2 else { return nil }
            return shape[1]
        case "Gemm":
            guard let shape = constantShapes[node.input[1]], shape.count == 2 else { return nil }
            return (GraphTracer.attribute("transB", of: node)?.i ?? 0) != 0 ? shape[0] : shape[1]
        case "ReduceSum":
            return 1
        default:
            return operands.compactMap(\.width).max()
        }
    }

    /// Operators whose output has their first input's shape.
    static func elementwise(_ op: String) -> Bool {
        ["Relu", "LeakyRelu", "Sigmoid", "Tanh", "Elu", "Selu", "Softplus", "Gelu", "Abs", "Exp", "Clip", "Erf", "HardSigmoid", "HardSwish",
         "Mish", "Identity", "Dropout"].contains(op)
    }

    /// The fixed second dimension of a `[batch, w]` value, when declared.
    static func declaredWidth(_ v: Onnx_ValueInfoProto) -> Int? {
        let dims = v.type.tensorType.shape.dim
        guard dims.count == 2, case .dimValue(let w)? = dims[1].value, w >= 0 else { return nil }
        return Int(w)
    }

    /// The values of a tensor of at most one element (a scalar exponent or divisor).
    static func scalarValues(_ t: Onnx_TensorProto) -> [Double]? {
        var tracer = GraphTracer(path: "", fileBytes: Int.max / 4)
        return try? tracer.constant(t, what: "").values
    }
}
