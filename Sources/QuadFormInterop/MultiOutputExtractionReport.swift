import QuadFormCore
import QuadFormReports
import Foundation

/// The report of `quadform extract` on a network with several outputs (design.md §9): the
/// m-output quadratic map the network computes, each output's minimal networks and the shared
/// hidden layer (`SharedLayerReport`), and the original network's own check against the map and
/// against the shared network (floating mode; in exact mode the map is the original's exact
/// expansion and the shared network is checked against it exactly).
public struct MultiOutputExtractionReport: Sendable {
    /// The file the network came from.
    public let file: String
    /// The network as read.
    public let original: LoadedNetwork
    /// The outputs and the shared layer.
    public let sharedLayer: SharedLayerReport
    /// Floating mode: each output of the original checked against its form (design.md §5).
    public let originalChecks: [NetworkCheck]
    /// Floating mode: the largest |original_i(x) − shared_i(x)| over outputs and sample points,
    /// and the largest ratio of a difference to its tolerance (≤ 1 passes).
    public let agreement: (maximumDifference: Double, worstRatio: Double)?

    /// Refuses `--exact` on a map whose exact work is beyond exact mode's limit before any of it
    /// starts (docs/exact-and-proofs.md, "Limits"): each output expanded over n² / 2 entries per
    /// hidden neuron, then synthesized in n variables (`ExactWorkEstimate` with 64-bit entries, a
    /// lower bound for products of float weights), m times.
    static func checkExactWork(_ net: ResNet) throws {
        let n = net.widths.first ?? 0, m = net.widths.last ?? 0
        let hidden = net.widths.dropFirst().dropLast().reduce(0, +)
        let expansion = Double(m) * Double(hidden) * Double(n) * Double(n) / 2 * 50
        let work = expansion + Double(m) * ExactWorkEstimate(dimension: n, coefficientBits: 64).operations
        if work > ExactWorkEstimate.maximumOperations {
            throw ExactLimitError.sharedLayer(stage: "expanding and synthesizing each output exactly", outputs: m, variables: n, operations: work)
        }
    }

    /// Extracts the map of `original` and synthesizes its outputs and shared layer: floating with
    /// `options` (each output's as `SharedLayerSynthesis.outputOptions` sets them, float32 weights
    /// giving float32's ε), or with `exact` every weight taken as the exact rational it is.
    public init(file: String, original: LoadedNetwork, options: SynthesisOptions = SynthesisOptions(), exact: Bool = false) throws {
        self.file = file
        self.original = original
        let net = original.network
        if exact {
            try MultiOutputExtractionReport.checkExactWork(net)
            let forms = try original.exactExpansion(file: file)
            self.sharedLayer = try SharedLayerReport(exact: ExactSharedLayerSynthesis(forms: forms))
            self.originalChecks = []
            self.agreement = nil
            return
        }
        let extracted = try NetworkExtraction.map(of: net, variables: original.variables)
        // float32 weights: each f_i is known to float32's ε (design.md §5).
        let map = try QuadraticMap(outputs: try extracted.outputs.map { output in
            var form = output.form
            form.precision = original.precision
            return NetworkExtraction.ExtractedForm(form: form, quadraticMagnitude: output.quadraticMagnitude, rankOneTerms: output.rankOneTerms)
        })
        let shared = try SharedLayerSynthesis(map: map, options: options)
        self.sharedLayer = try SharedLayerReport(shared: shared)
        var checks: [NetworkCheck] = []
        var largest = 0.0, worstRatio = 0.0
        let m = net.hiddenNeurons, k = shared.width
        for (i, synthesis) in shared.perOutput.enumerated() {
            let points = Verifier.samplePoints(for: synthesis)
            let originalOutput = try net.singleOutput(i), sharedOutput = try shared.network.singleOutput(i)
            checks.append(try Verifier(synthesis: synthesis).check(originalOutput, name: "original output \(i + 1)", points: points))
            let g = try originalOutput.realization(batch: points), h = try sharedOutput.realization(batch: points)
            // |original − shared| ≤ 32·(n + m + K + 2)·u·(both networks' term magnitudes) + what the
            // shared layer left out of A_i (design.md §5, §9).
            let factor = Verifier.safetyFactor * Double(synthesis.form.dimension + m + k + 2) * synthesis.unitRoundoff
            for p in 0..<points.rows {
                let x = points.row(p)
                let difference = abs(g[p, 0] - h[p, 0])
                let norm = Vector.norm(x)
                let tolerance = factor * (ExtractionReport.termMagnitude(originalOutput, x) + ExtractionReport.termMagnitude(sharedOutput, x))
                    + shared.droppedBounds[i] * norm * norm
                largest = max(largest, difference)
                worstRatio = max(worstRatio, tolerance > 0 ? difference / tolerance : (difference == 0 ? 0 : .infinity))
                if !difference.isFinite { worstRatio = .infinity }
            }
        }
        self.originalChecks = checks
        self.agreement = (largest, worstRatio)
    }

