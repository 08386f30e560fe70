import BigInt
import CGMP
import Foundation

/// Why a factored exact extraction could not be completed.
public enum FactoredExtractionError: Error, Equatable, CustomStringConvertible {
    /// Every prime tried gave a basis whose exact coordinates failed the identity check.
    case unluckyPrimes(tried: Int)
    /// The network has no square neuron and no linear term: nothing to factor.
    case empty

    public var description: String {
        switch self {
        case .unluckyPrimes(let tried): return "factored exact extraction: \(tried) primes each gave a row basis whose exact coordinates failed the check"
        case .empty: return "factored exact extraction: the network has no square neuron and no linear term"
        }
    }
}

/// `extract --exact` in the neurons' factor space (design.md §4, "Factored extraction"): a
/// one-hidden-layer quadratic network computes `f(x) = c + aᵀx + Σ_j w_jα (u_jᵀx)²`, so with Y
/// an exact basis of span{u_j, a} (r rows chosen among the neurons' integer-scaled rows and a),
/// `u_j = Yᵀ C_j` and `a = Yᵀ e` give `f = g ∘ Y`, `g(z) = c + eᵀz + zᵀBz`,
/// `B = Σ_j w_jα C_j C_jᵀ` (r × r). Y has full row rank, so rank A = rank B and a ∈ range(A)
/// exactly when e ∈ range(B): the minimal counts of f are those of g (theorems T1, T2, §3).
/// g is synthesized by `ExactSynthesis` (r variables, not n) and its networks are mapped back,
/// first-layer rows ℓᵀY and skip Yᵀs.
///
/// Proof of equivalence, exact: (1) every row u_j (and a) equals its coordinates times Y, checked
/// on all n columns in integers; (2) g's networks expand back to g (`ExactSynthesisReport`);
/// (3) the mapped networks compute g(Yx) identically by construction. Independently, the original
/// network and both mapped networks are evaluated in exact rationals at random integer points
/// (`probes`; a non-zero quadratic vanishes at one with probability ≤ 2/2²¹).
/// The basis is found modulo a random prime (`ModularRank`): its r×r minor is non-zero mod p,
/// hence non-zero, so the rows are independent (rank ≥ r); (1) proves span ≤ r. A prime that
/// hides a dependence fails (1) and the next prime is tried.
public struct FactoredExactExtraction: Sendable {
    /// n, the network's inputs.
    public let dimension: Int
    /// The neurons with a non-zero quadratic term w_jα u_ju_jᵀ (indices into the hidden layer).
    public let quadraticNeurons: [Int]
    /// The neurons whose rows are in Y, in order.
    public let basisNeurons: [Int]
    /// The rows that were candidates for Y: the quadratic neurons' rows, then a when a ≠ 0.
    public let candidateRows: Int
    /// Whether a is a row of Y (a ∉ span{u_j}: then a_N ≠ 0 for certain).
    public let linearInBasis: Bool
    /// The modular evidence: p, and the rows (indices into the neurons' rows, then a) and columns
    /// of the non-zero r×r minor of the integer-scaled rows.
    public let modular: ModularRank
    /// How many primes were tried (1 unless a prime hid a dependence).
    public let primesTried: Int
    /// g(z) = c + eᵀz + zᵀBz in r variables z = Yx.
    public let factorForm: ExactForm
    /// The exact synthesis and report of g.
    public let factorSynthesis: ExactSynthesis
    /// The residual network for f (n inputs).
    public let residual: ExactNetwork
    /// The plain network for f (n inputs).
    public let plain: ExactNetwork
    /// (1): every neuron row and a equal their coordinates times Y, exactly.
    public let coordinatesCheck: Bool
    /// (2): g's networks expand back to g and its certificate holds.
    public let factorVerified: Bool
    /// The random integer points at which original, residual and plain were compared exactly.
    public let probes: Int
    /// Whether all three agreed at every probe.
    public let probesAgree: Bool
    /// Seconds per phase: basis (modular), coordinates (exact solve and check), synthesis of g
    /// (with its verification), mapping back, probes.
    public let timings: [(phase: String, seconds: Double)]

    /// k = rank A (= rank B).
    public var rank: Int { factorSynthesis.rank }
    /// Whether a ∉ range(A), exactly (e ∉ range(B)).
    public var hasLinearNullPart: Bool { factorSynthesis.hasLinearNullPart }
    /// r, the dimension of the factor space.
    public var factorDimension: Int { factorForm.dimension }
    /// Every exact check passed.
    public var passed: Bool { coordinatesCheck && factorVerified && probesAgree }

