/// An activation `s(z) = αz² + βz + γ` with α ≠ 0 (the paper's eq. 4; theorem T3 of design.md §3),
/// read from `quadratic:α,β,γ` with exact coefficients (`1/3`, `0.5`, `-2`).
public struct QuadraticActivationSpec: Equatable, Sendable, CustomStringConvertible {
    /// α (non-zero).
    public let alpha: Rational
    /// β.
    public let beta: Rational
    /// γ.
    public let gamma: Rational

    /// A spec from exact coefficients; α = 0 is an error.
    public init(alpha: Rational, beta: Rational, gamma: Rational) throws {
        guard !alpha.isZero else {
            throw NetworkError.badActivation("activation quadratic: α must not be 0 (s(z) = βz + γ is not quadratic, so no s-neuron can produce a square)")
        }
        self.alpha = alpha
        self.beta = beta
        self.gamma = gamma
    }

    /// Parses `quadratic:α,β,γ` (the prefix `quadratic:` may be omitted).
    public init(parsing text: String) throws {
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        if body.hasPrefix("quadratic:") { body = body.dropFirst("quadratic:".count) }
        let parts = body.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
        guard parts.count == 3 else {
            throw NetworkError.badActivation("activation '\(text)': expected quadratic:α,β,γ (three numbers, e.g. quadratic:1,0.5,-2), found \(parts.count) part\(parts.count == 1 ? "" : "s")")
        }
        let names = ["α", "β", "γ"]
        var values: [Rational] = []
        for (name, part) in zip(names, parts) {
            guard let r = Rational(exactText: part) else {
                throw NetworkError.badActivation("activation '\(text)': \(name) = '\(part.trimmingCharacters(in: .whitespaces))' is not a number (write 2, -0.5, 1e-3 or 1/3)")
            }
            values.append(r)
        }
        try self.init(alpha: values[0], beta: values[1], gamma: values[2])
    }

    /// The exact activation for `ExactNetwork`.
    public var exactActivation: ExactNetwork.Activation { .quadratic(alpha: alpha, beta: beta, gamma: gamma) }

    /// The floating activation for `ResNet` (each coefficient rounded once).
    public var activation: Activation { .quadratic(alpha: alpha.doubleValue, beta: beta.doubleValue, gamma: gamma.doubleValue) }

    /// `s(z) = αz² + βz + γ` written out.
    public var formula: String {
        "s(z) = " + ExactJSON.join([(alpha, "z^2"), (beta, "z"), (gamma, "")].filter { !$0.0.isZero || $0.1 == "z^2" })
    }

    /// `quadratic:α,β,γ`.
    public var description: String { "quadratic:\(alpha),\(beta),\(gamma)" }
}

/// Which shift turns a square neuron into an s-neuron (design.md §3, T3).
public enum ActivationShift: String, Sendable, CaseIterable {
    /// `z² = (1/α) s(z − β/(2α)) − (γ − β²/(4α))/α`, from eq. (4)/(7): correct.
    case corrected
    /// The shift `+β/(2α)` as printed in the paper's eq. (10): gives
    /// `z² + (2β/α) z + β²/α²` instead of z², wrong whenever β ≠ 0.
    case printedEquation10

    /// The amount added to each neuron's bias: −β/(2α) or +β/(2α).
    func offset(alpha: Rational, beta: Rational) -> Rational {
        let h = beta / (Rational(2) * alpha)
        return self == .corrected ? -h : h
    }
}

/// Rewriting square networks for any quadratic activation (T3 of design.md §3, the paper's
/// eqs. 4–10). Each square neuron `w (uᵀx + b)²` becomes the s-neuron
/// `(w/α) s(uᵀx + b − β/(2α))` and the output bias absorbs `−(w/α)(γ − β²/(4α))`, so the neuron
/// counts are unchanged.
public enum QuadraticActivationRewrite {
    /// The exact s-network computing the same function as the square network `net`
    /// (with `.printedEquation10`, the network the paper's printed eq. (10) would give).
    public static func rewrite(_ net: ExactNetwork, to spec: QuadraticActivationSpec,
                               shift: ActivationShift = .corrected) throws -> ExactNetwork {
        guard net.activation == .square else {
            throw NetworkError.unsupported("only a square-activation network can be rewritten for s(z) = αz² + βz + γ")
        }
        let (alpha, beta, gamma) = (spec.alpha, spec.beta, spec.gamma)
        let offset = shift.offset(alpha: alpha, beta: beta)
        let vertex = gamma - beta * beta / (Rational(4) * alpha)
        var outputBias = net.outputBias
        for w in net.outputWeights { outputBias = outputBias - w / alpha * vertex }
        return try ExactNetwork(inputWidth: net.inputWidth, activation: spec.exactActivation, firstWeights: net.firstWeights,
                                firstBias: net.firstBias.map { $0 + offset }, outputWeights: net.outputWeights.map { $0 / alpha },
                                outputBias: outputBias, skip: net.skip)
    }

