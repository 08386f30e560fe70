import QuadFormCore
import Foundation

/// The synthesis report in the two output formats of `quadform synth`: JSON for tools (the keys
/// named in the core issue, networks in design.md §6 format) and text for people.
public struct SynthesisReport: Sendable {
    /// The synthesis.
    public let synthesis: Synthesis
    /// Its verification.
    public let verification: VerificationReport
    /// The "k + 1, approximate" plain network (design.md §3); nil when a_N = 0.
    public let plainApproximate: ApproximatePlainNetwork?
    /// Both networks rewritten for `--activation quadratic:α,β,γ` (T3), when asked for.
    public let quadraticActivation: QuadraticActivationNetworks?
    /// The BLAS/LAPACK that ran the decomposition and the products, with its thread count.
    public let blas: BLASInfo

    /// A report of `synthesis`, verifying it; with `activation`, also the s-networks.
    public init(synthesis: Synthesis, activation: QuadraticActivationSpec? = nil) throws {
        self.synthesis = synthesis
        self.blas = BLASInfo.current
        self.verification = try synthesis.verify()
        self.plainApproximate = try ApproximatePlainNetwork(synthesis: synthesis)
        self.quadraticActivation = try activation.map { try QuadraticActivationNetworks(synthesis: synthesis, spec: $0) }
    }

    /// Whether every network in the report equals f up to rounding (square ones, and s-networks if present).
    public var passed: Bool { status == .passed }

    /// Why a network is ILL_CONDITIONED, and the way out (design.md §5).
    public static func conditioningExplanation(_ c: NetworkCheck) -> String {
        "ILL_CONDITIONED: f in real arithmetic (within the rounding model), but in floating point it misses f by up to "
            + "\(fmt(c.accuracy.worstRatio))× the accuracy τ·scale (its terms are up to \(fmt(c.amplification))× larger than f's); "
            + (c.name == "plain" ? "use the residual network, or `--exact` for rational weights" : "`--exact` gives rational weights")
    }

    /// The verification lines of a text report, label and text (shared with `quadform-mpi`):
    /// the verdict, each network's rounding-model and accuracy figures, the sample points, the rules.
    public static func verificationLines(_ v: VerificationReport, boxRadius: Double, farRadius: Double,
                                         status: VerificationStatus? = nil) -> [(String, String)] {
        var lines: [(String, String)] = [("verification", (status ?? v.status).rawValue)]
        for c in [v.residual, v.plain] {
            let verdict = c.status.rawValue
            let a = c.accuracy
            lines.append(("  \(c.name)", "coefficients: max error \(fmt(c.coefficientError)) \(c.coefficientsPassed ? "≤" : ">") \(fmt(c.coefficientTolerance)) \(c.coefficientsPassed ? "ok" : verdict)"))
            lines.append(("", "samples: max error \(fmt(c.sampleError)), relative \(fmt(c.sampleRelativeError)), worst error/tolerance \(fmt(c.worstRatio)) \(c.samplesPassed ? "ok" : verdict)"))
            lines.append(("", "accuracy: coefficients within \(fmt(a.coefficientErrorBound)), samples within \(fmt(a.scaledSampleError))·scale; "
                          + "τ·scale = \(fmt(a.accuracy * a.scale)) \(a.holds ? "ok" : verdict)"))
            if c.status == .illConditioned { lines.append(("", conditioningExplanation(c))) }
        }
        lines.append(("", "\(v.points) points: origin, unit vectors, random in [−\(fmt(boxRadius)), \(fmt(boxRadius))]^n, 4 at radius \(fmt(farRadius))"))
        lines.append(("", "tolerances: τ = \(fmt(v.accuracy)) of f's scale \(fmt(v.scale)) (the largest of |c|, ‖a‖∞, max|A_ij|, |f| on the box); "
                      + "rounding \(fmt(v.safetyFactor))·(n + m + 2)·(ε·(magnitude of the terms) + η)"))
        return lines
    }

    /// Why the plain network has the neurons it has.
    public var plainReason: String { parts.plainReason }

