import QuadFormCore
import Foundation

/// The report of `quadform compress` (design.md §10): per block its tensors, width and parameters
/// before → after, lower bound and verdict; the model's parameters before → after, the whole-model
/// comparison and the verdict. The JSON keys are an interface (the Python package reads them).
public struct CompressionReport: Sendable {
    /// The compression.
    public let compression: ModelCompression
    /// The file the compressed model is written to.
    public let output: String

    /// The report of `compression`, written to `output`.
    public init(compression: ModelCompression, output: String) {
        self.compression = compression
        self.output = output
    }

    /// The text report.
    public var text: String {
        let c = compression
        let fmt = NumberFormat.short
        let count = c.blocks.count
        var out = "\(c.input) → \(output): \(count) quadratic block\(count == 1 ? "" : "s") compressed, parameters \(c.parametersBefore) → \(c.parametersAfter) (\(c.precision.rawValue))\n"
        for (i, b) in c.blocks.enumerated() {
            let block = b.block
            out += "block \(i + 1): \(block.input) → \(block.output), \(block.inputWidth) input\(block.inputWidth == 1 ? "" : "s"), \(block.outputWidth) output\(block.outputWidth == 1 ? "" : "s"), \(block.nodes.count) nodes replaced\n"
            out += "  width \(block.productWidth) → \(b.widthAfter) square neurons + linear skip, parameters \(block.parameters) → \(b.parametersAfter)\n"
            out += "  output ranks \(b.ranks.map(String.init).joined(separator: ", ")); lower bound \(b.lowerBound) (\(b.minimal ? "minimal" : "not proved minimal")), construction \(b.construction)\n"
            let exact = b.exactlyEqual.map { $0 ? ", the written weights equal every output's exact form" : ", the exact shared layer equals every output's form; its weights as written are checked within τ" } ?? ""
            out += "  \(b.status.rawValue): max error \(fmt(b.maxError)), scale \(fmt(b.scale))\(exact)\n"
        }
        for (block, reason) in c.skipped {
            out += "left as it was: \(block.input) → \(block.output): \(reason)\n"
        }
        let check = c.modelCheck
        if let reason = check.notEvaluated {
            out += "whole model: not evaluated (\(reason))\n"
        } else {
            out += "whole model: \(check.points) points, max |original − compressed| \(fmt(check.maxError)), scale \(fmt(check.scale)), τ \(fmt(check.accuracy)) \(check.status == .passed ? "ok" : "FAILED")\n"
        }
        out += "verdict: \(c.status.rawValue)\n"
        return out
    }

    /// The JSON report.
    public var json: JSONValue {
        let c = compression
        let blocks: [JSONValue] = c.blocks.map { b in
            .object([
                ("input_tensor", .string(b.block.input)),
                ("output_tensor", .string(b.block.output)),
                ("inputs", .number(String(b.block.inputWidth))),
                ("outputs", .number(String(b.block.outputWidth))),
                ("nodes_replaced", .number(String(b.block.nodes.count))),
                ("width_before", .number(String(b.block.productWidth))),
                ("width_after", .number(String(b.widthAfter))),
                ("parameters_before", .number(String(b.block.parameters))),
                ("parameters_after", .number(String(b.parametersAfter))),
                ("ranks", .array(b.ranks.map { .number(String($0)) })),
                ("lower_bound", .number(String(b.lowerBound))),
                ("minimal", .bool(b.minimal)),
                ("construction", .string(b.construction)),
                ("verdict", .string(b.status.rawValue)),
                ("max_error", JSONWriter.number(b.maxError)),
                ("scale", JSONWriter.number(b.scale)),
                ("exact_equal", b.exactlyEqual.map { .bool($0) } ?? .null),
            ])
        }
        let skipped: [JSONValue] = c.skipped.map { block, reason in
            .object([("input_tensor", .string(block.input)), ("output_tensor", .string(block.output)), ("reason", .string(reason))])
        }
        let check = c.modelCheck
        var model: [(String, JSONValue)] = [("evaluated", .bool(check.notEvaluated == nil))]
        if let reason = check.notEvaluated {
            model.append(("reason", .string(reason)))
        } else {
            model += [("points", .number(String(check.points))), ("max_error", JSONWriter.number(check.maxError)),
                      ("scale", JSONWriter.number(check.scale)), ("accuracy", JSONWriter.number(check.accuracy)),
                      ("verdict", .string(check.status.rawValue))]
        }
        return .object([
            ("input", .string(c.input)),
            ("output", .string(output)),
            ("precision", .string(c.precision.rawValue)),
            ("parameters_before", .number(String(c.parametersBefore))),
            ("parameters_after", .number(String(c.parametersAfter))),
            ("blocks", .array(blocks)),
            ("skipped", .array(skipped)),
            ("model_check", .object(model)),
            ("verdict", .string(c.status.rawValue)),
        ])
    }
}
