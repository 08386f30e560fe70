import QuadFormCore
import QuadFormReports
import Foundation

/// Options for writing a network file.
public struct NetworkWriteOptions: Sendable {
    /// ONNX only: FLOAT (binary32) tensors instead of DOUBLE.
    public var float32: Bool
    /// Input variable names (ONNX and safetensors metadata).
    public var variables: [String]?
    /// Where the network came from (the form, or the file it was extracted from).
    public var source: String?

    /// Defaults: DOUBLE, no names, no provenance.
    public init(float32: Bool = false, variables: [String]? = nil, source: String? = nil) {
        self.float32 = float32
        self.variables = variables
        self.source = source
    }
}

/// Network files by extension: `.json` (design.md §6, or a report holding `residual`/`plain`),
/// `.onnx`, `.safetensors`, `.npz`. One entry point for `convert`, `extract`, `eval` and
/// `--save-networks`.
public enum NetworkFile {
    /// A file format, chosen by the file's extension.
    public enum Format: String, Sendable, CaseIterable {
        case json, onnx, safetensors, npz

        /// The format of `path` by its extension, or an error listing the known ones.
        public init(path: String) throws {
            let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
            guard let format = Format(rawValue: ext) else {
                throw NetworkFileError(path: path, message: "unknown network file extension '\(ext.isEmpty ? "(none)" : "." + ext)' (known: .json, .onnx, .safetensors, .npz)")
            }
            self = format
        }
    }

    /// Reads a network from `path`. A file with several networks (a report, or what
    /// `--save-networks` writes) gives the one named `member` (`residual` when nil): a report
    /// member, an ONNX output, a safetensors prefix, an `.npz` prefix (`.` written `_`).
    /// `maximumDegree` bounds the polynomial degree an ONNX graph's nodes may compute (design.md §10).
    public static func read(_ path: String, member: String? = nil, maximumDegree: Int? = nil) throws -> LoadedNetwork {
        switch try Format(path: path) {
        case .json:
            let value = try JSONReader.parseFile(path)
            let net = try NetworkDocument.network(from: value, name: path, member: member)
            var variables: [String]? = nil
            if case .array(let items)? = value["variables"] {
                let names = items.compactMap { item -> String? in if case .string(let s) = item { return s } else { return nil } }
                if names.count == net.inputWidth { variables = names }
            }
            return LoadedNetwork(network: net, precision: .float64, variables: variables)
        case .onnx: return try ONNXModel.readNetwork(path, member: member, maximumDegree: maximumDegree)
        case .safetensors: return try Safetensors.readNetwork(path, member: member)
        case .npz: return try readNpz(path, member: member)
        }
    }

    /// Writes one network to `path` in the format of its extension, atomically.
    public static func write(_ net: ResNet, to path: String, options: NetworkWriteOptions = NetworkWriteOptions()) throws {
        let data: Data
        switch try Format(path: path) {
        case .json: data = Data(JSONWriter.write(Formats.networkJSON(net)).utf8)
        case .onnx: data = try ONNXModel.encode([("y", net)], options: options)
        case .safetensors: data = Safetensors.encode(net, variables: options.variables, source: options.source)
        case .npz:
            try checkNpzActivation(net, path: path)
            return try Npz.write(npzArrays(of: net, prefix: nil), to: path)
        }
        try OutputFile.write(data, to: path)
    }

    /// Writes named networks to one file (`--save-networks`): JSON a `NetworkDocument` (each under
    /// `NAME.network`); ONNX one model with an output per network; safetensors a prefix `NAME.` per
    /// network; `.npz` the arrays `NAME_W1 …` (`.` written `_`).
    public static func write(networks: [(name: String, network: ResNet)], to path: String, options: NetworkWriteOptions = NetworkWriteOptions()) throws {
        let data: Data
        switch try Format(path: path) {
        case .json: data = Data(JSONWriter.write(NetworkDocument.json(networks: networks.map { ($0.name, Formats.networkJSON($0.network)) })).utf8)
        case .onnx: data = try ONNXModel.encode(networks.map { ($0.name, $0.network) }, options: options)
        case .safetensors: data = Safetensors.encode(networks.map { ($0.name, $0.network) }, variables: options.variables, source: options.source)
        case .npz:
            for (_, net) in networks { try checkNpzActivation(net, path: path) }
            // Streamed to the file: a network of n = 2000 is 64 MB (docs/performance.md).
            return try Npz.write(networks.flatMap { npzArrays(of: $0.network, prefix: $0.name.replacingOccurrences(of: ".", with: "_")) }, to: path)
        }
        try OutputFile.write(data, to: path)
    }

    // MARK: npz