    /// Why a plain network of a rank-k form has the neurons it has (shared with `quadform-mpi`).
    public static func plainReason(rank k: Int, hasLinearNullPart: Bool, nullPart: [Double], nullNorm: Double,
                                   boxRadius: Double, uncertain: Bool, squaresOverflow: String? = nil, linear: [Double] = []) -> String {
        if let squaresOverflow {
            return "k + 2 = \(k + 2): \(squaresOverflow), so the k squares stay unshifted and two neurons carry the whole aᵀx = h·((pᵀx + r)² − (pᵀx − r)²)/(4r), p = a/h; "
                + (hasLinearNullPart ? "a_N ≠ 0, so k + 2 is the minimum (theorem T2)"
                   : "a ∈ range(A), so a plain network with k neurons exists in real arithmetic, but not with Double weights (use the residual network, or --exact)")
        }
        guard hasLinearNullPart else {
            return "k = \(k): a ∈ range(A), so completing the squares absorbs the whole linear term"
        }
        let (_, weight, offset) = Synthesis.nullNeuronParameters(nullPart: nullPart, norm: nullNorm, boxRadius: boxRadius)
        let scale = 4 * weight * offset
        let identity = scale == 1 && offset == 1
            ? "a_Nᵀx = ((a_Nᵀx + 1)² − (a_Nᵀx − 1)²)/4"
            : "a_Nᵀx = h·((pᵀx + r)² − (pᵀx − r)²)/(4r), p = a_N/h, h = \(NumberFormat.short(scale)) (a power of two near ‖a_N‖), r = \(NumberFormat.short(offset))"
        return "k + 2 = \(k + 2): a_N ≠ 0, so two neurons carry \(identity) "
            + (uncertain
               ? "(exact; but ‖a_N‖ is within the rounding uncertainty of range(A), so whether k + 2 is the minimum is not settled numerically: --exact decides for rational input)"
               : "(theorem T2: no plain network with fewer exists)")
    }

    /// The verdict of every network in the report: the square ones and, if present, the s-networks.
    public var status: VerificationStatus {
        guard let q = quadraticActivation else { return verification.status }
        return VerificationStatus.worse(verification.status, q.status)
    }

    /// The parts this report shares with `quadform-mpi`'s (`SynthesisReportParts`).
    public var parts: SynthesisReportParts {
        let s = synthesis
        return SynthesisReportParts(variables: s.form.variables, form: Formats.formJSON(s.form), symmetricMatrix: JSONWriter.matrix(s.symmetricMatrix),
                                    driver: (s.eigen.driver.rawValue, s.eigen.requestedDriver.rawValue, s.eigen.driverReason),
                                    eigenvalues: s.eigen.eigenvalues, precision: s.form.precision, linear: s.form.linear, core: s.core,
                                    verification: verification, options: s.options, farSampleRadius: s.farSampleRadius, blas: blas)
    }

    // MARK: JSON

    /// The JSON report: the shared members (`SynthesisReportParts`), then `quadratic_activation`.
    public var json: JSONValue {
        var members = parts.jsonMembers(plainApproximate: plainApproximate?.json ?? .null)
        if let q = quadraticActivation { members.append(("quadratic_activation", q.json)) }
        return .object(members)
    }

    // MARK: Text

    /// The report for people.
    public var text: String {
        let s = synthesis
        let v = verification
        let n = s.form.dimension
        var out = ""
        func line(_ label: String, _ value: String) {
            out += label.padding(toLength: 20, withPad: " ", startingAt: 0) + value + "\n"
        }
        line("variables", s.form.variables.isEmpty ? "(none)" : "\(Self.list(s.form.variables, limit: 12))   (n = \(n))")
        line("f(x)", Self.formula(of: s.form, symmetric: s.symmetricMatrix))
        if n <= 8 {
            let rows = s.symmetricMatrix.rowArrays.map { "[" + $0.map(Self.fmt).joined(separator: ", ") + "]" }
            line("A = (M + Mᵀ)/2", rows.first ?? "[]")
            for r in rows.dropFirst() { line("", r) }
        } else {
            line("A = (M + Mᵀ)/2", "\(n)×\(n), ‖A‖_F = \(Self.fmt(s.symmetricMatrix.frobeniusNorm))")
        }
        line("eigenvalues", "\(Self.list(numbers: s.eigen.eigenvalues, limit: 10))   (LAPACKE \(s.eigen.driver.rawValue), ascending)")
        // auto's choice is stated when it is not the reference dsyev the line above already names
        // (the JSON report always has eigen_driver_reason).
        if s.eigen.requestedDriver == .auto && s.eigen.driver != .dsyev { line("", "driver " + s.eigen.driverReason) }
        let shared = parts
        for (label, text) in shared.rankLines { line(label, text) }
        out += "\n"
        line("residual network", "\(s.residual.hiddenNeurons) square neuron\(s.residual.hiddenNeurons == 1 ? "" : "s") + linear skip   l = \(Self.widths(s.residual)), S = {(0,2)}")
        if n <= 6 && s.residual.hiddenNeurons <= 8 { line("", "g(x) = " + Self.formula(of: s.residual, variables: s.form.variables)) }
        line("plain network", "\(s.plain.hiddenNeurons) square neuron\(s.plain.hiddenNeurons == 1 ? "" : "s")   l = \(Self.widths(s.plain)), S = ∅")
        line("", plainReason)
        if n <= 6 && s.plain.hiddenNeurons <= 8 { line("", "g(x) = " + Self.formula(of: s.plain, variables: s.form.variables)) }
        out += "\n"
        for (label, text) in Self.verificationLines(v, boxRadius: s.options.boxRadius, farRadius: s.farSampleRadius, status: status) { line(label, text) }
        for l in shared.approximationLines { line("", l) }
        if let approx = plainApproximate {
            out += "\n"
            for (i, l) in approx.textLines.enumerated() { line(i == 0 ? "plain, k + 1" : "", l) }
        }
        if let q = quadraticActivation {
            out += "\n"
            for (i, l) in q.textLines.enumerated() { line(i == 0 ? "activation s" : "", l) }
        }
        out += "\n"
        line("BLAS/LAPACK", blas.summary)
        return out
    }

