import QuadFormCore
import QuadFormReports
import Foundation

/// The report of `quadform extract`: the original network (its file, neurons, weight precision),
/// the quadratic it computes, the minimal networks with `synth`'s report (floating or exact), and
/// the original network's own check against that quadratic and against the minimal networks.
public struct ExtractionReport: Sendable {
    /// The file the network came from.
    public let file: String
    /// The network as read.
    public let original: LoadedNetwork
    /// The floating-point synthesis report (nil with `exact`).
    public let synthesis: SynthesisReport?
    /// The exact synthesis report (with `exact`, when the full n-variable path ran).
    public let exact: ExactSynthesisReport?
    /// The factored exact extraction (with `exact`, when the factor space is the smaller
    /// problem: `FactoredExactExtraction.isPreferred`, design.md §4).
    public let factored: FactoredExactExtraction?
    /// The original network checked against the extracted form (design.md §5, floating mode).
    public let originalCheck: NetworkCheck?
    /// Largest |original(x) − residual(x)| and |original(x) − plain(x)| at the sample points, and
    /// the largest ratio of a difference to its tolerance at that point (≤ 1 passes).
    public let agreement: (residual: Double, plain: Double, worstRatio: Double)?
    /// Exact mode: whether the form expanded from the original equals the ones the minimal
    /// networks expand to (always computed exactly).
    public let exactAgreement: Bool?
    /// Whether the rank tolerance came from float32 weights (`NetworkExtraction.rankTolerance`).
    public let rankToleranceFromPrecision: Bool

    /// Extracts the form of `original` and synthesizes its minimal networks. Floating mode uses
    /// `options` (its rank tolerance, when nil, follows the weights' precision: see
    /// `NetworkExtraction.rankTolerance`); `exact` treats every weight as an exact rational.
    /// `factored` chooses the exact path: nil lets `FactoredExactExtraction.isPreferred` decide.
    public init(file: String, original: LoadedNetwork, options: SynthesisOptions = SynthesisOptions(), exact: Bool = false,
                factored: Bool? = nil) throws {
        self.file = file
        self.original = original
        let net = original.network
        // A network with no square term and no linear term has nothing to factor: the full path.
        // A rounded product's a ± b: the full path on the trace's exact form (design.md §10).
        if exact, original.roundedProducts.isEmpty, factored ?? FactoredExactExtraction.isPreferred(inputs: net.inputWidth, neurons: net.hiddenNeurons),
           let result = try FactoredExactExtraction.unlessEmpty(network: net) {
            self.factored = result
            self.exact = nil
            self.synthesis = nil
            self.originalCheck = nil
            self.agreement = nil
            self.exactAgreement = result.passed
            self.rankToleranceFromPrecision = false
            return
        }
        self.factored = nil
        if exact {
            guard let form = try original.exactExpansion(file: file).first else { throw ExtractionError.notQuadratic("no output") }
            let report = try ExactSynthesisReport(synthesis: ExactSynthesis(form: form))
            self.exact = report
            self.synthesis = nil
            self.originalCheck = nil
            self.agreement = nil
            // The form is the original's exact expansion; the minimal networks equal it exactly
            // when the exact verification passed.
            self.exactAgreement = report.verification.passed
            self.rankToleranceFromPrecision = false
            return
        }
        let extracted = try NetworkExtraction.form(of: net, variables: original.variables)
        var form = extracted.form
        // float32 weights: f is known to float32's ε (design.md §5), which sets the a_N decision,
        // the verification's rounding model and the accuracy τ too, not only the rank.
        form.precision = original.precision
        var options = options
        var fromPrecision = false
        if options.rankTolerance == nil {
            options.rankTolerance = NetworkExtraction.rankTolerance(for: original.precision, extracted: extracted)
            fromPrecision = options.rankTolerance != nil
        }
        // The double-double sum of m terms leaves up to about m·ε² of their magnitude in A (design.md §5).
        options.summedTermScale = Double(extracted.rankOneTerms) * Double.ulpOfOne * extracted.quadraticMagnitude
        // A sum of m rank-one terms has rank ≤ m (T1's argument), whatever rounding left behind.
        options.maximumRank = min(options.maximumRank ?? extracted.rankOneTerms, extracted.rankOneTerms)
        self.rankToleranceFromPrecision = fromPrecision
        let synthesis = try Synthesis(form: form, options: options)
        let report = try SynthesisReport(synthesis: synthesis)
        self.synthesis = report
        self.exact = nil
        self.exactAgreement = nil
        let points = Verifier.samplePoints(dimension: form.dimension, radius: options.boxRadius, random: options.randomSamples, seed: options.seed)
        let check = try Verifier(synthesis: synthesis).check(net, name: "original", points: points)
        self.originalCheck = check
        let g = try net.realization(batch: points)
        let r = try synthesis.residual.realization(batch: points)
        let p = try synthesis.plain.realization(batch: points)
        // Per point: |original − minimal| ≤ 32·(n + m + m' + 2)·ε·(magnitudes of both networks'
        // terms) + the bound on what dropping eigenvalues under the tolerance changed (design.md §5).
        var residualDifference = 0.0, plainDifference = 0.0, worstRatio = 0.0
        let n = form.dimension
        for i in 0..<points.rows {
            let x = points.row(i)
            let magnitude = ExtractionReport.termMagnitude(net, x)
            let bound = synthesis.modelErrorBound(normOfX: Vector.norm(x))
            for (minimal, values, isResidual) in [(synthesis.residual, r, true), (synthesis.plain, p, false)] {
                let difference = abs(g[i, 0] - values[i, 0])
                let k = Verifier.safetyFactor * Double(n + net.hiddenNeurons + minimal.hiddenNeurons + 2) * synthesis.unitRoundoff
                let tolerance = k * (magnitude + ExtractionReport.termMagnitude(minimal, x)) + bound
                if isResidual { residualDifference = max(residualDifference, difference) } else { plainDifference = max(plainDifference, difference) }
                worstRatio = max(worstRatio, tolerance > 0 ? difference / tolerance : (difference == 0 ? 0 : .infinity))
                if !difference.isFinite { worstRatio = .infinity }
            }
        }
        self.agreement = (residualDifference, plainDifference, worstRatio)
    }

