import ArgumentParser
import Foundation
import QuadFormCore
import QuadFormReports
import QuadFormInterop
import TerminalProgress

struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read a trained network, find the quadratic it computes, and its minimal networks.",
        discussion: """
        NETWORK is .onnx (as torch.onnx.export writes Linear → x*x or x**2 → Linear, with an \
        optional Linear skip added to the output, or product neurons (W_r x + b_r)∘(W_g x + b_g), \
        Π-net blocks: any graph of degree ≤ 2 in its input, a product read as two square neurons; \
        MatMul or Gemm, FLOAT or DOUBLE), .safetensors (the names of docs/interop.md), .npz or \
        .json (design.md §6, or a synth report). It must have one hidden layer of square (or \
        αz² + βz + γ) neurons. With several outputs, each output's quadratic and minimal counts \
        are reported, and one shared hidden layer for all outputs: its width K, the lower bound \
        max(dim Σ range(A_i), dim span{A_i}), and whether K is minimal (design.md §9).

        The quadratic f(x) = c + aᵀx + xᵀAx is read off the weights (design.md §3), then the \
        minimal residual and plain networks are synthesized as synth does and verified against f \
        and against the original network. Float32 weights use float32's ε in the rank tolerance; \
        --exact takes every stored weight as the exact rational it is.

        Exit status: 0 verified, 1 verification failed, 2 bad input (nothing written).

        Examples:
          quadform extract model.onnx
          quadform extract model.onnx --format json --output report.json
          quadform extract model.safetensors --exact
          quadform extract model.onnx --save-networks small.onnx
          quadform extract three_outputs.onnx --save-networks shared.onnx
        """
    )

    @Argument(help: ArgumentHelp("The trained network (.onnx, .safetensors, .npz, .json).", valueName: "network"))
    var network: String

    @Option(name: .customLong("network"), help: ArgumentHelp("Which network of a report or --save-networks file (residual, plain, quadratic_activation.residual, …; default residual).", valueName: "name"))
    var member: String?

    @Flag(help: "Exact rational extraction and synthesis (design.md §4): the stored weights taken as exact rationals.")
    var exact = false

    @Option(name: .customLong("rank-tolerance"), parsing: .unconditional,
            help: ArgumentHelp("Absolute rank tolerance (default: max(n,1)·ε·max|λ| for float64 weights, float32's ε for float32 weights).", valueName: "t"))
    var rankTolerance: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Radius R of the verification box [−R, R]^n.", valueName: "R"))
    var box: Double = 1

    @Option(parsing: .unconditional,
            help: ArgumentHelp("The accuracy τ a verified network must reach, relative to f's scale (default \(Verifier.defaultAccuracy) for float64 weights, \(Verifier.defaultFloat32Accuracy) for float32; design.md §5).", valueName: "τ"))
    var accuracy: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Random sample points for verification.", valueName: "count"))
    var samples: Int = 32

    @Option(name: .customLong("save-networks"),
            help: ArgumentHelp("Also write both minimal networks (atomically): .json, .onnx (one model, outputs residual and plain), .safetensors (prefixes residual. and plain.), .npz. With several outputs: the shared residual network, named residual (one ONNX output of m columns).", valueName: "file"))
    var saveNetworks: String?

    @Flag(name: .customLong("float32"), help: "With --save-networks FILE.onnx: FLOAT tensors instead of DOUBLE.")
    var float32 = false

    @OptionGroup var report: ReportOutput

    func validate() throws {
        if !(box > 0 && box.isFinite) { throw ValidationError("--box must be a finite number > 0, got \(box)") }
        if samples < 0 || samples > 100_000 { throw ValidationError("--samples must be between 0 and 100000, got \(samples)") }
        if let t = rankTolerance, !(t >= 0 && t.isFinite) { throw ValidationError("--rank-tolerance must be a finite number ≥ 0, got \(t)") }
        try EigenOptions.validate(accuracy: accuracy)
        if exact && rankTolerance != nil { throw ValidationError("--exact computes the rank exactly; --rank-tolerance does not apply") }
        if let saveNetworks {
            do { _ = try NetworkFile.Format(path: saveNetworks) } catch { throw ValidationError("--save-networks: \(error)") }
        }
        if float32 && (saveNetworks.flatMap { try? NetworkFile.Format(path: $0) }) != .onnx { throw ValidationError("--float32 goes with --save-networks FILE.onnx") }
    }

    func run() throws {
        try ProgressLine.run(progressLine(quiet: report.quiet)) { try runStages() }
    }

    func runStages() throws {
        stage("read \(network)")
        let loaded = try NetworkFile.read(network, member: member, maximumDegree: 2)
        let options = SynthesisOptions(rankTolerance: rankTolerance, boxRadius: box, randomSamples: samples, accuracy: accuracy)
        if loaded.network.depth == 2 && loaded.network.outputWidth > 1 { return try runSeveralOutputs(loaded, options: options) }
        stage("extract, decompose and verify (\(loaded.network.hiddenNeurons) neurons\(exact ? ", exact" : ""))")
        let extraction: ExtractionReport
        do {
            extraction = try ExtractionReport(file: network, original: loaded, options: options, exact: exact)
        } catch let error as ExtractionError {
            // Name the file, as the readers' errors do.
            throw NetworkFileError(path: network, message: error.description)
        }
        let data: Data
        switch report.format {
        case .text: data = Data(extraction.text.utf8)
        case .json: data = Data(JSONWriter.write(extraction.json).utf8)
        }
        var roundedFailures: [(name: String, check: NetworkCheck)] = []
        if let saveNetworks {
            stage("write \(saveNetworks)")
            let residual = try extraction.synthesis?.synthesis.residual ?? extraction.exactNetworks!.residual.resNet()
            let plain = try extraction.synthesis?.synthesis.plain ?? extraction.exactNetworks!.plain.resNet()
            if let exact = extraction.exact {
                roundedFailures = try SavedNetworks.roundedChecks(of: [("residual", exact.synthesis.residual), ("plain", exact.synthesis.plain)],
                                                                  form: exact.synthesis.form)
            }
            try NetworkFile.write(networks: [("residual", residual), ("plain", plain)], to: saveNetworks,
                                  options: NetworkWriteOptions(float32: float32, variables: loaded.variables,
                                                               source: "quadform extract \(URL(fileURLWithPath: network).lastPathComponent)"))
        }
        try finish(report: data, status: extraction.status, saved: "the residual and plain networks", roundedFailures: roundedFailures)
    }

    /// Writes the report (standard output or `--output`), says which files were written, then
    /// fails when verification did not pass or a saved network's rounded weights failed their check.
    func finish(report data: Data, status: VerificationStatus, saved: String,
                roundedFailures: [(name: String, check: NetworkCheck)]) throws {
        if report.output == nil { finishProgress() } else { stage("write \(report.output!)") }
        try emit(data, to: report.output)
        let what = (report.format == .json ? "the JSON report" : "the report") + ", verification \(status.rawValue)"
        if let output = report.output { try announceWritten(output, what, reportOnStandardOutput: false, quiet: report.quiet) }
        if let saveNetworks { try announceWritten(saveNetworks, saved, reportOnStandardOutput: report.output == nil, quiet: report.quiet) }
        if let message = status.failureMessage { throw CheckFailed(message: message) }
        if let saveNetworks, !roundedFailures.isEmpty {
            throw CheckFailed(message: SavedNetworks.roundedCheckMessage(roundedFailures, path: saveNetworks))
        }
    }
}
