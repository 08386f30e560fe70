import Foundation
import Testing
import ONNXProto
import QuadFormCore
@testable import QuadFormInterop

/// `ModelCompression` (design.md §10): quadratic blocks found between ReLUs, replaced by square
/// neurons and a linear skip, every other node kept, checked against the blocks' exact forms.
@Suite("Compress: quadratic blocks of ONNX models")
struct ModelCompressionTests {
    typealias Integers = ProductNeuronTests.Integers

    /// x → Fan layer (h products, rank ≤ `rank`) → Linear(h, middle) → ReLU → (W₁z)∘(W₂z) + W₃z
    /// → Linear(h, outputs): two quadratic blocks separated by a ReLU; returns the model, the
    /// first block's output tensor and the ReLU's.
    static func twoBlocks(inputs n: Int, neurons h: Int, middle: Int, outputs: Int, rank: Int, float32: Bool) throws -> (Data, String, String) {
        var r = Integers(seed: 5)
        let basis = r.matrix(rank, n)
        let wr = ProductNeuronTests.product(r.matrix(h, rank, -2...2), basis), wg = ProductNeuronTests.product(r.matrix(h, rank, -2...2), basis)
        var g = ProductGraphBuilder(inputs: n, float32: float32)
        let product = g.node("Mul", [g.linear("x", wr, r.vector(h)), g.linear("x", wg, r.vector(h))], name: "/block1/Mul")
        let first = g.linear(product, r.matrix(middle, h, -2...2), r.vector(middle))
        let relu = g.node("Relu", [first], name: "/relu")
        // W₁ and W₂ with rows on the same `rank` directions of the ReLU's output (stored transposed).
        let directions = r.matrix(rank, middle)
        let transposed = { (w: [[Double]]) in (0..<middle).map { j in w.map { $0[j] } }.flatMap { $0 } }
        let w1 = ProductNeuronTests.product(r.matrix(h, rank, -2...2), directions), w2 = ProductNeuronTests.product(r.matrix(h, rank, -2...2), directions)
        let a = g.node("MatMul", [relu, g.tensor([middle, h], transposed(w1))])
        let b = g.node("MatMul", [relu, g.tensor([middle, h], transposed(w2))])
        let c = g.node("MatMul", [relu, g.tensor([middle, h], r.matrix(middle, h).flatMap { $0 })])
        let second = g.node("Add", [g.node("Mul", [a, b], name: "/block2/Mul"), c])
        let y = g.linear(second, r.matrix(outputs, h, -2...2), r.vector(outputs))
        return (try g.model(output: y, columns: outputs), first, relu)
    }

