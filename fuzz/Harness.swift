// libFuzzer entry point for the readers of untrusted input (docs/bad-input.md). Compiled together
// with the QuadForm sources by fuzz/build.sh into one binary, fuzz/.work/bin/fuzz-quadform; the
// targets are links to it, and the name it is started under picks the target:
//   fuzz-expression    the expression parser, floating and exact
//   fuzz-json-form     the JSON reader and the form reader (floating and exact)
//   fuzz-json-network  the JSON reader and the network reader, evaluation and re-encoding
//   fuzz-npy           the .npy reader
//   fuzz-npz           the .npz reader
//   fuzz-onnx          the ONNX reader (protobuf decoding, the graph tracer, the rebuilt network)
//   fuzz-safetensors   the safetensors reader and the network built from its tensors
// Every input must end in a value or a typed error: a trap, a sanitizer report or a timeout is a bug.
import Foundation

/// Synthesizes and verifies small forms, so values the readers accept also pass through LAPACKE
/// and the network code without trapping.
private func exercise(_ form: QuadraticForm) {
    guard form.dimension <= 6 else { return }
    if let synthesis = try? Synthesis(form: form, options: SynthesisOptions(randomSamples: 4)) {
        _ = try? synthesis.verify()
    }
}

/// Evaluates and re-encodes a small network the reader accepted.
private func exercise(_ net: ResNet) {
    guard net.widths.reduce(0, +) <= 64 else { return }
    let x = [Double](repeating: 0.5, count: net.inputWidth)
    _ = try? net.realization(x)
    _ = try? net.realization(batch: Matrix(rows: 2, columns: net.inputWidth, repeating: 1))
    _ = JSONWriter.write(Formats.networkJSON(net))
}

/// Passes a square `.npy` matrix on to synthesis.
private func exercise(_ array: NpyArray, path: String) throws {
    if array.shape.count == 2, array.shape[0] == array.shape[1] {
        try Npy.checkFinite(array, path: path)
        let m = Matrix(rows: array.shape[0], columns: array.shape[1], entries: array.values)
        exercise(try QuadraticForm(constant: 0, linear: [Double](repeating: 1, count: m.rows), quadratic: m))
    }
}

/// The target this process runs, from the name it was started under (`fuzz-npy` → "npy").
private let target: String = {
    let name = URL(fileURLWithPath: CommandLine.arguments.first ?? "").lastPathComponent
    return name.hasPrefix("fuzz-") ? String(name.dropFirst(5)) : name
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Data(bytes: data, count: size)
    do {
        switch target {
        case "expression":
            let text = String(decoding: bytes, as: UTF8.self)
            do { exercise(try ExpressionParser.form(text)) } catch { _ = String(describing: error) }
            let exact = try ExpressionParser.polynomial(text, as: Rational.self)
            _ = exact.constant.doubleValue
        case "json-form":
            guard let text = String(data: bytes, encoding: .utf8) else { return 0 }
            let value = try JSONReader.parse(text, name: "fuzz.json")
            _ = JSONWriter.write(value)
            do { exercise(try Formats.form(from: value, name: "fuzz.json")) } catch { _ = String(describing: error) }
            _ = try ExactForm.from(json: value, name: "fuzz.json")
        case "json-network":
            guard let text = String(data: bytes, encoding: .utf8) else { return 0 }
            let value = try JSONReader.parse(text, name: "fuzz.json")
            exercise(try Formats.network(from: value, name: "fuzz.json"))
        case "npy":
            try exercise(try Npy.parse(bytes, path: "fuzz.npy"), path: "fuzz.npy")
        case "npz":
            for (name, array) in try Npz.parse(bytes, path: "fuzz.npz") { try exercise(array, path: name) }
        case "onnx":
            exercise(try ONNXModel.parse(bytes, path: "fuzz.onnx").network)
        case "safetensors":
            _ = try Safetensors.parse(bytes, path: "fuzz.safetensors")
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-safetensors-\(getpid()).safetensors")
            try bytes.write(to: dir)
            defer { try? FileManager.default.removeItem(at: dir) }
            exercise(try Safetensors.readNetwork(dir.path).network)
        default:
            fputs("fuzz: unknown target '\(target)' (start me as fuzz-expression, fuzz-json-form, fuzz-json-network, fuzz-npy, fuzz-npz, fuzz-onnx or fuzz-safetensors)\n", stderr)
            abort()
        }
    } catch {
        _ = String(describing: error)
    }
    return 0
}
