import Foundation
import ONNXProto
import QuadFormCore

/// ONNX graphs of product-neuron layers built node by node (as `torch.onnx.export` writes them),
/// and the exact quadratic each computes, summed from its weights with rationals: the reference
/// the tracer's reading is compared against.
struct ProductGraphBuilder {
    var graph = Onnx_GraphProto()
    let float32: Bool
    var counter = 0

    init(inputs n: Int, float32: Bool) {
        self.float32 = float32
        graph.name = "products"
        graph.input = [Self.valueInfo("x", float32: float32, columns: n)]
    }

    static func valueInfo(_ name: String, float32: Bool, columns: Int) -> Onnx_ValueInfoProto {
        var batch = Onnx_TensorShapeProto.Dimension()
        batch.dimParam = "batch"
        var width = Onnx_TensorShapeProto.Dimension()
        width.dimValue = Int64(columns)
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type.tensorType.elemType = Int32((float32 ? Onnx_TensorProto.DataType.float : .double).rawValue)
        info.type.tensorType.shape.dim = [batch, width]
        return info
    }

    /// An initializer; returns its name.
    mutating func tensor(_ shape: [Int], _ values: [Double]) -> String {
        counter += 1
        var t = Onnx_TensorProto()
        t.name = "w\(counter)"
        t.dims = shape.map(Int64.init)
        if float32 {
            t.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
            t.floatData = values.map { Float($0) }
        } else {
            t.dataType = Int32(Onnx_TensorProto.DataType.double.rawValue)
            t.doubleData = values
        }
        graph.initializer.append(t)
        return t.name
    }

    /// A node; returns its output's name.
    mutating func node(_ op: String, _ inputs: [String], name: String? = nil) -> String {
        counter += 1
        var node = Onnx_NodeProto()
        node.opType = op
        node.input = inputs
        node.name = name ?? "/\(op)_\(counter)"
        node.output = ["t\(counter)"]
        graph.node.append(node)
        return node.output[0]
    }

    /// `x·Wᵀ + b` with W (rows × columns), as Gemm(transB = 1).
    mutating func linear(_ x: String, _ w: [[Double]], _ b: [Double]?) -> String {
        let weight = tensor([w.count, w[0].count], w.flatMap { $0 })
        var inputs = [x, weight]
        if let b { inputs.append(tensor([b.count], b)) }
        let out = node("Gemm", inputs)
        var attribute = Onnx_AttributeProto()
        attribute.name = "transB"
        attribute.type = .int
        attribute.i = 1
        graph.node[graph.node.count - 1].attribute = [attribute]
        return out
    }

    /// The model with tensor `y` as its only output (of `columns` columns).
    func model(output y: String, columns: Int) throws -> Data {
        var g = graph
        g.output = [Self.valueInfo(y, float32: float32, columns: columns)]
        var model = Onnx_ModelProto()
        model.irVersion = 8
        var opset = Onnx_OperatorSetIdProto()
        opset.version = 17
        model.opsetImport = [opset]
        model.graph = g
        return try model.serializedData()
    }
}

/// The exact f = c + aᵀx + xᵀAx of `Σ_t w_t (u_tᵀx + β_t)(v_tᵀx + δ_t) + ℓᵀx + c`.
struct ProductTerms {
    struct Term {
        var weight: Double
        var u: [Double], uShift: Double
        var v: [Double], vShift: Double
    }
    var terms: [Term] = []
    var linear: [Double]
    var constant: Double

    init(inputs n: Int) {
        linear = [Double](repeating: 0, count: n)
        constant = 0
    }

    func exactForm() throws -> ExactForm {
        func q(_ d: Double) -> Rational { Rational(exactly: d)! }
        let n = linear.count
        var a = linear.map(q)
        var c = q(constant)
        var quadratic = RationalMatrix(rows: n, columns: n)
        for t in terms {
            let w = q(t.weight), b = q(t.uShift), d = q(t.vShift)
            c = c + w * b * d
            for i in 0..<n {
                a[i] = a[i] + w * (d * q(t.u[i]) + b * q(t.v[i]))
                for k in 0..<n {
                    let half = w * q(t.u[i]) * q(t.v[k]) / Rational(2)
                    quadratic[i, k] = quadratic[i, k] + half
                    quadratic[k, i] = quadratic[k, i] + half
                }
            }
        }
        return try ExactForm(constant: c, linear: a, quadratic: quadratic)
    }
}
