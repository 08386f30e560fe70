import Foundation
import Testing
@testable import QuadFormCore
@testable import QuadFormInterop

/// `quadform extract` on product-neuron networks written as torch.onnx.export writes them
/// (Tests/Fixtures/product_neuron_onnx.py; design.md §10).
@Suite("Interop: product-neuron ONNX")
struct ProductNeuronCommandTests {
    static func make(_ file: String, _ arguments: [String], in folder: URL) throws {
        let python = try InteropPython.required()
        let made = try BuiltExecutable.run(URL(fileURLWithPath: python), [InteropPython.productFixtureScript, file] + arguments, in: folder)
        #expect(made.status == 0, "\(made.stderr)")
    }

    @Test("A Fan-style network (n = 8, 16 product neurons, planted rank 4) extracts to rank 4 and a 4-neuron network (issue 26's done-when)",
          arguments: [["--style", "fan"], ["--style", "fan", "--float64"], ["--style", "pinet"]])
    func plantedRank(_ arguments: [String]) throws {
        let folder = try interopScratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.make("model.onnx", arguments + ["--inputs", "8", "--neurons", "16", "--rank", "4"], in: folder)
        let run = try BuiltExecutable.quadform(["extract", "model.onnx", "--format", "json", "--output", "r.json", "--save-networks", "small.onnx"], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONReader.parseFile(folder.appendingPathComponent("r.json").path)
        #expect(report["rank"] == .number("4"))
        #expect(report["passed"] == .bool(true))
        #expect(report["residual"]?["neurons"] == .number("4"))
        #expect(report["original"]?["precision"] == .string(arguments.contains("--float64") ? "float64" : "float32"))
        #expect(report["original"]?["verification"]?["passed"] == .bool(true))
        let small = try NetworkFile.read(folder.appendingPathComponent("small.onnx").path)
        #expect(small.network.hiddenNeurons == 4)
    }

    @Test("Integer weights: --exact proves rank 4 of a Fan network exactly")
    func exactFan() throws {
        let folder = try interopScratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.make("fan.onnx", ["--style", "fan", "--integer", "--rank", "4"], in: folder)
        let run = try BuiltExecutable.quadform(["extract", "fan.onnx", "--exact", "--format", "json"], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONReader.parse(run.stdout)
        #expect(report["rank"] == .number("4"))
        #expect(report["original"]?["exact_agreement"] == .bool(true))
        // The text says what the square neurons stand for: 16 products (2 each) and the 8 squares of x∘x.
        let text = try BuiltExecutable.quadform(["extract", "fan.onnx"], in: folder)
        let (n, h) = (8, 16)  // the fixture's default inputs and neurons
        #expect(text.stdout.hasPrefix("fan.onnx: \(2 * h + n) square neurons, l = (\(n), \(2 * h + n), 1) (\(h) products of two values, each read as two square neurons), no skip, float32 weights\nit computes a quadratic of rank 4\n"), "\(text.stdout)")
    }

    @Test("A degree-3 graph is refused, naming the node and its degree; nothing is written")
    func cubic() throws {
        let folder = try interopScratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.make("cubic.onnx", ["--style", "cubic"], in: folder)
        let run = try BuiltExecutable.quadform(["extract", "cubic.onnx", "--output", "r.txt"], in: folder)
        #expect(run.status == 2)
        #expect(run.stderr.contains("cubic.onnx: node 3 '/Mul_1' (Mul): computes a polynomial of degree 3 in the graph's input (a product of values of degree 2 and 1)"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("r.txt").path))
    }
}
