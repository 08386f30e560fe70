import Foundation
import Testing
@testable import QuadFormCore
@testable import QuadFormInterop

/// `quadform extract` on quadratic layers with several outputs (issue 26, design.md §9): ONNX files
/// written the way torch.onnx.export writes Linear → x*x → Linear(m, 3) + Linear skip
/// (Tests/Fixtures/multi_output_onnx.py), with a planted dimension of Σ range(A_i).
@Suite("extract: several outputs")
struct MultiOutputExtractTests {
    static let fixture = BuiltExecutable.packageRoot.appendingPathComponent("Tests/Fixtures/multi_output_onnx.py").path

    /// Runs the original and the saved model in onnxruntime on the same random inputs and
    /// returns both outputs (rows of m values).
    static let compareScript = """
    import sys, numpy as np, onnx, onnxruntime as ort
    original, saved = sys.argv[1], sys.argv[2]
    onnx.checker.check_model(onnx.load(saved), full_check=True)
    a = ort.InferenceSession(original, providers=["CPUExecutionProvider"])
    b = ort.InferenceSession(saved, providers=["CPUExecutionProvider"])
    n = a.get_inputs()[0].shape[1]
    x = np.random.default_rng(12).uniform(-2, 2, size=(256, n))
    np.save("original.ort.npy", a.run(None, {"x": x})[0])
    np.save("saved.ort.npy", b.run(None, {"x": x})[0])
    print("ok", [o.name for o in b.get_outputs()])
    """

