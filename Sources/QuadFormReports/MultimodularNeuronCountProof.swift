import QuadFormCore

extension NeuronCountProof {
    /// The argument of design.md §3 from the multimodular certificate (design.md §4,
    /// "Multimodular certificates"): the rank's lower bound from a principal minor non-zero mod p,
    /// its upper bound (and a ∈ range(A)) from the ranks modulo enough primes for Hadamard's bound,
    /// a ∉ range(A) from a bordered minor non-zero mod p, the upper bounds on the neuron counts by
    /// the construction of §2 (not written out), T1 and T2, and how long it took.
    public init(multimodular c: MultimodularRankCertificate, form: ExactForm) {
        let names = form.variables
        let n = form.dimension, k = c.rank
        let shown = ExactSynthesisReport.maximumShownDimension
        func list(_ indices: [Int], limit: Int = 12) -> String {
            let text = indices.prefix(limit).map { $0 < n ? names[$0] : "a" }.joined(separator: ", ")
            return indices.count > limit ? text + ", … (\(indices.count) in all)" : text
        }
        func primes(_ values: [UInt64]) -> String {
            values.count <= 4 ? values.map(String.init).joined(separator: ", ")
                : "\(values[0]), \(values[1]), …, \(values[values.count - 1])"
        }
        var p: [String] = []
        p.append("Instance: " + (n <= shown ? "f(x) = \(form.formula), " : "") + "n = \(n), A = (M + Mᵀ)/2; exact integer arithmetic on [B | b] = s·[A | a] (s = \(c.scale)) "
                 + "reduced modulo word-size primes: the multimodular certificate (design.md §4), no rounding.")
        let m = c.rankMinor
        let lower = k == 0
            ? "Rank, lower bound: k ≥ 0 (nothing to show)."
            : "Rank, lower bound: modulo p = \(m.prime) the \(k)×\(k) principal minor of B on {\(list(m.rows))} has determinant \(m.determinant) ≢ 0, so it is a non-zero integer and rank A ≥ \(k)."
        let minors = c.boundIsBordered ? "[B | b]" : "B"
        let upper = c.boundMinorSize == 0
            ? "Rank, upper bound: k = n = \(n), nothing to bound."
            : "Rank, upper bound: rank \(minors) ≤ \(k) modulo each of \(c.primes.count) prime\(c.primes.count == 1 ? "" : "s") (\(primes(c.primes)); the deterministic sequence of seed \(c.seed)). "
                + "Every \(c.boundMinorSize)×\(c.boundMinorSize) minor of \(minors) is an integer of absolute value at most Hadamard's bound H ≤ 2^\(c.hadamardBits) (the product of its \(c.boundMinorSize) largest column or row norms) "
                + "and divisible by every prime, hence by their product P ≥ 2^\(c.primeProductBits)\(c.boundPassed ? " > H" : " — NOT above H"); so it is 0 and rank \(minors) ≤ \(k). "
                + "(Equivalently the Schur complement B22 − B21·B11⁻¹·B12 on the minor's rows vanishes: det B11 times each entry is such a bordered minor.)"
        let unlucky = c.unluckyPrimes.isEmpty ? "" : " Unlucky prime\(c.unluckyPrimes.count == 1 ? "" : "s") \(primes(c.unluckyPrimes)) showed a lower rank and \(c.unluckyPrimes.count == 1 ? "was" : "were") replaced as witness by a prime showing the full one."
        p.append(lower + " " + upper + " Hence k = \(k) exactly." + unlucky)
        if let b = c.borderedMinor {
            let base = Array(b.rows.dropLast()), extra = b.rows.last.map { names[$0] } ?? "?"
            let r = base == m.rows ? "R = {\(list(base))}, the principal minor's indices above" : "R = {\(list(base))}"
            p.append("Linear term: modulo p = \(b.prime) the \(k + 1)×\(k + 1) minor of [B | b] on rows R ∪ {\(extra)} and columns R ∪ {a}, \(r), has determinant \(b.determinant) ≢ 0 "
                     + "(it is det B[R, R]·v_j with v = b − B[:, R]·B[R, R]⁻¹·b[R], the border's Schur complement), so rank [A | a] ≥ \(k + 1) > rank A: a ∉ range(A), i.e. a_N ≠ 0.")
        } else {
            p.append("Linear term: the upper bound above is for [B | b], so rank [A | a] = rank A = \(k): a ∈ range(A), a_N = 0.")
        }
        p.append("Upper bounds (constructive, design.md §2): Lagrange's reduction over ℚ writes xᵀAx = Σ_{i≤k} d_i (ℓ_iᵀx)² with k = rank A = \(k) terms, so the residual network with \(k) square neuron\(k == 1 ? "" : "s") and the skip aᵀx computes f; "
                 + (c.linearInRange ? "a ∈ range(A), so completing the squares absorbs aᵀx and a plain network with \(k) neurons computes f."
                    : "completing the squares leaves v = a − A·y ≠ 0, which two more neurons carry: a plain network with \(k + 2) neurons computes f.")
                 + " The networks are not written out on this path; `--certificate reduction` builds them and verifies them exactly.")
        p.append(Self.t1 + " Here k = \(k) exactly, so residual ≥ \(k) and plain ≥ \(k).")
        if c.linearInRange {
            p.append("T2 does not apply (a ∈ range(A), certified): T1's bound k is attained by the plain network too.")
        } else {
            p.append(Self.t2 + " Hypothesis checked exactly: a ∉ range(A) (the bordered minor above); so plain ≥ k + 2 = \(k + 2).")
        }
        p.append(Self.conclusion(k: k, hasNull: !c.linearInRange))
        p.append(Self.paperNote(k: k, n: n, hasNull: !c.linearInRange, approximate: nil))
        p.append("Certificate: multimodular — \(c.primes.count) prime\(c.primes.count == 1 ? "" : "s") for the upper bound, the lower bound\(c.borderedMinor == nil ? "" : "s") from "
                 + "\(Set([m.prime] + (c.borderedMinor.map { [$0.prime] } ?? [])).count == 1 ? "the first of them" : "two of them")"
                 + ", reduced by FLINT \(MultimodularRankCertificate.flintVersion) nmod_mat on \(c.workers) thread\(c.workers == 1 ? "" : "s"); \(Self.seconds(c.seconds)).")
        paragraphs = p
        residualMinimum = k
        plainMinimum = c.plainMinimum
        holds = c.holds
        exact = true
        synthesisJSON = .null
        certificateJSON = Self.json(c)
    }

