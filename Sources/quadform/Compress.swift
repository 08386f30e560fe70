import ArgumentParser
import Foundation
import QuadFormCore
import QuadFormReports
import QuadFormInterop
import TerminalProgress

struct Compress: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replace every quadratic block of an ONNX model by square neurons and a linear skip.",
        discussion: """
        A quadratic block is the subgraph from a tensor t (the input, or the output of a ReLU, a \
        normalisation or any node that is not a polynomial of its input) to a tensor y that is a \
        polynomial of degree 2 in t: product neurons (W_r t + b_r)∘(W_g t + b_g) + W_b(t∘t), \
        QuadraLib's and Π-net's layers, Linear → x*x → Linear. Each maximal block is traced to its \
        m-output quadratic map, synthesized as one shared hidden layer of square neurons with a \
        linear skip (design.md §9, §10), checked against the map (design.md §5; --exact: exactly) \
        and spliced in place of its nodes; every other node stays as it was. The whole original \
        and compressed models are then compared at random points. A float32 model stays float32 \
        unless --float64.

        Exit status: 0 every check passed, 1 a check failed (OUT is written, and the report says \
        which), 2 bad input (nothing written).

        Examples:
          quadform compress model.onnx small.onnx
          quadform compress model.onnx small.onnx --format json --output report.json
          quadform compress model.onnx small.onnx --exact --float64
        """
    )

    @Argument(help: ArgumentHelp("The ONNX model.", valueName: "in.onnx"))
    var input: String

    @Argument(help: ArgumentHelp("Where to write the compressed model (atomically).", valueName: "out.onnx"))
    var outputModel: String

    @Flag(help: "Exact rational extraction and synthesis of every block (design.md §4); each block checked to equal its form exactly.")
    var exact = false

    @Flag(name: .customLong("float64"), help: "Write a float32 model as float64 (every FLOAT tensor and value becomes DOUBLE).")
    var float64 = false

    @Option(name: .customLong("rank-tolerance"), parsing: .unconditional,
            help: ArgumentHelp("Absolute rank tolerance for every output (default as for extract: from the weights' precision).", valueName: "t"))
    var rankTolerance: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Radius R of the verification box [−R, R]^n (blocks and the whole model).", valueName: "R"))
    var box: Double = 1

    @Option(parsing: .unconditional,
            help: ArgumentHelp("The accuracy τ relative to the scale (default \(Verifier.defaultAccuracy) for float64 models, \(Verifier.defaultFloat32Accuracy) for float32; design.md §5).", valueName: "τ"))
    var accuracy: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Random sample points per block check and for the whole-model comparison.", valueName: "count"))
    var samples: Int = 32

    @OptionGroup var report: ReportOutput

    func validate() throws {
        if !(box > 0 && box.isFinite) { throw ValidationError("--box must be a finite number > 0, got \(box)") }
        if samples < 0 || samples > 100_000 { throw ValidationError("--samples must be between 0 and 100000, got \(samples)") }
        if let t = rankTolerance, !(t >= 0 && t.isFinite) { throw ValidationError("--rank-tolerance must be a finite number ≥ 0, got \(t)") }
        try EigenOptions.validate(accuracy: accuracy)
        if exact && rankTolerance != nil { throw ValidationError("--exact computes the rank exactly; --rank-tolerance does not apply") }
        for path in [input, outputModel] where URL(fileURLWithPath: path).pathExtension.lowercased() != "onnx" {
            throw ValidationError("compress reads and writes .onnx models; got '\(path)'")
        }
    }

    func run() throws {
        try ProgressLine.run(progressLine(quiet: report.quiet)) { try runStages() }
    }

    func runStages() throws {
        stage("read and compress \(input)")
        let synthesis = SynthesisOptions(rankTolerance: rankTolerance, boxRadius: box, randomSamples: samples, accuracy: accuracy)
        let compression = try ModelCompression(path: input, options: CompressionOptions(exact: exact, float64: float64, synthesis: synthesis, modelSamples: samples))
        let result = CompressionReport(compression: compression, output: outputModel)
        let data: Data
        switch report.format {
        case .text: data = Data(result.text.utf8)
        case .json: data = Data(JSONWriter.write(result.json).utf8)
        }
        stage("write \(outputModel)")
        try OutputFile.write(compression.data, to: outputModel)
        if report.output == nil { finishProgress() } else { stage("write \(report.output!)") }
        try emit(data, to: report.output)
        let what = (report.format == .json ? "the JSON report" : "the report") + ", verdict \(compression.status.rawValue)"
        if let output = report.output { try announceWritten(output, what, reportOnStandardOutput: false, quiet: report.quiet) }
        try announceWritten(outputModel, "the compressed model, parameters \(compression.parametersBefore) → \(compression.parametersAfter)",
                            reportOnStandardOutput: report.output == nil, quiet: report.quiet)
        if compression.status != .passed {
            throw CheckFailed(message: "wrote \(outputModel), but its check is \(compression.status.rawValue) (see the report)")
        }
    }
}