    /// The floating-point s-network computing the same function as the square network `net`.
    public static func rewrite(_ net: ResNet, to spec: QuadraticActivationSpec,
                               shift: ActivationShift = .corrected) throws -> ResNet {
        guard net.activation == .square, net.depth == 2, net.outputWidth == 1 else {
            throw NetworkError.unsupported("only a one-hidden-layer square-activation network can be rewritten for s(z) = αz² + βz + γ")
        }
        let alpha = spec.alpha.doubleValue, beta = spec.beta.doubleValue, gamma = spec.gamma.doubleValue
        let offset = shift.offset(alpha: spec.alpha, beta: spec.beta).doubleValue
        let vertex = gamma - beta * beta / (4 * alpha)
        let w = net.layers[1].weights.entries
        var outputBias = net.layers[1].bias[0]
        for wj in w { outputBias -= wj / alpha * vertex }
        let first = ResNet.Layer(weights: net.layers[0].weights, bias: net.layers[0].bias.map { $0 + offset })
        let second = ResNet.Layer(weights: Matrix(rows: 1, columns: w.count, entries: w.map { $0 / alpha }), bias: [outputBias])
        do {
            return try ResNet(widths: net.widths, activation: spec.activation, layers: [first, second], skips: net.skips)
        } catch NetworkError.nonFinite {
            throw NetworkError.badActivation("--activation \(spec): the rewritten network's parameters (output weights w/α, first-layer shift, output bias) overflow a Double; choose α, β, γ of moderate size")
        }
    }

    /// The input scale t of `conditionedRewrite`: the power of two nearest to
    /// `max(1/√|α|, |β|/(|α|R), √(|γ|/|α|)/R)`, so that on the box the s-neuron's quadratic part
    /// αt²z² dominates its linear part βtz and its constant γ.
    public static func inputScale(alpha: Double, beta: Double, gamma: Double, boxRadius r: Double) -> Double {
        let a = abs(alpha)
        let target = max(1 / a.squareRoot(), abs(beta) / (a * r), (abs(gamma) / a).squareRoot() / r)
        guard target.isFinite, target > 0 else { return 1 }
        let exponent = Int(target.exponent) + (target.significand >= 2.squareRoot() ? 1 : 0)
        return Double(sign: .plus, exponent: max(min(exponent, 600), -600), significand: 1)
    }

    /// The floating-point s-network equal to the square network `net`, built so that rounding
    /// stays at the scale of f's terms for any α, β, γ (design.md §3, T3). Each square neuron
    /// `w (uᵀx + b)²` is fed t-scaled, `z = t(uᵀx + b)` with t from `inputScale`, and weighted
    /// `w/(αt²)`, so its quadratic part is exactly the square neuron's. A network with a skip (the
    /// residual one) takes no shift: the neuron's linear part `(wβ/(αt))(uᵀx + b)` is subtracted in
    /// the skip and the output bias, and its constant `wγ/(αt²)` in the output bias. A plain
    /// network has no skip, so its neurons are shifted by −β/(2α) (eq. 4/7) and the output bias
    /// takes `−(w/(αt²))(γ − β²/(4α))`; the scale t keeps that shift comparable to tz, so nothing
    /// cancels catastrophically (the unscaled rewrite loses digits ~ β²/(4α²) when α is small).
    public static func conditionedRewrite(_ net: ResNet, to spec: QuadraticActivationSpec, boxRadius: Double) throws -> ResNet {
        guard net.activation == .square, net.depth == 2, net.outputWidth == 1 else {
            throw NetworkError.unsupported("only a one-hidden-layer square-activation network can be rewritten for s(z) = αz² + βz + γ")
        }
        let alpha = spec.alpha.doubleValue, beta = spec.beta.doubleValue, gamma = spec.gamma.doubleValue
        let t = inputScale(alpha: alpha, beta: beta, gamma: gamma, boxRadius: boxRadius)
        let n = net.inputWidth, m = net.widths[1]
        let u = net.layers[0].weights, b = net.layers[0].bias
        let w = net.layers[1].weights.entries
        let outputWeights = w.map { $0 / (alpha * t * t) }
        var outputBias = net.layers[1].bias[0]
        let firstWeights = Matrix(rows: m, columns: n, entries: u.entries.map { $0 * t })
        var firstBias = b.map { $0 * t }
        var skips = net.skips
        if let skipIndex = skips.firstIndex(where: { $0.from == 0 && $0.to == 2 }) {
            var skip = skips[skipIndex].weights
            for j in 0..<m {
                let slope = w[j] * beta / (alpha * t)
                for i in 0..<n { skip.entries[i] -= slope * u[j, i] }
                outputBias -= slope * b[j] + outputWeights[j] * gamma
            }
            skips[skipIndex] = ResNet.Skip(from: 0, to: 2, weights: skip)
        } else {
            let shift = -beta / (2 * alpha)
            let vertex = gamma - beta * beta / (4 * alpha)
            for j in 0..<m {
                firstBias[j] += shift
                outputBias -= outputWeights[j] * vertex
            }
        }
        guard outputBias.isFinite, outputWeights.allSatisfy(\.isFinite), firstBias.allSatisfy(\.isFinite),
              firstWeights.entries.allSatisfy(\.isFinite), skips.allSatisfy({ $0.weights.entries.allSatisfy(\.isFinite) }) else {
            throw SynthesisError.overflow("activation \(spec): the rewritten network's parameters leave the range of Double; choose α, β, γ of moderate size")
        }
        return try ResNet(widths: net.widths, activation: spec.activation,
                          layers: [ResNet.Layer(weights: firstWeights, bias: firstBias),
                                   ResNet.Layer(weights: Matrix(rows: 1, columns: m, entries: outputWeights), bias: [outputBias])],
                          skips: skips)
    }

