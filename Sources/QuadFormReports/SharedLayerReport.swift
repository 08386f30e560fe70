import QuadFormCore
import Foundation

/// The report of an m-output quadratic map (design.md §9): each output's own synthesis report
/// (its form, rank k_i, residual and plain counts, verdict) and the shared hidden layer (width K,
/// lower bound, minimal or not, the constructions tried, each output's check, the network), in
/// floating point or exactly. Text for people, JSON for tools.
public struct SharedLayerReport: Sendable {
    /// The floating-point shared layer (nil in exact mode).
    public let shared: SharedLayerSynthesis?
    /// Each output's `synth` report, floating point (empty in exact mode).
    public let outputs: [SynthesisReport]
    /// The exact shared layer (nil in floating mode).
    public let exactShared: ExactSharedLayerSynthesis?
    /// Each output's exact `synth` report (empty in floating mode).
    public let exactOutputs: [ExactSynthesisReport]

    /// The report of a floating-point shared layer, verifying each output's own networks.
    public init(shared: SharedLayerSynthesis) throws {
        self.shared = shared
        self.outputs = try shared.perOutput.map { try SynthesisReport(synthesis: $0) }
        self.exactShared = nil
        self.exactOutputs = []
    }

    /// The report of an exact shared layer, with each output's exact report.
    public init(exact: ExactSharedLayerSynthesis) throws {
        self.shared = nil
        self.outputs = []
        self.exactShared = exact
        self.exactOutputs = try exact.perOutput.map { try ExactSynthesisReport(synthesis: $0) }
    }

    /// m.
    public var outputCount: Int { shared?.perOutput.count ?? exactShared!.perOutput.count }
    /// K.
    public var width: Int { shared?.width ?? exactShared!.width }
    /// The lower bound max(d, s).
    public var lowerBound: Int { shared?.lowerBound ?? exactShared!.lowerBound }
    /// Whether K meets the bound.
    public var isMinimal: Bool { shared?.isMinimal ?? exactShared!.isMinimal }
    /// d = dim Σ range(A_i).
    public var rangeDimension: Int { shared?.bounds.rangeDimension ?? exactShared!.rangeDimension }
    /// s = dim span{A_i}.
    public var spanDimension: Int { shared?.bounds.spanDimension ?? exactShared!.spanDimension }
    /// The construction of the shared network.
    public var construction: SharedLayerSynthesis.Construction { shared?.construction ?? exactShared!.construction }
    /// k_i of each output.
    public var ranks: [Int] { shared?.perOutput.map(\.rank) ?? exactShared!.perOutput.map(\.rank) }
    /// Neurons of each output's own minimal residual and plain networks.
    public var counts: [(residual: Int, plain: Int)] {
        if let shared { return shared.perOutput.map { ($0.residual.hiddenNeurons, $0.plain.hiddenNeurons) } }
        return exactShared!.perOutput.map { ($0.residual.hiddenNeurons, $0.plain.hiddenNeurons) }
    }
    /// Each output's verdict (its own residual and plain networks).
    public var outputStatuses: [VerificationStatus] {
        shared != nil ? outputs.map(\.status) : exactOutputs.map { $0.passed ? .passed : .failed }
    }
    /// The shared network's verdict (the worst of its outputs; exactly equal or FAILED in exact mode).
    public var sharedStatus: VerificationStatus {
        if let shared { return shared.status }
        return exactShared!.passed ? .passed : .failed
    }
    /// The worst verdict of the report: every output's own networks and the shared network.
    public var status: VerificationStatus { outputStatuses.reduce(sharedStatus) { VerificationStatus.worse($0, $1) } }
    /// Whether everything verified.
    public var passed: Bool { status == .passed }

    /// The shared network as a floating-point `ResNet` (exact weights rounded once).
    public func sharedNetwork() throws -> ResNet { try shared?.network ?? exactShared!.network.resNet() }

