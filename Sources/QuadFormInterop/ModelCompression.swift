import QuadFormCore
import Foundation
import ONNXProto
import SwiftProtobuf

/// How `quadform compress` works (design.md §10).
public struct CompressionOptions: Sendable {
    /// Exact rational extraction and synthesis of every block (design.md §4); each block's
    /// written network is then checked to compute its form exactly.
    public var exact: Bool
    /// Widen a float32 model to float64 (every FLOAT tensor and value becomes DOUBLE).
    public var float64: Bool
    /// Rank tolerance, accuracy τ, verification box and samples, seed (as for `extract`).
    public var synthesis: SynthesisOptions
    /// Random points at which the whole original and compressed models are compared.
    public var modelSamples: Int

    /// Floating mode, the model's own precision, `extract`'s defaults, 32 model points.
    public init(exact: Bool = false, float64: Bool = false, synthesis: SynthesisOptions = SynthesisOptions(), modelSamples: Int = 32) {
        self.exact = exact
        self.float64 = float64
        self.synthesis = synthesis
        self.modelSamples = modelSamples
    }
}

/// Why a model cannot be compressed.
public struct CompressionError: Error, Equatable, CustomStringConvertible {
    /// The file.
    public let path: String
    /// What is wrong, and where.
    public let message: String

    /// An error about `path`.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// One block compressed: what it was, the network that replaced it, and its check.
public struct CompressedBlock: Sendable {
    /// The block as found in the original graph.
    public let block: QuadraticBlock
    /// The network spliced in (n, K, m), with the weights as written (rounded to float32 for a
    /// float32 model).
    public let network: ResNet
    /// Parameters of the spliced nodes (zero biases and a zero skip are not written).
    public let parametersAfter: Int
    /// The proved lower bound on the width of any shared hidden layer computing the block.
    public let lowerBound: Int
    /// Whether `network`'s width meets `lowerBound`.
    public let minimal: Bool
    /// The rank of each output's form.
    public let ranks: [Int]
    /// How the shared layer was built (per output, joint eigenbasis, …).
    public let construction: String
    /// The worst verdict of the written network's outputs against their forms, and of the
    /// original block against them (design.md §5; exact equality with `exact`).
    public let status: VerificationStatus
    /// The largest error of the written network's outputs at the scale of the verification box:
    /// a coefficient's error bound, or a sample's error divided by max(1, ‖x‖∞/R)² (design.md §5);
    /// with `exact`, the largest coefficient difference.
    public let maxError: Double
    /// The scale `maxError` is relative to (the largest of the outputs' scales; PASSED needs
    /// `maxError ≤ τ·scale` for each output).
    public let scale: Double
    /// With `exact`: whether the written weights compute every output's form exactly (the exact
    /// shared layer always does; its rounding to the model's precision may not). nil otherwise.
    public let exactlyEqual: Bool?

    /// The width of the spliced hidden layer.
    public var widthAfter: Int { network.hiddenNeurons }
}

/// `quadform compress` (design.md §10): every maximal quadratic block of an ONNX model replaced
/// by its shared-layer residual network (square neurons + linear skip), each block checked against
/// its form, and the whole model compared with the original at random points.
public struct ModelCompression: Sendable {
    /// The file read.
    public let input: String
    /// The compressed model's bytes (written by the caller, atomically).
    public let data: Data
    /// The blocks compressed, in graph order.
    public let blocks: [CompressedBlock]
    /// Blocks left as they were, with the reason: a trace that failed, or a compressed block with
    /// no fewer parameters than the original (a lone square layer, say).
    public let skipped: [(block: QuadraticBlock, reason: String)]
    /// Weights and biases of the whole model (every float constant) before.
    public let parametersBefore: Int
    /// And after.
    public let parametersAfter: Int
    /// The whole models compared (`ONNXGraphEvaluator`).
    public let modelCheck: ModelCheck
    /// The precision of the written model.
    public let precision: WeightPrecision

