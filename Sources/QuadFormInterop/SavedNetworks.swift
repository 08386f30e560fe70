import QuadFormCore
import QuadFormReports
import Foundation

/// The networks `synth --save-networks FILE` writes (design.md §2, §6): `residual`, `plain`, and
/// with `--activation` also `quadratic_activation.residual` and `quadratic_activation.plain`.
///
/// A name ending `.json` gets a `NetworkDocument` (each network under `NAME.network`; exact
/// networks keep their rational weights as `"p/q"` strings), which `quadform eval --network NAME`
/// and `NetworkDocument.readNetwork` read back. A name ending `.onnx` gets one ONNX model with an
/// output per network, named NAME (`ONNXModel`); `.safetensors` the tensors of every network
/// under the prefix `NAME.` (`Safetensors`); exact weights are rounded once to Double in both.
/// Any other name gets a NumPy `.npz` archive with
/// the arrays of `Npz.arrays(of:prefix:)` under the prefix NAME with `.` written `_`
/// (`residual_W1`, …, `quadratic_activation_plain_B2`); exact weights are rounded once to Double.
public enum SavedNetworks {
    /// Whether `path` gets the JSON document rather than the `.npz` archive.
    public static func isJSON(_ path: String) -> Bool { path.lowercased().hasSuffix(".json") }

    /// The networks of a floating-point synthesis report, by name, in the order written.
    public static func networks(of report: SynthesisReport) -> [(name: String, network: ResNet)] {
        var list: [(name: String, network: ResNet)] = [("residual", report.synthesis.residual), ("plain", report.synthesis.plain)]
        if let q = report.quadraticActivation {
            list += [("quadratic_activation.residual", q.residual), ("quadratic_activation.plain", q.plain)]
        }
        return list
    }

    /// The networks of an exact synthesis report, by name, in the order written.
    public static func networks(of report: ExactSynthesisReport) -> [(name: String, network: ExactNetwork)] {
        var list: [(name: String, network: ExactNetwork)] = [("residual", report.synthesis.residual), ("plain", report.synthesis.plain)]
        if let q = report.quadraticActivation {
            list += [("quadratic_activation.residual", q.residual), ("quadratic_activation.plain", q.plain)]
        }
        return list
    }

    /// The `.npz` arrays of named networks: prefix = name with `.` as `_`.
    public static func npzArrays(_ networks: [(name: String, network: ResNet)]) -> [NpzArray] {
        networks.flatMap { Npz.arrays(of: $0.network, prefix: $0.name.replacingOccurrences(of: ".", with: "_")) }
    }

    /// Writes the networks of `report` to `path` (atomically): JSON document or `.npz` by the name.
    public static func write(_ report: SynthesisReport, to path: String, float32: Bool = false) throws {
        let list = networks(of: report)
        let options = NetworkWriteOptions(float32: float32, variables: report.synthesis.form.variables,
                                          source: "quadform synth: f(x) = " + SynthesisReport.formula(of: report.synthesis.form))
        try write(list, to: path, options: options)
    }

    /// Writes named networks to `path` (atomically) in the format its extension names — `.json`
    /// (network document), `.onnx`, `.safetensors` or `.npz` — refusing any other name before
    /// anything is written (never a ZIP under a name that says ONNX).
    public static func write(_ list: [(name: String, network: ResNet)], to path: String, options: NetworkWriteOptions) throws {
        switch try NetworkFile.Format(path: path) {
        case .onnx, .safetensors:
            _ = try writeInterchange(list, to: path, options: options)
        case .json:
            try OutputFile.write(JSONWriter.write(NetworkDocument.json(networks: list.map { ($0.name, Formats.networkJSON($0.network)) })), to: path)
        case .npz:
            try Npz.write(npzArrays(list), to: path)
        }
    }

