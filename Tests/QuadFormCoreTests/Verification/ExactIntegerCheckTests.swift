import BigInt
import Testing
@testable import QuadFormCore

/// A small random rational: numerator in −9…9, denominator in 1…6 (zero a third of the time).
private func randomRational(_ rng: inout SplitMix64, zeroOneIn: Int = 3) -> Rational {
    if Int.random(in: 0..<zeroOneIn, using: &rng) == 0 { return .zero }
    return Rational(BigInt(Int.random(in: -9...9, using: &rng)), BigInt(Int.random(in: 1...6, using: &rng)))
}

/// A random network with repeated, opposite and zero rows, some triangular structure, and rational
/// parameters everywhere: the shapes the reduced-sum check must handle beyond the synthesized ones.
private func randomNetwork(_ rng: inout SplitMix64) throws -> ExactNetwork {
    let n = Int.random(in: 1...7, using: &rng), m = Int.random(in: 0...6, using: &rng)
    var rows: [[Rational]] = []
    for j in 0..<m {
        switch Int.random(in: 0..<5, using: &rng) {
        case 0 where j > 0: rows.append(rows[Int.random(in: 0..<j, using: &rng)])
        case 1 where j > 0: rows.append(rows[Int.random(in: 0..<j, using: &rng)].map { -$0 })
        case 2: rows.append((0..<n).map { $0 < j ? .zero : randomRational(&rng) })
        default: rows.append((0..<n).map { _ in randomRational(&rng) })
        }
    }
    let activation: ExactNetwork.Activation = Bool.random(using: &rng)
        ? .square
        : .quadratic(alpha: Rational(Int.random(in: 1...3, using: &rng)), beta: randomRational(&rng), gamma: randomRational(&rng))
    return try ExactNetwork(inputWidth: n, activation: activation, firstWeights: RationalMatrix(rowArrays: rows, columns: n),
                            firstBias: (0..<m).map { _ in randomRational(&rng) }, outputWeights: (0..<m).map { _ in randomRational(&rng, zeroOneIn: 5) },
                            outputBias: randomRational(&rng), skip: Bool.random(using: &rng) ? (0..<n).map { _ in randomRational(&rng) } : nil)
}

@Suite("Exact verification on integers (reduced running sums) against fraction arithmetic")
struct ExactIntegerCheckTests {
    @Test("random networks: the integer check agrees with the BigInt fraction expansion, equal or perturbed")
    func agreesWithFractionExpansion() throws {
        var rng = SplitMix64(seed: 2026)
        var equalSeen = 0, unequalSeen = 0
        for trial in 0..<400 {
            let network = try randomNetwork(&rng)
            let n = network.inputWidth
            let e = network.expansion
            var constant = e.constant, linear = e.linear, quadratic = e.quadratic
            // Perturb one coefficient of f (or none): a symmetric entry, a linear one, the constant.
            switch Int.random(in: 0..<4, using: &rng) {
            case 0:
                let p = Int.random(in: 0..<n, using: &rng), q = Int.random(in: 0..<n, using: &rng)
                let delta = Rational(BigInt(1), BigInt(Int.random(in: 1...50, using: &rng)))
                quadratic[p, q] = quadratic[p, q] + delta
                if p != q { quadratic[q, p] = quadratic[q, p] + delta }
            case 1: linear[Int.random(in: 0..<n, using: &rng)] = linear[Int.random(in: 0..<n, using: &rng)] + Rational(1, 7)
            case 2: constant = constant + Rational(-1, 3)
            default: break
            }
            let form = try ExactForm(constant: constant, linear: linear, quadratic: quadratic)
            let oracle = network.expansion.equals(form)
            #expect(ExactIntegerCheck.network(network, equals: form) == oracle, "trial \(trial): \(network)")
            if oracle { equalSeen += 1 } else { unequalSeen += 1 }
        }
        #expect(equalSeen > 50 && unequalSeen > 50)
    }

    @Test("a synthesized network with one weight changed fails, wherever the change is", arguments: [0, 1, 2, 3])
    func perturbedSynthesis(position: Int) throws {
        // A rank-6 form on 10 variables, a ∉ range(A): the plain network has k + 2 neurons.
        var rng = SplitMix64(seed: 5)
        let u = (0..<10).map { _ in (0..<6).map { _ in Int.random(in: -4...4, using: &rng) } }
        var m = RationalMatrix(rows: 10, columns: 10)
        let d = [1, -2, 1, -2, 1, -2]
        for i in 0..<10 {
            for j in 0..<10 {
                var entry = 0
                for t in 0..<6 { entry += u[i][t] * d[t] * u[j][t] }
                m[i, j] = Rational(entry)
            }
        }
        let form = try ExactForm(constant: Rational(3), linear: (0..<10).map { Rational($0 - 4) }, quadratic: m)
        let s = try ExactSynthesis(form: form)
        #expect(s.verify().passed)
        #expect(s.plain.hiddenNeurons == s.rank + 2)
        for network in [s.residual, s.plain] {
            var weights = network.firstWeights, bias = network.firstBias, output = network.outputWeights
            let k = s.rank
            switch position {
            case 0: weights[0, weights.row(0).firstIndex { !$0.isZero }!] = weights[0, weights.row(0).firstIndex { !$0.isZero }!] + .one  // an entry finished first
            case 1: weights[k - 1, 9] = weights[k - 1, 9] + Rational(1, 2)  // the last neuron
            case 2: output[k / 2] = output[k / 2] * Rational(3, 2)
            default: bias[0] = bias[0] + Rational(1, 5)
            }
            let changed = try ExactNetwork(inputWidth: 10, activation: network.activation, firstWeights: weights, firstBias: bias,
                                           outputWeights: output, outputBias: network.outputBias, skip: network.skip)
            // The residual network has no biases: a bias change there moves only c and a.
            #expect(ExactIntegerCheck.network(changed, equals: form) == changed.expansion.equals(form))
            if position < 3 { #expect(!ExactIntegerCheck.network(changed, equals: form)) }
        }
    }

    @Test("merging equal and opposite rows: cancelling squares drop out, others add up")
    func mergedSquares() {
        let v = [Rational(1), Rational(-2)], w = v.map { -$0 }
        #expect(ExactIntegerCheck.mergedSquares(weights: [Rational(1, 4), Rational(-1, 4)], vectors: [v, w]).isEmpty)
        let merged = ExactIntegerCheck.mergedSquares(weights: [Rational(1), Rational(2), Rational(5)], vectors: [v, w, [Rational(0), Rational(1)]])
        #expect(merged.count == 2)
        #expect(merged[0].weight == Rational(3))
        let a = RationalMatrix(rowArrays: [[3, -6], [-6, 17]].map { $0.map { Rational($0) } })
        #expect(ExactIntegerCheck.sumOfSquares(weights: [Rational(1), Rational(2), Rational(5)], vectors: [v, w, [Rational(0), Rational(1)]], equals: a))
        #expect(!ExactIntegerCheck.sumOfSquares(weights: [Rational(1), Rational(2), Rational(4)], vectors: [v, w, [Rational(0), Rational(1)]], equals: a))
    }
}