    /// What the printed eq. (10) adds to the square network's function, exactly:
    /// `Σ_j w_j [(2β/α)(u_jᵀx + b_j) + β²/α²]` as (constant, linear); zero only when β = 0 or
    /// the weights cancel.
    public static func printedEquation10Discrepancy(of net: ExactNetwork, spec: QuadraticActivationSpec) -> (constant: Rational, linear: [Rational]) {
        let (alpha, beta) = (spec.alpha, spec.beta)
        let slope = Rational(2) * beta / alpha
        let offset = beta * beta / (alpha * alpha)
        var constant = Rational.zero
        var linear = RationalVector.zero(net.inputWidth)
        for j in 0..<net.hiddenNeurons {
            let w = net.outputWeights[j]
            constant = constant + w * (slope * net.firstBias[j] + offset)
            linear = RationalVector.adding(linear, net.firstWeights.row(j), scaledBy: w * slope)
        }
        return (constant, linear)
    }
}

/// Both synthesized networks rewritten for s(z) = αz² + βz + γ and verified like the square ones
/// (design.md §3 T3, §5), with the printed eq. (10) shown to miss f.
public struct QuadraticActivationNetworks: Sendable {
    /// s.
    public let spec: QuadraticActivationSpec
    /// The residual s-network (k neurons + skip).
    public let residual: ResNet
    /// The plain s-network (k or k + 2 neurons).
    public let plain: ResNet
    /// The residual s-network's verification.
    public let residualCheck: NetworkCheck
    /// The plain s-network's verification.
    public let plainCheck: NetworkCheck
    /// max over the verification points in the box [−R, R]ⁿ of |f − g| for the plain network
    /// built with the printed shift +β/(2α) of eq. (10) (0 only when β = 0).
    public let printedEquation10Error: Double
    /// The input scale t of the conditioned rewrite (`QuadraticActivationRewrite.inputScale`).
    public let inputScale: Double

    /// Rewrites and verifies both networks of `synthesis` for `spec`.
    public init(synthesis: Synthesis, spec: QuadraticActivationSpec) throws {
        let options = synthesis.options
        let verifier = Verifier(synthesis: synthesis)
        let points = Verifier.samplePoints(for: synthesis)
        residual = try QuadraticActivationRewrite.conditionedRewrite(synthesis.residual, to: spec, boxRadius: options.boxRadius)
        plain = try QuadraticActivationRewrite.conditionedRewrite(synthesis.plain, to: spec, boxRadius: options.boxRadius)
        residualCheck = try verifier.check(residual, name: "residual", points: points)
        plainCheck = try verifier.check(plain, name: "plain", points: points)
        let printed = try QuadraticActivationRewrite.rewrite(synthesis.plain, to: spec, shift: .printedEquation10)
        let values = try printed.realization(batch: points)
        let formValues = synthesis.formValues(batch: points).values
        var worst = 0.0
        for i in 0..<points.rows where points.row(i).allSatisfy({ abs($0) <= options.boxRadius }) {
            worst = max(worst, abs(formValues[i] - values[i, 0]))
        }
        self.spec = spec
        inputScale = QuadraticActivationRewrite.inputScale(alpha: spec.alpha.doubleValue, beta: spec.beta.doubleValue,
                                                           gamma: spec.gamma.doubleValue, boxRadius: options.boxRadius)
        printedEquation10Error = worst
    }

    /// Both networks equal f up to rounding.
    public var passed: Bool { residualCheck.passed && plainCheck.passed }
    /// The worse of the two s-networks' verdicts.
    public var status: VerificationStatus { VerificationStatus.worse(residualCheck.status, plainCheck.status) }

    /// The `quadratic_activation` member of the synth report.
    public var json: JSONValue {
        .object([
            ("alpha", ExactJSON.number(spec.alpha)),
            ("beta", ExactJSON.number(spec.beta)),
            ("gamma", ExactJSON.number(spec.gamma)),
            ("shift", .string("residual: none, beta's linear part in the skip; plain: -beta/(2*alpha) (eq. 4/7); inputs scaled by t")),
            ("input_scale", JSONWriter.number(inputScale)),
            ("passed", .bool(passed)),
            ("status", .string(status.jsonName)),
            ("residual", .object([("neurons", .number(String(residual.hiddenNeurons))), ("check", residualCheck.json),
                                  ("network", Formats.networkJSON(residual))])),
            ("plain", .object([("neurons", .number(String(plain.hiddenNeurons))), ("check", plainCheck.json),
                               ("network", Formats.networkJSON(plain))])),
            ("printed_eq10_max_error", JSONWriter.number(printedEquation10Error)),
        ])
    }

}
