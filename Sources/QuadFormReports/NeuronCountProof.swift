import QuadFormCore
/// The neuron-count argument of design.md §3 for one instance, in words and numbers: the rank
/// with its evidence, a_N against its tolerance, the constructive upper bounds (synthesized and
/// verified networks), the lower-bound theorems T1 and T2 with their hypotheses checked, the
/// conclusion "residual minimum = k, plain minimum = k or k + 2", and the note on the paper's
/// "k + 1". `quadform prove` prints it.
public struct NeuronCountProof: Sendable {
    /// The argument, one paragraph per entry.
    public let paragraphs: [String]
    /// k: the proved residual minimum.
    public let residualMinimum: Int
    /// k or k + 2: the proved plain minimum.
    public let plainMinimum: Int
    /// Whether every hypothesis and verification checked out (the argument is complete).
    public let holds: Bool
    /// Whether the argument is exact (rational arithmetic, `--exact`).
    public let exact: Bool
    /// The JSON report of the synthesis the argument rests on (floating or exact); null for the
    /// multimodular certificate, which builds no networks.
    public let synthesisJSON: JSONValue
    /// How the exact counts were certified (`certificate` in JSON: method, primes, minors,
    /// seconds; design.md §4); nil for the floating-point argument and when no timing was asked for.
    public let certificateJSON: JSONValue?

    /// The argument as text.
    public var text: String { paragraphs.joined(separator: "\n\n") + "\n" }

