import QuadFormCore
import Foundation
/// The report of `quadform synth --exact` (design.md §4): text for people, JSON for tools, with
/// every number exact (integers, or `"p/q"` strings in JSON).
public struct ExactSynthesisReport: Sendable {
    /// The synthesis.
    public let synthesis: ExactSynthesis
    /// Both networks expanded and compared.
    public let verification: ExactVerification
    /// The count certificates.
    public let certificate: NeuronCountCertificate
    /// The s-networks, with `--activation`.
    public let quadraticActivation: ExactQuadraticActivationNetworks?
    /// Whether the certificate holds, each piece recomputed from the form.
    public let certificateHolds: Bool
    /// The networks' number sizes next to the Hadamard bound.
    public let sizes: ExactCertificateSizes
    /// rank A modulo a random word-size prime, with its non-zero minor: an independent lower
    /// bound `rank A ≥ r` (design.md §4, "Modular rank"); nil when no prime avoided A's denominators.
    public let modularRank: ModularRank?
    /// The recorded minor's determinant mod p, recomputed by a separate elimination (non-zero).
    public let modularMinorDeterminant: UInt64?
    /// Seconds the modular rank took (`synth --exact --timings`; not in the JSON, which is the
    /// same for the same input).
    public let modularSeconds: Double

    /// Largest n for which the text report prints A and P in full and the JSON report includes the
    /// projector P (computed on demand in O(n³) fraction arithmetic; synthesis does not need it).
    public static let maximumShownDimension = 12

    /// Builds the report (synthesis already done): verification and certificate on integers.
    public init(synthesis: ExactSynthesis, activation: QuadraticActivationSpec? = nil) throws {
        self.synthesis = synthesis
        var memo = ExactIntegerCheck.SumOfSquaresMemo()
        verification = ExactVerification(residual: synthesis.residual, plain: synthesis.plain, form: synthesis.form, memo: &memo)
        certificate = NeuronCountCertificate(synthesis: synthesis, memo: &memo)
        certificateHolds = certificate.holdsForItsForm(synthesis.form)
        sizes = ExactCertificateSizes(synthesis: synthesis)
        let clock = ContinuousClock()
        let start = clock.now
        let modular = try? ModularRank(matrix: synthesis.symmetricMatrix)
        modularRank = modular
        modularMinorDeterminant = modular.flatMap { $0.minorDeterminant(of: synthesis.symmetricMatrix) }
        let elapsed = clock.now - start
        modularSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        quadraticActivation = try activation.map { try ExactQuadraticActivationNetworks(synthesis: synthesis, spec: $0) }
    }

    /// Every exact check passed (networks equal f, certificates hold).
    public var passed: Bool {
        verification.passed && certificateHolds && (quadraticActivation?.passed ?? true) && modularBoundConsistent
    }

    /// The modular lower bound does not contradict the exact rank (r ≤ k, and the minor is
    /// non-zero mod p when r > 0); true when no modular rank was computed.
    public var modularBoundConsistent: Bool {
        guard let m = modularRank else { return true }
        return m.rank <= synthesis.rank && (m.rank == 0 || (modularMinorDeterminant ?? 0) != 0)
    }

    /// The sentence of the modular lower bound ("rank A ≥ r: the minor on rows … columns … is
    /// non-zero mod p = …"), variables by name; nil when no modular rank was computed.
    public var modularSentence: String? {
        guard let m = modularRank else { return nil }
        let names = synthesis.form.variables
        func list(_ v: [Int]) -> String {
            let shown = v.prefix(12).map { names[$0] }.joined(separator: ", ")
            return v.count > 12 ? shown + ", … (\(v.count) in all)" : shown
        }
        if m.rank == 0 { return "modulo p = \(m.prime) A is 0 (no lower bound beyond 0)" }
        return "rank A ≥ \(m.rank): the \(m.rank)×\(m.rank) minor of A on rows {\(list(m.rows))} and columns {\(list(m.columns))} is non-zero mod p = \(m.prime) (determinant \(modularMinorDeterminant ?? 0) mod p)"
    }