    @Test("Two quadratic blocks separated by a ReLU: both found, compressed to fewer parameters, every block and the model PASSED", arguments: [false, true])
    func twoBlocksCompress(float32: Bool) throws {
        let (data, firstOutput, relu) = try Self.twoBlocks(inputs: 6, neurons: 10, middle: 4, outputs: 3, rank: 2, float32: float32)
        let original = try Onnx_ModelProto(serializedBytes: data)
        let compression = try ModelCompression(data: data, path: "two.onnx")
        #expect(compression.blocks.map(\.block.input) == ["x", relu])
        #expect(compression.blocks.map(\.block.output) == [firstOutput, original.graph.output[0].name])
        #expect(compression.blocks.map(\.block.productWidth) == [10, 10])
        #expect(compression.blocks.allSatisfy { $0.status == .passed })
        #expect(compression.skipped.isEmpty)
        #expect(compression.modelCheck.notEvaluated == nil && compression.modelCheck.points > 0)
        #expect(compression.modelCheck.status == .passed)
        #expect(compression.parametersAfter < compression.parametersBefore)
        #expect(compression.precision == (float32 ? .float32 : .float64))
        // Both blocks: 3 outputs, each of rank ≤ 2 (their products lie on the span of 2 directions).
        #expect(compression.blocks[0].ranks.allSatisfy { $0 <= 2 } && compression.blocks[1].ranks.allSatisfy { $0 <= 2 })
        for block in compression.blocks {
            #expect(block.lowerBound >= block.ranks.max()! && block.widthAfter >= block.lowerBound)
            #expect(block.minimal == (block.widthAfter == block.lowerBound))
            #expect(block.parametersAfter < block.block.parameters)
        }
        let compressed = try Onnx_ModelProto(serializedBytes: compression.data)
        // The ReLU stays as it was, between the two spliced blocks; the graph's input and output are kept.
        #expect(compressed.graph.node.filter { $0.opType == "Relu" } == original.graph.node.filter { $0.opType == "Relu" })
        #expect(compressed.graph.input == original.graph.input && compressed.graph.output == original.graph.output)
        let floatType = Int32((float32 ? Onnx_TensorProto.DataType.float : .double).rawValue)
        #expect(compressed.graph.initializer.allSatisfy { $0.dataType == floatType })
        #expect(ModelCompression.parameterCount(compressed.graph) == compression.parametersAfter)
        // Each block's spliced network against the block's exact form, both read back from the graphs.
        for compressedBlock in compression.blocks {
            let block = compressedBlock.block
            let before = try Self.exactForms(of: block, in: original.graph)
            let after = QuadraticBlockFinder.blocks(of: compressed.graph).first { $0.output == block.output }
            let spliced = try #require(after)
            #expect(spliced.productWidth == compressedBlock.network.hiddenNeurons)
            let written = try Self.exactForms(of: spliced, in: compressed.graph)
            for (f, g) in zip(before, written) {
                let tolerance = (float32 ? 1e-4 : 1e-10) * ModelCompression.largestCoefficient(f)
                #expect(ModelCompression.largestDifference(f, g) <= tolerance)
            }
        }
    }

    /// Each output's exact form of a block, traced from its subgraph.
    static func exactForms(of block: QuadraticBlock, in graph: Onnx_GraphProto) throws -> [ExactForm] {
        var tracer = GraphTracer(path: "block", fileBytes: 1 << 30)
        let (name, value) = try tracer.trace(ModelCompression.subgraph(block, of: graph), member: block.output)
        let net = try tracer.network(output: value, outputName: name)
        return try (0..<net.outputWidth).map { try NetworkExtraction.exactForm(of: try net.singleOutput($0)) }
    }

    @Test("--exact: every block's form and shared layer exact; a float64 model's written weights within τ of the exact forms")
    func exact() throws {
        let (data, _, _) = try Self.twoBlocks(inputs: 5, neurons: 8, middle: 3, outputs: 2, rank: 2, float32: false)
        let compression = try ModelCompression(data: data, path: "two.onnx", options: CompressionOptions(exact: true))
        #expect(compression.blocks.count == 2)
        for block in compression.blocks {
            #expect(block.status == .passed)
            #expect(block.exactlyEqual != nil)
            #expect(block.maxError <= 1e-10 * block.scale)
        }
        #expect(compression.status == .passed)
    }

    @Test("--float64 widens a float32 model: every tensor and value DOUBLE, the same function")
    func widen() throws {
        let (data, _, _) = try Self.twoBlocks(inputs: 4, neurons: 6, middle: 3, outputs: 1, rank: 2, float32: true)
        let compression = try ModelCompression(data: data, path: "two.onnx", options: CompressionOptions(float64: true))
        let model = try Onnx_ModelProto(serializedBytes: compression.data)
        let double = Int32(Onnx_TensorProto.DataType.double.rawValue)
        #expect(compression.precision == .float64)
        #expect(model.graph.initializer.allSatisfy { $0.dataType == double })
        #expect((model.graph.input + model.graph.output).allSatisfy { $0.type.tensorType.elemType == double })
        #expect(compression.modelCheck.status == .passed && compression.modelCheck.notEvaluated == nil)
    }