    /// The JSON `certificate` of the multimodular path: method, the minors with their primes,
    /// the upper bound's primes and bits, the unlucky primes replaced, and the seconds.
    static func json(_ c: MultimodularRankCertificate) -> JSONValue {
        func ints(_ v: [Int]) -> JSONValue { .array(v.map { .number(String($0)) }) }
        func minor(_ m: MultimodularRankCertificate.Minor) -> JSONValue {
            .object([("prime", .number(String(m.prime))), ("rows", ints(m.rows)), ("columns", ints(m.columns)),
                     ("determinant_mod_p", .number(String(m.determinant)))])
        }
        return .object([
            ("method", .string("multimodular")),
            ("holds", .bool(c.holds)),
            ("rank", .number(String(c.rank))),
            ("linear_in_range", .bool(c.linearInRange)),
            ("scale", .string(c.scale.description)),
            ("lower_bound", minor(c.rankMinor)),
            ("linear_not_in_range", c.borderedMinor.map(minor) ?? .null),
            ("upper_bound", .object([
                ("minors_of", .string(c.boundMinorSize == 0 ? "none (k = n)" : c.boundIsBordered ? "[B | b]" : "B")),
                ("minor_size", .number(String(c.boundMinorSize))),
                ("hadamard_bits", .number(String(c.hadamardBits))),
                ("prime_product_bits", .number(String(c.primeProductBits))),
                ("passed", .bool(c.boundPassed)),
            ])),
            ("primes", .number(String(c.primes.count))),
            ("prime_values", .array(c.primes.map { .number(String($0)) })),
            ("seed", .number(String(c.seed))),
            ("unlucky_primes", .array(c.unluckyPrimes.map { .number(String($0)) })),
            ("flint_version", .string(MultimodularRankCertificate.flintVersion)),
            ("workers", .number(String(c.workers))),
            ("seconds", .number(NumberFormat.short(c.seconds))),
        ])
    }
}
