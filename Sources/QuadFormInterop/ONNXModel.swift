import QuadFormCore
import QuadFormReports
import Foundation
import ONNXProto
import SwiftProtobuf

/// Networks (design.md §1) as ONNX models, written and read through the ONNX protobuf messages
/// generated once from the `onnx` package's `onnx.proto` (docs/interop.md says how).
///
/// Written: the default domain at opset `ONNXModel.opset`, one input `x` of shape `[batch, n]`,
/// DOUBLE tensors (FLOAT with `float32`), each layer `MatMul(x_{k−1}, W_kᵀ) + B_k`, each skip its
/// own `MatMul(x_r, V_{r,k}ᵀ)` and `Add`, the square as `Mul(z, z)`, ReLU as `Relu`, the identity
/// as `Identity`, s(z) = αz² + βz + γ as `(αz + β)·z + γ`; the widths, activation, skips,
/// variable names and provenance in `metadata_props`.
///
/// Read: any graph of `MatMul`/`Gemm` with constant weights, `Add`/`Sub`, `Mul` (of a value by
/// itself, or by a constant), `Pow(z, 2)`, `Relu`, `Identity` and `Constant` (what
/// `torch.onnx.export` writes for Linear layers, `x*x` or `x**2`, and an added Linear skip), traced
/// symbolically into affine maps of earlier activations and rebuilt as layers (nodes whose inputs
/// are equally deep form one layer).
public enum ONNXModel {
    /// The opset written (the default domain).
    public static let opset: Int64 = 17
    /// The IR version written (onnx 1.13+, onnxruntime 1.14+ read it).
    public static let irVersion: Int64 = 8
    /// Largest file read (1 GiB).
    public static let maximumFileBytes = 1 << 30

    // MARK: Writing

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

    // MARK: Reading

    /// Reads the network that computes graph output `member` of a model with several outputs
    /// (default `residual`), or the only output of a model with one.
    public static func readNetwork(_ path: String, member: String? = nil) throws -> LoadedNetwork {
        let data = try InputFile.readData(path)
        return try parse(data, path: path, member: member)
    }

    /// Parses a model's bytes (see `readNetwork`); `path` names the file in errors.
    public static func parse(_ data: Data, path: String, member: String? = nil) throws -> LoadedNetwork {
        func fail(_ message: String) -> NetworkFileError { NetworkFileError(path: path, message: message) }
        guard data.count <= maximumFileBytes else { throw fail("larger than \(maximumFileBytes) bytes; refusing to read it") }
        guard !data.isEmpty else { throw fail("empty file: not an ONNX model") }
        let model: Onnx_ModelProto
        do {
            var decoding = BinaryDecodingOptions()
            decoding.messageDepthLimit = 64
            model = try Onnx_ModelProto(serializedBytes: data, options: decoding)
        } catch {
            throw fail("not an ONNX model (the protobuf does not decode: \(error))")
        }
        guard model.hasGraph, model.irVersion > 0 else {
            throw fail("not an ONNX model (no graph or no ir_version; truncated or another kind of file)")
        }
        for set in model.opsetImport where set.domain != "" && set.domain != "ai.onnx" {
            if model.graph.node.contains(where: { $0.domain == set.domain }) {
                throw fail("uses operators of domain '\(set.domain)'; only the default ONNX domain is read")
            }
        }
        var tracer = GraphTracer(path: path, fileBytes: data.count)
        let (outputName, outputValue) = try tracer.trace(model.graph, member: member)
        var net = try tracer.network(output: outputValue, outputName: outputName)
        // Metadata: variable names.
        var variables: [String]? = nil
        for entry in model.metadataProps where entry.key == "variables" {
            if case .array(let items)? = try? JSONReader.parse(entry.value) {
                let names = items.compactMap { item -> String? in if case .string(let s) = item { return s } else { return nil } }
                if names.count == net.inputWidth { variables = names }
            }
        }
        net = try tracer.restoreQuadraticOffset(net, model: model, output: outputName)
        return LoadedNetwork(network: net, precision: tracer.lowestPrecision, variables: variables)
    }
}

/// The symbolic trace of an ONNX graph: each value is a constant tensor or an affine map
/// `Σ_r M_r x_r + b` of the input (r = 0) and of activation nodes (r ≥ 1) created by `Mul(z, z)`,
/// `Pow(z, 2)`, `Relu(z)` or `(αz + β)·z`.
struct GraphTracer {
    let path: String
    let fileBytes: Int

