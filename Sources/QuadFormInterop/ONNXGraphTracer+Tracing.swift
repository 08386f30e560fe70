import QuadFormCore
import Foundation
import ONNXProto

/// Tracing: the graph's nodes, one by one, into affine maps of earlier activations.
extension GraphTracer {
    /// Traces the graph; returns the chosen output's name and value.
    mutating func trace(_ graph: Onnx_GraphProto, member: String?) throws -> (String, Affine) {
        if !graph.sparseInitializer.isEmpty { throw fail("sparse initializers are not supported") }
        for t in graph.initializer {
            values[t.name] = .constant(try constant(t, what: "initializer '\(t.name)'"))
        }
        let inputs = graph.input.filter { values[$0.name] == nil }
        guard inputs.count == 1, let input = inputs.first else {
            throw fail("the graph has \(inputs.count) inputs besides its initializers (\(inputs.map(\.name).joined(separator: ", "))); a network has one input [batch, n]")
        }
        guard input.type.tensorType.hasShape, input.type.tensorType.shape.dim.count == 2 else {
            throw fail("input '\(input.name)' must have shape [batch, n] (rank 2)")
        }
        let widthDim = input.type.tensorType.shape.dim[1]
        guard case .dimValue(let n)? = widthDim.value, n >= 0 else {
            throw fail("input '\(input.name)': the second dimension (the number of inputs n) must be a fixed number")
        }
        guard n <= Int64(fileBytes) else {
            throw fail("input '\(input.name)': n = \(n) inputs are impossible for a file of \(fileBytes) bytes")
        }
        switch Onnx_TensorProto.DataType(rawValue: Int(input.type.tensorType.elemType)) {
        case .double?: break
        case .float?: lowestPrecision = .float32
        default: throw fail("input '\(input.name)' has element type \(input.type.tensorType.elemType); FLOAT or DOUBLE expected")
        }
        inputWidth = Int(n)
        try charge(entries: 2 * inputWidth, "input '\(input.name)' (width \(n))")
        values[input.name] = .affine(Affine(width: inputWidth, terms: [0: .diagonal([Double](repeating: 1, count: inputWidth))], bias: [Double](repeating: 0, count: inputWidth), id: 1))
        // Each value is dropped after the last node that reads it, so memory follows what is live,
        // not the whole graph.
        var lastUse: [String: Int] = [:]
        for (index, node) in graph.node.enumerated() { for name in node.input { lastUse[name] = index } }
        let kept = Set(graph.output.map(\.name))
        for (index, node) in graph.node.enumerated() {
            try trace(node, index: index)
            for name in Set(node.input) where lastUse[name] == index && !kept.contains(name) { values[name] = nil }
        }
        let outputs = graph.output.map(\.name)
        let chosen: String
        if let member {
            guard outputs.contains(member) else { throw fail("has no output named \(member) (its outputs: \(outputs.joined(separator: ", ")))") }
            chosen = member
        } else if outputs.count == 1 {
            chosen = outputs[0]
        } else if outputs.contains(NetworkDocument.defaultMember) {
            chosen = NetworkDocument.defaultMember
        } else {
            throw fail("the graph has \(outputs.count) outputs (\(outputs.joined(separator: ", "))); name one with --network")
        }
        guard let value = values[chosen] else { throw fail("output '\(chosen)' is not computed by any node") }
        guard case .affine(let affine) = value else { throw fail("output '\(chosen)' is a constant, not a function of the input") }
        return (chosen, affine)
    }