    /// Writes the exact networks of `report` to `path` (atomically): JSON with rational weights, or
    /// `.npz` with each weight rounded once to Double.
    public static func write(_ report: ExactSynthesisReport, to path: String, float32: Bool = false) throws {
        let list = networks(of: report)
        let options = NetworkWriteOptions(float32: float32, variables: report.synthesis.form.variables,
                                          source: "quadform synth --exact: f(x) = " + report.synthesis.form.formula)
        let format = try NetworkFile.Format(path: path)
        if format == .onnx || format == .safetensors {
            _ = try writeInterchange(try list.map { ($0.name, try $0.network.resNet()) }, to: path, options: options)
            return
        }
        if format == .json {
            try OutputFile.write(JSONWriter.write(NetworkDocument.json(networks: list.map { ($0.name, $0.network.json) })), to: path)
        } else {
            try Npz.write(npzArrays(try list.map { ($0.name, try $0.network.resNet()) }), to: path)
        }
    }

    /// The floating-point check (design.md §5's accuracy contract) of exact networks as a Double
    /// format stores them: each network rounded to Double (`ExactNetwork.resNet()`) and verified
    /// against f with its coefficients rounded once. The exact networks equal f; their Double
    /// copies can still miss it by far more than τ when they complete squares with tiny pivots.
    /// Returns the checks that are not PASSED, by name (empty when every copy is faithful).
    public static func roundedChecks(of networks: [(name: String, network: ExactNetwork)], form: ExactForm) throws -> [(name: String, check: NetworkCheck)] {
        let n = form.dimension
        let a = form.symmetricMatrix.doubleMatrix
        let floating = try QuadraticForm(variables: form.variables, constant: form.constant.doubleValue,
                                         linear: form.linear.map(\.doubleValue), quadratic: a)
        let options = SynthesisOptions()
        let rounded = try networks.map { ($0.name, try $0.network.resNet()) }
        var failing: [(name: String, check: NetworkCheck)] = []
        for (name, net) in rounded {
            // ‖A‖_F ≥ max|λ| stands in for the spectral norm in the rounding model (no eigensolve).
            let subject = VerificationSubject(dimension: n, constant: floating.constant, linear: floating.linear,
                                              spectralNorm: a.frobeniusNorm, quadraticMaxEntry: a.maxAbsEntry,
                                              droppedEigenvalueSum: 0, unitRoundoff: Double.ulpOfOne,
                                              accuracy: Verifier.defaultAccuracy, options: options, symmetricMatrix: a,
                                              residual: net, plain: net)
            let check = try Verifier(subject: subject).check(net, name: name, points: Verifier.samplePoints(for: subject))
            if check.status != .passed { failing.append((name, check)) }
        }
        return failing
    }

    /// The message for exact networks whose Double copies in `path` miss the accuracy contract.
    public static func roundedCheckMessage(_ failing: [(name: String, check: NetworkCheck)], path: String) -> String {
        let names = failing.map { "\($0.name) (\($0.check.status.rawValue), up to \(NumberFormat.short($0.check.accuracy.worstRatio))× τ·scale)" }
        return "wrote \(path), but its Double weights of " + names.joined(separator: ", ")
            + " do not compute f to the accuracy τ = \(NumberFormat.short(Verifier.defaultAccuracy)) of its scale: the exact networks do (see the report); "
            + "save to .json to keep their rational weights, or use the residual network"
    }

    /// Writes `networks` as one ONNX model (an output per network) or one safetensors file (a
    /// prefix per network) when `path` ends `.onnx` or `.safetensors`; false for other names.
    static func writeInterchange(_ networks: [(name: String, network: ResNet)], to path: String, options: NetworkWriteOptions) throws -> Bool {
        let lower = path.lowercased()
        if lower.hasSuffix(".onnx") {
            try OutputFile.write(ONNXModel.encode(networks.map { ($0.name, $0.network) }, options: options), to: path)
            return true
        }
        if lower.hasSuffix(".safetensors") {
            try OutputFile.write(Safetensors.encode(networks.map { ($0.name, $0.network) }, variables: options.variables, source: options.source), to: path)
            return true
        }
        return false
    }
}
