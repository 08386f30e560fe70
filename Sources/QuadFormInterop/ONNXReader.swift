import QuadFormCore
import Foundation
import ONNXProto
import SwiftProtobuf

/// Reading: an ONNX model's bytes to the network of one of its outputs, through `GraphTracer`.
extension ONNXModel {
    /// Reads the network that computes graph output `member` of a model with several outputs
    /// (default `residual`), or the only output of a model with one. With `maximumDegree`, a node
    /// computing a polynomial of higher degree in the input is refused, naming it (design.md §10).
    public static func readNetwork(_ path: String, member: String? = nil, maximumDegree: Int? = nil) throws -> LoadedNetwork {
        let data = try InputFile.readData(path)
        return try parse(data, path: path, member: member, maximumDegree: maximumDegree)
    }

    /// The model in `data`, decoded within the readers' limits (at most `maximumFileBytes`,
    /// protobuf nesting ≤ 64) and holding a graph and an IR version; `fail` turns a message into
    /// the caller's error. Shared by `extract`'s reader and `compress`.
    static func decodeModel(_ data: Data, fail: (String) -> Error) throws -> Onnx_ModelProto {
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
        return model
    }

    /// Parses a model's bytes (see `readNetwork`); `path` names the file in errors.
    public static func parse(_ data: Data, path: String, member: String? = nil, maximumDegree: Int? = nil) throws -> LoadedNetwork {
        func fail(_ message: String) -> NetworkFileError { NetworkFileError(path: path, message: message) }
        let model = try decodeModel(data, fail: fail)
        for set in model.opsetImport where set.domain != "" && set.domain != "ai.onnx" {
            if model.graph.node.contains(where: { $0.domain == set.domain }) {
                throw fail("uses operators of domain '\(set.domain)'; only the default ONNX domain is read")
            }
        }
        var tracer = GraphTracer(path: path, fileBytes: data.count)
        tracer.maximumDegree = maximumDegree
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
        // A rounded a ± b: the stored weights' exact forms come from the trace (design.md §10).
        let exactForms = tracer.roundedProducts.isEmpty ? nil : try tracer.exactForms(of: outputValue)
        return LoadedNetwork(network: net, precision: tracer.lowestPrecision, variables: variables,
                             roundedProducts: tracer.roundedProducts, exactForms: exactForms,
                             products: tracer.productFactors.values.reduce(0) { $0 + $1.a.width })
    }
}
