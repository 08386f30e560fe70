import QuadFormCore
import Foundation
import ONNXProto

/// The symbolic trace of an ONNX graph: each value is a constant tensor or an affine map
/// `Σ_r M_r x_r + b` of the input (r = 0) and of activation nodes (r ≥ 1) created by `Mul(z, z)`,
/// `Pow(z, 2)`, `Relu(z)`, `(αz + β)·z`, or in pairs by a product `a·b = ¼(a + b)² − ¼(a − b)²`
/// of two different values (design.md §10). Each node knows its polynomial degree in the input.
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
        /// Its polynomial degree in the graph's input (nil after a ReLU).
        var degree: Int?
    }

    var values: [String: Value] = [:]
    var nodes: [ActivationNode] = []
    var inputWidth = 0
    var nextID = 1
    var lowestPrecision = WeightPrecision.float64
    /// Highest polynomial degree in the input a node may compute (nil: any); `extract` reads
    /// quadratics (2), and a node above is refused, naming it and its degree.
    var maximumDegree: Int?
    /// The product nodes whose `a ± b` was rounded (`product(_:_:label:)`).
    var roundedProducts: [String] = []
    /// Each product's first square neuron (a + b), with its factors and its partner (a − b).
    var productFactors: [Int: (a: Affine, b: Affine, partner: Int)] = [:]

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
}