    @Test("A degree-3 product is no block; its degree-2 part (a lone square layer) would not shrink, so the model is left as it was")
    func cubic() throws {
        var g = ProductGraphBuilder(inputs: 3, float32: false)
        let a = g.linear("x", [[1, 2, 0], [0, 1, -1]], [1, 0]), b = g.linear("x", [[1, 0, 1], [2, 1, 0]], nil)
        let square = g.node("Mul", [a, a])
        let cube = g.node("Mul", [square, b], name: "/cube")
        let y = g.linear(cube, [[1, -1]], nil)
        let data = try g.model(output: y, columns: 1)
        let compression = try ModelCompression(data: data, path: "cubic.onnx")
        #expect(compression.blocks.isEmpty)
        #expect(compression.skipped.map(\.block.output) == [square])
        #expect(compression.skipped.first?.reason.contains("not fewer than its 8") == true, "\(compression.skipped)")
        #expect(compression.parametersAfter == compression.parametersBefore)
        #expect(try Onnx_ModelProto(serializedBytes: compression.data).graph == Onnx_ModelProto(serializedBytes: data).graph)
        #expect(compression.modelCheck.maxError == 0)
    }

    @Test("A Π-net block with three outputs and a residual Add on the ReLU's output compresses in place")
    func piNetThreeOutputs() throws {
        var r = Integers(seed: 9)
        let (n, h) = (5, 16)
        var g = ProductGraphBuilder(inputs: n, float32: false)
        let t = g.node("Relu", [g.linear("x", r.matrix(n, n), r.vector(n))], name: "/relu")
        // U₁ and U₂ with rows on 2 directions: each output has rank ≤ 2, so the block shrinks.
        let basis = r.matrix(2, n)
        let x1 = g.linear(t, ProductNeuronTests.product(r.matrix(h, 2), basis), nil), x2 = g.linear(t, ProductNeuronTests.product(r.matrix(h, 2), basis), nil)
        let block = g.node("Add", [g.node("Mul", [x2, x1]), x1])
        let y = g.node("Add", [g.linear(block, r.matrix(3, h), r.vector(3)), g.linear(t, r.matrix(3, n), nil)])
        let data = try g.model(output: y, columns: 3)
        let compression = try ModelCompression(data: data, path: "pinet.onnx")
        #expect(compression.blocks.count == 1)
        let only = try #require(compression.blocks.first)
        #expect(only.block.input == t && only.block.output == y)
        #expect(only.block.outputWidth == 3 && only.block.inputWidth == n)
        #expect(only.status == .passed && compression.modelCheck.status == .passed)
        #expect(only.widthAfter <= only.ranks.reduce(0, +))
    }

    @Test("--exact on products whose a ± b rounds: the block's exact forms are the stored factors' (design.md §10)")
    func exactRoundedProducts() throws {
        var g = ProductGraphBuilder(inputs: 3, float32: false)
        let a = g.linear("x", [[1, 0, 3], [0.1, 2, 0]], [0.5, 0]), b = g.linear("x", [[1e-30, 1, 0], [3, 0.3, 1]], nil)
        let y = g.linear(g.node("Mul", [a, b]), [[1, -2]], [0.25])
        let data = try g.model(output: y, columns: 1)
        let compression = try ModelCompression(data: data, path: "r.onnx", options: CompressionOptions(exact: true))
        let block = try #require(compression.blocks.first)
        #expect(block.status == .passed && block.maxError <= 1e-10 * block.scale)
        var tracer = GraphTracer(path: "r.onnx", fileBytes: data.count)
        let (name, value) = try tracer.trace(try Onnx_ModelProto(serializedBytes: data).graph, member: nil)
        #expect(!tracer.roundedProducts.isEmpty && name == y)
        let forms = try #require(try tracer.exactForms(of: value))
        var terms = ProductTerms(inputs: 3)
        terms.terms = [.init(weight: 1, u: [1, 0, 3], uShift: 0.5, v: [1e-30, 1, 0], vShift: 0),
                       .init(weight: -2, u: [0.1, 2, 0], uShift: 0, v: [3, 0.3, 1], vShift: 0)]
        terms.constant = 0.25
        let expected = try terms.exactForm()
        #expect(forms.map(\.symmetricMatrix) == [expected.symmetricMatrix])
        #expect(forms.map(\.linear) == [expected.linear] && forms.map(\.constant) == [expected.constant])
    }