    /// The original and compressed models evaluated at the same random points (design.md §10).
    public struct ModelCheck: Sendable {
        /// Points compared (0 when the graph could not be evaluated).
        public let points: Int
        /// Largest |original − compressed| over the outputs and points.
        public let maxError: Double
        /// Largest |original| over the outputs and points.
        public let scale: Double
        /// The accuracy τ the difference is held to, relative to `scale`.
        public let accuracy: Double
        /// Why the models were not evaluated, when they were not.
        public let notEvaluated: String?
        /// PASSED when the difference is within τ·scale.
        public var status: VerificationStatus {
            notEvaluated != nil || maxError <= accuracy * scale ? .passed : .failed
        }
    }

    /// The worst verdict of the blocks and the model check.
    public var status: VerificationStatus {
        blocks.map(\.status).reduce(modelCheck.status) { VerificationStatus.worse($0, $1) }
    }

    /// Reads the model at `path` and compresses it.
    public init(path: String, options: CompressionOptions = CompressionOptions()) throws {
        let data = try InputFile.readData(path)
        try self.init(data: data, path: path, options: options)
    }

    /// Compresses the model `data` (`path` names it in messages).
    public init(data: Data, path: String, options: CompressionOptions = CompressionOptions()) throws {
        func fail(_ message: String) -> CompressionError { CompressionError(path: path, message: message) }
        var model = try ONNXModel.decodeModel(data, fail: fail)
        let original = model
        let found = QuadraticBlockFinder.blocks(of: model.graph)
        if options.float64 { ModelCompression.widen(&model) }
        var compressed: [CompressedBlock] = []
        var skipped: [(QuadraticBlock, String)] = []
        var replacements: [(QuadraticBlock, ResNet)] = []
        let float32 = ModelCompression.isFloat32(model)
        for block in found {
            let result: CompressedBlock
            do {
                result = try ModelCompression.compress(block, graph: original.graph, path: path, fileBytes: data.count,
                                                       float32: float32, options: options)
            } catch let error as CompressionError {
                throw error
            } catch let error as NetworkFileError {
                skipped.append((block, error.message))
                continue
            } catch {
                skipped.append((block, "\(error)"))
                continue
            }
            guard result.parametersAfter < block.parameters else {
                skipped.append((block, "compressed, it would have \(result.parametersAfter) parameters, not fewer than its \(block.parameters)"))
                continue
            }
            compressed.append(result)
            replacements.append((block, result.network))
        }
        try ModelCompression.splice(replacements, into: &model, float32: float32)
        self.input = path
        self.blocks = compressed
        self.skipped = skipped
        self.data = try model.serializedData()
        self.parametersBefore = ModelCompression.parameterCount(original.graph)
        self.parametersAfter = ModelCompression.parameterCount(model.graph)
        self.precision = float32 ? .float32 : .float64
        let accuracy = Verifier.accuracy(for: ModelCompression.isFloat32(original) ? .float32 : .float64, given: options.synthesis.accuracy)
        self.modelCheck = ModelCompression.compareModels(original, model, options: options, accuracy: accuracy)
    }