    /// The JSON report of `quadform prove --format json`: whether the argument holds, the proved
    /// minima, the paragraphs of the text, how the counts were certified (`certificate`, exact
    /// mode) and the synthesis report it rests on (design.md §3).
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("holds", .bool(holds)),
            ("exact", .bool(exact)),
            ("residual_minimum", .number(String(residualMinimum))),
            ("plain_minimum", .number(String(plainMinimum))),
            ("paragraphs", .array(paragraphs.map { .string($0) })),
        ]
        if let certificateJSON { members.append(("certificate", certificateJSON)) }
        members.append(("synthesis", synthesisJSON))
        return .object(members)
    }

    /// The conclusion line.
    static func conclusion(k: Int, hasNull: Bool) -> String {
        "Conclusion: residual minimum = k = \(k), plain minimum = " + (hasNull ? "k + 2 = \(k + 2)" : "k = \(k)")
            + ".\n(In general: residual minimum = k, plain minimum = k or k + 2.)"
    }

    /// The note on the paper's "at least k + 1".
    static func paperNote(k: Int, n: Int, hasNull: Bool, approximate: ApproximatePlainNetwork?) -> String {
        var note = "Note on the paper's \"k + 1\": Holguin & Kreinovich say a traditional (plain) network needs at least k + 1 neurons when k < n. "
        if hasNull {
            note += "Here that is a true lower bound (k + 1 = \(k + 1) ≤ \(k + 2)) but not the minimum: by T2 the exact gap between plain and residual is two neurons, not one. "
                + "k + 1 plain neurons reach f only in a limit, a_Nᵀx ≈ ((a_Nᵀx + t)² − t²)/(2t) with error (a_Nᵀx)²/(2t)"
            if let approximate {
                note += "; the k + 1 = \(approximate.neurons) network of `synth` has error ≤ \(NumberFormat.short(approximate.errorBound)) on [−\(NumberFormat.short(approximate.boxRadius)), \(NumberFormat.short(approximate.boxRadius))]^n (measured \(NumberFormat.short(approximate.maxErrorMeasured))) and is NOT exact"
            }
            note += "."
        } else {
            note += k < n
                ? "Here k = \(k) < n = \(n) but a ∈ range(A), so a plain network with only k neurons computes f exactly: the claim \"at least k + 1\" is false for this instance. It holds only when a ∉ range(A), and then the minimum is k + 2."
                : "Here k = n = \(n), so the paper's case k < n does not arise; a ∈ range(A) and k plain neurons suffice."
        }
        return note
    }

    static let t1 = "Theorem T1 (lower bound, residual and plain). Any network g(x) = c' + vᵀx + Σ_{j=1..m} w_j (u_jᵀx + b_j)² equal to f has Σ w_j u_j u_jᵀ = A (match the quadratic coefficients); a sum of m rank-one matrices has rank ≤ m, so m ≥ rank A = k."
    static let t2 = "Theorem T2 (plain lower bound, hypothesis a_N ≠ 0). For a plain network (v = 0) also 2 Σ w_j b_j u_j = a. Drop neurons with w_j = 0. Then range(A) ⊆ span{u_j} and a ∈ span{u_j}, hence a_N = a − Pa ∈ span{u_j}, which is orthogonal to range(A), so dim span{u_j} ≥ k + 1 and m ≥ k + 1. If m = k + 1 the u_j are independent, so Σ w_j u_j u_jᵀ = U diag(w) Uᵀ has rank k + 1 ≠ k — a contradiction; so m ≥ k + 2."

    /// The argument for a floating-point synthesis (numerical rank from LAPACKE eigenvalues).
    public init(report: SynthesisReport) {
        let s = report.synthesis, v = report.verification
        let n = s.form.dimension, k = s.rank
        let fmt = NumberFormat.short
        var p: [String] = []
        p.append("Instance: f(x) = \(SynthesisReport.formula(of: s.form)), n = \(n), A = (M + Mᵀ)/2.")
        var rank = "Rank (floating point, LAPACKE \(s.eigen.driver.rawValue)): eigenvalues \(SynthesisReport.list(s.eigen.eigenvalues.map(fmt), limit: 10)). "
            + "With tolerance \(fmt(s.rankTolerance))\(s.tolerance.formula.map { " = \($0)" } ?? " (given)"), k = \(k): "
            + "smallest kept |λ| = \(s.smallestKept.map(fmt) ?? "none"), largest dropped |λ| = \(s.largestDropped.map(fmt) ?? "none")"
        let rankClear = !s.rankIsIllDetermined
        if let kept = s.smallestKept, let dropped = s.largestDropped, dropped > 0 {
            rank += ", gap ×\(fmt(kept / dropped))"
        }
        rank += ". This is a numerical rank: the argument below is for A with the dropped eigenvalues set to 0, which changes xᵀAx by at most Σ|λ_dropped|·‖x‖² = \(fmt(s.droppedEigenvalueSum))·‖x‖²"
        rank += rankClear ? "." : "; the gap is under 10³, so the rank is ill-determined: a tolerance between the two would give another k. What would decide it: --exact (rational input), or a --rank-tolerance you can justify from how the matrix was obtained."
        p.append(rank)
        p.append("Linear term: a_N = (I − P)a with P the projector onto the computed range(A): ‖a_N‖ = \(fmt(s.linearNullPartNorm)) against \(fmt(s.linearNullPartTolerance)) = 10·max(n,1)·ε·‖a‖·max|λ|/gap, the tilt rounding can give the computed range(A) (Davis–Kahan), so "
                 + (!s.hasLinearNullPart ? (s.linearNullPartNorm == 0 ? "a_N = 0: a ∈ range(A)."
                    : "a_N = 0 up to rounding: a ∈ range(A) is assumed (the k-neuron plain network equals f within the verification's tolerance), and the argument below is for f with a replaced by Pa, which changes f by at most ‖a_N‖·‖x‖ = \(fmt(s.linearNullPartNorm))·‖x‖. If the computed a_N is not rounding noise, f itself needs k + 2 plain neurons; for rational input --exact decides.")
                    : s.linearNullPartIsUncertain
                    ? "whether a ∉ range(A) is not settled numerically; but leaving a_N out would make the k-neuron plain network miss f by more than rounding (×\(fmt(s.linearNullPartRoundingRatio)) of 3/4 its tolerance), so the plain network carries it. What would decide the count: --exact (rational input)."
                    : "a_N ≠ 0: a ∉ range(A), with margin ×\(fmt(s.linearNullPartNorm / s.linearNullPartTolerance))."))
        p.append("Upper bounds (constructive, design.md §2): the residual network with k = \(s.residual.hiddenNeurons) square neuron\(s.residual.hiddenNeurons == 1 ? "" : "s") and the skip aᵀx, "
                 + "and the plain network with \(s.plain.hiddenNeurons) neurons; verification \(v.status.rawValue): "
                 + "coefficients within \(fmt(max(v.residual.coefficientError, v.plain.coefficientError))) (tolerance \(fmt(max(v.residual.coefficientTolerance, v.plain.coefficientTolerance)))), "
                 + "samples within \(fmt(max(v.residual.sampleError, v.plain.sampleError))) on \(v.points) points.")
        p.append(Self.t1 + " Here k = \(k), so residual ≥ \(k) and plain ≥ \(k).")
        if s.hasLinearNullPart && !s.linearNullPartIsUncertain {
            p.append(Self.t2 + " Hypothesis checked: ‖a_N‖ = \(fmt(s.linearNullPartNorm)) > \(fmt(s.linearNullPartTolerance)); so plain ≥ k + 2 = \(k + 2).")
        } else if s.hasLinearNullPart {
            p.append(Self.t2 + " Hypothesis NOT checked: ‖a_N‖ = \(fmt(s.linearNullPartNorm)) is within the uncertainty \(fmt(s.linearNullPartTolerance)), so T2 is not applied here.")
        } else {
            p.append("T2 does not apply (a ∈ range(A)): completing the squares absorbs the linear term, and T1's bound k is attained by the plain network too.")
        }
        let decided = rankClear && !s.linearNullPartIsUncertain && v.status == .passed && (s.plainSquaresOverflow == nil || s.hasLinearNullPart)
        if decided {
            p.append(Self.conclusion(k: k, hasNull: s.hasLinearNullPart))
        } else {
            var reasons: [String] = []
            if !rankClear { reasons.append("the rank is ill-determined (gap under 10³)") }
            if s.linearNullPartIsUncertain { reasons.append("a_N ≠ 0 is within rounding uncertainty") }
            if v.status != .passed { reasons.append("the networks are \(v.status.rawValue), not verified equal to f") }
            if let overflow = s.plainSquaresOverflow { reasons.append(overflow + ": the plain network shown has k + 2 neurons") }
            p.append("No conclusion: " + reasons.joined(separator: "; ") + ". The counts k = \(k) (residual) and \(s.plain.hiddenNeurons) (plain) are what this decomposition gives, not proved minima. "
                     + "To decide: --exact for rational input (exact rank and a_N), or a --rank-tolerance justified by how the matrix was obtained.")
        }
        p.append(Self.paperNote(k: k, n: n, hasNull: s.hasLinearNullPart, approximate: report.plainApproximate))
        paragraphs = p
        residualMinimum = k
        plainMinimum = s.hasLinearNullPart ? k + 2 : k
        holds = decided && s.residual.hiddenNeurons == k && s.plain.hiddenNeurons == plainMinimum
        exact = false
        synthesisJSON = report.json
        certificateJSON = nil
    }

    /// The argument for an exact synthesis: every number rational, every check an equality.
    /// With `seconds` (what the synthesis, verification and certificate took) a last paragraph and
    /// the JSON `certificate` say how the counts were certified and how long it took.
    public init(exact report: ExactSynthesisReport, seconds: Double? = nil) {
        let s = report.synthesis, c = report.certificate
        let names = s.form.variables
        let n = s.form.dimension, k = s.rank
        func vector(_ v: [Rational]) -> String { "(" + v.map(\.description).joined(separator: ", ") + ")" }
        var p: [String] = []
        p.append("Instance: f(x) = \(s.form.formula), n = \(n), exact rational arithmetic (no rounding).")
        var pivots: [String] = []
        for step in s.reduction.steps {
            switch step {
            case let .diagonal(i, d): pivots.append("pivot \(d) at (\(names[i]), \(names[i]))")
            case let .productPair(i, j, e): pivots.append("all diagonal entries 0, product step on (\(names[i]), \(names[j])) with entry \(e)")
            }
        }
        let squares = zip(s.reduction.coefficients, s.reduction.vectors).map { d, l in
            (d, "(" + ExactJSON.join(l.enumerated().compactMap { $1.isZero ? nil : ($1, names[$0]) }, limit: 8) + ")^2")
        }
        p.append("Rank (exact, Lagrange's reduction): " + (pivots.isEmpty ? "A = 0, no pivots" : pivots.joined(separator: "; "))
                 + ", giving xᵀAx = " + (squares.isEmpty ? "0" : ExactJSON.join(squares)) + ". "
                 + "So rank A ≤ \(k) (this identity re-expanded: \(c.reductionReproducesMatrix ? "equal to A" : "NOT equal to A")), and rank A ≥ \(k) because the principal "
                 + "submatrix on {\(c.minorIndices.map { names[$0] }.joined(separator: ", "))} has determinant \(c.minorDeterminant) ≠ 0. Hence k = \(k) exactly."
                 + (report.modularSentence.map { " Independently, modular: \($0) — a lower bound anyone can recheck with one prime." } ?? ""))
        if let z = c.nullVector, let za = c.nullVectorDotLinear, let az = c.matrixTimesNullVector {
            let nullPart = s.linearNullPart.map { "a_N = (I − P)a = \(vector($0)) with P = L(LᵀL)⁻¹Lᵀ rational; ‖a_N‖² = \(s.linearNullPartNormSquared ?? .zero) ≠ 0" }
                ?? "a_N ≠ 0 (a_N itself not computed: \(s.linearNullPartOmission ?? ""))"
            p.append("Linear term: \(nullPart). "
                     + "Certificate that a ∉ range(A): the null vector z = \(vector(z)) of A has Az = \(vector(az)) and zᵀa = \(za) ≠ 0, while a = Ay would give zᵀa = (Az)ᵀy = 0.")
        } else if let y = c.rangePreimage {
            p.append("Linear term: a_N = (I − P)a = 0 exactly; certificate that a ∈ range(A): y = \(vector(y)) has Ay = a.")
        }
        let verification = report.verification
        p.append("Upper bounds (constructive, exact): the residual network g(x) = \(s.residual.formula(variables: names)) (\(s.residual.hiddenNeurons) neuron\(s.residual.hiddenNeurons == 1 ? "" : "s") + skip) "
                 + "and the plain network g(x) = \(s.plain.formula(variables: names)) (\(s.plain.hiddenNeurons) neurons). Expanded back into (c, a, A): "
                 + "residual \(verification.residualEqual ? "equal" : "NOT equal"), plain \(verification.plainEqual ? "equal" : "NOT equal") — an exact proof of equivalence.")
        p.append(Self.t1 + " Here k = \(k) exactly, so residual ≥ \(k) and plain ≥ \(k).")
        if s.hasLinearNullPart {
            p.append(Self.t2 + " Hypothesis checked exactly: a_N ≠ 0 (certificate above); so plain ≥ k + 2 = \(k + 2).")
        } else {
            p.append("T2 does not apply (a ∈ range(A), certified): T1's bound k is attained by the plain network too.")
        }
        p.append(Self.conclusion(k: k, hasNull: s.hasLinearNullPart))
        p.append(Self.paperNote(k: k, n: n, hasNull: s.hasLinearNullPart, approximate: nil))
        if let seconds {
            p.append("Certificate: reduction — Lagrange's reduction fraction-free on GMP integers, both networks expanded back and compared, "
                     + "and the modular lower bound with \(report.modularRank == nil ? "no prime (every prime tried divides a denominator)" : "1 prime")"
                     + "; \(Self.seconds(seconds)). For n ≥ \(ExactCertificateMethod.multimodularDimension) --certificate auto takes the multimodular certificate (no networks written out).")
        }
        paragraphs = p
        residualMinimum = k
        plainMinimum = s.hasLinearNullPart ? k + 2 : k
        holds = report.passed && s.residual.hiddenNeurons == k && s.plain.hiddenNeurons == plainMinimum
        exact = true
        synthesisJSON = report.json
        certificateJSON = seconds.map { seconds in
            .object([
                ("method", .string("reduction")),
                ("holds", .bool(report.passed)),
                ("primes", .number(report.modularRank == nil ? "0" : "1")),
                ("seconds", .number(NumberFormat.short(seconds))),
            ])
        }
    }

    /// "1.23 s" (three significant digits; milliseconds below 0.01 s).
    static func seconds(_ t: Double) -> String {
        t < 0.01 ? "\(NumberFormat.short((t * 1000 * 100).rounded() / 100)) ms" : "\(NumberFormat.short((t * 100).rounded() / 100)) s"
    }
}
