import ArgumentParser
import Foundation
import QuadFormCore
import QuadFormReports
import QuadFormInterop

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a network between formats: .json (design.md §6), .onnx, .safetensors, .npz.",
        discussion: """
        The formats are chosen by the file extensions. IN may also be a synth or extract report \
        (JSON) or a --save-networks file holding both networks: --network picks one.

          .json         design.md §6 network JSON (or a report / --save-networks JSON)
          .onnx         ONNX, default domain, opset 17, input x [batch, n], DOUBLE
                        (FLOAT with --float32); square as Mul(z, z), each skip its own
                        MatMul + Add; widths, activation, skips, variables in metadata_props
          .safetensors  F64 tensors layers.<i>.weight, layers.<i>.bias, skips.<r>_<k>.weight;
                        __metadata__ with widths, activation, skips (docs/interop.md has the
                        PyTorch module that loads it)
          .npz          W1, B1, …, V_r_k (weights only: square networks)

        Exit status: 0 written, 2 bad input (nothing written).

        Examples:
          quadform synth "x^2 + 3*x*y - y" --format json --output report.json
          quadform convert report.json net.onnx
          quadform convert report.json plain.safetensors --network plain
          quadform convert model.onnx net.json
        """
    )

    @Argument(help: ArgumentHelp("The network to read (.json, .onnx, .safetensors, .npz).", valueName: "in"))
    var input: String

    @Argument(help: ArgumentHelp("The file to write (its extension picks the format).", valueName: "out"))
    var output: String

    @Option(name: .customLong("network"), help: ArgumentHelp("Which network of a report or --save-networks file (residual, plain, quadratic_activation.residual, …; default residual).", valueName: "name"))
    var member: String?

    @Flag(name: .customLong("float32"), help: "ONNX output: FLOAT (binary32) tensors instead of DOUBLE.")
    var float32 = false

    func validate() throws {
        if float32, (try? NetworkFile.Format(path: output)) != .onnx { throw ValidationError("--float32 goes with an .onnx output") }
    }

    func run() throws {
        let loaded = try NetworkFile.read(input, member: member)
        let options = NetworkWriteOptions(float32: float32, variables: loaded.variables,
                                          source: "quadform convert \(URL(fileURLWithPath: input).lastPathComponent)")
        try NetworkFile.write(loaded.network, to: output, options: options)
        let net = loaded.network
        FileHandle.standardOutput.write(Data("wrote \(output): l = (\(net.widths.map(String.init).joined(separator: ", "))), \(net.activation.kind), \(net.hiddenNeurons) hidden neuron\(net.hiddenNeurons == 1 ? "" : "s"), skips \(net.skips.isEmpty ? "none" : net.skips.map { "(\($0.from),\($0.to))" }.joined(separator: " "))\n".utf8))
    }
}
