import QuadFormCore
import QuadFormReports
import Foundation

/// Errors reading or writing a network file (ONNX, safetensors, `.npz`, network JSON), naming the
/// file and the part at fault (a graph node, a tensor, a header field).
public struct NetworkFileError: Error, Equatable, CustomStringConvertible {
    /// The file.
    public let path: String
    /// What is wrong, and where in the file.
    public let message: String

    /// An error about `path`.
    public init(path: String, message: String) {
        self.path = path
        self.message = NetworkFileError.bounded(message)
    }

    /// Longest message kept (characters): a message quoting a hostile file (a shape of 10⁷
    /// dimensions, a name of megabytes) is cut in the middle, so errors stay readable.
    public static let maximumMessageLength = 600

    /// `message` cut to `maximumMessageLength` characters, its start and end kept.
    static func bounded(_ message: String) -> String {
        guard message.count > maximumMessageLength else { return message }
        let keep = maximumMessageLength / 2 - 10
        return String(message.prefix(keep)) + " … (\(message.count - 2 * keep) characters left out) … " + String(message.suffix(keep))
    }

    public var description: String { "\(path): \(message)" }
}


/// A network read from a file, with what the file said about it.
public struct LoadedNetwork: Sendable {
    /// The network (design.md §1).
    public let network: ResNet
    /// The precision of the stored weights (the lowest of any tensor).
    public let precision: WeightPrecision
    /// Input variable names, when the file carries them (ONNX/safetensors metadata, a report).
    public let variables: [String]?
    /// The graph nodes (ONNX) whose product `a·b` was read as `¼(a + b)² − ¼(a − b)²` with a
    /// rounded `a ± b`: the network is the file's up to that rounding, not exactly (design.md §10).
    public let roundedProducts: [String]
    /// With `roundedProducts`: the exact form of each output as the file's weights compute it,
    /// each product taken with its own factors (`GraphTracer.exactForms`); nil when the graph is
    /// not one layer of squares and products on its input. What `--exact` expands instead of the
    /// rounded network.
    public let exactForms: [ExactForm]?
    /// How many products of two different values (ONNX `Mul(a, b)`, summed over their widths) the
    /// network's square neurons stand for, two neurons each (design.md §10).
    public let products: Int

    /// A loaded network.
    public init(network: ResNet, precision: WeightPrecision, variables: [String]? = nil, roundedProducts: [String] = [],
                exactForms: [ExactForm]? = nil, products: Int = 0) {
        self.products = products
        self.network = network
        self.precision = precision
        self.variables = variables
        self.roundedProducts = roundedProducts
        self.exactForms = exactForms
    }

    /// ", with P products of two values, each read as two square neurons", or "" without products.
    public var productsClause: String {
        products == 0 ? "" : " (\(products) product\(products == 1 ? "" : "s") of two values, each read as two square neurons)"
    }

    /// The exact forms `--exact` expands (design.md §10): the network's own exact expansion, or,
    /// when a product's a ± b rounded, the trace's forms of the stored weights; an error naming the
    /// product when neither is the file's.
    public func exactExpansion(file: String) throws -> [ExactForm] {
        try NetworkExtraction.checkMapShape(network)
        guard let node = roundedProducts.first else { return try NetworkExtraction.exactForms(of: network, variables: variables) }
        guard let forms = exactForms else {
            throw NetworkFileError(path: file, message: "--exact: \(node) multiplies two values whose stored weights do not sum exactly in Double (a product a·b is read as ¼(a + b)² − ¼(a − b)², design.md §10), and the graph is not one layer of squares and products on its input, so the exact form of the stored weights cannot be taken; run extract without --exact")
        }
        return try forms.map { try ExactForm(variables: variables, constant: $0.constant, linear: $0.linear, quadratic: $0.quadratic) }
    }
}

/// Builds a network from named weight tensors (safetensors and `.npz` files): layer k's weights and
/// bias and the skip matrices, each looked up by a naming scheme, widths taken from the shapes
/// and checked to chain (design.md §1, §6).
enum NamedTensorNetwork {
    /// A tensor: shape and values in C order.
    typealias Tensor = (shape: [Int], values: [Double])

    /// The network whose layer k (1…L) is `weight(k)`/`bias(k)`, with skips (r, k) from `skips`.
    /// `depth` is L; `activation` applies to layers 1…L−1. Errors name the tensors.
    static func build(path: String, depth: Int, activation: Activation,
                      weight: (Int) -> (name: String, tensor: Tensor?),
                      bias: (Int) -> (name: String, tensor: Tensor?),
                      skips: [(from: Int, to: Int, name: String, tensor: Tensor)]) throws -> ResNet {
        func fail(_ message: String) -> NetworkFileError { NetworkFileError(path: path, message: message) }
        guard depth >= 1 else { throw fail("no layers found") }
        var widths: [Int] = []
        var layers: [ResNet.Layer] = []
        for k in 1...depth {
            let (wName, wTensor) = weight(k)
            let (bName, bTensor) = bias(k)
            guard let w = wTensor else { throw fail("missing tensor \(wName) (layer \(k) of \(depth))") }
            guard w.shape.count == 2 else { throw fail("\(wName) has shape \(w.shape); a layer's weights are 2-D (out × in)") }
            let (rows, columns) = (w.shape[0], w.shape[1])
            if k == 1 { widths.append(columns) }
            guard columns == widths[k - 1] else {
                throw fail("shapes do not chain: \(wName) is \(rows)×\(columns) but layer \(k - 1) has \(widths[k - 1]) output\(widths[k - 1] == 1 ? "" : "s")")
            }
            widths.append(rows)
            var b = [Double](repeating: 0, count: rows)
            if let bt = bTensor {
                guard bt.values.count == rows, bt.shape.count <= 2, bt.shape.reduce(1, *) == rows else {
                    throw fail("\(bName) has shape \(bt.shape); layer \(k) has \(rows) output\(rows == 1 ? "" : "s")")
                }
                b = bt.values
            }
            try checkFinite(w.values, name: wName, path: path)
            try checkFinite(b, name: bName, path: path)
            layers.append(ResNet.Layer(weights: Matrix(rows: rows, columns: columns, entries: w.values), bias: b))
        }
        var netSkips: [ResNet.Skip] = []
        for skip in skips.sorted(by: { ($0.to, $0.from) < ($1.to, $1.from) }) {
            guard skip.from >= 0, skip.from < skip.to, skip.to <= depth else {
                throw fail("\(skip.name): skip (\(skip.from), \(skip.to)) must satisfy 0 ≤ from < to ≤ \(depth)")
            }
            guard skip.tensor.shape == [widths[skip.to], widths[skip.from]] else {
                throw fail("shapes do not chain: \(skip.name) has shape \(skip.tensor.shape), layers say [\(widths[skip.to]), \(widths[skip.from])]")
            }
            try checkFinite(skip.tensor.values, name: skip.name, path: path)
            netSkips.append(ResNet.Skip(from: skip.from, to: skip.to, weights: Matrix(rows: widths[skip.to], columns: widths[skip.from], entries: skip.tensor.values)))
        }
        do {
            return try ResNet(widths: widths, activation: activation, layers: layers, skips: netSkips)
        } catch let error as NetworkError {
            throw fail(error.description)
        }
    }

    /// Refuses NaN and infinite weights, naming the tensor and the first bad entry.
    static func checkFinite(_ values: [Double], name: String, path: String) throws {
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            throw NetworkFileError(path: path, message: "\(name): entry \(i) is \(values[i].isNaN ? "NaN" : "infinite"); weights must be finite")
        }
    }
}