    /// What a node computes, from the values of its inputs.
    mutating func trace(_ node: Onnx_NodeProto, index: Int) throws {
        let label = "node \(index) '\(node.name.isEmpty ? "(unnamed)" : node.name)' (\(node.opType))"
        func nodeFail(_ message: String) -> NetworkFileError { fail("\(label): \(message)") }
        guard node.domain.isEmpty || node.domain == "ai.onnx" else { throw nodeFail("domain '\(node.domain)' is not supported") }
        guard node.output.count == 1 else { throw nodeFail("has \(node.output.count) outputs; one expected") }
        let inputs: [Value] = try node.input.map { name in
            guard let v = values[name] else { throw nodeFail("input '\(name)' is not defined before this node") }
            return v
        }
        let result: Value
        switch node.opType {
        case "Constant":
            result = try constantNode(node, label: label)
        case "Identity":
            guard inputs.count == 1 else { throw nodeFail("expects one input") }
            result = inputs[0]
        case "MatMul":
            guard inputs.count == 2, case .affine(let a) = inputs[0], case .constant(let w) = inputs[1] else {
                throw nodeFail("MatMul is supported as (activations) × (constant weight matrix)")
            }
            result = .affine(try multiply(a, w, transpose: false, label: label))
        case "Gemm":
            result = .affine(try gemm(node, inputs, label: label))
        case "Add", "Sub":
            result = try addOrSubtract(node, inputs, label: label)
        case "Mul":
            result = try product(node, inputs, label: label)
        case "Pow":
            guard inputs.count == 2, case .affine(let a) = inputs[0], case .constant(let e) = inputs[1], e.isScalar else {
                throw nodeFail("Pow is supported as z ** 2 with a constant exponent")
            }
            let exponent = e.values[0]
            if maximumDegree != nil, exponent > 2, exponent == exponent.rounded(), exponent <= 64, let d = degree(of: a) {
                throw degreeFail(label, Int(exponent) * max(d, 1), "a power \(Int(exponent)) of a value of degree \(d)")
            }
            guard exponent == 2 else { throw nodeFail("exponent \(exponent) is not supported (only 2: a square)") }
            result = try activation(.square, a, label: label)
        case "Relu":
            guard inputs.count == 1, case .affine(let a) = inputs[0] else { throw nodeFail("expects one non-constant input") }
            result = try activation(.relu, a, label: label)
        case "Neg", "Div", "Sum", "ReduceSum", "BatchNormalization":
            result = try affineOperator(node, inputs, label: label)
        default:
            throw nodeFail("unsupported operator \(node.opType) (supported: MatMul, Gemm, Add, Sub, Sum, Neg, Mul, Div by a constant, Pow 2, ReduceSum over the features, BatchNormalization (inference), Relu, Identity, Constant)")
        }
        values[node.output[0]] = result
    }

    /// The attribute `name` of `node`, if it has one.
    static func attribute(_ name: String, of node: Onnx_NodeProto) -> Onnx_AttributeProto? {
        node.attribute.first { $0.name == name }
    }

    /// A `Constant` node's tensor (`value`) or scalar or list (`value_float`, `value_int`, `value_floats`).
    mutating func constantNode(_ node: Onnx_NodeProto, label: String) throws -> Value {
        if let t = GraphTracer.attribute("value", of: node), t.hasT {
            return .constant(try constant(t.t, what: label))
        } else if let f = GraphTracer.attribute("value_float", of: node) {
            return .constant(Constant(shape: [], values: [Double(f.f)]))
        } else if let i = GraphTracer.attribute("value_int", of: node) {
            return .constant(Constant(shape: [], values: [Double(i.i)]))
        } else if let fs = GraphTracer.attribute("value_floats", of: node) {
            return .constant(Constant(shape: [fs.floats.count], values: fs.floats.map(Double.init)))
        }
        throw fail("\(label): only value, value_float, value_int and value_floats constants are supported")
    }

    /// `Gemm`: α·(a · W or a · Wᵀ) + β·C, with constant W and C.
    mutating func gemm(_ node: Onnx_NodeProto, _ inputs: [Value], label: String) throws -> Affine {
        guard inputs.count >= 2, case .affine(let a) = inputs[0], case .constant(let w) = inputs[1] else {
            throw fail("\(label): Gemm is supported as (activations) × (constant weights) + (constant bias)")
        }
        if let t = GraphTracer.attribute("transA", of: node), t.i != 0 { throw fail("\(label): transA = 1 is not supported") }
        let alpha = Double(GraphTracer.attribute("alpha", of: node)?.f ?? 1), beta = Double(GraphTracer.attribute("beta", of: node)?.f ?? 1)
        var y = try multiply(a, w, transpose: (GraphTracer.attribute("transB", of: node)?.i ?? 0) != 0, label: label)
        if alpha != 1 { y = try scale(y, by: [Double](repeating: alpha, count: y.width), label: label) }
        if inputs.count == 3 {
            guard case .constant(let c) = inputs[2] else { throw fail("\(label): the bias C must be a constant") }
            let bias = try broadcast(c, width: y.width, label: label)
            y = addBias(y, bias.map { $0 * beta })
        }
        return y
    }

    /// `Add` and `Sub` of two values, either of them constant; a scalar shift is remembered as an
    /// origin (for recognizing `(αz + β)·z`).
    mutating func addOrSubtract(_ node: Onnx_NodeProto, _ inputs: [Value], label: String) throws -> Value {
        guard inputs.count == 2 else { throw fail("\(label): expects two inputs") }
        return try sum(inputs[0], inputs[1], sign: node.opType == "Sub" ? -1 : 1, label: label)
    }