    /// One block: traced from its input tensor to its output as an (n, ·, m) network, each
    /// output's form extracted, a shared layer synthesized and checked.
    static func compress(_ block: QuadraticBlock, graph: Onnx_GraphProto, path: String, fileBytes: Int,
                         float32: Bool, options: CompressionOptions) throws -> CompressedBlock {
        var tracer = GraphTracer(path: path, fileBytes: fileBytes)
        tracer.maximumDegree = 2
        let (name, value) = try tracer.trace(subgraph(block, of: graph), member: block.output)
        let net = try tracer.network(output: value, outputName: name)
        let singles = try (0..<net.outputWidth).map { try net.singleOutput($0) }
        let shared: ResNet, lowerBound: Int, minimal: Bool, ranks: [Int], construction: String
        var status = VerificationStatus.passed
        var maxError = 0.0, scale = 0.0
        var exactlyEqual: Bool?
        if options.exact {
            // From the trace: products with their own factors, whatever a ± b rounded to.
            guard let forms = try tracer.exactForms(of: value) else {
                throw CompressionError(path: path, message: "--exact: block \(block.input) → \(block.output) is not one layer of square neurons and products on its input")
            }
            let synthesis = try ExactSharedLayerSynthesis(forms: forms)
            shared = try rounded(try synthesis.network.resNet(), float32: float32)
            (lowerBound, minimal, ranks) = (synthesis.lowerBound, synthesis.isMinimal, synthesis.perOutput.map(\.rank))
            construction = synthesis.construction.rawValue
            // The exact shared layer equals every form (proved in rationals); its copy in the
            // model's precision is checked against the exact forms under the accuracy contract,
            // and said to be exactly equal when it is.
            var equal = synthesis.passed
            if !synthesis.passed { status = .failed }
            for (i, form) in forms.enumerated() {
                let single = try shared.singleOutput(i)
                let difference = ModelCompression.largestDifference(try NetworkExtraction.exactForm(of: single), form)
                if difference != 0 { equal = false }
                let check = try ModelCompression.roundedCheck(single, form: form, float32: float32, options: options.synthesis)
                maxError = max(maxError, difference)
                scale = max(scale, check.accuracy.scale)
                status = VerificationStatus.worse(status, check.status)
            }
            exactlyEqual = equal
        } else {
            let extracted: [NetworkExtraction.ExtractedForm] = try singles.map { single in
                let e = try NetworkExtraction.form(of: single)
                var form = e.form
                form.precision = tracer.lowestPrecision
                return NetworkExtraction.ExtractedForm(form: form, quadraticMagnitude: e.quadraticMagnitude, rankOneTerms: e.rankOneTerms)
            }
            let synthesis = try SharedLayerSynthesis(map: try QuadraticMap(outputs: extracted), options: options.synthesis)
            shared = try rounded(synthesis.network, float32: float32)
            (lowerBound, minimal, ranks) = (synthesis.lowerBound, synthesis.isMinimal, synthesis.perOutput.map(\.rank))
            construction = synthesis.construction.rawValue
            var checks = synthesis.verification
            if float32 {
                // The float32 weights written, checked again (their rounding is float32's).
                checks = try synthesis.perOutput.enumerated().map { i, s in
                    try Verifier(synthesis: s).check(try shared.singleOutput(i), name: "output \(i + 1)", points: Verifier.samplePoints(for: s))
                }
            }
            // The original block against the same forms: the extraction itself is checked.
            let originals = try synthesis.perOutput.enumerated().map { i, s in
                try Verifier(synthesis: s).check(singles[i], name: "original output \(i + 1)", points: Verifier.samplePoints(for: s))
            }
            // Errors at the scale of the box: coefficients (with what their measurement may hide) and
            // samples, each sample's error divided by max(1, ‖x‖∞/R)² (design.md §5).
            for check in checks {
                maxError = max(maxError, check.accuracy.coefficientErrorBound, check.accuracy.scaledSampleError * check.accuracy.scale)
                scale = max(scale, check.accuracy.scale)
            }
            status = (checks + originals).reduce(.passed) { VerificationStatus.worse($0, $1.status) }
        }
        return CompressedBlock(block: block, network: shared, parametersAfter: writtenParameters(shared), lowerBound: lowerBound,
                               minimal: minimal, ranks: ranks, construction: construction, status: status, maxError: maxError, scale: scale,
                               exactlyEqual: exactlyEqual)
    }

    /// The accuracy contract's check (design.md §5) of a written network against an exact form
    /// with its coefficients rounded once: the network's weights are rounded to float32 (a float32
    /// model) or Double, whose ε enters the rounding model and τ.
    static func roundedCheck(_ net: ResNet, form: ExactForm, float32: Bool, options: SynthesisOptions) throws -> NetworkCheck {
        let a = form.symmetricMatrix.doubleMatrix
        let precision: InputPrecision = float32 ? .float32 : .float64
        // ‖A‖_F ≥ max|λ| stands in for the spectral norm in the rounding model (no eigensolve).
        let subject = VerificationSubject(dimension: form.dimension, constant: form.constant.doubleValue, linear: form.linear.map(\.doubleValue),
                                          spectralNorm: a.frobeniusNorm, quadraticMaxEntry: a.maxAbsEntry, droppedEigenvalueSum: 0,
                                          unitRoundoff: precision.epsilon, accuracy: Verifier.accuracy(for: precision, given: options.accuracy),
                                          options: options, symmetricMatrix: a, residual: net, plain: net)
        return try Verifier(subject: subject).check(net, name: "block", points: Verifier.samplePoints(for: subject))
    }

