import QuadFormCore
import QuadFormReports
import Foundation

/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
/// `{"__metadata__": {str: str}, NAME: {"dtype", "shape", "data_offsets": [begin, end]}, …}` and
/// the tensors' bytes, little-endian, C order, back to back.
///
/// A network (design.md §1) is stored as F64 tensors named like PyTorch's `state_dict` of the
/// module in docs/interop.md: `layers.{i}.weight` (l_{i+1} × l_i) and `layers.{i}.bias`
/// (l_{i+1}) for the affine layer i + 1 = 1…L, and `skips.{r}_{k}.weight` (l_k × l_r) for each
/// skip (r, k) ∈ S. `__metadata__` holds `format` ("quadform.network"), `widths` and `skips` as
/// JSON text, `activation` as design.md §6's activation object in JSON text, and optionally
/// `variables` (JSON text) and `source` (the form's provenance).
public enum Safetensors {
    /// Largest header accepted (safetensors' own limit is 100 MB).
    public static let maximumHeaderBytes = 100_000_000

    /// The tensors and metadata of a network, in the order written.
    public static func tensors(of net: ResNet) -> [(name: String, shape: [Int], values: [Double])] {
        var result: [(name: String, shape: [Int], values: [Double])] = []
        for (i, layer) in net.layers.enumerated() {
            result.append(("layers.\(i).weight", [layer.weights.rows, layer.weights.columns], layer.weights.entries))
            result.append(("layers.\(i).bias", [layer.bias.count], layer.bias))
        }
        for skip in net.skips {
            result.append(("skips.\(skip.from)_\(skip.to).weight", [skip.weights.rows, skip.weights.columns], skip.weights.entries))
        }
        return result
    }

    /// The `__metadata__` of a network: format, widths, activation, skips, and the optional
    /// variable names and provenance.
    public static func metadata(of net: ResNet, variables: [String]? = nil, source: String? = nil) -> [(String, String)] {
        var activation: [(String, JSONValue)] = [("kind", .string(net.activation.kind))]
        if case let .quadratic(a, b, c) = net.activation {
            activation += [("alpha", JSONWriter.number(a)), ("beta", JSONWriter.number(b)), ("gamma", JSONWriter.number(c))]
        }
        var result: [(String, String)] = [
            ("format", "quadform.network"),
            ("widths", JSONWriter.compact(.array(net.widths.map { .number(String($0)) }))),
            ("activation", JSONWriter.compact(.object(activation))),
            ("skips", JSONWriter.compact(.array(net.skips.map { .array([.number(String($0.from)), .number(String($0.to))]) }))),
        ]
        if let variables { result.append(("variables", JSONWriter.compact(.array(variables.map { .string($0) })))) }
        if let source { result.append(("source", source)) }
        return result
    }

    /// The file's bytes for `net` (F64 tensors; see the type's description).
    public static func encode(_ net: ResNet, variables: [String]? = nil, source: String? = nil) -> Data {
        encode([("", net)], variables: variables, source: source)
    }