    /// `x + sign·y` for any two values.
    mutating func sum(_ x: Value, _ y: Value, sign: Double, label: String) throws -> Value {
        switch (x, y) {
        case let (.affine(a), .affine(b)):
            return .affine(try add(a, b, sign: sign, label: label))
        case let (.affine(a), .constant(c)):
            let bias = try broadcast(c, width: a.width, label: label)
            var y = addBias(a, bias.map { sign * $0 })
            if c.isScalar {
                let d = sign * c.values[0]
                y.origins = GraphTracer.origins(a.origins, then: Origin(id: a.id, scale: 1, shift: d)) { Origin(id: $0.id, scale: $0.scale, shift: $0.shift + d) }
            }
            return .affine(y)
        case let (.constant(c), .affine(a)):
            let bias = try broadcast(c, width: a.width, label: label)
            return .affine(addBias(sign == 1 ? a : try scale(a, by: [Double](repeating: -1, count: a.width), label: label), bias))
        case let (.constant(c), .constant(d)):
            guard c.isScalar, d.isScalar else { throw fail("\(label): arithmetic on constant tensors is supported for scalars only") }
            return .constant(Constant(shape: [], values: [c.values[0] + sign * d.values[0]]))
        }
    }

    /// `Mul`: of a value by itself (a square activation), of `αz + β` by z (the activation
    /// s(z) = αz² + βz), of two different values (two square neurons: `product(_:_:label:)`), or of
    /// a value by a constant (a scaling; a scalar factor is remembered as an origin).
    mutating func product(_ node: Onnx_NodeProto, _ inputs: [Value], label: String) throws -> Value {
        guard inputs.count == 2 else { throw fail("\(label): expects two inputs") }
        if case .affine(let a) = inputs[0], case .affine(let b) = inputs[1] {
            guard a.width == b.width else { throw fail("\(label): shapes do not chain: multiplies values of widths \(a.width) and \(b.width)") }
            func quadratic(_ o: Origin) -> Activation {
                o.scale == 1 && o.shift == 0 ? .square : .quadratic(alpha: o.scale, beta: o.shift, gamma: 0)
            }
            if node.input[0] == node.input[1] || a.id == b.id {
                return try activation(.square, a, label: label)
            } else if let o = GraphTracer.origin(of: b, in: a), o.scale != 0 {
                return try activation(quadratic(o), b, label: label)
            } else if let o = GraphTracer.origin(of: a, in: b), o.scale != 0 {
                return try activation(quadratic(o), a, label: label)
            }
            return try product(a, b, label: label)
        }
        let pair: (Affine, Constant)?
        switch (inputs[0], inputs[1]) {
        case let (.affine(a), .constant(c)): pair = (a, c)
        case let (.constant(c), .affine(a)): pair = (a, c)
        default: pair = nil
        }
        guard let (a, c) = pair else { throw fail("\(label): multiplying two constants is not supported") }
        let factors = try broadcast(c, width: a.width, label: label)
        var y = try scale(a, by: factors, label: label)
        if c.isScalar {
            let f = c.values[0]
            y.origins = GraphTracer.origins(a.origins, then: Origin(id: a.id, scale: f, shift: 0)) { Origin(id: $0.id, scale: $0.scale * f, shift: $0.shift * f) }
        }
        return .affine(y)
    }

    /// A new activation node on `z`; its value is the identity term on the node.
    /// `degree` overrides the node's polynomial degree (a product's half has the product's).
    mutating func activation(_ kind: Activation, _ z: Affine, label: String, degree: Int? = nil) throws -> Value {
        try charge(entries: 2 * z.width, label)
        let inner = self.degree(of: z)
        var d: Int?
        switch kind {
        case .relu: d = nil
        case .identity: d = inner
        case .square, .quadratic: d = inner.map { 2 * $0 }
        }
        if let degree { d = degree }
        if let maximumDegree, let d, let inner, d > maximumDegree {
            throw degreeFail(label, d, "the square of a value of degree \(inner)")
        }
        nodes.append(ActivationNode(preActivation: z, activation: kind, name: label, degree: d))
        let r = nodes.count
        return .affine(Affine(width: z.width, terms: [r: .diagonal([Double](repeating: 1, count: z.width))], bias: [Double](repeating: 0, count: z.width), id: newID()))
    }