    /// Whether the factored path is the one to take for a network of `inputs` inputs and
    /// `neurons` hidden neurons: when the factor space (at most neurons + 1) is at most half of n
    /// and n is beyond the printed size of the full report.
    public static func isPreferred(inputs n: Int, neurons m: Int) -> Bool {
        n > 24 && 2 * (m + 1) <= n
    }

    /// `init(network:)`, or nil when the network has no square term and no linear term
    /// (`FactoredExtractionError.empty`: its form is a constant, for the full path).
    public static func unlessEmpty(network net: ResNet, seed: UInt64 = 1) throws -> FactoredExactExtraction? {
        do { return try FactoredExactExtraction(network: net, seed: seed) } catch FactoredExtractionError.empty { return nil }
    }

    /// Extracts `net` (shape checked by `NetworkExtraction.checkShape`) in factor space.
    public init(network net: ResNet, seed: UInt64 = 1, probes: Int = 2) throws {
        try NetworkExtraction.checkShape(net)
        let clock = ContinuousClock()
        var start = clock.now
        var timings: [(String, Double)] = []
        func lap(_ phase: String) {
            let now = clock.now
            let d = now - start
            timings.append((phase, Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18))
            start = now
        }
        func q(_ d: Double) -> Rational { Rational(exactly: d)! }
        let (alpha, beta, gamma): (Rational, Rational, Rational)
        switch net.activation {
        case let .quadratic(a, b, c): (alpha, beta, gamma) = (q(a), q(b), q(c))
        default: (alpha, beta, gamma) = (.one, .zero, .zero)
        }
        let n = net.inputWidth, m = net.widths[1]
        let u = net.layers[0].weights.entries, b = net.layers[0].bias, w = net.layers[1].weights.entries

        // Integer rows: u_j = ũ_j / 2^{E_j}; the linear term a = ã / L (L a power of two).
        var constant = q(net.layers[1].bias[0])
        var active: [Int] = []
        var exponents: [Int] = []
        var linearScales: [Rational] = []   // w_j(2αb_j + β) / 2^{E_j}: a's coefficient on ũ_j
        var quadraticScales: [Rational] = []  // w_jα / 4^{E_j}
        var rowIndex: [Int: Int] = [:]  // neuron → row of `integerRows`
        var allRows: [Int] = []  // neurons with a non-zero row and w_j ≠ 0
        for j in 0..<m where w[j] != 0 {
            let wj = q(w[j]), bj = q(b[j])
            constant = constant + wj * ((alpha * bj + beta) * bj + gamma)
            guard (0..<n).contains(where: { u[j * n + $0] != 0 }) else { continue }
            var e = 0
            for i in 0..<n where u[j * n + i] != 0 {
                let x = u[j * n + i]
                e = max(e, x.significandWidth - Int(x.exponent))
            }
            rowIndex[j] = allRows.count
            allRows.append(j)
            exponents.append(e)
            let scale = Rational(1, BigInt(1) << e)
            linearScales.append(wj * (Rational(2) * alpha * bj + beta) * scale)
            quadraticScales.append(wj * alpha * scale * scale)
            if !alpha.isZero { active.append(j) }
        }
        let rowsCount = allRows.count
        // Row t of `integers` is ũ_{allRows[t]}; row rowsCount is ã.
        let integers = IntegerMatrix(rows: rowsCount + 1, columns: n)
        for (t, j) in allRows.enumerated() {
            let e = exponents[t]
            for i in 0..<n where u[j * n + i] != 0 {
                let x = u[j * n + i]
                let width = x.significandWidth
                let odd = Int(x.significand * Double(sign: .plus, exponent: width, significand: 1))
                qf_mpz_set_si(integers[t, i], x < 0 ? -abs(odd) : abs(odd))
                qf_mpz_mul_2exp(integers[t, i], integers[t, i], UInt(Int(x.exponent) - width + e))
            }
        }
        var skipValues = RationalVector.zero(n)
        for skip in net.skips { for i in 0..<n { skipValues[i] = skipValues[i] + q(skip.weights[0, i]) } }
        let (scaleNumerators, linearDenominator) = GMP.commonDenominator(linearScales + skipValues)
        for t in 0..<rowsCount where qf_mpz_sgn(scaleNumerators[t]) != 0 {
            for i in 0..<n where qf_mpz_sgn(integers[t, i]) != 0 { qf_mpz_addmul(integers[rowsCount, i], scaleNumerators[t], integers[t, i]) }
        }
        for i in 0..<n { qf_mpz_add(integers[rowsCount, i], integers[rowsCount, i], scaleNumerators[rowsCount + i]) }
        let linearIsZero = (0..<n).allSatisfy { qf_mpz_sgn(integers[rowsCount, $0]) == 0 }
        // The rows that enter Y: quadratic neurons, then a.
        let candidates = active.map { rowIndex[$0]! } + (linearIsZero ? [] : [rowsCount])
        guard !candidates.isEmpty else { throw FactoredExtractionError.empty }
        lap("read")

        var attempt = 0
        while attempt < 8 {
            defer { attempt += 1 }
            let p = ModularRank.prime(seed: seed, index: attempt)
            var echelon = ModularRank.Echelon(prime: p, columns: n)
            var residues = [UInt64](repeating: 0, count: n)
            for (position, t) in candidates.enumerated() {
                for i in 0..<n { residues[i] = qf_mpz_sgn(integers[t, i]) == 0 ? 0 : UInt64(qf_mpz_fdiv_ui(integers[t, i], UInt(p))) }
                echelon.add(residues, index: position)
            }
            let modular = ModularRank(echelon)
            let basis = modular.rows.map { candidates[$0] }
            let r = basis.count
            let inBasis = Set(modular.rows)
            lap("basis mod p")

            // Exact coordinates of the dependent rows: K = Ỹ[:, J], solve Kᵀ c = ũ_t[J].
            let dependent = candidates.indices.filter { !inBasis.contains($0) }
            let system = IntegerMatrix(rows: r, columns: r + dependent.count)
            for (a, t) in basis.enumerated() { for (c, col) in modular.columns.enumerated() { qf_mpz_set(system[c, a], integers[t, col]) } }
            for (d, position) in dependent.enumerated() {
                for (c, col) in modular.columns.enumerated() { qf_mpz_set(system[c, r + d], integers[candidates[position], col]) }
            }
            // No dependent row: Y is every candidate and the coordinates are unit vectors.
            let solved = dependent.isEmpty ? (IntegerMatrix(rows: 1, columns: 1), IntegerMatrix(rows: 1, columns: 1))
                : IntegerElimination.solveMany(system, rightHandSides: dependent.count)
            guard let (numerators, determinant) = solved else { continue }
            // Row t of `coordinates` over `denominators[t]`: ũ_t = (coordinates_t / den_t)·Ỹ.
            let coordinates = IntegerMatrix(rows: candidates.count, columns: max(r, 1))
            let denominators = IntegerMatrix(rows: 1, columns: candidates.count)
            for (a, position) in modular.rows.enumerated() { qf_mpz_set_si(coordinates[position, a], 1); qf_mpz_set_si(denominators[position], 1) }
            let g = IntegerMatrix(rows: 1, columns: 2)
            var holds = true
            for (d, position) in dependent.enumerated() {
                qf_mpz_set(g[0], determinant[0])
                for a in 0..<r { qf_mpz_gcd(g[0], g[0], numerators[a, d]) }
                if qf_mpz_sgn(determinant[0]) < 0 { qf_mpz_neg(g[0], g[0]) }
                qf_mpz_divexact(denominators[position], determinant[0], g[0])
                for a in 0..<r { qf_mpz_divexact(coordinates[position, a], numerators[a, d], g[0]) }
                // (1): den·ũ_t = Σ_a C_ta Ỹ_a on every column.
                let t = candidates[position]
                for i in 0..<n {
                    qf_mpz_set_si(g[1], 0)
                    for a in 0..<r where qf_mpz_sgn(coordinates[position, a]) != 0 { qf_mpz_addmul(g[1], coordinates[position, a], integers[basis[a], i]) }
                    qf_mpz_submul(g[1], denominators[position], integers[t, i])
                    if qf_mpz_sgn(g[1]) != 0 { holds = false; break }
                }
                if !holds { break }
            }
            lap("coordinates (exact solve and check)")
            guard holds else { continue }

            // g: B = Σ_j s_j C_j C_jᵀ with s_j = w_jα/(4^{E_j} den_j²); e = C_a/(den_a·L).
            var scales: [Rational] = []
            var neuronPositions: [Int] = []
            for (position, t) in candidates.enumerated() where t < rowsCount {
                let den = GMP.bigInt(denominators[position])
                scales.append(quadraticScales[t] / Rational(den * den))
                neuronPositions.append(position)
            }
            let (s, sDenominator) = GMP.commonDenominator(scales)
            let bInt = IntegerMatrix(rows: r, columns: r)
            for (index, position) in neuronPositions.enumerated() where qf_mpz_sgn(s[index]) != 0 {
                let nonzero = (0..<r).filter { qf_mpz_sgn(coordinates[position, $0]) != 0 }
                for a in nonzero {
                    qf_mpz_mul(g[0], s[index], coordinates[position, a])
                    for c in nonzero where c >= a { qf_mpz_addmul(bInt[a, c], g[0], coordinates[position, c]) }
                }
            }
            var quadratic = RationalMatrix(rows: r, columns: r)
            for a in 0..<r {
                for c in a..<r where qf_mpz_sgn(bInt[a, c]) != 0 {
                    let v = GMP.rational(bInt[a, c], sDenominator[0])
                    quadratic[a, c] = v
                    quadratic[c, a] = v
                }
            }
            var e = RationalVector.zero(r)
            if let position = candidates.firstIndex(of: rowsCount) {
                qf_mpz_mul(g[0], denominators[position], linearDenominator[0])
                for a in 0..<r where qf_mpz_sgn(coordinates[position, a]) != 0 { e[a] = GMP.rational(coordinates[position, a], g[0]) }
            }
            let names = (1...max(r, 1)).prefix(r).map { "z\($0)" }
            let factorForm = try ExactForm(variables: names, constant: constant, linear: e, quadratic: quadratic)
            let synthesis = try ExactSynthesis(form: factorForm)
            let verification = synthesis.verify()
            let factorVerified = verification.passed && synthesis.certificate.holdsForItsForm(factorForm)
            lap("exact synthesis of g (\(r) variables) and its verification")

            // Map back: rows ℓᵀỸ, skip Ỹᵀs.
            func mapped(_ row: [Rational]) -> [Rational] {
                let (l, den) = GMP.commonDenominator(row)
                let sum = IntegerMatrix(rows: 1, columns: n)
                for a in 0..<r where qf_mpz_sgn(l[a]) != 0 {
                    for i in 0..<n where qf_mpz_sgn(integers[basis[a], i]) != 0 { qf_mpz_addmul(sum[i], l[a], integers[basis[a], i]) }
                }
                return (0..<n).map { qf_mpz_sgn(sum[$0]) == 0 ? .zero : GMP.rational(sum[$0], den[0]) }
            }
            func lift(_ network: ExactNetwork) throws -> ExactNetwork {
                try ExactNetwork(inputWidth: n, activation: network.activation,
                                 firstWeights: RationalMatrix(rowArrays: network.firstWeights.rowArrays.map(mapped), columns: n),
                                 firstBias: network.firstBias, outputWeights: network.outputWeights, outputBias: network.outputBias,
                                 skip: network.skip.map(mapped))
            }
            let residual = try lift(synthesis.residual)
            let plain = try lift(synthesis.plain)
            lap("map back to \(n) inputs")

            // Independent end-to-end check at random integer points, exactly.
            var generator = SplitMix64(seed: seed ^ 0x5EED)
            var agree = true
            let (residualValue, plainValue) = (residual.evaluator(), plain.evaluator())
            for _ in 0..<probes {
                let x = (0..<n).map { _ in Int(generator.next() >> 43) - (1 << 20) }
                let original = try NetworkExtraction.exactValue(of: net, at: x)
                if residualValue(x) != original || plainValue(x) != original { agree = false }
            }
            lap("exact probes (\(probes))")

            self.dimension = n
            self.quadraticNeurons = active
            self.basisNeurons = basis.filter { $0 < rowsCount }.map { allRows[$0] }
            self.linearInBasis = basis.contains(rowsCount)
            self.candidateRows = candidates.count
            self.modular = modular
            self.primesTried = attempt + 1
            self.factorForm = factorForm
            self.factorSynthesis = synthesis
            self.residual = residual
            self.plain = plain
            self.coordinatesCheck = holds
            self.factorVerified = factorVerified
            self.probes = probes
            self.probesAgree = agree
            self.timings = timings
            return
        }
        throw FactoredExtractionError.unluckyPrimes(tried: 8)
    }
}

