import Foundation
import Testing
@testable import QuadFormCore

/// A one-hidden-layer network with an exact planted rank: rows U = mix·basis with small integer
/// mix and dyadic basis entries (exact in float32), float32 output weights, biases and skip.
func plantedLayer(inputs n: Int, neurons m: Int, rank r: Int, seed: UInt64, skip: Bool,
                  activation: Activation = .square, zeroWeights: Int = 0) throws -> ResNet {
    var g = SplitMix64(seed: seed)
    func small(_ range: Int) -> Int { Int(g.next() % UInt64(2 * range + 1)) - range }
    func float32() -> Double { Double(Float(g.nextGaussian())) }
    let basis = (0..<r).map { t in (0..<n).map { _ in Double(small(1024)) / Double(1 << (8 + t % 5)) } }
    var rows: [Double] = []
    for _ in 0..<m {
        let mix = (0..<r).map { _ in Double(small(2)) }
        for i in 0..<n { rows.append((0..<r).reduce(0.0) { $0 + mix[$1] * basis[$1][i] }) }
    }
    var weights = (0..<m).map { _ in float32() }
    for j in 0..<min(zeroWeights, m) { weights[j] = 0 }
    return try ResNet.oneHiddenLayer(activation: activation, inputWeights: Matrix(rows: m, columns: n, entries: rows),
                                     hiddenBias: (0..<m).map { _ in float32() }, outputWeights: weights,
                                     outputBias: float32(), skip: skip ? (0..<n).map { _ in float32() } : nil)
}

@Suite("Factored exact extraction and modular rank (design.md §4)")
struct FactoredExtractionTests {
    @Test("The factored extraction equals the full exact extraction on small networks", arguments: [UInt64(1), 2, 3, 4, 5, 6])
    func equalsFull(seed: UInt64) throws {
        let skip = seed % 2 == 0
        let activation: Activation = seed == 5 ? .quadratic(alpha: 0.5, beta: -1.25, gamma: 2) : .square
        let net = try plantedLayer(inputs: 9, neurons: 3 + Int(seed), rank: 1 + Int(seed % 3), seed: seed, skip: skip,
                                   activation: activation, zeroWeights: seed == 3 ? 2 : 0)
        let form = try NetworkExtraction.exactForm(of: net)
        let full = try ExactSynthesis(form: form)
        let factored = try FactoredExactExtraction(network: net, seed: seed)
        #expect(factored.passed)
        #expect(factored.rank == full.rank)
        #expect(factored.hasLinearNullPart == full.hasLinearNullPart)
        #expect(factored.residual.hiddenNeurons == full.residual.hiddenNeurons)
        #expect(factored.plain.hiddenNeurons == full.plain.hiddenNeurons)
        // The same function: both networks expand to the original's exact form.
        let check = ExactVerification(residual: factored.residual, plain: factored.plain, form: form)
        #expect(check.residualEqual && check.plainEqual)
        #expect(factored.residual.expansion == full.residual.expansion)
    }

    @Test("A planted-rank layer (100 inputs, 30 neurons, rank 10) extracts to rank 10 exactly")
    func plantedRank() throws {
        for skip in [true, false] {
            let net = try plantedLayer(inputs: 100, neurons: 30, rank: 10, seed: 11, skip: skip)
            let f = try FactoredExactExtraction(network: net)
            #expect(f.passed)
            #expect(f.rank == 10)
            #expect(f.residual.hiddenNeurons == 10)
            // With a random skip a leaves span{u_j}; without it a = Σ 2w_jb_ju_j ∈ span{u_j}, and
            // then the count follows e ∈ range(B).
            if skip { #expect(f.linearInBasis && f.hasLinearNullPart && f.plain.hiddenNeurons == 12) }
            #expect(f.factorDimension == 10 + (f.linearInBasis ? 1 : 0))
            #expect(f.modular.rank == f.factorDimension)
        }
    }

    @Test("A network with only zero output weights and no skip has nothing to factor: empty, not a wrong rank")
    func emptyNetwork() throws {
        let net = try ResNet.oneHiddenLayer(inputWeights: Matrix(rows: 2, columns: 30, repeating: 0.5), hiddenBias: [1, 2],
                                            outputWeights: [0, 0], outputBias: 3)
        #expect(throws: FactoredExtractionError.empty) { _ = try FactoredExactExtraction(network: net) }
        #expect(try FactoredExactExtraction.unlessEmpty(network: net) == nil)
    }

    @Test("The exact probe tells a different network apart from the extracted one")
    func probeDetectsChange() throws {
        let net = try plantedLayer(inputs: 40, neurons: 12, rank: 4, seed: 9, skip: true)
        let f = try FactoredExactExtraction(network: net)
        #expect(f.passed)
        var weights = net.layers[1].weights.entries
        weights[0] += 0.5
        let other = try ResNet.oneHiddenLayer(inputWeights: net.layers[0].weights, hiddenBias: net.layers[0].bias, outputWeights: weights,
                                              outputBias: net.layers[1].bias[0], skip: net.skips[0].weights.row(0))
        let probe = (0..<40).map { $0 % 7 - 3 }
        let value = f.residual.evaluate(probe.map { Rational($0) })
        #expect(value == (try NetworkExtraction.exactValue(of: net, at: probe)))
        #expect(value != (try NetworkExtraction.exactValue(of: other, at: probe)))
    }

    @Test("Modular rank agrees with the exact rank on random rational forms, and its minor is non-zero mod p", arguments: Array(UInt64(1)...12))
    func modularRank(seed: UInt64) throws {
        var g = SplitMix64(seed: seed)
        let n = 3 + Int(g.next() % 10), r = Int(g.next() % UInt64(n + 1))
        func q() -> Rational { Rational(Int(g.next() % 41) - 20) / Rational(1 + Int(g.next() % 6)) }
        let l = (0..<r).map { _ in (0..<n).map { _ in q() } }
        let d = (0..<r).map { _ in q() }
        var a = RationalMatrix(rows: n, columns: n)
        for t in 0..<r where !d[t].isZero {
            for i in 0..<n { for j in 0..<n { a[i, j] = a[i, j] + d[t] * l[t][i] * l[t][j] } }
        }
        let form = try ExactForm(constant: .zero, linear: RationalVector.zero(n), quadratic: a)
        let exact = try ExactSynthesis(form: form)
        let modular = try ModularRank(matrix: form.symmetricMatrix, seed: seed)
        #expect(modular.rank == exact.rank)
        #expect(modular.rows.count == modular.rank && modular.columns.count == modular.rank)
        if modular.rank > 0 { #expect(modular.minorDeterminant(of: form.symmetricMatrix).map { $0 != 0 } == true) }
        // A minor with one row more is singular mod p whenever rank < n (it is a larger minor).
        #expect(ModularRank.isPrime(modular.prime))
    }
}