    /// `a · W` (or `a · Wᵀ`): each term M becomes `WᵀM`, the bias `Wᵀb`.
    mutating func multiply(_ a: Affine, _ w: Constant, transpose: Bool, label: String) throws -> Affine {
        guard w.shape.count == 2 else { throw fail("\(label): the weights have shape \(GraphTracer.describe(w.shape)); a 2-D matrix is expected") }
        // W as stored is p × q (MatMul) or q × p (Gemm with transB); `effective` is Wᵀ, q × p.
        let stored = Matrix(rows: w.shape[0], columns: w.shape[1], entries: w.values)
        let effective = transpose ? stored : stored.transposed
        guard effective.columns == a.width else {
            throw fail("\(label): shapes do not chain: a value of width \(a.width) times weights of shape \(GraphTracer.describe(w.shape))\(transpose ? " (transposed)" : "")")
        }
        var terms: [Int: Term] = [:]
        for (r, term) in a.terms {
            switch term {
            case .diagonal(let d):
                try charge(entries: effective.entries.count, label)
                var m = effective
                if d.contains(where: { $0 != 1 }) {
                    for i in 0..<m.rows { for j in 0..<m.columns { m.entries[i * m.columns + j] *= d[j] } }
                }
                terms[r] = .matrix(m)
            case .matrix(let m):
                // Charged before forming: a rank-one chain x·W1[n,1]·W2[1,n] would be n × n.
                let (entries, o1) = effective.rows.multipliedReportingOverflow(by: m.columns)
                let (operations, o2) = entries.multipliedReportingOverflow(by: max(1, effective.columns))
                try charge(entries: o1 ? Int.max / 2 : entries, operations: o2 ? Int.max / 2 : operations, label)
                terms[r] = .matrix(effective.multiply(m))
            }
        }
        let bias = a.bias.allSatisfy { $0 == 0 } ? [Double](repeating: 0, count: effective.rows) : effective.multiply(a.bias)
        return Affine(width: effective.rows, terms: terms, bias: bias, id: newID())
    }

    /// `a + sign·b`.
    mutating func add(_ a: Affine, _ b: Affine, sign: Double, label: String) throws -> Affine {
        guard a.width == b.width else { throw fail("\(label): shapes do not chain: adds values of widths \(a.width) and \(b.width)") }
        var terms = a.terms
        // Each term is its own allocation: a skip Add after every Relu makes the terms of a value
        // grow with the depth, and the trace's cost with its square — charged as such.
        try charge(entries: (a.terms.count + b.terms.count) * (16 + a.width), label)
        for (r, term) in b.terms {
            if let existing = terms[r] {
                if case .diagonal(let d) = existing, case .diagonal(let e) = term {
                    terms[r] = .diagonal(zip(d, e).map { $0 + sign * $1 })
                    continue
                }
                let e = try dense(existing, label), m = try dense(term, label)
                guard e.rows == m.rows, e.columns == m.columns else { throw fail("\(label): shapes do not chain") }
                try charge(entries: e.entries.count, label)
                terms[r] = .matrix(Matrix(rows: e.rows, columns: e.columns, entries: zip(e.entries, m.entries).map { $0 + sign * $1 }))
            } else if sign == 1 {
                terms[r] = term
            } else {
                try charge(entries: term.storedEntries, label)
                switch term {
                case .diagonal(let d): terms[r] = .diagonal(d.map { -$0 })
                case .matrix(var m):
                    m.entries = m.entries.map { -$0 }
                    terms[r] = .matrix(m)
                }
            }
        }
        return Affine(width: a.width, terms: terms, bias: zip(a.bias, b.bias).map { $0 + sign * $1 }, id: newID())
    }

    /// Rows scaled: `diag(factors)·a`.
    mutating func scale(_ a: Affine, by factors: [Double], label: String) throws -> Affine {
        var terms: [Int: Term] = [:]
        for (r, term) in a.terms {
            try charge(entries: term.storedEntries + 8, label)
            switch term {
            case .diagonal(let d):
                terms[r] = .diagonal(zip(d, factors).map { $0 * $1 })
            case .matrix(var m):
                for i in 0..<m.rows where factors[i] != 1 { for j in 0..<m.columns { m.entries[i * m.columns + j] *= factors[i] } }
                terms[r] = .matrix(m)
            }
        }
        return Affine(width: a.width, terms: terms, bias: zip(a.bias, factors).map { $0 * $1 }, id: newID())
    }

    /// `a + bias`.
    mutating func addBias(_ a: Affine, _ bias: [Double]) -> Affine {
        var y = a
        y.bias = zip(a.bias, bias).map { $0 + $1 }
        y.id = newID()
        y.origins = []
        return y
    }

    /// A constant broadcast along a value of width `width`: a scalar, or shape [width] / [1, width].
    func broadcast(_ c: Constant, width: Int, label: String) throws -> [Double] {
        if c.values.count == 1 && (c.shape.isEmpty || c.shape == [1] || c.shape == [1, 1]) {
            return [Double](repeating: c.values[0], count: width)
        }
        guard c.shape == [width] || c.shape == [1, width] else {
            throw fail("\(label): shapes do not chain: a constant of shape \(GraphTracer.describe(c.shape)) against a value of width \(width)")
        }
        return c.values
    }
}