    /// `(l_0, …, l_L)`.
    public static func widths(_ net: ResNet) -> String { "(" + net.widths.map(String.init).joined(separator: ", ") + ")" }

    /// `list(_:limit:)` of numbers, formatting only the ones shown (so n = 10⁴ formats 10).
    public static func list(numbers values: [Double], limit: Int) -> String {
        values.count <= limit ? values.map(fmt).joined(separator: ", ")
            : (values.prefix(limit / 2).map(fmt) + ["…"] + values.suffix(limit / 2).map(fmt)).joined(separator: ", ")
    }

    static func list(_ items: [String], limit: Int) -> String {
        items.count <= limit ? items.joined(separator: ", ")
            : (items.prefix(limit / 2) + ["…"] + items.suffix(limit / 2)).joined(separator: ", ")
    }

    /// `NumberFormat.short`, the one number formatter of the text reports.
    static func fmt(_ x: Double) -> String { NumberFormat.short(x) }

    /// `c + Σ a_i x_i + Σ A_ij x_i x_j` written out, at most 24 terms.
    public static func formula(of form: QuadraticForm) -> String {
        formula(of: form, symmetric: form.symmetricMatrix)
    }

    /// `formula(of:)` with A = (M + Mᵀ)/2 already at hand: terms past the limit are only counted,
    /// so a large form costs O(n²) comparisons and no strings.
    static func formula(of form: QuadraticForm, symmetric a: Matrix, limit: Int = 24) -> String {
        var terms: [(Double, String)] = []
        var more = 0
        let names = form.variables
        let n = form.dimension
        a.entries.withUnsafeBufferPointer { entries in
            for i in 0..<n {
                for j in i..<n where entries[i * n + j] != 0 {
                    if terms.count < limit {
                        let coefficient = i == j ? entries[i * n + i] : 2 * entries[i * n + j]
                        terms.append((coefficient, i == j ? "\(names[i])^2" : "\(names[i])*\(names[j])"))
                    } else {
                        more += 1
                    }
                }
            }
        }
        for i in 0..<n where form.linear[i] != 0 {
            if terms.count < limit { terms.append((form.linear[i], names[i])) } else { more += 1 }
        }
        if form.constant != 0 || (terms.isEmpty && more == 0) {
            if terms.count < limit { terms.append((form.constant, "")) } else { more += 1 }
        }
        return join(terms, limit: limit, more: more)
    }

    package static func join(_ terms: [(Double, String)], limit: Int, more: Int = 0) -> String {
        var out = ""
        for (index, (c, name)) in terms.prefix(limit).enumerated() {
            let magnitude = abs(c)
            let body = name.isEmpty ? fmt(magnitude) : (magnitude == 1 ? name : "\(fmt(magnitude))*\(name)")
            if index == 0 { out += (c < 0 ? "-" : "") + body } else { out += (c < 0 ? " - " : " + ") + body }
        }
        let omitted = max(terms.count - limit, 0) + more
        if omitted > 0 { out += " + … (\(omitted) more term\(omitted == 1 ? "" : "s"))" }
        return out
    }

    /// The network as a formula: `B2 + Vx + Σ w_j (u_jᵀx + b_j)²`.
    public static func formula(of net: ResNet, variables: [String]) -> String {
        var parts: [(Double, String)] = []
        let b2 = net.layers[1].bias[0]
        for skip in net.skips {
            for (i, w) in skip.weights.row(0).enumerated() where w != 0 { parts.append((w, variables[i])) }
        }
        for j in 0..<net.widths[1] {
            var inner: [(Double, String)] = []
            for (i, u) in net.layers[0].weights.row(j).enumerated() where u != 0 { inner.append((u, variables[i])) }
            let b = net.layers[0].bias[j]
            if b != 0 || inner.isEmpty { inner.append((b, "")) }
            parts.append((net.layers[1].weights[0, j], "(" + join(inner, limit: 8) + ")^2"))
        }
        if b2 != 0 || parts.isEmpty { parts.append((b2, "")) }
        return join(parts, limit: 12)
    }
}
