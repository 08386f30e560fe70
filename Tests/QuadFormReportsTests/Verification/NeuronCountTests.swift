import Testing
@testable import QuadFormCore
@testable import QuadFormReports

// Proofs of the neuron counts of design.md §3 (T1, T2, T3) over generated instances, exact and
// floating. Instances are built with a known rank k and a known position of a relative to range(A),
// decided by the small elimination below (an oracle independent of the library's Lagrange code).

/// Rank of a rational matrix by plain row reduction, written here independently of the library.
private func oracleRank(_ rows: [[Rational]]) -> Int {
    var m = rows
    guard let width = m.first?.count else { return 0 }
    var rank = 0
    for c in 0..<width {
        guard let p = (rank..<m.count).first(where: { !m[$0][c].isZero }) else { continue }
        m.swapAt(rank, p)
        for i in 0..<m.count where i != rank && !m[i][c].isZero {
            let f = m[i][c] / m[rank][c]
            for j in 0..<width { m[i][j] = m[i][j] - f * m[rank][j] }
        }
        rank += 1
        if rank == m.count { break }
    }
    return rank
}

private func randomInt(_ rng: inout SplitMix64, _ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }

private func randomNonZeroRational(_ rng: inout SplitMix64) -> Rational {
    var p = 0
    while p == 0 { p = randomInt(&rng, -4...4) }
    return Rational(p) / Rational(randomInt(&rng, 1...3))
}

/// A generated exact instance with its known answers.
private struct ExactInstance {
    let form: ExactForm
    let rank: Int
    let linearInRange: Bool
}

/// n ∈ 1…5, A = Σ_{i≤k} d_i ℓ_i ℓ_iᵀ with independent integer ℓ_i (checked by the oracle) and
/// non-zero rational d_i; M = A + a random skew-symmetric part; a in range(A) or random.
private func exactInstance(_ rng: inout SplitMix64, forceLinearInRange: Bool? = nil) -> ExactInstance {
    let n = randomInt(&rng, 1...5)
    let k = randomInt(&rng, 0...n)
    var vectors: [[Rational]] = []
    while vectors.count < k {
        let v = (0..<n).map { _ in Rational(randomInt(&rng, -3...3)) }
        if oracleRank(vectors + [v]) == vectors.count + 1 { vectors.append(v) }
    }
    var m = RationalMatrix(rows: n, columns: n)
    for v in vectors {
        let d = randomNonZeroRational(&rng)
        for p in 0..<n { for q in 0..<n { m[p, q] = m[p, q] + d * v[p] * v[q] } }
    }
    for p in 0..<n { for q in (p + 1)..<max(p + 1, n) {
        let skew = Rational(randomInt(&rng, -2...2))
        m[p, q] = m[p, q] + skew
        m[q, p] = m[q, p] - skew
    } }
    let inRange = forceLinearInRange ?? (randomInt(&rng, 0...1) == 0)
    var linear: [Rational]
    if inRange {
        linear = RationalVector.zero(n)
        for v in vectors { linear = RationalVector.adding(linear, v, scaledBy: Rational(randomInt(&rng, -3...3))) }
    } else {
        linear = (0..<n).map { _ in Rational(randomInt(&rng, -5...5)) }
    }
    let actuallyInRange = oracleRank(vectors + [linear]) == k
    let form = try! ExactForm(constant: Rational(randomInt(&rng, -9...9)) / Rational(2), linear: linear, quadratic: m)
    return ExactInstance(form: form, rank: k, linearInRange: actuallyInRange)
}

private func randomSpec(_ rng: inout SplitMix64) -> QuadraticActivationSpec {
    try! QuadraticActivationSpec(alpha: randomNonZeroRational(&rng), beta: Rational(randomInt(&rng, -3...3)) / Rational(2),
                                 gamma: Rational(randomInt(&rng, -3...3)))
}

@Suite("Neuron counts: exact synthesis")
struct ExactSynthesisTests {
    @Test("the issue's three examples: counts, rational weights, exact equality")
    func issueExamples() throws {
        let expected: [(String, Int, Int, Int)] = [("x*y + x/3 + 2", 2, 2, 2), ("x^2 + y", 1, 1, 3), ("x^2 - 2*x*y + y^2 + 3*z", 1, 1, 3)]
        for (text, rank, residual, plain) in expected {
            let s = try ExactSynthesis(form: ExactForm.parse(text))
            #expect(s.rank == rank, "\(text)")
            #expect(s.residual.hiddenNeurons == residual, "\(text)")
            #expect(s.plain.hiddenNeurons == plain, "\(text)")
            #expect(s.verify().passed, "\(text)")
            #expect(s.certificate.holds(for: s.form), "\(text)")
        }
    }

