import QuadFormCore
import Foundation
import ONNXProto
import SwiftProtobuf

/// Writing: networks to an ONNX model's bytes (the layout is described on `ONNXModel`).
extension ONNXModel {
    /// The model's bytes: the networks side by side on one input `x`, each to the output named
    /// with it (`y` for a single network; `residual` and `plain` for a synthesis). All must have
    /// the same input width.
    public static func encode(_ networks: [(output: String, net: ResNet)], options: NetworkWriteOptions = NetworkWriteOptions()) throws -> Data {
        guard let first = networks.first else { throw NetworkError.badWidths("no network to write") }
        let n = first.net.inputWidth
        if let other = networks.first(where: { $0.net.inputWidth != n }) {
            throw NetworkError.badWidths("network \(other.output) has \(other.net.inputWidth) inputs, \(first.output) has \(n)")
        }
        let elementType = options.float32 ? Onnx_TensorProto.DataType.float : .double
        var graph = Onnx_GraphProto()
        graph.name = "quadform"
        graph.input = [valueInfo("x", elementType, columns: n)]
        var constants = Set<String>()
        for (output, net) in networks {
            let prefix = networks.count == 1 ? "" : output + "/"
            func tensor(_ name: String, _ shape: [Int], _ values: [Double]) {
                var t = Onnx_TensorProto()
                t.name = name
                t.dims = shape.map(Int64.init)
                t.dataType = Int32(elementType.rawValue)
                if options.float32 { t.floatData = values.map { Float($0) } } else { t.doubleData = values }
                graph.initializer.append(t)
            }
            func node(_ op: String, _ inputs: [String], _ out: String) {
                var node = Onnx_NodeProto()
                node.opType = op
                node.input = inputs
                node.output = [out]
                node.name = out
                graph.node.append(node)
            }
            func scalar(_ name: String, _ value: Double) -> String {
                let full = prefix + name
                if constants.insert(full).inserted { tensor(full, [], [value]) }
                return full
            }
            var outputs = ["x"]
            for k in 1...net.depth {
                let layer = net.layers[k - 1]
                let w = prefix + "W\(k)_t", b = prefix + "B\(k)"
                tensor(w, [layer.weights.columns, layer.weights.rows], layer.weights.transposed.entries)
                tensor(b, [layer.bias.count], layer.bias)
                let last = k == net.depth
                node("MatMul", [outputs[k - 1], w], prefix + "z\(k)_linear")
                var z = prefix + "z\(k)"
                let skips = net.skips.filter { $0.to == k }
                node("Add", [prefix + "z\(k)_linear", b], skips.isEmpty ? z : prefix + "z\(k)_affine")
                var sum = prefix + "z\(k)_affine"
                for (i, skip) in skips.enumerated() {
                    let v = prefix + "V_\(skip.from)_\(k)_t"
                    tensor(v, [skip.weights.columns, skip.weights.rows], skip.weights.transposed.entries)
                    node("MatMul", [outputs[skip.from], v], prefix + "skip_\(skip.from)_\(k)")
                    let target = i + 1 == skips.count ? z : prefix + "z\(k)_skip\(i)"
                    node("Add", [sum, prefix + "skip_\(skip.from)_\(k)"], target)
                    sum = target
                }
                if last {
                    node("Identity", [z], output)
                    z = output
                } else {
                    let x = prefix + "x\(k)"
                    switch net.activation {
                    case .square: node("Mul", [z, z], x)
                    case .relu: node("Relu", [z], x)
                    case .identity: node("Identity", [z], x)
                    case let .quadratic(alpha, beta, gamma):
                        node("Mul", [z, scalar("alpha", alpha)], prefix + "x\(k)_az")
                        node("Add", [prefix + "x\(k)_az", scalar("beta", beta)], prefix + "x\(k)_azb")
                        node("Mul", [prefix + "x\(k)_azb", z], prefix + "x\(k)_s0")
                        node("Add", [prefix + "x\(k)_s0", scalar("gamma", gamma)], x)
                    }
                    outputs.append(x)
                }
            }
            graph.output.append(valueInfo(output, elementType, columns: net.outputWidth))
        }
        var model = Onnx_ModelProto()
        model.irVersion = irVersion
        var opsetID = Onnx_OperatorSetIdProto()
        opsetID.domain = ""
        opsetID.version = opset
        model.opsetImport = [opsetID]
        model.producerName = "quadform"
        model.producerVersion = "1"
        model.docString = "Square-activation networks of design.md §1 (quadform); metadata_props holds widths, activation, skips, variables and source."
        model.graph = graph
        var props: [(String, String)] = [("quadform.format", networks.count == 1 ? "quadform.network" : "quadform.networks")]
        for (output, net) in networks {
            let key = networks.count == 1 ? "quadform." : "quadform.\(output)."
            for (name, value) in Safetensors.metadata(of: net) where name != "format" { props.append((key + name, value)) }
        }
        if let variables = options.variables { props.append(("variables", JSONWriter.compact(.array(variables.map { .string($0) })))) }
        if let source = options.source { props.append(("source", source)) }
        model.metadataProps = props.map { key, value in
            var entry = Onnx_StringStringEntryProto()
            entry.key = key
            entry.value = value
            return entry
        }
        return try model.serializedData()
    }

    /// A tensor value of shape `[batch, columns]`.
    static func valueInfo(_ name: String, _ type: Onnx_TensorProto.DataType, columns: Int) -> Onnx_ValueInfoProto {
        var batch = Onnx_TensorShapeProto.Dimension()
        batch.dimParam = "batch"
        var width = Onnx_TensorShapeProto.Dimension()
        width.dimValue = Int64(columns)
        var shape = Onnx_TensorShapeProto()
        shape.dim = [batch, width]
        var tensorType = Onnx_TypeProto.Tensor()
        tensorType.elemType = Int32(type.rawValue)
        tensorType.shape = shape
        var typeProto = Onnx_TypeProto()
        typeProto.tensorType = tensorType
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type = typeProto
        return info
    }
}