extension NetworkExtraction {
    /// The network's value at an integer point, exactly: `B2 + Vx + Σ_j w_j σ(u_jᵀx + b_j)` with
    /// every stored weight the dyadic rational it is (the independent probe of the factored
    /// extraction, design.md §4). Each row's dot product is summed in GMP integers after scaling
    /// the row by 2^(52 − e_min) (e_min its smallest binary exponent: every entry then an integer,
    /// converted by GMP's own `mpz_set_d`), a separate path from the extraction's row scaling.
    public static func exactValue(of net: ResNet, at x: [Int]) throws -> Rational {
        try checkShape(net)
        func q(_ d: Double) -> Rational { Rational(exactly: d)! }
        let n = net.inputWidth, m = net.widths[1]
        let t = IntegerMatrix(rows: 1, columns: 3)
        /// Σ_i v_i x_i exactly (v Doubles).
        func dot(_ v: ArraySlice<Double>) -> Rational {
            let nonzero = v.filter { $0 != 0 }
            guard let low = nonzero.map({ Int($0.exponent) }).min() else { return .zero }
            let shift = 52 - low
            qf_mpz_set_si(t[0], 0)
            var exact = true
            for (i, value) in zip(0..<n, v) where value != 0 && x[i] != 0 {
                let scaled = Foundation.scalbn(value, shift)
                guard scaled.isFinite else { exact = false; break }
                qf_mpz_set_d(t[1], scaled)
                qf_mpz_mul_si(t[1], t[1], x[i])
                qf_mpz_add(t[0], t[0], t[1])
            }
            if !exact { return zip(v, x).reduce(Rational.zero) { $0 + q($1.0) * Rational($1.1) } }
            qf_mpz_set_si(t[2], 1)
            qf_mpz_mul_2exp(t[2], t[2], UInt(max(shift, 0)))
            if shift < 0 { qf_mpz_set_si(t[2], 1); qf_mpz_mul_2exp(t[1], t[0], UInt(-shift)); qf_mpz_set(t[0], t[1]) }
            return GMP.rational(t[0], t[2])
        }
        var value = q(net.layers[1].bias[0])
        for skip in net.skips { value = value + dot(skip.weights.entries[0..<n]) }
        let u = net.layers[0].weights.entries
        for j in 0..<m where net.layers[1].weights.entries[j] != 0 {
            let z = q(net.layers[0].bias[j]) + dot(u[(j * n)..<((j + 1) * n)])
            let s: Rational
            switch net.activation {
            case let .quadratic(a, b, c): s = (q(a) * z + q(b)) * z + q(c)
            default: s = z * z
            }
            value = value + q(net.layers[1].weights.entries[j]) * s
        }
        return value
    }
}