    /// Whether A and P are small enough to print (n ≤ `maximumShownDimension`).
    var showsMatrices: Bool { synthesis.form.dimension <= ExactSynthesisReport.maximumShownDimension }

    /// Why the plain network has the neurons it has.
    public var plainReason: String {
        let k = synthesis.rank
        return synthesis.hasLinearNullPart
            ? "k + 2 = \(k + 2): a_N ≠ 0, so completing the squares leaves v = a − A·y ≠ 0 and two neurons carry vᵀx = w·((zᵀx + t)² − (zᵀx − t)²) with z integer, v = 4wt·z (theorem T2: no plain network with fewer exists)"
            : "k = \(k): a ∈ range(A), so completing the squares absorbs the whole linear term"
    }

    /// The JSON report.
    public var json: JSONValue {
        let s = synthesis
        let steps: [JSONValue] = s.reduction.steps.map { step in
            switch step {
            case let .diagonal(index, pivot):
                return .object([("kind", .string("diagonal")), ("index", .number(String(index))), ("pivot", ExactJSON.number(pivot))])
            case let .productPair(i, j, entry):
                return .object([("kind", .string("product_pair")), ("i", .number(String(i))), ("j", .number(String(j))), ("entry", ExactJSON.number(entry))])
            }
        }
        let c = certificate
        var certificateMembers: [(String, JSONValue)] = [
            ("holds", .bool(certificateHolds)),
            ("reduction_reproduces_matrix", .bool(c.reductionReproducesMatrix)),
            ("minor_indices", .array(c.minorIndices.map { .number(String($0)) })),
            ("minor_determinant", ExactJSON.number(c.minorDeterminant)),
        ]
        if let z = c.nullVector, let az = c.matrixTimesNullVector, let za = c.nullVectorDotLinear {
            certificateMembers += [("null_vector", ExactJSON.numbers(z)), ("matrix_times_null_vector", ExactJSON.numbers(az)),
                                   ("null_vector_dot_linear", ExactJSON.number(za))]
        }
        if let y = c.rangePreimage { certificateMembers.append(("range_preimage", ExactJSON.numbers(y))) }
        var members: [(String, JSONValue)] = [
            ("exact", .bool(true)),
            ("variables", .array(s.form.variables.map { .string($0) })),
            ("form", s.form.json),
            ("symmetric_matrix", ExactJSON.matrix(s.symmetricMatrix)),
            ("rank", .number(String(s.rank))),
            ("lagrange", .object([
                ("steps", .array(steps)),
                ("coefficients", ExactJSON.numbers(s.reduction.coefficients)),
                ("vectors", .array(s.reduction.vectors.map(ExactJSON.numbers))),
            ])),
            ("projector", showsMatrices ? ExactJSON.matrix(s.projector) : .null),
            ("linear_range_part", s.linearRangePart.map(ExactJSON.numbers) ?? .null),
            ("linear_null_part", s.linearNullPart.map(ExactJSON.numbers) ?? .null),
            ("linear_null_part_norm_squared", s.linearNullPartNormSquared.map(ExactJSON.number) ?? .null),
            ("linear_null_part_omitted", s.linearNullPartOmission.map { .string($0) } ?? .null),
            ("linear_remainder", ExactJSON.numbers(s.linearRemainder)),
            ("linear_in_range", .bool(!s.hasLinearNullPart)),
            ("residual", .object([("neurons", .number(String(s.residual.hiddenNeurons))), ("network", s.residual.json)])),
            ("plain", .object([("neurons", .number(String(s.plain.hiddenNeurons))), ("reason", .string(plainReason)),
                               ("network", s.plain.json)])),
            ("verification", .object([
                ("passed", .bool(verification.passed)),
                ("method", .string("exact expansion of each network into (c, a, A), compared for equality")),
                ("residual_equal", .bool(verification.residualEqual)),
                ("plain_equal", .bool(verification.plainEqual)),
            ])),
            ("certificate", .object(certificateMembers)),
            ("modular_rank", modularRank.map { m in .object([
                ("prime", .number(String(m.prime))),
                ("rank", .number(String(m.rank))),
                ("minor_rows", .array(m.rows.map { .number(String($0)) })),
                ("minor_columns", .array(m.columns.map { .number(String($0)) })),
                ("minor_determinant_mod_p", .number(String(modularMinorDeterminant ?? 0))),
                ("primes", .number("1")),
                ("consistent_with_exact_rank", .bool(modularBoundConsistent)),
            ]) } ?? .null),
            ("sizes", .object([
                ("largest_numerator_digits", .number(String(sizes.largestNumeratorDigits))),
                ("largest_denominator_digits", .number(String(sizes.largestDenominatorDigits))),
                ("hadamard_digits", .number(String(sizes.hadamardDigits))),
                ("hadamard_bound_of", .string("k×k minors of s·A, s the common denominator of A")),
            ])),
        ]
        if let q = quadraticActivation {
            members.append(("quadratic_activation", .object([
                ("alpha", ExactJSON.number(q.spec.alpha)), ("beta", ExactJSON.number(q.spec.beta)), ("gamma", ExactJSON.number(q.spec.gamma)),
                ("shift", .string("-beta/(2*alpha) (eq. 4/7)")),
                ("passed", .bool(q.passed)),
                ("residual", .object([("neurons", .number(String(q.residual.hiddenNeurons))), ("equal", .bool(q.residualEqual)), ("network", q.residual.json)])),
                ("plain", .object([("neurons", .number(String(q.plain.hiddenNeurons))), ("equal", .bool(q.plainEqual)), ("network", q.plain.json)])),
                ("printed_eq10_equal", .bool(q.printedEquation10Equal)),
                ("printed_eq10_discrepancy", .object([("constant", ExactJSON.number(q.printedEquation10Discrepancy.constant)),
                                                      ("linear", ExactJSON.numbers(q.printedEquation10Discrepancy.linear))])),
            ])))
        }
        return .object(members)
    }