    @Test("x*y uses the product step: x*y = ((x+y)² − (x−y)²)/4, no diagonal pivot")
    func productStep() throws {
        let s = try ExactSynthesis(form: ExactForm.parse("x*y"))
        #expect(s.reduction.steps == [.productPair(i: 0, j: 1, entry: Rational(1, 2))])
        #expect(s.reduction.coefficients == [Rational(1, 4), Rational(-1, 4)])
        let x = [Rational(3), Rational(-7, 2)]
        #expect(s.residual.evaluate(x) == Rational(-21, 2))
    }

    @Test("decimal literals are exact: 0.1*x^2 + 0.2*x has a_N = 0 and β = 1, exactly")
    func decimalsExact() throws {
        let s = try ExactSynthesis(form: ExactForm.parse("0.1*x^2 + 0.2*x"))
        #expect(s.reduction.coefficients == [Rational(1, 10)])
        #expect(s.shifts == [Rational(1)])
        #expect(!s.hasLinearNullPart)
        // The plain network completes the square, 0.1(x + 1)² − 0.1; the residual one carries 0.2x on its skip.
        #expect(s.plain.outputBias == Rational(-1, 10))
        #expect(s.residual.outputBias == .zero && s.residual.skip == [Rational(1, 5)])
    }

    @Test("the exact projector is symmetric, idempotent, fixes range(A), has trace k and gives a_R = Pa")
    func projector() throws {
        var rng = SplitMix64(seed: 11)
        for _ in 0..<60 {
            let instance = exactInstance(&rng)
            let s = try ExactSynthesis(form: instance.form)
            let p = s.projector
            #expect(p == p.transposed)
            #expect(p.multiply(p) == p)
            #expect(p.multiply(s.symmetricMatrix) == s.symmetricMatrix)
            let nullPart = try #require(s.linearNullPart)
            #expect(s.symmetricMatrix.multiply(nullPart).allSatisfy { $0.isZero })
            // P is the projector the networks use (a_R = Pa), and onto a space of dimension k:
            // for an idempotent matrix the trace is the rank (P = I would fail here when k < n).
            #expect(p.multiply(s.form.linear) == s.linearRangePart)
            let trace = (0..<p.rows).reduce(Rational.zero) { $0 + p[$1, $1] }
            #expect(trace == Rational(s.rank))
        }
    }

    @Test("exact network JSON: weights as integers or \"p/q\" strings, read back by both readers")
    func networkJSON() throws {
        let s = try ExactSynthesis(form: ExactForm.parse("x*y + x/3 + 2"))
        let text = JSONWriter.write(s.plain.json)
        #expect(text.contains("\"1/3\"") || text.contains("\"1/4\""))
        let value = try JSONReader.parse(text)
        let exact = try ExactNetwork.from(json: value, name: "net.json")
        #expect(exact == s.plain)
        let floating = try Formats.network(from: value, name: "net.json")
        let f = try s.form.doubleForm()
        for x in [[0.0, 0.0], [1.5, -2.0], [-0.25, 3.0]] {
            let g = try floating.realization(x)[0]
            #expect(abs(g - f.evaluate(x)) <= 1e-14 * (1 + abs(f.evaluate(x))))
        }
    }

