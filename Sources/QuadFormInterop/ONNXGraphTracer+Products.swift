import QuadFormCore
import Foundation
import ONNXProto

/// Degree-2 graphs (design.md §10, issue 26): the polynomial degree of each traced value in the
/// graph's input, products of two different values read as two square neurons, and the
/// operators product-neuron layers use besides MatMul/Gemm/Add (Neg, Div by a constant, Sum,
/// ReduceSum).
extension GraphTracer {
    /// The polynomial degree of `a` in the graph's input: the input has degree 1, a square
    /// neuron's value twice its pre-activation's (or what the product it stands for has), a
    /// constant 0; nil when `a` reads a ReLU (not a polynomial).
    func degree(of a: Affine) -> Int? {
        var d = 0
        for r in a.terms.keys {
            guard let e = r == 0 ? 1 : nodes[r - 1].degree else { return nil }
            d = max(d, e)
        }
        return d
    }

    /// The error for a value of degree `degree` above `maximumDegree`, naming the node and how
    /// the degree arose.
    func degreeFail(_ label: String, _ degree: Int, _ how: String) -> NetworkFileError {
        fail("\(label): computes a polynomial of degree \(degree) in the graph's input (\(how)); only graphs of degree ≤ \(maximumDegree ?? 2) (a quadratic) are read here")
    }

    /// `a·b` for two different non-constant values: `¼(a + b)² − ¼(a − b)²`, two square neurons
    /// of the same width as `a` whose output weights ±¼ are exact. Refused above
    /// `maximumDegree`. When a sum or difference `a ± b` of stored weights is not exact in
    /// Double, the node is recorded in `roundedProducts` (exact extraction then refuses the
    /// network rather than take a rounded one for it).
    mutating func product(_ a: Affine, _ b: Affine, label: String) throws -> Value {
        let d: Int?
        if let da = degree(of: a), let db = degree(of: b) {
            d = da + db
            if let maximumDegree, da + db > maximumDegree {
                throw degreeFail(label, da + db, "a product of values of degree \(da) and \(db)")
            }
        } else {
            d = nil
        }
        let sum = try add(a, b, sign: 1, label: label)
        let difference = try add(a, b, sign: -1, label: label)
        if !GraphTracer.sumsAreExact(a, b), !roundedProducts.contains(label) { roundedProducts.append(label) }
        _ = try activation(.square, sum, label: label, degree: d)
        _ = try activation(.square, difference, label: label, degree: d)
        let r = nodes.count
        productFactors[r - 1] = (a, b, r)
        let width = a.width
        try charge(entries: 2 * width, label)
        return .affine(Affine(width: width,
                              terms: [r - 1: .diagonal([Double](repeating: 0.25, count: width)),
                                      r: .diagonal([Double](repeating: -0.25, count: width))],
                              bias: [Double](repeating: 0, count: width), id: newID()))
    }

    /// Whether every entry of `a + b` and `a − b` (terms on the same source, and biases) is the
    /// exact sum of the two stored weights (Knuth's two-sum error is zero).
    static func sumsAreExact(_ a: Affine, _ b: Affine) -> Bool {
        func exact(_ x: Double, _ y: Double) -> Bool {
            for v in [y, -y] {
                let s = x + v
                let bv = s - x
                guard s.isFinite, (x - (s - bv)) + (v - bv) == 0 else { return false }
            }
            return true
        }
        for (x, y) in zip(a.bias, b.bias) where !exact(x, y) { return false }
        for (r, ta) in a.terms {
            guard let tb = b.terms[r] else { continue }
            switch (ta, tb) {
            case let (.diagonal(d), .diagonal(e)):
                for (x, y) in zip(d, e) where !exact(x, y) { return false }
            default:
                let columns: Int
                switch ta {
                case .diagonal(let d): columns = d.count
                case .matrix(let m): columns = m.columns
                }
                for i in 0..<a.width { for j in 0..<columns where !exact(ta[i, j], tb[i, j]) { return false } }
            }
        }
        return true
    }