    /// The block alone as a graph: its input tensor as the graph input, its nodes, the constants
    /// they read, its output tensor as the graph output.
    static func subgraph(_ block: QuadraticBlock, of graph: Onnx_GraphProto) -> Onnx_GraphProto {
        var g = Onnx_GraphProto()
        g.name = "block"
        let elementType = graph.input.first { $0.name == block.input }?.type.tensorType.elemType
            ?? graph.input.first?.type.tensorType.elemType ?? Int32(Onnx_TensorProto.DataType.float.rawValue)
        g.input = [ONNXModel.valueInfo(block.input, Onnx_TensorProto.DataType(rawValue: Int(elementType)) ?? .float, columns: block.inputWidth)]
        let nodes = block.nodes.map { graph.node[$0] }
        let read = Set(nodes.flatMap(\.input))
        g.initializer = graph.initializer.filter { read.contains($0.name) }
        g.node = graph.node.filter { $0.opType == "Constant" && $0.output.contains(where: read.contains) } + nodes
        g.output = [ONNXModel.valueInfo(block.output, .double, columns: block.outputWidth)]
        return g
    }

    /// The network with every weight rounded to float32 (for a float32 model); an error when a
    /// weight leaves float32's range.
    static func rounded(_ net: ResNet, float32: Bool) throws -> ResNet {
        guard float32 else { return net }
        func round(_ m: Matrix) -> Matrix { Matrix(rows: m.rows, columns: m.columns, entries: m.entries.map { Double(Float($0)) }) }
        let layers = net.layers.map { ResNet.Layer(weights: round($0.weights), bias: $0.bias.map { Double(Float($0)) }) }
        let skips = net.skips.map { ResNet.Skip(from: $0.from, to: $0.to, weights: round($0.weights)) }
        return try ResNet(widths: net.widths, activation: net.activation, layers: layers, skips: skips)
    }

    /// Parameters of the nodes `splice` writes for `net`: U (K × n), W (m × K), c (m), and the hidden
    /// bias and skip only when not zero.
    static func writtenParameters(_ net: ResNet) -> Int {
        let (n, k, m) = (net.inputWidth, net.hiddenNeurons, net.outputWidth)
        var count = k * n + m * k + m
        if net.layers[0].bias.contains(where: { $0 != 0 }) { count += k }
        if needsSkip(net) { count += m * n }
        return count
    }

    /// Whether the network's skip must be written (non-zero, or the only path from input to output).
    static func needsSkip(_ net: ResNet) -> Bool {
        net.hiddenNeurons == 0 || net.skips.contains { $0.weights.entries.contains { $0 != 0 } }
    }

    /// max |coefficient of f − coefficient of g|, as a Double.
    static func largestDifference(_ f: ExactForm, _ g: ExactForm) -> Double {
        var largest = abs((f.constant - g.constant).doubleValue)
        for (a, b) in zip(f.linear, g.linear) { largest = max(largest, abs((a - b).doubleValue)) }
        let (p, q) = (f.symmetricMatrix, g.symmetricMatrix)
        for i in 0..<p.rows { for j in 0..<p.columns { largest = max(largest, abs((p[i, j] - q[i, j]).doubleValue)) } }
        return largest
    }

    /// The largest |coefficient| of f (its scale for an exact comparison).
    static func largestCoefficient(_ f: ExactForm) -> Double {
        var largest = abs(f.constant.doubleValue)
        for a in f.linear { largest = max(largest, abs(a.doubleValue)) }
        let p = f.symmetricMatrix
        for i in 0..<p.rows { for j in 0..<p.columns { largest = max(largest, abs(p[i, j].doubleValue)) } }
        return largest
    }
}