    @Test("forms read exactly from JSON: 0.1 is 1/10, \"-1/3\" strings accepted")
    func formJSON() throws {
        let value = try JSONReader.parse(#"{"constant": 0.1, "linear": ["-1/3", 0], "quadratic": [[1, 0.5], [0.5, "1/4"]]}"#)
        let form = try ExactForm.from(json: value, name: "f.json")
        #expect(form.constant == Rational(1, 10))
        #expect(form.linear == [Rational(-1, 3), .zero])
        let s = try ExactSynthesis(form: form)
        #expect(s.rank == 1)
        #expect(s.verify().passed)
        #expect(throws: JSONError.self) { try ExactForm.from(json: JSONReader.parse(#"{"quadratic": [["1/0"]]}"#), name: "f.json") }
    }
}

@Suite("Neuron counts: theorems T1, T2, T3")
struct NeuronCountTheoremTests {
    @Test("T1 exact: residual minimum = rank A over 200 generated rational instances")
    func t1Exact() throws {
        var rng = SplitMix64(seed: 1)
        for _ in 0..<200 {
            let instance = exactInstance(&rng)
            let s = try ExactSynthesis(form: instance.form)
            // Hypothesis: rank A = k, certified both ways and matching the construction.
            #expect(s.rank == instance.rank)
            #expect(oracleRank(s.symmetricMatrix.rowArrays) == instance.rank)
            let c = s.certificate
            #expect(c.reductionReproducesMatrix)
            #expect(c.minorIndices.count == instance.rank)
            #expect(oracleRank(s.symmetricMatrix.principalSubmatrix(c.minorIndices).rowArrays) == instance.rank)
            // Conclusion: a residual network with exactly k neurons, equal to f.
            #expect(s.residual.hiddenNeurons == instance.rank)
            #expect(s.verify().residualEqual)
            // The lemma behind m ≥ k: m rank-one terms have rank ≤ m < k, so cannot equal A.
            if instance.rank > 0 {
                let m = instance.rank - 1
                var sum = RationalMatrix(rows: instance.form.dimension, columns: instance.form.dimension)
                for _ in 0..<m {
                    let u = (0..<instance.form.dimension).map { _ in Rational(randomInt(&rng, -3...3)) }
                    let w = randomNonZeroRational(&rng)
                    for p in 0..<u.count { for q in 0..<u.count { sum[p, q] = sum[p, q] + w * u[p] * u[q] } }
                }
                #expect(oracleRank(sum.rowArrays) <= m)
                #expect(sum != s.symmetricMatrix)
            }
        }
    }