    /// `Neg`, `Div` (by a constant), `Sum`, `ReduceSum` (over the features, keepdims = 1) and
    /// `BatchNormalization` (inference): affine operations on the traced values.
    mutating func affineOperator(_ node: Onnx_NodeProto, _ inputs: [Value], label: String) throws -> Value {
        switch node.opType {
        case "Neg":
            guard inputs.count == 1 else { throw fail("\(label): expects one input") }
            switch inputs[0] {
            case .affine(let a): return .affine(try scale(a, by: [Double](repeating: -1, count: a.width), label: label))
            case .constant(var c):
                c.values = c.values.map { -$0 }
                return .constant(c)
            }
        case "Div":
            guard inputs.count == 2 else { throw fail("\(label): expects two inputs") }
            switch (inputs[0], inputs[1]) {
            case let (.affine(a), .constant(c)):
                let divisors = try broadcast(c, width: a.width, label: label)
                if let i = divisors.firstIndex(of: 0) { throw fail("\(label): divides feature \(i) by zero") }
                return .affine(try scale(a, by: divisors.map { 1 / $0 }, label: label))
            case let (.constant(c), .constant(e)) where c.isScalar && e.isScalar && e.values[0] != 0:
                return .constant(Constant(shape: [], values: [c.values[0] / e.values[0]]))
            default:
                throw fail("\(label): Div is supported as (value) / (constant); dividing by a value is not a polynomial")
            }
        case "Sum":
            guard var total = inputs.first else { throw fail("\(label): expects at least one input") }
            for next in inputs.dropFirst() { total = try sum(total, next, sign: 1, label: label) }
            return total
        case "BatchNormalization":
            return .affine(try batchNormalization(node, inputs, label: label))
        default:
            return .affine(try reduceSum(node, inputs, label: label))
        }
    }

    /// `BatchNormalization` in inference mode on `[batch, C]`: `γ(x − μ)/√(σ² + ε) + β` with
    /// constant γ, β, μ, σ², a per-feature scaling and shift (each factor rounded once).
    mutating func batchNormalization(_ node: Onnx_NodeProto, _ inputs: [Value], label: String) throws -> Affine {
        guard inputs.count == 5, case .affine(let a) = inputs[0] else { throw fail("\(label): BatchNormalization is supported on a value with constant scale, bias, mean and variance") }
        var parameters: [[Double]] = []
        for input in inputs.dropFirst() {
            guard case .constant(let c) = input else { throw fail("\(label): scale, bias, mean and variance must be constants") }
            parameters.append(try broadcast(c, width: a.width, label: label))
        }
        if (GraphTracer.attribute("training_mode", of: node)?.i ?? 0) != 0 { throw fail("\(label): training_mode = 1 is not supported") }
        let epsilon = Double(GraphTracer.attribute("epsilon", of: node)?.f ?? 1e-5)
        let factors = (0..<a.width).map { parameters[0][$0] / (parameters[3][$0] + epsilon).squareRoot() }
        guard factors.allSatisfy(\.isFinite) else { throw fail("\(label): a variance of −ε or less makes the scaling infinite") }
        let scaled = try scale(a, by: factors, label: label)
        return addBias(scaled, (0..<a.width).map { parameters[1][$0] - factors[$0] * parameters[2][$0] })
    }

    /// `ReduceSum` over axis 1 (the features) with keepdims = 1: a value of width 1.
    mutating func reduceSum(_ node: Onnx_NodeProto, _ inputs: [Value], label: String) throws -> Affine {
        guard let first = inputs.first, case .affine(let a) = first else { throw fail("\(label): ReduceSum is supported on a non-constant value") }
        var axes: [Int64] = GraphTracer.attribute("axes", of: node)?.ints ?? []
        if inputs.count == 2 {
            guard case .constant(let c) = inputs[1] else { throw fail("\(label): the axes must be a constant") }
            axes = c.values.map { Int64($0) }
        }
        if (GraphTracer.attribute("keepdims", of: node)?.i ?? 1) == 0 {
            throw fail("\(label): keepdims = 0 is not supported (the result must stay [batch, features])")
        }
        guard axes == [1] || axes == [-1] else {
            throw fail("\(label): ReduceSum is supported over axis 1 (the features) only, got axes \(GraphTracer.describe(axes))")
        }
        return try multiply(a, Constant(shape: [a.width, 1], values: [Double](repeating: 1, count: a.width)), transpose: false, label: label)
    }
}