    /// The JSON report: `outputs` (each output's counts, verdict and full `synth` report) and
    /// `shared_layer` (width, bounds, minimal, construction, candidates, checks, network).
    public var json: JSONValue {
        let statuses = outputStatuses
        let outputMembers: [JSONValue] = (0..<outputCount).map { i in
            .object([
                ("output", .number(String(i + 1))),
                ("rank", .number(String(ranks[i]))),
                ("residual_neurons", .number(String(counts[i].residual))),
                ("plain_neurons", .number(String(counts[i].plain))),
                ("passed", .bool(statuses[i] == .passed)),
                ("status", .string(statuses[i].jsonName)),
                ("synthesis", shared != nil ? outputJSON(i) : exactOutputs[i].json),
            ])
        }
        return .object([
            ("passed", .bool(passed)),
            ("status", .string(status.jsonName)),
            ("exact", .bool(exactShared != nil)),
            ("inputs", .number(String(shared?.map.inputWidth ?? exactShared!.forms[0].dimension))),
            ("outputs_count", .number(String(outputCount))),
            ("outputs", .array(outputMembers)),
            ("shared_layer", sharedJSON),
        ])
    }

    /// Output i's `synth` JSON; a rank tolerance set by float32 weights (`outputOptions`, not the
    /// user) names its rule, as `extract` does for one output.
    func outputJSON(_ i: Int) -> JSONValue {
        guard let shared, shared.options.rankTolerance == nil, shared.perOutput[i].options.rankTolerance != nil,
              case .object(let members) = outputs[i].json else { return outputs[i].json }
        return .object(members.map { key, value in
            key == "rank_tolerance_rule" ? (key, .string("max(n,1)*eps32*max(|A|_F, max sum|w||u||u|^T)")) : (key, value)
        })
    }

    /// The `shared_layer` member.
    var sharedJSON: JSONValue {
        var members: [(String, JSONValue)] = [
            ("width", .number(String(width))),
            ("lower_bound", .number(String(lowerBound))),
            ("minimal", .bool(isMinimal)),
            ("range_dimension", .number(String(rangeDimension))),
            ("span_dimension", .number(String(spanDimension))),
            ("concatenated_width", .number(String(ranks.reduce(0, +)))),
            ("construction", .string(construction.rawValue)),
            ("passed", .bool(sharedStatus == .passed)),
            ("status", .string(sharedStatus.jsonName)),
        ]
        if let shared {
            members.append(("range_tolerance", JSONWriter.number(shared.bounds.rangeTolerance)))
            members.append(("range_dimension_ill_determined", .bool(shared.bounds.rangeDimensionIsIllDetermined)))
            members.append(("span_tolerance", JSONWriter.number(shared.bounds.spanTolerance)))
            members.append(("span_dimension_ill_determined", .bool(shared.bounds.spanDimensionIsIllDetermined)))
            members.append(("candidates", .array(shared.candidates.map { c in
                .object([("construction", .string(c.construction.rawValue)), ("width", c.width.map { .number(String($0)) } ?? .null),
                         ("status", c.status.map { .string($0.jsonName) } ?? .null), ("note", c.note.map { .string($0) } ?? .null)])
            })))
            members.append(("verification", .array(shared.verification.map(\.json))))
            members.append(("network", Formats.networkJSON(shared.network)))
        } else if let exact = exactShared {
            members.append(("candidates", .array(exact.candidates.map { c in
                .object([("construction", .string(c.construction.rawValue)), ("width", .number(String(c.width))),
                         ("equal", c.equal.map { .bool($0) } ?? .null)])
            })))
            members.append(("outputs_equal", .array(exact.outputsEqual.map { .bool($0) })))
            members.append(("network", SharedLayerReport.exactNetworkJSON(exact.network)))
        }
        return .object(members)
    }

    /// The exact shared network in the network JSON of design.md §6, rational weights as exact numbers.
    static func exactNetworkJSON(_ net: ExactSharedNetwork) -> JSONValue {
        .object([
            ("widths", .array([net.inputWidth, net.hiddenNeurons, net.outputWidth].map { .number(String($0)) })),
            ("activation", .object([("kind", .string("square"))])),
            ("layers", .array([
                .object([("weights", ExactJSON.matrix(net.firstWeights)), ("bias", ExactJSON.numbers([Rational](repeating: .zero, count: net.hiddenNeurons)))]),
                .object([("weights", ExactJSON.matrix(net.outputWeights)), ("bias", ExactJSON.numbers(net.outputBias))]),
            ])),
            ("skips", .array([.object([("from", .number("0")), ("to", .number("2")), ("weights", ExactJSON.matrix(net.skip))])])),
        ])
    }
}
