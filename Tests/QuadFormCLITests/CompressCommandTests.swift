import Foundation
import Testing
@testable import QuadFormCore

/// `quadform compress` end to end (design.md §10): product-neuron models written as
/// torch.onnx.export writes them (Tests/Fixtures/product_neuron_onnx.py), compressed, and both
/// models run in onnxruntime on the same random inputs.
@Suite("compress: quadratic blocks in onnxruntime")
struct CompressCommandTests {
    /// Runs both models in onnxruntime at 64 seeded random points of [−1, 1]^n (in each model's
    /// own input type); prints {"max_difference", "scale"} over every output.
    static let compare = """
    import json, sys
    import numpy as np, onnx, onnxruntime as ort
    outputs = []
    for path in sys.argv[1:3]:
        onnx.checker.check_model(onnx.load(path), full_check=True)
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        x = session.get_inputs()[0]
        points = np.random.default_rng(26).uniform(-1, 1, (64, x.shape[1]))
        points = points.astype(np.float64 if x.type == "tensor(double)" else np.float32)
        outputs.append([np.asarray(o, dtype=np.float64) for o in session.run(None, {x.name: points})])
    difference = max(float(np.max(np.abs(a - b))) for a, b in zip(*outputs))
    scale = max(float(np.max(np.abs(a))) for a in outputs[0])
    print(json.dumps({"max_difference": difference, "scale": scale}))
    """

    static func make(_ file: String, _ arguments: [String], in folder: URL) throws {
        let python = try InteropPython.required()
        let made = try BuiltExecutable.run(URL(fileURLWithPath: python), [InteropPython.productFixtureScript, file] + arguments, in: folder)
        #expect(made.status == 0, "\(made.stderr)")
    }

    static func number(_ value: JSONValue?) -> Double? {
        if case .number(let text)? = value { return Double(text) }
        return nil
    }

    @Test("Two quadratic blocks separated by a ReLU compress to fewer parameters and the same outputs in onnxruntime (issue 26's done-when)",
          arguments: [[], ["--float64"], ["--integer", "--exact"]])
    func twoBlocks(_ options: [String]) throws {
        let python = try InteropPython.required()
        let folder = try interopScratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.make("model.onnx", ["--style", "two-block", "--inputs", "8", "--neurons", "16", "--outputs", "3", "--rank", "2"]
                      + options.filter { $0 == "--integer" }, in: folder)
        let flags = options.filter { $0 != "--integer" }
        let run = try BuiltExecutable.quadform(["compress", "model.onnx", "small.onnx", "--format", "json", "--output", "r.json"] + flags, in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("wrote r.json: the JSON report, verdict PASSED") && run.stdout.contains("wrote small.onnx: the compressed model, parameters"), "\(run.stdout)")
        let report = try JSONReader.parseFile(folder.appendingPathComponent("r.json").path)
        #expect(report["input"] == .string("model.onnx") && report["output"] == .string("small.onnx"))
        #expect(report["verdict"] == .string("PASSED"))
        let before = try #require(Self.number(report["parameters_before"])), after = try #require(Self.number(report["parameters_after"]))
        #expect(after < before)
        guard case .array(let blocks)? = report["blocks"] else { Issue.record("no blocks"); return }
        #expect(blocks.count == 2)
        #expect(blocks.map { $0["input_tensor"] } == [.string("x"), .string("/relu/Relu_output_0")])
        #expect(blocks.map { $0["output_tensor"] } == [.string("block1.out/Gemm_output_0"), .string("output")])
        for block in blocks {
            #expect(block["verdict"] == .string("PASSED"))
            for key in ["inputs", "outputs", "width_before", "width_after", "parameters_before", "parameters_after", "lower_bound", "max_error", "scale"] {
                #expect(Self.number(block[key]) != nil, "\(key)")
            }
            #expect(Self.number(block["parameters_after"])! < Self.number(block["parameters_before"])!)
            #expect(Self.number(block["width_after"])! >= Self.number(block["lower_bound"])!)
            if case .bool(let minimal)? = block["minimal"] {
                #expect(minimal == (Self.number(block["width_after"]) == Self.number(block["lower_bound"])))
            } else {
                Issue.record("minimal is not a Bool")
            }
        }
        #expect(report["precision"] == .string(flags.contains("--float64") ? "float64" : "float32"))
        // The same outputs in onnxruntime, within float32's τ = 1e-4 of their scale (the models
        // compute in float32, so evaluation rounding is in the difference too).
        let compared = try InteropPython.run(python, script: Self.compare, ["model.onnx", "small.onnx"], in: folder)
        let result = try JSONReader.parse(compared.stdout)
        let difference = try #require(Self.number(result["max_difference"])), scale = try #require(Self.number(result["scale"]))
        #expect(scale > 0)
        #expect(difference <= Verifier.defaultFloat32Accuracy * scale, "difference \(difference), scale \(scale)")
    }

    @Test("The text report names each block, its width and parameters before → after, and the verdict")
    func text() throws {
        let folder = try interopScratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.make("fan.onnx", ["--style", "fan", "--inputs", "8", "--neurons", "16", "--rank", "4"], in: folder)
        let run = try BuiltExecutable.quadform(["compress", "fan.onnx", "small.onnx", "--quiet"], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        // Before: W_r, W_g, W_b (h × n) with their biases, and the output Linear (h + 1); after: U
        // (k × n), W (1 × k), c and the skip (n): the hidden layer has no bias.
        let (n, h, k) = (8, 16, 4)
        let before = 3 * (h * n + h) + h + 1, after = k * n + k + 1 + n
        #expect(run.stdout.hasPrefix("fan.onnx → small.onnx: 1 quadratic block compressed, parameters \(before) → \(after) (float32)\nblock 1: x → output, \(n) inputs, 1 output, 8 nodes replaced\n  width \(h + n) → \(k) square neurons + linear skip, parameters \(before) → \(after)\n  output ranks \(k); lower bound \(k) (minimal)"), "\(run.stdout)")
        #expect(run.stdout.hasSuffix("verdict: PASSED\n"))
    }

    @Test("Bad input: a file that is not ONNX, a wrong extension; nothing is written")
    func badInput() throws {
        let folder = try interopScratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("not a model".utf8).write(to: folder.appendingPathComponent("bad.onnx"))
        for (arguments, fragment) in [(["compress", "bad.onnx", "out.onnx"], "bad.onnx: not an ONNX model"),
                                      (["compress", "bad.onnx", "out.json"], "compress reads and writes .onnx models; got 'out.json'")] {
            let run = try BuiltExecutable.quadform(arguments, in: folder)
            #expect(run.status == 2)
            #expect(run.stderr.contains(fragment), "\(run.stderr)")
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out.onnx").path))
        }
    }
}