    /// The file's bytes for several networks, each under its prefix (`residual.layers.0.weight`,
    /// metadata `residual.widths`; the empty prefix gives the plain names), as PyTorch names the
    /// parameters of submodules `residual` and `plain` of one module.
    public static func encode(_ networks: [(prefix: String, net: ResNet)], variables: [String]? = nil, source: String? = nil) -> Data {
        var metadata: [(String, JSONValue)] = [("format", .string(networks.count == 1 && networks[0].prefix.isEmpty ? "quadform.network" : "quadform.networks"))]
        var tensors: [(name: String, shape: [Int], values: [Double])] = []
        for (prefix, net) in networks {
            let dot = prefix.isEmpty ? "" : prefix + "."
            for (key, value) in self.metadata(of: net) where key != "format" { metadata.append((dot + key, .string(value))) }
            tensors += self.tensors(of: net).map { (dot + $0.name, $0.shape, $0.values) }
        }
        if let variables { metadata.append(("variables", .string(JSONWriter.compact(.array(variables.map { .string($0) }))))) }
        if let source { metadata.append(("source", .string(source))) }
        var members: [(String, JSONValue)] = [("__metadata__", .object(metadata))]
        var offset = 0
        for t in tensors {
            let end = offset + 8 * t.values.count
            members.append((t.name, .object([
                ("dtype", .string("F64")),
                ("shape", .array(t.shape.map { .number(String($0)) })),
                ("data_offsets", .array([.number(String(offset)), .number(String(end))])),
            ])))
            offset = end
        }
        var header = Array(JSONWriter.compact(.object(members)).utf8)
        while header.count % 8 != 0 { header.append(0x20) }  // pad so the data start is 8-byte aligned
        var data = Data(capacity: 8 + header.count + offset)
        var length = UInt64(header.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for t in tensors {
            t.values.withUnsafeBufferPointer { values in
                for v in values {
                    var bits = v.bitPattern.littleEndian
                    withUnsafeBytes(of: &bits) { data.append(contentsOf: $0) }
                }
            }
        }
        return data
    }

    /// The parsed file: tensors by name (values as Doubles), their dtypes, and the metadata.
    public struct Contents: Sendable {
        /// Tensors by name.
        public let tensors: [String: (shape: [Int], values: [Double])]
        /// dtype by tensor name (`F64` or `F32`).
        public let dtypes: [String: String]
        /// `__metadata__`.
        public let metadata: [String: String]
    }

    /// Parses a safetensors file's bytes (F64 and F32 tensors); `path` names it in errors. Every
    /// offset and shape is checked against the file's size before anything is allocated.
    public static func parse(_ data: Data, path: String) throws -> Contents {
        func fail(_ message: String) -> NetworkFileError { NetworkFileError(path: path, message: message) }
        guard data.count >= 8 else { throw fail("not a safetensors file (shorter than its 8-byte header length)") }
        let bytes = [UInt8](data.prefix(8))
        var headerLength: UInt64 = 0
        for k in 0..<8 { headerLength |= UInt64(bytes[k]) << (8 * UInt64(k)) }
        guard headerLength <= UInt64(maximumHeaderBytes), headerLength <= UInt64(data.count - 8) else {
            throw fail("not a safetensors file (header length \(headerLength) exceeds the file's \(data.count) bytes)")
        }
        let headerBytes = data[(data.startIndex + 8)..<(data.startIndex + 8 + Int(headerLength))]
        guard headerBytes.first == UInt8(ascii: "{"), let text = String(data: headerBytes, encoding: .utf8) else {
            throw fail("not a safetensors file (the header is not a UTF-8 JSON object)")
        }
        let header: JSONValue
        do { header = try JSONReader.parse(text, name: "\(path) header") } catch {
            throw fail("header: \(error)")
        }
        guard case .object(let members) = header else { throw fail("header is not a JSON object") }
        let dataStart = 8 + Int(headerLength)
        let buffer = data.count - dataStart
        var tensors: [String: (shape: [Int], values: [Double])] = [:]
        var dtypes: [String: String] = [:]
        var metadata: [String: String] = [:]
        // First every entry's dtype, shape and range, checked against the file; then the ranges
        // against each other (tensors sharing bytes are refused before anything is decoded, so an
        // alias bomb of many names on one range costs nothing); then the values.
        var entries: [(name: String, dtype: String, size: Int, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in members {
            if name == "__metadata__" {
                guard case .object(let items) = value else { throw fail("__metadata__ is not an object") }
                for (key, item) in items {
                    guard case .string(let s) = item else { throw fail("__metadata__.\(key) is not a string") }
                    metadata[key] = s
                }
                continue
            }
            guard case .string(let dtype)? = value["dtype"] else { throw fail("tensor \(name): missing dtype") }
            let size: Int
            switch dtype {
            case "F64": size = 8
            case "F32": size = 4
            default: throw fail("tensor \(name): dtype \(dtype) is not supported (F64 or F32)")
            }
            guard case .array(let shapeItems)? = value["shape"] else { throw fail("tensor \(name): missing shape") }
            var count = 1
            var shape: [Int] = []
            for item in shapeItems {
                guard case .number(let literal) = item, let d = Int(literal), d >= 0 else {
                    throw fail("tensor \(name): shape \(JSONValue.array(shapeItems)) is not a list of sizes (whole numbers ≥ 0)")
                }
                let (product, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow, product <= buffer / size else {
                    throw fail("tensor \(name): shape \(JSONValue.array(shapeItems)) claims more data than the file's \(data.count) bytes hold")
                }
                count = product
                shape.append(d)
            }
            guard case .array(let offsetItems)? = value["data_offsets"], offsetItems.count == 2,
                  case .number(let b0) = offsetItems[0], case .number(let e0) = offsetItems[1],
                  let begin = Int(b0), let end = Int(e0), begin >= 0, begin <= end, end <= buffer else {
                throw fail("tensor \(name): data_offsets are missing or outside the file's data (\(buffer) bytes)")
            }
            guard end - begin == count * size else {
                throw fail("tensor \(name): data_offsets span \(end - begin) bytes, shape \(shape) of \(dtype) needs \(count * size)")
            }
            entries.append((name, dtype, size, shape, begin, end))
        }
        let ranges = entries.filter { $0.end > $0.begin }.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
        for (a, b) in zip(ranges, ranges.dropFirst()) where b.begin < a.end {
            throw fail("tensors \(a.name) and \(b.name) overlap in the data (bytes \(a.begin)..<\(a.end) and \(b.begin)..<\(b.end)); each tensor must have its own bytes")
        }
        for entry in entries {
            let count = (entry.end - entry.begin) / entry.size
            var values = [Double](repeating: 0, count: count)
            data.withUnsafeBytes { raw in
                let base = dataStart + entry.begin
                for i in 0..<count {
                    if entry.size == 8 {
                        var bits: UInt64 = 0
                        for k in 0..<8 { bits |= UInt64(raw[base + 8 * i + k]) << (8 * UInt64(k)) }
                        values[i] = Double(bitPattern: bits)
                    } else {
                        var bits: UInt32 = 0
                        for k in 0..<4 { bits |= UInt32(raw[base + 4 * i + k]) << (8 * UInt32(k)) }
                        values[i] = Double(Float(bitPattern: bits))
                    }
                }
            }
            tensors[entry.name] = (entry.shape, values)
            dtypes[entry.name] = entry.dtype
        }
        return Contents(tensors: tensors, dtypes: dtypes, metadata: metadata)
    }

    /// Reads a network from a safetensors file with the names of `tensors(of:)`. Widths come from
    /// the shapes (they must chain); the activation from `__metadata__` (square when absent).
    /// A file holding several networks (prefixes `residual.`, `plain.`, …) gives the one `member`
    /// names (default `residual`).
    public static func readNetwork(_ path: String, member: String? = nil) throws -> LoadedNetwork {
        let all = try parse(InputFile.readData(path), path: path)
        func fail(_ message: String) -> NetworkFileError { NetworkFileError(path: path, message: message) }
        let paired = !all.tensors.keys.allSatisfy { $0.hasPrefix("layers.") || $0.hasPrefix("skips.") }
        if !paired, let member { throw fail("holds one network; --network \(member) names a member of a file with several") }
        let chosen = member ?? NetworkDocument.defaultMember
        let prefix = paired ? chosen + "." : ""
        func strip(_ dictionary: [String: String]) -> [String: String] {
            guard paired else { return dictionary }
            var result: [String: String] = [:]
            for (key, value) in dictionary {
                if key.hasPrefix(prefix) { result[String(key.dropFirst(prefix.count))] = value }
                else if !key.hasPrefix("layers.") && !key.hasPrefix("skips.") && ["format", "variables", "source"].contains(key) { result[key] = value }
            }
            return result
        }
        var tensors: [String: (shape: [Int], values: [Double])] = [:]
        for (key, value) in all.tensors where key.hasPrefix(prefix) { tensors[String(key.dropFirst(prefix.count))] = value }
        if paired && tensors.isEmpty { throw fail("holds no network \(chosen) (its tensors are \(all.tensors.keys.sorted().prefix(4).joined(separator: ", "))…)") }
        let contents = Contents(tensors: tensors, dtypes: strip(all.dtypes), metadata: strip(all.metadata))
        var depth = 0
        var skips: [(from: Int, to: Int, name: String, tensor: NamedTensorNetwork.Tensor)] = []
        for name in contents.tensors.keys.sorted() {
            let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if parts.count == 3, parts[0] == "layers", let i = Int(parts[1]), i >= 0, i < 10_000, parts[2] == "weight" || parts[2] == "bias" {
                depth = max(depth, i + 1)
            } else if parts.count == 3, parts[0] == "skips", parts[2] == "weight" {
                let ends = parts[1].split(separator: "_").compactMap { Int($0) }
                guard ends.count == 2 else { throw fail("tensor \(name): a skip is named skips.<r>_<k>.weight") }
                skips.append((ends[0], ends[1], name, contents.tensors[name]!))
            } else {
                throw fail("tensor \(name) is not part of a network (expected layers.<i>.weight, layers.<i>.bias, skips.<r>_<k>.weight)")
            }
        }
        var activation = Activation.square
        if let text = contents.metadata["activation"] {
            activation = try Formats.activation(from: JSONReader.parse(text, name: "\(path) __metadata__.activation"), name: "\(path) __metadata__.activation")
        }
        let net = try NamedTensorNetwork.build(
            path: path, depth: depth, activation: activation,
            weight: { k in ("layers.\(k - 1).weight", contents.tensors["layers.\(k - 1).weight"]) },
            bias: { k in ("layers.\(k - 1).bias", contents.tensors["layers.\(k - 1).bias"]) },
            skips: skips)
        if let text = contents.metadata["widths"],
           let declared = try? JSONReader.parse(text), declared != .array(net.widths.map { .number(String($0)) }) {
            throw fail("__metadata__.widths \(text) does not match the tensors' shapes \(net.widths)")
        }
        var variables: [String]? = nil
        if let text = contents.metadata["variables"], case .array(let items)? = try? JSONReader.parse(text) {
            let names = items.compactMap { item -> String? in if case .string(let s) = item { return s } else { return nil } }
            if names.count == net.inputWidth { variables = names }
        }
        let precision: WeightPrecision = contents.dtypes.values.contains("F32") ? .float32 : .float64
        return LoadedNetwork(network: net, precision: precision, variables: variables)
    }
}