    /// A constant tensor (initializer or `Constant`).
    struct Constant {
        var shape: [Int]
        var values: [Double]
        var isScalar: Bool { values.count == 1 && shape.count <= 1 }
    }

    /// A term's matrix, kept factored while that is cheaper: a diagonal (the identity, or a
    /// value scaled row by row: no n × n matrix for `Identity`, `Add(x, x)` or `Mul(x, c)`), or a
    /// matrix (out × width of the source).
    enum Term {
        case diagonal([Double])
        case matrix(Matrix)

        /// Entries the term holds.
        var storedEntries: Int {
            switch self {
            case .diagonal(let d): return d.count
            case .matrix(let m): return m.entries.count
            }
        }

        /// Entry (i, j).
        subscript(i: Int, j: Int) -> Double {
            switch self {
            case .diagonal(let d): return i == j ? d[i] : 0
            case .matrix(let m): return m[i, j]
            }
        }
    }

    /// What the trace may allocate and compute, so that a small file cannot make it allocate
    /// gigabytes or run for minutes (docs/bad-input.md): entries of matrices formed (summed over
    /// the whole trace) and multiply-adds. Checked before each allocation.
    static let maximumEntries = 3 << 24
    static let maximumOperations = 1 << 32
    /// Entries of the rebuilt network (weights, biases, skips; each matrix counts 16 more): a
    /// dense 4 000 × 4 000 layer fits.
    static let maximumNetworkEntries = 1 << 24
    /// Most layers of the rebuilt network.
    static let maximumDepth = 10_000

    var entriesUsed = 0
    var operationsUsed = 0

    /// An affine map of earlier activations: `Σ terms[r] x_r + bias`, of width `width`.
    struct Affine {
        var width: Int
        var terms: [Int: Term]
        var bias: [Double]
        /// A unique number of this value, and the values it was scaled and shifted from by
        /// scalars: `self = scale·ancestor + shift` for each ancestor id (for recognizing `(αz + β)·z`).
        var id: Int
        var origins: [Origin] = []
    }

    /// `self = scale·ancestor + shift`, for the last few scalar steps only (so a long chain of
    /// scalar multiplications keeps memory linear in the graph).
    struct Origin {
        var id: Int
        var scale: Double
        var shift: Double
    }
    static let keptOrigins = 4

    static func origins(_ previous: [Origin], then newest: Origin, _ step: (Origin) -> Origin) -> [Origin] {
        Array((previous.map(step) + [newest]).suffix(keptOrigins))
    }

    static func origin(of a: Affine, in b: Affine) -> Origin? {
        b.origins.last { $0.id == a.id }
    }

    enum Value {
        case constant(Constant)
        case affine(Affine)
    }

    /// An activation node: its pre-activation and its kind.
    struct ActivationNode {
        let preActivation: Affine
        let activation: Activation
        let name: String
    }

    var values: [String: Value] = [:]
    var nodes: [ActivationNode] = []
    var inputWidth = 0
    var nextID = 1
    var lowestPrecision = WeightPrecision.float64

    init(path: String, fileBytes: Int) {
        self.path = path
        self.fileBytes = fileBytes
    }

    func fail(_ message: String) -> NetworkFileError { NetworkFileError(path: path, message: message) }

    mutating func newID() -> Int {
        nextID += 1
        return nextID
    }

    /// Charges `entries` entries formed and `operations` multiply-adds to the trace's budget, or
    /// refuses the file before anything is allocated.
    mutating func charge(entries: Int, operations: Int = 0, _ label: String) throws {
        // No single matrix may exceed the network it would be placed in.
        guard entries <= GraphTracer.maximumNetworkEntries else {
            throw fail("\(label): a matrix of \(entries) entries would be formed; a network read has at most \(GraphTracer.maximumNetworkEntries) weights; refusing it")
        }
        let (e, o1) = entriesUsed.addingReportingOverflow(entries)
        let (o, o2) = operationsUsed.addingReportingOverflow(operations)
        guard !o1, !o2, e <= GraphTracer.maximumEntries, o <= GraphTracer.maximumOperations else {
            throw fail("\(label): tracing the graph would form more than \(GraphTracer.maximumEntries) matrix entries or \(GraphTracer.maximumOperations) multiply-adds (declared widths too large for what the file holds); refusing it")
        }
        entriesUsed = e
        operationsUsed = o
    }