    /// `|B2| + |V||x| + Σ_j |w_j|·|s|(|u_j||x| + |b_j|)`, with |s|(t) = |α|t² + |β|t + |γ|: the
    /// magnitude of the terms a one-hidden-layer network sums at x, which bounds its rounding error.
    static func termMagnitude(_ net: ResNet, _ x: [Double]) -> Double {
        let (alpha, beta, gamma): (Double, Double, Double)
        switch net.activation {
        case let .quadratic(a, b, c): (alpha, beta, gamma) = (abs(a), abs(b), abs(c))
        default: (alpha, beta, gamma) = (1, 0, 0)
        }
        let absX = x.map { abs($0) }
        let hidden = net.layers[0].weights.absolute.multiply(absX)
        var total = abs(net.layers[1].bias[0])
        for skip in net.skips { total += Vector.absDot(skip.weights.row(0), x) }
        for j in 0..<hidden.count {
            let t = hidden[j] + abs(net.layers[0].bias[j])
            total += abs(net.layers[1].weights[0, j]) * ((alpha * t + beta) * t + gamma)
        }
        return total
    }

    /// Whether everything verified: the minimal networks against f, the original against f, and
    /// the original against the minimal networks.
    public var passed: Bool {
        if let factored { return factored.passed }
        if let exact { return exact.passed && (exactAgreement ?? false) }
        guard let synthesis, let originalCheck, let agreement else { return false }
        // The original is checked within its own rounding: an original whose floating-point
        // evaluation is ill-conditioned (cancelling neurons) still has f as its exact function.
        return synthesis.passed && originalCheck.withinRounding
            && agreement.worstRatio <= 1
    }

    /// The verdict (design.md §5): the minimal networks' against f, FAILED when the original does
    /// not expand to f within its rounding or disagrees with the minimal networks.
    public var status: VerificationStatus {
        if let factored { return factored.passed ? .passed : .failed }
        if let exact { return exact.passed && (exactAgreement ?? false) ? .passed : .failed }
        guard let synthesis, let originalCheck, let agreement else { return .failed }
        guard originalCheck.withinRounding, agreement.worstRatio <= 1 else { return .failed }
        return synthesis.status
    }

    /// k.
    public var rank: Int { factored?.rank ?? exact?.synthesis.rank ?? synthesis!.synthesis.rank }
    /// Neurons of the minimal residual network.
    public var residualNeurons: Int { exactNetworks?.residual.hiddenNeurons ?? synthesis!.synthesis.residual.hiddenNeurons }
    /// Neurons of the minimal plain network.
    public var plainNeurons: Int { exactNetworks?.plain.hiddenNeurons ?? synthesis!.synthesis.plain.hiddenNeurons }
    /// The exact minimal networks (n inputs), from either exact path; nil in floating mode.
    public var exactNetworks: (residual: ExactNetwork, plain: ExactNetwork)? {
        if let factored { return (factored.residual, factored.plain) }
        if let exact { return (exact.synthesis.residual, exact.synthesis.plain) }
        return nil
    }