    @Test("T1 floating: residual = k over 300 random forms with a clear eigenvalue gap")
    func t1Floating() throws {
        var rng = SplitMix64(seed: 2)
        for i in 0..<300 {
            let n = randomInt(&rng, 1...8), k = randomInt(&rng, 0...n)
            let kind = RandomFormSpec.LinearTerm.allCases[i % 4]
            let form = try RandomForm.make(RandomFormSpec(dimension: n, rank: k, seed: UInt64(1000 + i), linearTerm: kind, nonSymmetric: i % 3 == 0))
            let s = try Synthesis(form: form)
            #expect(s.rank == k, "n=\(n) k=\(k)")
            if let kept = s.smallestKept, let dropped = s.largestDropped, dropped > 0 { #expect(kept / dropped > 1e8) }
            #expect(s.residual.hiddenNeurons == k)
            #expect(try s.verify().residual.passed)
        }
    }

    @Test("T2 exact: plain minimum = k + 2 exactly when a ∉ range(A), else k (200 instances)")
    func t2Exact() throws {
        var rng = SplitMix64(seed: 3)
        var outside = 0
        for i in 0..<200 {
            let instance = exactInstance(&rng, forceLinearInRange: i % 3 == 0)
            let s = try ExactSynthesis(form: instance.form)
            let k = instance.rank
            let a = s.symmetricMatrix
            #expect(s.hasLinearNullPart == !instance.linearInRange)
            if instance.linearInRange {
                #expect(s.plain.hiddenNeurons == k)
                let y = try #require(s.certificate.rangePreimage)
                #expect(a.multiply(y) == instance.form.linear)
            } else {
                outside += 1
                #expect(s.plain.hiddenNeurons == k + 2)
                // Hypothesis of T2, certified: z = a_N has Az = 0 and zᵀa ≠ 0, so a ∉ range(A).
                let z = try #require(s.linearNullPart)
                #expect(a.multiply(z).allSatisfy { $0.isZero })
                #expect(!RationalVector.dot(z, instance.form.linear).isZero)
                // The dimension step: span(range(A) ∪ {a}) has dimension k + 1.
                #expect(oracleRank(a.rowArrays + [instance.form.linear]) == k + 1)
            }
            #expect(s.verify().plainEqual)
            #expect(s.certificate.holds(for: instance.form))
        }
        #expect(outside >= 80)
    }

    @Test("T2's key step: k + 1 independent u_j with non-zero w_j give Σ w_j u_j u_jᵀ of rank k + 1")
    func t2IndependentSum() {
        var rng = SplitMix64(seed: 4)
        for _ in 0..<200 {
            let n = randomInt(&rng, 1...5), m = randomInt(&rng, 1...n)
            var us: [[Rational]] = []
            while us.count < m {
                let u = (0..<n).map { _ in Rational(randomInt(&rng, -3...3)) }
                if oracleRank(us + [u]) == us.count + 1 { us.append(u) }
            }
            var sum = RationalMatrix(rows: n, columns: n)
            for u in us {
                let w = randomNonZeroRational(&rng)
                for p in 0..<n { for q in 0..<n { sum[p, q] = sum[p, q] + w * u[p] * u[q] } }
            }
            #expect(oracleRank(sum.rowArrays) == m)
        }
    }

    @Test("T2 floating: plain = k + 2 for a generic a with k < n, k for a ∈ range(A) (300 forms)")
    func t2Floating() throws {
        var rng = SplitMix64(seed: 5)
        for i in 0..<300 {
            let n = randomInt(&rng, 2...8), k = randomInt(&rng, 0...(n - 1))
            let generic = i % 2 == 0
            let form = try RandomForm.make(RandomFormSpec(dimension: n, rank: k, seed: UInt64(5000 + i), linearTerm: generic ? .generic : .inRange))
            let s = try Synthesis(form: form)
            #expect(s.rank == k)
            if generic {
                #expect(s.hasLinearNullPart)
                #expect(s.linearNullPartNorm > 1e6 * s.linearNullPartTolerance)
                #expect(s.plain.hiddenNeurons == k + 2)
            } else {
                #expect(!s.hasLinearNullPart)
                #expect(s.plain.hiddenNeurons == k)
            }
            #expect(try s.verify().plain.passed)
        }
    }

    @Test("x^2 + y: no plain network with m = k + 1 = 2 neurons, by the rank argument instantiated")
    func noTwoNeuronPlainNetworkForXSquaredPlusY() throws {
        let s = try ExactSynthesis(form: ExactForm.parse("x^2 + y"))
        let a = s.symmetricMatrix
        let linear = s.form.linear
        // k = 1: A = e1 e1ᵀ, det A = 0, range(A) = span{e1}.
        #expect(s.rank == 1)
        #expect(a.determinant == .zero)
        #expect(a == RationalMatrix(rowArrays: [[.one, .zero], [.zero, .zero]]))
        // Certificate z = a_N = e2: Az = 0 (z ⊥ range(A)) and zᵀa = 1 ≠ 0, so a ∉ range(A).
        let nullPart = try #require(s.linearNullPart)
        #expect(nullPart == [.zero, .one])
        #expect(a.multiply(nullPart) == [.zero, .zero])
        #expect(RationalVector.dot(nullPart, linear) == .one)
        // Suppose w1 (u1ᵀx + b1)² + w2 (u2ᵀx + b2)² + c' = f. The quadratic part gives
        // w1 u1u1ᵀ + w2 u2u2ᵀ = A, so det A = w1 w2 det[u1 u2]² (Cauchy–Binet) must be 0:
        // w1 w2 = 0 or u1 ∥ u2. Either way the u_j with w_j ≠ 0 span at most one dimension, which
        // must contain range(A) = span{e1}; then a = 2Σ w_j b_j u_j ∈ span{e1}, but zᵀa = 1 with
        // z ⊥ e1. So no real solution. The identity used is checked on exact random instances:
        var rng = SplitMix64(seed: 6)
        for _ in 0..<100 {
            let u1 = [Rational(randomInt(&rng, -4...4)), Rational(randomInt(&rng, -4...4))]
            let u2 = [Rational(randomInt(&rng, -4...4)), Rational(randomInt(&rng, -4...4))]
            let w1 = randomNonZeroRational(&rng), w2 = randomNonZeroRational(&rng)
            var sum = RationalMatrix(rows: 2, columns: 2)
            for (w, u) in [(w1, u1), (w2, u2)] { for p in 0..<2 { for q in 0..<2 { sum[p, q] = sum[p, q] + w * u[p] * u[q] } } }
            let detU = u1[0] * u2[1] - u1[1] * u2[0]
            #expect(sum.determinant == w1 * w2 * detU * detU)
        }
        // And the synthesized plain network has k + 2 = 3 neurons, equal to f.
        #expect(s.plain.hiddenNeurons == 3)
        #expect(s.verify().plainEqual)
        #expect(NeuronCountProof(exact: try ExactSynthesisReport(synthesis: s)).plainMinimum == 3)
    }

    @Test("T3 exact: any s(z) = αz² + βz + γ keeps the counts and equals f; the printed eq. (10) does not (200 instances)")
    func t3Exact() throws {
        var rng = SplitMix64(seed: 7)
        var printedWrong = 0
        for _ in 0..<200 {
            let instance = exactInstance(&rng)
            let spec = randomSpec(&rng)
            let s = try ExactSynthesis(form: instance.form)
            let q = try ExactQuadraticActivationNetworks(synthesis: s, spec: spec)
            #expect(q.residual.hiddenNeurons == s.residual.hiddenNeurons)
            #expect(q.plain.hiddenNeurons == s.plain.hiddenNeurons)
            #expect(q.residualEqual && q.plainEqual)
            #expect(q.residual.expansion == s.residual.expansion)
            // The printed shift changes the function by exactly the predicted affine discrepancy.
            let printed = try QuadraticActivationRewrite.rewrite(s.plain, to: spec, shift: .printedEquation10).expansion
            let d = q.printedEquation10Discrepancy
            #expect(printed.constant - s.form.constant == d.constant)
            #expect(RationalVector.adding(printed.linear, s.form.linear, scaledBy: -.one) == d.linear)
            #expect(printed.quadratic == s.symmetricMatrix)
            let discrepancyIsZero = d.constant.isZero && d.linear.allSatisfy { $0.isZero }
            #expect(q.printedEquation10Equal == discrepancyIsZero)
            if !discrepancyIsZero { printedWrong += 1 }
            if spec.beta.isZero { #expect(discrepancyIsZero) }
        }
        #expect(printedWrong >= 100)
    }

    @Test("T3 by hand: s(z) = z² + 2z on x^2 + y — the printed eq. (10) gives f + 4x + 6")
    func t3PrintedShiftByHand() throws {
        let s = try ExactSynthesis(form: ExactForm.parse("x^2 + y"))
        let spec = try QuadraticActivationSpec(parsing: "quadratic:1,2,0")
        let corrected = try QuadraticActivationRewrite.rewrite(s.plain, to: spec)
        let printed = try QuadraticActivationRewrite.rewrite(s.plain, to: spec, shift: .printedEquation10)
        // Plain network: x² + (1/4)(y+1)² − (1/4)(y−1)², Σ w_j = 1 and Σ w_j(u_jᵀx + b_j) = x + 1/2.
        // Printed shift: (1/α)s(z + β/(2α)) − (γ − β²/(4α))/α = z² + (2β/α)z + β²/α² = z² + 4z + 4,
        // so g − f = 4(x + 1/2) + 4 = 4x + 6.
        for (x, y) in [(0, 0), (1, 2), (-3, 5), (7, -1)] {
            let point = [Rational(x), Rational(y)]
            #expect(corrected.evaluate(point) == s.form.evaluate(point))
            #expect(printed.evaluate(point) - s.form.evaluate(point) == Rational(4 * x + 6))
        }
    }

    @Test("T3 floating: s-networks verify for 300 random forms and activations; the printed shift fails")
    func t3Floating() throws {
        var rng = SplitMix64(seed: 8)
        for i in 0..<300 {
            let n = randomInt(&rng, 1...6), k = randomInt(&rng, 0...n)
            let form = try RandomForm.make(RandomFormSpec(dimension: n, rank: k, seed: UInt64(9000 + i)))
            let s = try Synthesis(form: form)
            var spec = randomSpec(&rng)
            if spec.beta.isZero { spec = try QuadraticActivationSpec(alpha: spec.alpha, beta: Rational(1, 2), gamma: spec.gamma) }
            let q = try QuadraticActivationNetworks(synthesis: s, spec: spec)
            #expect(q.passed, "n=\(n) k=\(k) \(spec)")
            #expect(q.residual.hiddenNeurons == k)
            #expect(q.plain.hiddenNeurons == s.plain.hiddenNeurons)
            if case .quadratic = q.plain.activation {} else { Issue.record("plain s-network has activation \(q.plain.activation)") }
            // The printed shift's discrepancy is (2β/α)Σ w_j(u_jᵀx + b_j) + (β²/α²)Σ w_j: it fails
            // the same verification whenever that is non-zero on the sample points.
            let printed = try QuadraticActivationRewrite.rewrite(s.plain, to: spec, shift: .printedEquation10)
            let points = Verifier.samplePoints(dimension: n, radius: 1, random: 32, seed: 1)
            let check = try Verifier(synthesis: s).check(printed, name: "printed", points: points)
            let weights = s.plain.layers[1].weights.entries
            if abs(weights.reduce(0, +)) > 1e-6 { #expect(!check.passed) }
        }
    }

    @Test("α = 0 is refused with a clear error")
    func alphaZero() {
        #expect(throws: NetworkError.self) { try QuadraticActivationSpec(parsing: "quadratic:0,1,2") }
        #expect(throws: NetworkError.self) { try QuadraticActivationSpec(parsing: "quadratic:1,2") }
        #expect(throws: NetworkError.self) { try QuadraticActivationSpec(parsing: "quadratic:1,x,2") }
        #expect((try? QuadraticActivationSpec(parsing: "quadratic:1/3,-0.5,2"))?.beta == Rational(-1, 2))
    }
}