    /// The verdict: the outputs' and the shared network's (design.md §5), FAILED when the
    /// original does not expand to the map within its rounding or disagrees with the shared network.
    public var status: VerificationStatus {
        if originalChecks.contains(where: { !$0.withinRounding }) { return .failed }
        if let agreement, !(agreement.worstRatio <= 1) { return .failed }
        return sharedLayer.status
    }

    /// Whether everything verified.
    public var passed: Bool { status == .passed }

    /// The three-line summary: the network, the ranks, the shared layer.
    public var headline: String {
        let net = original.network
        let kind = net.activation == .square ? "square" : "quadratic-activation"
        var out = "\(file): \(net.hiddenNeurons) \(kind) neuron\(net.hiddenNeurons == 1 ? "" : "s"), l = (\(net.widths.map(String.init).joined(separator: ", ")))"
        out += original.productsClause
        out += net.skips.isEmpty ? ", no skip" : ", linear skip"
        out += ", \(original.precision.rawValue) weights\n"
        out += "it computes \(sharedLayer.outputCount) quadratics of ranks \(sharedLayer.ranks.map(String.init).joined(separator: ", "))\n"
        let k = sharedLayer.width
        out += "a residual network with one shared layer of \(k) neuron\(k == 1 ? "" : "s") computes all \(sharedLayer.outputCount)"
        out += sharedLayer.isMinimal ? " (minimal)" : " (lower bound \(sharedLayer.lowerBound))"
        out += passed ? ", verified against the original\n" : "; verification \(status.rawValue) (see below)\n"
        return out
    }

    /// The report for people: the headline, the outputs and shared layer, the original's checks.
    public var text: String {
        var out = headline + "\n" + sharedLayer.text
        if sharedLayer.exactShared != nil {
            out += "original network  its exact expansion is the map; the shared network expands to it exactly: \(sharedLayer.sharedStatus == .passed ? "equal" : "NOT EQUAL")\n"
            return out
        }
        let fmt = NumberFormat.short
        for check in originalChecks {
            out += "\(check.name)  checked against its form: coefficients max error \(fmt(check.coefficientError)) ≤ \(fmt(check.coefficientTolerance)) \(check.coefficientsPassed ? "ok" : "FAILED"), samples max error \(fmt(check.sampleError)) \(check.samplesPassed ? "ok" : "FAILED")\n"
        }
        if let agreement {
            out += "original network  against the shared network: max |original − shared| \(fmt(agreement.maximumDifference)), worst error/tolerance \(fmt(agreement.worstRatio)) \(agreement.worstRatio <= 1 ? "ok" : "FAILED")\n"
        }
        return out
    }

    /// The JSON report: the shared-layer report's members (`outputs`, `shared_layer`) and `original`.
    public var json: JSONValue {
        guard case .object(var members) = sharedLayer.json else { return sharedLayer.json }
        members.removeAll { $0.0 == "passed" || $0.0 == "status" }
        let net = original.network
        var originalMembers: [(String, JSONValue)] = [
            ("file", .string(file)),
            ("neurons", .number(String(net.hiddenNeurons))),
            ("widths", .array(net.widths.map { .number(String($0)) })),
            ("activation", .string(net.activation.kind)),
            ("skip", .bool(!net.skips.isEmpty)),
            ("precision", .string(original.precision.rawValue)),
        ]
        if !originalChecks.isEmpty { originalMembers.append(("verification", .array(originalChecks.map(\.json)))) }
        if let agreement {
            originalMembers.append(("agreement", .object([
                ("passed", .bool(agreement.worstRatio <= 1)),
                ("shared_max_difference", JSONWriter.number(agreement.maximumDifference)),
                ("worst_error_to_tolerance", JSONWriter.number(agreement.worstRatio)),
            ])))
        }
        if sharedLayer.exactShared != nil { originalMembers.append(("exact_agreement", .bool(sharedLayer.sharedStatus == .passed))) }
        originalMembers.append(("network", Formats.networkJSON(net)))
        members.insert(("passed", .bool(passed)), at: 0)
        members.insert(("status", .string(status.jsonName)), at: 1)
        members.insert(("original", .object(originalMembers)), at: 2)
        return .object(members)
    }
}