    /// The three-line summary: what the network is, its rank, the minimal networks.
    public var headline: String {
        let net = original.network
        let m = net.hiddenNeurons
        let kind = net.activation == .square ? "square" : "quadratic-activation"
        var out = "\(file): \(m) \(kind) neuron\(m == 1 ? "" : "s"), l = (\(net.widths.map(String.init).joined(separator: ", ")))"
        out += original.productsClause
        out += net.skips.isEmpty ? ", no skip" : ", linear skip"
        out += ", \(original.precision.rawValue) weights\n"
        out += "it computes a quadratic of rank \(rank)\n"
        out += "a residual network with \(residualNeurons) neuron\(residualNeurons == 1 ? "" : "s") (plain: \(plainNeurons)) computes the same function"
        out += passed ? ", verified against the original\n" : "; verification \(status.rawValue) (see below)\n"
        return out
    }

    /// The report for people: the headline, synth's report, and the original's checks.
    public var text: String {
        var out = headline + "\n"
        if let factored { return out + ExtractionReport.factoredText(factored, variables: original.variables) }
        if let exact {
            out += exact.text
            out += "\noriginal network    its exact expansion is f; the minimal networks expand to f exactly: \((exactAgreement ?? false) ? "equal" : "NOT EQUAL")\n"
            return out
        }
        guard let synthesis, let check = originalCheck, let agreement else { return out }
        out += rankToleranceFromPrecision
            ? synthesis.text.replacingOccurrences(of: "tolerance \(NumberFormat.short(synthesis.synthesis.rankTolerance)) (given)", with: "tolerance \(NumberFormat.short(synthesis.synthesis.rankTolerance)) = max(n,1)·ε₃₂·max(‖A‖_F, max Σ|w_j||u_j||u_j|ᵀ) (float32 weights)")
            : synthesis.text
        let fmt = NumberFormat.short
        out += "\n"
        out += "original network    \(check.neurons) neurons, checked against f: coefficients max error \(fmt(check.coefficientError)) ≤ \(fmt(check.coefficientTolerance)) \(check.coefficientsPassed ? "ok" : "FAILED")\n"
        out += "                    samples: max error \(fmt(check.sampleError)), relative \(fmt(check.sampleRelativeError)) \(check.samplesPassed ? "ok" : "FAILED")\n"
        if check.withinRounding && !check.accuracy.holds {
            out += "                    the original itself is ill-conditioned in floating point: its terms are up to \(fmt(check.amplification))× larger than f's, so evaluating it misses f by up to \(fmt(check.accuracy.worstRatio))× τ·scale; the minimal networks above are checked against f as summed exactly\n"
        }
        let ok = agreement.worstRatio <= 1
        out += "                    against the minimal networks: max |original − residual| \(fmt(agreement.residual)), |original − plain| \(fmt(agreement.plain)), worst error/tolerance \(fmt(agreement.worstRatio)) \(ok ? "ok" : "FAILED")\n"
        return out
    }

    /// The JSON report: `synth`'s keys (rank, residual, plain, verification, …) and `original`.
    public var json: JSONValue {
        var members: [(String, JSONValue)]
        if let factored { members = ExtractionReport.factoredJSON(factored) }
        else if let exact, case .object(let m) = exact.json { members = m }
        else if let synthesis, case .object(let m) = synthesis.json {
            members = m.map { key, value in
                key == "rank_tolerance_rule" && rankToleranceFromPrecision ? (key, .string("max(n,1)*eps32*max(|A|_F, max sum|w||u||u|^T)")) : (key, value)
            }
        }
        else { members = [] }
        let net = original.network
        var originalMembers: [(String, JSONValue)] = [
            ("file", .string(file)),
            ("neurons", .number(String(net.hiddenNeurons))),
            ("widths", .array(net.widths.map { .number(String($0)) })),
            ("activation", .string(net.activation.kind)),
            ("skip", .bool(!net.skips.isEmpty)),
            ("precision", .string(original.precision.rawValue)),
        ]
        if let check = originalCheck {
            originalMembers.append(("rank_tolerance_rule", .string(rankToleranceFromPrecision
                ? "max(n,1)*eps32*max(|A|_F, max sum|w||u||u|^T)" : (synthesis?.synthesis.rankToleranceIsDefault == false ? "user" : "synth"))))
            originalMembers.append(("verification", check.json))
        }
        if let agreement {
            originalMembers.append(("agreement", .object([
                ("passed", .bool(agreement.worstRatio <= 1)),
                ("residual_max_difference", JSONWriter.number(agreement.residual)),
                ("plain_max_difference", JSONWriter.number(agreement.plain)),
                ("worst_error_to_tolerance", JSONWriter.number(agreement.worstRatio)),
            ])))
        }
        if let exactAgreement { originalMembers.append(("exact_agreement", .bool(exactAgreement))) }
        originalMembers.append(("network", Formats.networkJSON(net)))
        members.insert(("passed", .bool(passed)), at: 0)
        members.insert(("status", .string(status.jsonName)), at: 1)
        members.insert(("original", .object(originalMembers)), at: 2)
        return .object(members)
    }
}