    /// The arrays of a network in an `.npz`: `W1, B1, …, V_r_k`, or with `prefix_` before each.
    static func npzArrays(of net: ResNet, prefix: String?) -> [NpzArray] {
        guard let prefix else {
            var arrays: [NpzArray] = []
            for (index, layer) in net.layers.enumerated() {
                arrays.append(NpzArray(name: "W\(index + 1)", matrix: layer.weights))
                arrays.append(NpzArray(name: "B\(index + 1)", shape: [layer.bias.count], values: layer.bias))
            }
            for skip in net.skips { arrays.append(NpzArray(name: "V_\(skip.from)_\(skip.to)", matrix: skip.weights)) }
            return arrays
        }
        return Npz.arrays(of: net, prefix: prefix)
    }

    /// An `.npz` holds weights only: its networks are read as square networks, so other
    /// activations are refused rather than silently lost.
    static func checkNpzActivation(_ net: ResNet, path: String) throws {
        guard net.activation == .square || net.depth == 1 else {
            throw NetworkFileError(path: path, message: "an .npz holds weights only and is read back as a square network; a \(net.activation.kind) network needs .json, .onnx or .safetensors")
        }
    }

    /// Reads `W1, B1, …, V_r_k` (or `NAME_W1, …` of the network `member`, default residual, of
    /// an archive with several) as a square network.
    static func readNpz(_ path: String, member: String?) throws -> LoadedNetwork {
        let members = try Npz.read(path)
        var arrays: [String: NamedTensorNetwork.Tensor] = [:]
        func plainName(_ name: String) -> Bool {
            (name.hasPrefix("W") || name.hasPrefix("B")) && Int(name.dropFirst()) != nil || name.hasPrefix("V_")
        }
        let paired = !members.allSatisfy { plainName($0.name) }
        let prefix = paired ? (member ?? NetworkDocument.defaultMember).replacingOccurrences(of: ".", with: "_") + "_" : ""
        if !paired, let member { throw NetworkFileError(path: path, message: "holds one network; --network \(member) names a member of a file with several") }
        if paired, !members.contains(where: { $0.name.hasPrefix(prefix) }) {
            throw NetworkFileError(path: path, message: "has no network \(member ?? NetworkDocument.defaultMember) (no arrays \(prefix)W1, …; it has \(members.prefix(6).map(\.name).joined(separator: ", ")))")
        }
        for (name, array) in members where name.hasPrefix(prefix) {
            arrays[String(name.dropFirst(prefix.count))] = (array.shape, array.values)
        }
        var depth = 0
        var skips: [(from: Int, to: Int, name: String, tensor: NamedTensorNetwork.Tensor)] = []
        for (name, tensor) in arrays {
            if (name.hasPrefix("W") || name.hasPrefix("B")), let k = Int(name.dropFirst()), k >= 1, k <= 10_000 {
                depth = max(depth, k)
            } else if name.hasPrefix("V_") {
                let ends = name.dropFirst(2).split(separator: "_").compactMap { Int($0) }
                guard ends.count == 2 else { throw NetworkFileError(path: path, message: "array \(prefix)\(name): a skip is named V_<r>_<k>") }
                skips.append((ends[0], ends[1], prefix + name, tensor))
            } else {
                throw NetworkFileError(path: path, message: "array \(prefix)\(name) is not part of a network (expected W<k>, B<k>, V_<r>_<k>)")
            }
        }
        let net = try NamedTensorNetwork.build(
            path: path, depth: depth, activation: .square,
            weight: { k in (prefix + "W\(k)", arrays["W\(k)"]) },
            bias: { k in (prefix + "B\(k)", arrays["B\(k)"]) },
            skips: skips)
        return LoadedNetwork(network: net, precision: .float64)
    }
}

extension Formats {
    /// The activation object of design.md §6 (`{"kind": "square"}`, …, `{"kind": "quadratic",
    /// "alpha": α, "beta": β, "gamma": γ}`).
    public static func activation(from value: JSONValue, name: String) throws -> Activation {
        let content = JSONContent(name: name)
        let kindValue = try content.member(value, "kind", "")
        guard case .string(let kind) = kindValue else { throw content.error("kind", "expected a string, found \(kindValue.typeName)") }
        switch kind {
        case "square": return .square
        case "relu": return .relu
        case "identity": return .identity
        case "quadratic":
            let (a, b, c) = try content.quadraticActivation(value, read: content.double)
            return .quadratic(alpha: a, beta: b, gamma: c)
        default:
            throw content.error("kind", "unknown activation \"\(kind)\" (known: square, relu, identity, quadratic)")
        }
    }
}

extension JSONWriter {
    /// The JSON text of `value` on one line, without spaces (for metadata strings).
    public static func compact(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let s): return s
        case .string(let s): return escape(s)
        case .array(let items): return "[" + items.map(compact).joined(separator: ",") + "]"
        case .object(let members): return "{" + members.map { escape($0.0) + ":" + compact($0.1) }.joined(separator: ",") + "}"
        case .numbers, .rows: return compact(value.expanded)
        }
    }
}