    /// The report for people.
    public var text: String {
        let s = synthesis
        let n = s.form.dimension
        let names = s.form.variables
        var out = ""
        func line(_ label: String, _ value: String) {
            out += label.padding(toLength: 20, withPad: " ", startingAt: 0) + value + "\n"
        }
        func vector(_ v: [Rational]) -> String { "[" + v.map(\.description).joined(separator: ", ") + "]" }
        line("mode", "exact rational arithmetic (fraction-free on GMP integers): no rounding anywhere")
        line("variables", names.isEmpty ? "(none)" : "\(names.joined(separator: ", "))   (n = \(n))")
        line("f(x)", s.form.formula)
        if showsMatrices {
            let rows = s.symmetricMatrix.rowArrays.map(vector)
            line("A = (M + Mᵀ)/2", rows.first ?? "[]")
            for r in rows.dropFirst() { line("", r) }
        } else {
            line("A = (M + Mᵀ)/2", "\(n) × \(n) (printed for n ≤ \(ExactSynthesisReport.maximumShownDimension); --format json has it)")
        }
        let squares: [(Rational, String)] = zip(s.reduction.coefficients, s.reduction.vectors).map { d, l in
            (d, "(" + ExactJSON.join(l.enumerated().compactMap { $1.isZero ? nil : ($1, names[$0]) }, limit: 8) + ")^2")
        }
        line("Lagrange", "xᵀAx = " + (squares.isEmpty ? "0" : ExactJSON.join(squares)))
        for step in s.reduction.steps {
            switch step {
            case let .diagonal(index, pivot): line("", "pivot A[\(names[index]),\(names[index])] = \(pivot)")
            case let .productPair(i, j, entry):
                line("", "all diagonal entries 0: \(names[i])·\(names[j]) entry \(entry), x_i x_j = ((x_i + x_j)² − (x_i − x_j)²)/4")
            }
        }
        line("rank", "k = \(s.rank) exactly (principal minor on {\(certificate.minorIndices.map { names[$0] }.joined(separator: ", "))} has determinant \(certificate.minorDeterminant))")
        if showsMatrices {
            let projector = s.projector
            line("P = L(LᵀL)⁻¹Lᵀ", projector.rowArrays.first.map(vector) ?? "[]")
            for r in projector.rowArrays.dropFirst() { line("", vector(r)) }
        } else {
            line("P = L(LᵀL)⁻¹Lᵀ", "\(n) × \(n), not computed for n > \(ExactSynthesisReport.maximumShownDimension) (a_N is computed directly)")
        }
        line("sizes", "largest numerator \(sizes.largestNumeratorDigits) digits, denominator \(sizes.largestDenominatorDigits) digits; "
             + "Hadamard bound of the \(s.rank)×\(s.rank) minors of A: \(sizes.hadamardDigits) digits")
        if let nullPart = s.linearNullPart, let norm = s.linearNullPartNormSquared {
            line("a_N = (I − P)a", (showsMatrices ? vector(nullPart) : "\(nullPart.filter { !$0.isZero }.count) non-zero entries") + "   ‖a_N‖² = \(norm): "
                 + (s.hasLinearNullPart ? "the linear term leaves range(A)" : "the linear term lies in range(A)"))
        } else {
            line("a_N = (I − P)a", "not computed (\(s.linearNullPartOmission ?? "")); v ≠ 0 below: the linear term leaves range(A)")
        }
        if s.hasLinearNullPart {
            line("v = a − A·y", (showsMatrices ? vector(s.linearRemainder) : "\(s.linearRemainder.filter { !$0.isZero }.count) non-zero entries")
                 + "   (y on the pivots; what the plain network's two extra neurons carry, v − a_N ∈ range(A))")
        }
        out += "\n"
        line("residual network", "\(s.residual.hiddenNeurons) square neuron\(s.residual.hiddenNeurons == 1 ? "" : "s") + linear skip   l = (\(n), \(s.residual.hiddenNeurons), 1), S = {(0,2)}")
        line("", "g(x) = " + s.residual.formula(variables: names))
        line("plain network", "\(s.plain.hiddenNeurons) square neuron\(s.plain.hiddenNeurons == 1 ? "" : "s")   l = (\(n), \(s.plain.hiddenNeurons), 1), S = ∅")
        line("", plainReason)
        line("", "g(x) = " + s.plain.formula(variables: names))
        out += "\n"
        line("verification", verification.passed ? "PASSED (exact)" : "FAILED")
        line("  residual", "expanded back: (c', a', A') \(verification.residualEqual ? "=" : "≠") (c, a, A)")
        line("  plain", "expanded back: (c', a', A') \(verification.plainEqual ? "=" : "≠") (c, a, A)")
        if let q = quadraticActivation {
            out += "\n"
            line("activation s", "\(q.spec.formula), shift −β/(2α) = \(-(q.spec.beta / (Rational(2) * q.spec.alpha))) (eq. 4/7)")
            line("  residual", "\(q.residual.hiddenNeurons) s-neuron\(q.residual.hiddenNeurons == 1 ? "" : "s") + skip: expanded \(q.residualEqual ? "=" : "≠") f")
            line("", "g(x) = " + q.residual.formula(variables: names))
            line("  plain", "\(q.plain.hiddenNeurons) s-neuron\(q.plain.hiddenNeurons == 1 ? "" : "s"): expanded \(q.plainEqual ? "=" : "≠") f")
            let d = q.printedEquation10Discrepancy
            var terms: [(Rational, String)] = d.linear.enumerated().compactMap { $1.isZero ? nil : ($1, names[$0]) }
            if !d.constant.isZero || terms.isEmpty { terms.append((d.constant, "")) }
            line("  eq. (10) printed", "shift +β/(2α): g − f = " + ExactJSON.join(terms) + (q.printedEquation10Equal ? " (β = 0: no difference)" : " ≠ 0"))
        }
        return out
    }
}