extension ExactNetwork {
    /// g(x) at integer points, exactly: each row is put over its common denominator once, and
    /// every point's dot products are then summed in GMP integers (the same value as `evaluate`,
    /// for wide rows and several points; design.md §4).
    public func evaluator() -> ([Int]) -> Rational {
        let rows = (0..<hiddenNeurons).map { GMP.commonDenominator(firstWeights.row($0)) }
        let skipRow = skip.map { GMP.commonDenominator($0) }
        let n = inputWidth
        let (bias, weights, output, sigma) = (firstBias, outputWeights, outputBias, activation)
        return { x in
            let t = IntegerMatrix(rows: 1, columns: 2)
            func dot(_ row: (numerators: IntegerMatrix, denominator: IntegerMatrix)) -> Rational {
                qf_mpz_set_si(t[0], 0)
                for i in 0..<n where x[i] != 0 && qf_mpz_sgn(row.numerators[i]) != 0 {
                    qf_mpz_mul_si(t[1], row.numerators[i], x[i])
                    qf_mpz_add(t[0], t[0], t[1])
                }
                return GMP.rational(t[0], row.denominator[0])
            }
            var g = output
            if let skipRow { g = g + dot(skipRow) }
            for j in rows.indices where !weights[j].isZero { g = g + weights[j] * sigma(dot(rows[j]) + bias[j]) }
            return g
        }
    }
}