    @Test("A side branch of the same input (x → Linear → ReLU, added to the product block's output) stays; the block is still found")
    func sideBranch() throws {
        var r = Integers(seed: 13)
        let (n, h) = (4, 12)
        var g = ProductGraphBuilder(inputs: n, float32: true)
        let branch = g.linear(g.node("Relu", [g.linear("x", r.matrix(2, n), r.vector(2))], name: "/branch/relu"), r.matrix(2, 2), nil)
        let basis = r.matrix(2, n)
        let product = g.node("Mul", [g.linear("x", ProductNeuronTests.product(r.matrix(h, 2), basis), r.vector(h)),
                                     g.linear("x", ProductNeuronTests.product(r.matrix(h, 2), basis), nil)], name: "/fan/Mul")
        let block = g.linear(product, r.matrix(2, h), r.vector(2))
        let y = g.node("Add", [block, branch], name: "/sum")
        let data = try g.model(output: y, columns: 2)
        let compression = try ModelCompression(data: data, path: "branch.onnx")
        #expect(compression.blocks.map(\.block.input) == ["x"])
        #expect(compression.blocks.map(\.block.output) == [block])
        #expect(compression.status == .passed && compression.modelCheck.notEvaluated == nil)
        let compressed = try Onnx_ModelProto(serializedBytes: compression.data)
        #expect(compressed.graph.node.contains { $0.name == "/branch/relu" } && compressed.graph.node.contains { $0.name == "/sum" })
        #expect(!compressed.graph.node.contains { $0.name == "/fan/Mul" })
    }

    @Test("BatchNormalization (inference) is affine: inside a block it is traced, after a ReLU it ends nothing; LayerNormalization is a block boundary; the model check evaluates both")
    func normalisations() throws {
        var r = Integers(seed: 21)
        let (n, h) = (4, 12)
        var g = ProductGraphBuilder(inputs: n, float32: false)
        func batchNorm(_ x: String, _ width: Int) -> String {
            let parameters = [r.vector(width, 1...3), r.vector(width), r.vector(width), r.vector(width, 1...4)].map { g.tensor([width], $0) }
            return g.node("BatchNormalization", [x] + parameters)
        }
        let normalized = batchNorm(g.linear("x", r.matrix(n, n), r.vector(n)), n)
        let basis = r.matrix(2, n)
        let product = g.node("Mul", [g.linear(normalized, ProductNeuronTests.product(r.matrix(h, 2), basis), nil),
                                     g.linear(normalized, ProductNeuronTests.product(r.matrix(h, 2), basis), nil)], name: "/block/Mul")
        let block = g.linear(product, r.matrix(2, h), r.vector(2))
        let layerNorm = g.node("LayerNormalization", [block, g.tensor([2], [1, 2]), g.tensor([2], [0, 1])], name: "/ln")
        let y = g.linear(layerNorm, [[1, -1]], nil)
        let data = try g.model(output: y, columns: 1)
        let compression = try ModelCompression(data: data, path: "norm.onnx")
        #expect(compression.blocks.map(\.block.input) == ["x"] && compression.blocks.map(\.block.output) == [block])
        let only = try #require(compression.blocks.first)
        let original = try Onnx_ModelProto(serializedBytes: data)
        #expect(only.block.nodes.contains { original.graph.node[$0].opType == "BatchNormalization" })
        #expect(only.status == .passed)
        #expect(compression.modelCheck.notEvaluated == nil && compression.modelCheck.status == .passed, "\(compression.modelCheck)")
        #expect(try Onnx_ModelProto(serializedBytes: compression.data).graph.node.contains { $0.name == "/ln" })
    }
}