    /// The dense matrix of a term (charged to the budget).
    mutating func dense(_ term: Term, _ label: String) throws -> Matrix {
        switch term {
        case .matrix(let m): return m
        case .diagonal(let d):
            let (size, overflow) = d.count.multipliedReportingOverflow(by: d.count)
            try charge(entries: overflow ? Int.max / 2 : size, label)
            var m = Matrix(rows: d.count, columns: d.count)
            for i in d.indices { m[i, i] = d[i] }
            return m
        }
    }

    /// A shape for messages: at most eight dimensions, then how many there are.
    static func describe<T: BinaryInteger>(_ dims: [T]) -> String {
        let shown = dims.prefix(8).map { String($0) }.joined(separator: ", ")
        return dims.count > 8 ? "[\(shown), … (\(dims.count) dimensions)]" : "[\(shown)]"
    }

    // MARK: Tensors

    /// A tensor's values, after checking its declared size against the data present (and so
    /// against the file's size) before anything is allocated.
    mutating func constant(_ t: Onnx_TensorProto, what: String) throws -> Constant {
        if t.dataLocation == .external { throw fail("\(what): data stored in an external file; only embedded tensors are read") }
        guard t.dims.count <= 8 else { throw fail("\(what): a tensor of \(t.dims.count) dimensions; at most 8 are read") }
        var count = 1
        for d in t.dims {
            guard d >= 0, d <= Int64(fileBytes) else { throw fail("\(what): dimension \(d) is impossible for a file of \(fileBytes) bytes") }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(d))
            guard !overflow, product <= fileBytes else { throw fail("\(what): shape \(GraphTracer.describe(t.dims)) claims more elements than the file's \(fileBytes) bytes hold") }
            count = product
        }
        let shape = t.dims.map { Int($0) }
        try charge(entries: count, what)
        var values: [Double]
        func checkCount(_ present: Int, _ unit: String) throws {
            guard present == count else { throw fail("\(what): shape \(shape) needs \(count) values, the tensor holds \(present) \(unit)") }
        }
        switch Onnx_TensorProto.DataType(rawValue: Int(t.dataType)) {
        case .double?:
            if !t.rawData.isEmpty {
                try checkCount(t.rawData.count / 8, "(\(t.rawData.count) raw bytes)")
                guard t.rawData.count == 8 * count else { throw fail("\(what): raw data of \(t.rawData.count) bytes is not \(count) doubles") }
                values = t.rawData.withUnsafeBytes { raw in (0..<count).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self))) } }
            } else {
                try checkCount(t.doubleData.count, "doubles")
                values = t.doubleData
            }
        case .float?:
            lowestPrecision = .float32
            if !t.rawData.isEmpty {
                guard t.rawData.count == 4 * count else { throw fail("\(what): shape \(shape) needs \(4 * count) bytes of FLOAT, the raw data has \(t.rawData.count)") }
                values = t.rawData.withUnsafeBytes { raw in (0..<count).map { Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))) } }
            } else {
                try checkCount(t.floatData.count, "floats")
                values = t.floatData.map { Double($0) }
            }
        case .int64?:
            if !t.rawData.isEmpty {
                guard t.rawData.count == 8 * count else { throw fail("\(what): shape \(shape) needs \(8 * count) bytes of INT64, the raw data has \(t.rawData.count)") }
                values = t.rawData.withUnsafeBytes { raw in (0..<count).map { Double(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self))) } }
            } else {
                try checkCount(t.int64Data.count, "int64 values")
                values = t.int64Data.map { Double($0) }
            }
        case .int32?:
            if !t.rawData.isEmpty {
                guard t.rawData.count == 4 * count else { throw fail("\(what): shape \(shape) needs \(4 * count) bytes of INT32, the raw data has \(t.rawData.count)") }
                values = t.rawData.withUnsafeBytes { raw in (0..<count).map { Double(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) } }
            } else {
                try checkCount(t.int32Data.count, "int32 values")
                values = t.int32Data.map { Double($0) }
            }
        default:
            throw fail("\(what): tensor element type \(t.dataType) is not supported (FLOAT, DOUBLE, INT32, INT64)")
        }
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            throw fail("\(what): entry \(i) is \(values[i].isNaN ? "NaN" : "infinite"); weights must be finite")
        }
        return Constant(shape: shape, values: values)
    }

    // MARK: Tracing

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
        func attribute(_ name: String) -> Onnx_AttributeProto? { node.attribute.first { $0.name == name } }
        func affineAndConstant() -> (Affine, Constant)? {
            guard inputs.count == 2 else { return nil }
            switch (inputs[0], inputs[1]) {
            case let (.affine(a), .constant(c)): return (a, c)
            case let (.constant(c), .affine(a)): return (a, c)
            default: return nil
            }
        }
        let result: Value
        switch node.opType {
        case "Constant":
            if let t = attribute("value"), t.hasT {
                result = .constant(try constant(t.t, what: label))
            } else if let f = attribute("value_float") {
                result = .constant(Constant(shape: [], values: [Double(f.f)]))
            } else if let i = attribute("value_int") {
                result = .constant(Constant(shape: [], values: [Double(i.i)]))
            } else if let fs = attribute("value_floats") {
                result = .constant(Constant(shape: [fs.floats.count], values: fs.floats.map(Double.init)))
            } else {
                throw nodeFail("only value, value_float, value_int and value_floats constants are supported")
            }
        case "Identity":
            guard inputs.count == 1 else { throw nodeFail("expects one input") }
            result = inputs[0]
        case "MatMul":
            guard inputs.count == 2, case .affine(let a) = inputs[0], case .constant(let w) = inputs[1] else {
                throw nodeFail("MatMul is supported as (activations) × (constant weight matrix)")
            }
            result = .affine(try multiply(a, w, transpose: false, label: label))
        case "Gemm":
            guard inputs.count >= 2, case .affine(let a) = inputs[0], case .constant(let w) = inputs[1] else {
                throw nodeFail("Gemm is supported as (activations) × (constant weights) + (constant bias)")
            }
            if let t = attribute("transA"), t.i != 0 { throw nodeFail("transA = 1 is not supported") }
            let alpha = Double(attribute("alpha")?.f ?? 1), beta = Double(attribute("beta")?.f ?? 1)
            var y = try multiply(a, w, transpose: (attribute("transB")?.i ?? 0) != 0, label: label)
            if alpha != 1 { y = try scale(y, by: [Double](repeating: alpha, count: y.width), label: label) }
            if inputs.count == 3 {
                guard case .constant(let c) = inputs[2] else { throw nodeFail("the bias C must be a constant") }
                let bias = try broadcast(c, width: y.width, label: label)
                y = addBias(y, bias.map { $0 * beta })
            }
            result = .affine(y)
        case "Add", "Sub":
            guard inputs.count == 2 else { throw nodeFail("expects two inputs") }
            let sign: Double = node.opType == "Sub" ? -1 : 1
            switch (inputs[0], inputs[1]) {
            case let (.affine(a), .affine(b)):
                result = .affine(try add(a, b, sign: sign, label: label))
            case let (.affine(a), .constant(c)):
                let bias = try broadcast(c, width: a.width, label: label)
                var y = addBias(a, bias.map { sign * $0 })
                if c.isScalar {
                    let d = sign * c.values[0]
                    y.origins = GraphTracer.origins(a.origins, then: Origin(id: a.id, scale: 1, shift: d)) { Origin(id: $0.id, scale: $0.scale, shift: $0.shift + d) }
                }
                result = .affine(y)
            case let (.constant(c), .affine(a)):
                let bias = try broadcast(c, width: a.width, label: label)
                result = .affine(addBias(sign == 1 ? a : try scale(a, by: [Double](repeating: -1, count: a.width), label: label), bias))
            case let (.constant(c), .constant(d)):
                guard c.isScalar, d.isScalar else { throw nodeFail("arithmetic on constant tensors is supported for scalars only") }
                result = .constant(Constant(shape: [], values: [c.values[0] + sign * d.values[0]]))
            }
        case "Mul":
            guard inputs.count == 2 else { throw nodeFail("expects two inputs") }
            if case .affine(let a) = inputs[0], case .affine(let b) = inputs[1] {
                guard a.width == b.width else { throw nodeFail("shapes do not chain: multiplies values of widths \(a.width) and \(b.width)") }
                func quadratic(_ o: Origin) -> Activation {
                    o.scale == 1 && o.shift == 0 ? .square : .quadratic(alpha: o.scale, beta: o.shift, gamma: 0)
                }
                if node.input[0] == node.input[1] || a.id == b.id {
                    result = try activation(.square, a, label: label)
                } else if let o = GraphTracer.origin(of: b, in: a), o.scale != 0 {
                    result = try activation(quadratic(o), b, label: label)
                } else if let o = GraphTracer.origin(of: a, in: b), o.scale != 0 {
                    result = try activation(quadratic(o), a, label: label)
                } else {
                    throw nodeFail("multiplies two different values; only z·z (a square) and (αz + β)·z are supported")
                }
            } else if let (a, c) = affineAndConstant() {
                let factors = try broadcast(c, width: a.width, label: label)
                var y = try scale(a, by: factors, label: label)
                if c.isScalar {
                    let f = c.values[0]
                    y.origins = GraphTracer.origins(a.origins, then: Origin(id: a.id, scale: f, shift: 0)) { Origin(id: $0.id, scale: $0.scale * f, shift: $0.shift * f) }
                }
                result = .affine(y)
            } else {
                throw nodeFail("multiplying two constants is not supported")
            }
        case "Pow":
            guard inputs.count == 2, case .affine(let a) = inputs[0], case .constant(let e) = inputs[1], e.isScalar else {
                throw nodeFail("Pow is supported as z ** 2 with a constant exponent")
            }
            guard e.values[0] == 2 else { throw nodeFail("exponent \(e.values[0]) is not supported (only 2: a square)") }
            result = try activation(.square, a, label: label)
        case "Relu":
            guard inputs.count == 1, case .affine(let a) = inputs[0] else { throw nodeFail("expects one non-constant input") }
            result = try activation(.relu, a, label: label)
        default:
            throw nodeFail("unsupported operator \(node.opType) (supported: MatMul, Gemm, Add, Sub, Mul, Pow, Relu, Identity, Constant)")
        }
        values[node.output[0]] = result
    }

    /// A new activation node on `z`; its value is the identity term on the node.
    mutating func activation(_ kind: Activation, _ z: Affine, label: String) throws -> Value {
        try charge(entries: 2 * z.width, label)
        nodes.append(ActivationNode(preActivation: z, activation: kind, name: label))
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

    // MARK: Rebuilding the layers

    /// The network: activation nodes grouped into layers by depth (1 + the deepest node they
    /// read), the output an affine map of them.
    func network(output: Affine, outputName: String) throws -> ResNet {
        // Only the activation nodes the output depends on (a model with two outputs holds both
        // networks' nodes).
        var used = Set<Int>()
        var stack = Array(output.terms.keys)
        while let r = stack.popLast() {
            guard r > 0, used.insert(r).inserted else { continue }
            stack += nodes[r - 1].preActivation.terms.keys
        }
        let order = used.sorted()
        var level: [Int: Int] = [0: 0]  // level of node r (the input is node 0, level 0)
        for r in order {
            level[r] = 1 + (nodes[r - 1].preActivation.terms.keys.map { level[$0]! }.max() ?? 0)
        }
        let hiddenLevels = level.values.max() ?? 0
        let depth = hiddenLevels + 1
        // Nodes of each layer in order, and each node's column offset within its layer.
        var members = [[Int]](repeating: [], count: depth)
        members[0] = [0]
        var offset: [Int: Int] = [0: 0]
        var widths = [inputWidth] + [Int](repeating: 0, count: depth)
        for r in order {
            let l = level[r]!
            offset[r] = widths[l]
            widths[l] += nodes[r - 1].preActivation.width
            members[l].append(r)
        }
        widths[depth] = output.width
        // The network's size, checked before any of it is allocated.
        guard depth <= GraphTracer.maximumDepth else {
            throw fail("output '\(outputName)': the network would have \(depth) layers; at most \(GraphTracer.maximumDepth) are read")
        }
        var size = 0
        var skipPairs = Set<[Int]>()
        for k in 1...depth {
            let (e, o) = widths[k].multipliedReportingOverflow(by: widths[k - 1] + 1)
            size = o ? Int.max / 2 : min(Int.max / 2, size + e + 16)
            let affines: [Affine] = k == depth ? [output] : members[k].map { nodes[$0 - 1].preActivation }
            for affine in affines { for r in affine.terms.keys where level[r]! != k - 1 { skipPairs.insert([level[r]!, k]) } }
        }
        for pair in skipPairs {
            let (e, o) = widths[pair[1]].multipliedReportingOverflow(by: widths[pair[0]])
            size = o ? Int.max / 2 : min(Int.max / 2, size + e + 16)
        }
        guard size <= GraphTracer.maximumNetworkEntries else {
            throw fail("output '\(outputName)': the network would have widths \(GraphTracer.describe(widths)) and \(skipPairs.count) skip connection\(skipPairs.count == 1 ? "" : "s"), about \(size) weights (\(size / 131_072) MiB); at most \(GraphTracer.maximumNetworkEntries) are read")
        }
        var kinds = Set<String>()
        var activation = Activation.square
        for r in order {
            kinds.insert(nodes[r - 1].activation.description)
            activation = nodes[r - 1].activation
        }
        if kinds.count > 1 {
            throw fail("mixes activations (\(kinds.sorted().joined(separator: ", "))); a network of design.md §1 has one activation on every hidden layer")
        }
        // Layer k's rows come from its nodes' pre-activations (the output's for k = L).
        var layers: [ResNet.Layer] = []
        var skipMatrices: [Int: [Int: Matrix]] = [:]   // [to][from]
        for k in 1...depth {
            let rowsOf: [(Affine, Int)] = k == depth ? [(output, 0)] : members[k].map { (nodes[$0 - 1].preActivation, offset[$0]!) }
            let rows = widths[k]
            var w = Matrix(rows: rows, columns: widths[k - 1])
            var bias = [Double](repeating: 0, count: rows)
            var skips: [Int: Matrix] = [:]
            for (affine, rowOffset) in rowsOf {
                for i in 0..<affine.width { bias[rowOffset + i] = affine.bias[i] }
                for (r, term) in affine.terms {
                    let source = level[r]!
                    let column = offset[r]!
                    if source == k - 1 {
                        GraphTracer.place(term, into: &w, row: rowOffset, column: column)
                    } else {
                        var v = skips[source] ?? Matrix(rows: rows, columns: widths[source])
                        GraphTracer.place(term, into: &v, row: rowOffset, column: column)
                        skips[source] = v
                    }
                }
            }
            layers.append(ResNet.Layer(weights: w, bias: bias))
            skipMatrices[k] = skips
        }
        var skips: [ResNet.Skip] = []
        for k in 1...depth {
            for (from, v) in (skipMatrices[k] ?? [:]).sorted(by: { $0.key < $1.key }) {
                skips.append(ResNet.Skip(from: from, to: k, weights: v))
            }
        }
        do {
            return try ResNet(widths: widths, activation: activation, layers: layers, skips: skips)
        } catch let error as NetworkError {
            throw fail("output '\(outputName)': \(error.description)")
        }
    }

    /// Writes a term's entries into a block of `m` at (row, column).
    static func place(_ term: Term, into m: inout Matrix, row: Int, column: Int) {
        switch term {
        case .diagonal(let d):
            for i in d.indices { m[row + i, column + i] = d[i] }
        case .matrix(let t):
            for i in 0..<t.rows { for j in 0..<t.columns { m[row + i, column + j] = t[i, j] } }
        }
    }

    /// A network written by `ONNXModel.encode` with s(z) = αz² + βz + γ is traced as the
    /// activation (αz + β)·z with γ added by the next layer; its metadata gives γ back, and the
    /// next layer's bias loses W·γ1 again (up to rounding).
    func restoreQuadraticOffset(_ net: ResNet, model: Onnx_ModelProto, output: String) throws -> ResNet {
        guard case let .quadratic(alpha, beta, 0) = net.activation else { return net }
        let keys = ["quadform.activation", "quadform.\(output).activation"]
        guard let entry = model.metadataProps.first(where: { keys.contains($0.key) }),
              let value = try? JSONReader.parse(entry.value),
              case let .quadratic(a, b, gamma)? = try? Formats.activation(from: value, name: "metadata"),
              a == alpha, b == beta, gamma != 0 else { return net }
        var layers = net.layers
        for k in 2...net.depth {
            let w = layers[k - 1].weights
            let ones = [Double](repeating: gamma, count: w.columns)
            let shift = w.multiply(ones)
            layers[k - 1].bias = zip(layers[k - 1].bias, shift).map { $0 - $1 }
        }
        var skips = net.skips
        for i in skips.indices where skips[i].from >= 1 {
            let shift = skips[i].weights.multiply([Double](repeating: gamma, count: skips[i].weights.columns))
            layers[skips[i].to - 1].bias = zip(layers[skips[i].to - 1].bias, shift).map { $0 - $1 }
        }
        skips = net.skips
        return try ResNet(widths: net.widths, activation: .quadratic(alpha: alpha, beta: beta, gamma: gamma), layers: layers, skips: skips)
    }
}