    @Test("A 3-output float64 layer (10 inputs, 20 neurons, planted rank 4): every output's rank, d = 4, a shared layer between the bound and Σk_i, and the saved network equals the original in onnxruntime to 1e-9 relative")
    func threeOutputs() throws {
        let python = try InteropPython.required()
        let folder = try interopScratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let made = try BuiltExecutable.run(URL(fileURLWithPath: python), [Self.fixture, "layer.onnx", "--inputs", "10", "--neurons", "20", "--outputs", "3", "--rank", "4"], in: folder)
        #expect(made.status == 0, "\(made.stderr)")
        let run = try BuiltExecutable.quadform(["extract", "layer.onnx", "--format", "json", "--output", "r.json", "--save-networks", "shared.onnx"], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONReader.parseFile(folder.appendingPathComponent("r.json").path)
        #expect(report["passed"] == .bool(true))
        #expect(report["outputs_count"] == .number("3"))
        #expect(report["original"]?["widths"] == .array([.number("10"), .number("20"), .number("3")]))
        guard case .array(let outputs)? = report["outputs"] else { Issue.record("no outputs in \(report)"); return }
        #expect(outputs.count == 3)
        for output in outputs {
            #expect(output["rank"] == .number("4"))
            #expect(output["residual_neurons"] == .number("4"))
            #expect(output["passed"] == .bool(true))
        }
        let layer = report["shared_layer"]
        #expect(layer?["range_dimension"] == .number("4"))
        #expect(layer?["span_dimension"] == .number("3"))
        #expect(layer?["passed"] == .bool(true))
        guard case .number(let w)? = layer?["width"], let width = Int(w), case .number(let b)? = layer?["lower_bound"], let bound = Int(b) else {
            Issue.record("no width or bound in \(String(describing: layer))"); return
        }
        #expect(bound == 4 && bound <= width && width <= 12)
        #expect(layer?["minimal"] == .bool(width == bound))
        let saved = try NetworkFile.read(folder.appendingPathComponent("shared.onnx").path)
        #expect(saved.network.widths == [10, width, 3])
        #expect(saved.precision == .float64)

        let compared = try InteropPython.run(python, script: Self.compareScript, ["layer.onnx", "shared.onnx"], in: folder)
        #expect(compared.stdout.hasPrefix("ok ['residual']"), "\(compared.stdout)")
        let original = try Npy.read(folder.appendingPathComponent("original.ort.npy").path)
        let shared = try Npy.read(folder.appendingPathComponent("saved.ort.npy").path)
        #expect(original.shape == [256, 3] && shared.shape == [256, 3])
        guard original.values.count == shared.values.count else { return }
        // 1e-9 relative; where an output cancels to 0, relative to that output's scale on the batch
        // at rounding level (1e-15 of its largest value).
        for column in 0..<3 {
            let values = stride(from: column, to: original.values.count, by: 3)
            let scale = values.reduce(0) { max($0, abs(original.values[$1])) }
            for index in values {
                let (a, g) = (original.values[index], shared.values[index])
                #expect(abs(a - g) <= 1e-9 * max(abs(a), abs(g)) + 1e-15 * scale, "output \(column + 1): onnxruntime original \(a), shared \(g)")
            }
        }
    }

    @Test("Text report: the headline, each output and the shared layer with its bound")
    func textReport() throws {
        let python = try InteropPython.required()
        let folder = try interopScratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let made = try BuiltExecutable.run(URL(fileURLWithPath: python), [Self.fixture, "layer.onnx", "--inputs", "6", "--neurons", "12", "--outputs", "4", "--rank", "2"], in: folder)
        #expect(made.status == 0, "\(made.stderr)")
        let run = try BuiltExecutable.quadform(["extract", "layer.onnx"], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("layer.onnx: 12 square neurons, l = (6, 12, 4), linear skip, float64 weights\nit computes 4 quadratics of ranks 2, 2, 2, 2\n"), "\(run.stdout)")
        // d = 2 and s = min(4, 3) = 3: no layer of 2 neurons exists; the pair basis has 3.
        #expect(run.stdout.contains("lower bound 3 = max(dim Σ range(A_i) = 2, dim span{A_i} = 3)"), "\(run.stdout)")
        #expect(run.stdout.contains("K = 3 square neurons for all 4 outputs"), "\(run.stdout)")
        #expect(run.stdout.contains("minimal: yes"), "\(run.stdout)")
        for i in 1...4 { #expect(run.stdout.contains("output \(i)"), "\(run.stdout)") }
    }

    @Test("float32 weights: float32's ε sets each output's rank tolerance and the ranks are the planted ones; --float32 saves FLOAT tensors")
    func float32Weights() throws {
        let python = try InteropPython.required()
        let folder = try interopScratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let made = try BuiltExecutable.run(URL(fileURLWithPath: python), [Self.fixture, "layer.onnx", "--float32", "--rank", "3"], in: folder)
        #expect(made.status == 0, "\(made.stderr)")
        let run = try BuiltExecutable.quadform(["extract", "layer.onnx", "--format", "json", "--save-networks", "small.onnx", "--float32"], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONReader.parse(run.stdout)
        #expect(report["original"]?["precision"] == .string("float32"))
        #expect(report["shared_layer"]?["range_dimension"] == .number("3"))
        guard case .array(let outputs)? = report["outputs"] else { Issue.record("no outputs"); return }
        #expect(outputs.map { $0["rank"] } == [.number("3"), .number("3"), .number("3")])
        #expect(outputs.allSatisfy { $0["synthesis"]?["rank_tolerance_rule"] == .string("max(n,1)*eps32*max(|A|_F, max sum|w||u||u|^T)") })
        #expect(try NetworkFile.read(folder.appendingPathComponent("small.onnx").path).precision == .float32)
    }

    @Test("--exact on integer weights: exact bounds, every output of the shared network equal to its form, the network saved")
    func exact() throws {
        let python = try InteropPython.required()
        let folder = try interopScratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let made = try BuiltExecutable.run(URL(fileURLWithPath: python), [Self.fixture, "layer.onnx", "--integer", "--inputs", "5", "--neurons", "8", "--rank", "2"], in: folder)
        #expect(made.status == 0, "\(made.stderr)")
        let run = try BuiltExecutable.quadform(["extract", "layer.onnx", "--exact", "--format", "json", "--save-networks", "shared.json"], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONReader.parse(run.stdout)
        #expect(report["passed"] == .bool(true))
        #expect(report["exact"] == .bool(true))
        #expect(report["shared_layer"]?["range_dimension"] == .number("2"))
        #expect(report["shared_layer"]?["span_dimension"] == .number("3"))
        #expect(report["shared_layer"]?["outputs_equal"] == .array([.bool(true), .bool(true), .bool(true)]))
        #expect(report["original"]?["exact_agreement"] == .bool(true))
        let saved = try NetworkFile.read(folder.appendingPathComponent("shared.json").path)
        #expect(saved.network.outputWidth == 3 && saved.network.inputWidth == 5)
    }
}
