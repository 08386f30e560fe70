import QuadFormCore
import Foundation
import ONNXProto

/// Editing the graph (design.md §10): compressed blocks spliced in place of their nodes,
/// constants nobody reads removed, a float32 model widened on request, parameters counted.
extension ModelCompression {
    /// Replaces each block's nodes by the nodes of its network, computing the same output tensor
    /// from the same input tensor: `MatMul(t, Uᵀ)` (`+ b`), `Mul(z, z)`, `MatMul(·, Wᵀ)`,
    /// `+ MatMul(t, Vᵀ)` (when the skip is not zero), `+ c`. Every other node stays as it was, in
    /// its place; the new nodes stand where the block's last node stood.
    static func splice(_ replacements: [(block: QuadraticBlock, network: ResNet)], into model: inout Onnx_ModelProto, float32: Bool) throws {
        var graph = model.graph
        let removed = Set(replacements.flatMap(\.block.nodes))
        var inserted: [Int: [Onnx_NodeProto]] = [:]
        var taken = Set(graph.initializer.map(\.name) + graph.node.flatMap(\.output) + graph.input.map(\.name))
        for (number, (block, net)) in replacements.enumerated() {
            guard net.activation == .square, net.depth == 2, let last = block.nodes.last else {
                throw CompressionError(path: graph.name, message: "block \(block.input) → \(block.output): the compressed network is not one layer of square neurons")
            }
            var prefix = "quadform/block\(number + 1)/"
            var attempt = 1
            while taken.contains(where: { $0.hasPrefix(prefix) }) {
                prefix = "quadform\(attempt)/block\(number + 1)/"
                attempt += 1
            }
            var nodes: [Onnx_NodeProto] = []
            func tensor(_ name: String, _ shape: [Int], _ values: [Double]) -> String {
                var t = Onnx_TensorProto()
                t.name = prefix + name
                t.dims = shape.map(Int64.init)
                if float32 {
                    t.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
                    t.floatData = values.map { Float($0) }
                } else {
                    t.dataType = Int32(Onnx_TensorProto.DataType.double.rawValue)
                    t.doubleData = values
                }
                graph.initializer.append(t)
                taken.insert(t.name)
                return t.name
            }
            func node(_ op: String, _ inputs: [String], _ output: String) -> String {
                var n = Onnx_NodeProto()
                n.opType = op
                n.input = inputs
                n.output = [output]
                n.name = output.hasPrefix(prefix) ? output : prefix + "output"
                nodes.append(n)
                taken.insert(output)
                return output
            }
            let first = net.layers[0], second = net.layers[1]
            let (n, k, m) = (net.inputWidth, net.hiddenNeurons, net.outputWidth)
            var sum: String?
            if k > 0 {
                var z = node("MatMul", [block.input, tensor("U_t", [n, k], first.weights.transposed.entries)], prefix + "z")
                if first.bias.contains(where: { $0 != 0 }) { z = node("Add", [z, tensor("b", [k], first.bias)], prefix + "z_bias") }
                let squares = node("Mul", [z, z], prefix + "square")
                sum = node("MatMul", [squares, tensor("W_t", [k, m], second.weights.transposed.entries)], prefix + "linear")
            }
            if needsSkip(net) {
                var v = Matrix(rows: m, columns: n)
                for skip in net.skips { v.entries = zip(v.entries, skip.weights.entries).map { $0 + $1 } }
                let skip = node("MatMul", [block.input, tensor("V_t", [n, m], v.transposed.entries)], prefix + "skip")
                sum = sum.map { node("Add", [$0, skip], prefix + "sum") } ?? skip
            }
            _ = node("Add", [sum ?? block.input, tensor("c", [m], second.bias)], block.output)
            inserted[last] = nodes
        }
        var nodes: [Onnx_NodeProto] = []
        for (index, node) in graph.node.enumerated() {
            if let new = inserted[index] { nodes += new }
            if !removed.contains(index) { nodes.append(node) }
        }
        graph.node = nodes
        prune(&graph)
        model.graph = graph
    }

    /// Removes the initializers and `Constant` nodes no node reads any more (and what named them:
    /// a graph input that was an initializer, value_info of tensors no longer computed).
    static func prune(_ graph: inout Onnx_GraphProto) {
        let outputs = Set(graph.output.map(\.name))
        let read = Set(graph.node.flatMap(\.input)).union(outputs)
        graph.node.removeAll { $0.opType == "Constant" && !$0.output.contains(where: read.contains) }
        let unused = Set(graph.initializer.map(\.name).filter { !read.contains($0) })
        graph.initializer.removeAll { unused.contains($0.name) }
        graph.input.removeAll { unused.contains($0.name) }
        let computed = Set(graph.node.flatMap(\.output) + graph.input.map(\.name) + graph.initializer.map(\.name))
        graph.valueInfo.removeAll { !computed.contains($0.name) }
    }

    /// Every float constant of the graph, counted by value (initializers and `Constant` nodes).
    static func parameterCount(_ graph: Onnx_GraphProto) -> Int {
        let floating: Set<Int32> = [Int32(Onnx_TensorProto.DataType.float.rawValue), Int32(Onnx_TensorProto.DataType.double.rawValue),
                                    Int32(Onnx_TensorProto.DataType.float16.rawValue), Int32(Onnx_TensorProto.DataType.bfloat16.rawValue)]
        func count(_ t: Onnx_TensorProto) -> Int { floating.contains(t.dataType) ? Int(t.dims.reduce(1, *)) : 0 }
        var total = graph.initializer.reduce(0) { $0 + count($1) }
        for node in graph.node where node.opType == "Constant" {
            if let t = GraphTracer.attribute("value", of: node), t.hasT { total += count(t.t) }
            if GraphTracer.attribute("value_float", of: node) != nil { total += 1 }
            if let f = GraphTracer.attribute("value_floats", of: node) { total += f.floats.count }
        }
        return total
    }

    /// Whether the model's input is FLOAT (its blocks are then written in FLOAT).
    static func isFloat32(_ model: Onnx_ModelProto) -> Bool {
        let constants = Set(model.graph.initializer.map(\.name))
        let input = model.graph.input.first { !constants.contains($0.name) }
        return input?.type.tensorType.elemType == Int32(Onnx_TensorProto.DataType.float.rawValue)
    }

    /// `--float64`: every FLOAT tensor, value and `Cast` target of the model becomes DOUBLE.
    static func widen(_ model: inout Onnx_ModelProto) {
        let float = Int32(Onnx_TensorProto.DataType.float.rawValue), double = Int32(Onnx_TensorProto.DataType.double.rawValue)
        func widen(_ t: inout Onnx_TensorProto) {
            guard t.dataType == float else { return }
            let values: [Double]
            if !t.rawData.isEmpty {
                let count = t.rawData.count / 4
                values = t.rawData.withUnsafeBytes { raw in
                    (0..<count).map { Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))) }
                }
            } else {
                values = t.floatData.map(Double.init)
            }
            t.rawData = Data()
            t.floatData = []
            t.doubleData = values
            t.dataType = double
        }
        func widen(_ v: inout Onnx_ValueInfoProto) {
            if v.type.tensorType.elemType == float { v.type.tensorType.elemType = double }
        }
        var graph = model.graph
        for i in graph.initializer.indices { widen(&graph.initializer[i]) }
        for i in graph.input.indices { widen(&graph.input[i]) }
        for i in graph.output.indices { widen(&graph.output[i]) }
        for i in graph.valueInfo.indices { widen(&graph.valueInfo[i]) }
        for i in graph.node.indices {
            for j in graph.node[i].attribute.indices {
                var attribute = graph.node[i].attribute[j]
                if attribute.hasT { widen(&attribute.t) }
                if graph.node[i].opType == "Cast", attribute.name == "to", attribute.i == Int64(float) { attribute.i = Int64(double) }
                if graph.node[i].opType == "Constant", attribute.name == "value_float" || attribute.name == "value_floats" {
                    var t = Onnx_TensorProto()
                    t.dataType = double
                    t.doubleData = attribute.name == "value_float" ? [Double(attribute.f)] : attribute.floats.map(Double.init)
                    if attribute.name == "value_floats" { t.dims = [Int64(attribute.floats.count)] }
                    attribute = Onnx_AttributeProto()
                    attribute.name = "value"
                    attribute.type = .tensor
                    attribute.t = t
                }
                graph.node[i].attribute[j] = attribute
            }
        }
        model.graph = graph
    }
}
