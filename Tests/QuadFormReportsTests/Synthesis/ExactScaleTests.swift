import BigInt
import Foundation
import Testing
@testable import QuadFormCore
@testable import QuadFormReports

/// A = U·diag(d)·Uᵀ with U = [I_r; random −5…5] (n × r) and d in ±1…±3: rank exactly r.
private func integerForm(n: Int, rank r: Int, seed: UInt64, linearInRange: Bool? = nil) throws -> ExactForm {
    var rng = SplitMix64(seed: seed)
    var u = [[Int]](repeating: [Int](repeating: 0, count: r), count: n)
    for i in 0..<n { for t in 0..<r { u[i][t] = i < r ? (i == t ? 1 : 0) : Int.random(in: -5...5, using: &rng) } }
    // Shuffle the rows so the identity block is not first.
    u.shuffle(using: &rng)
    let d = (0..<r).map { _ in [-3, -2, -1, 1, 2, 3][Int.random(in: 0..<6, using: &rng)] }
    var m = RationalMatrix(rows: n, columns: n)
    for i in 0..<n { for j in 0..<n { m[i, j] = Rational((0..<r).reduce(0) { $0 + u[i][$1] * d[$1] * u[j][$1] }) } }
    var linear = RationalVector.zero(n)
    if let inRange = linearInRange {
        if inRange {
            // a = A·y for a random integer y.
            let y = (0..<n).map { _ in Rational(Int.random(in: -2...2, using: &rng)) }
            linear = m.multiply(y)
        } else {
            linear = (0..<n).map { _ in Rational(Int.random(in: -3...3, using: &rng)) }
        }
    }
    return try ExactForm(constant: Rational(7), linear: linear, quadratic: m)
}

@Suite("Exact synthesis at scale (fraction-free, GMP)")
struct ExactScaleTests {
    @Test("the exact rank of A = U·diag(d)·Uᵀ is r, and both networks expand back to f", arguments: [(12, 6), (20, 7), (30, 15), (40, 1), (24, 24)])
    func constructedRank(n: Int, r: Int) throws {
        for (index, inRange) in [nil, true, false].enumerated() {
            let form = try integerForm(n: n, rank: r, seed: UInt64(100 * n + r + index), linearInRange: inRange)
            let s = try ExactSynthesis(form: form)
            #expect(s.rank == r, "n = \(n), r = \(r)")
            #expect(s.residual.hiddenNeurons == r)
            // An independent check of the rank: the old rational Gauss–Jordan of RationalMatrix.
            if n <= 20 { #expect(form.symmetricMatrix.rank == r) }
            let report = try ExactSynthesisReport(synthesis: s)
            #expect(report.verification.passed)
            #expect(report.certificateHolds)
            // The expansions compared with BigInt fraction arithmetic (the old, independent path).
            if n <= 12 {
                #expect(s.residual.expansion.equals(form))
                #expect(s.plain.expansion.equals(form))
            }
            if inRange == false, r < n { #expect(s.plain.hiddenNeurons == r + 2) }
            if inRange == true { #expect(s.plain.hiddenNeurons == r) }
        }
    }

    @Test("a zero diagonal mid-way takes the 2×2 step with the right previous pivot")
    func zeroDiagonalAfterPivot() throws {
        // After the pivot 2 at x, the Schur complement on (y, z) is [[0, 1], [1, 0]]: a 2×2 step
        // whose Bareiss update divides by the previous pivot 2.
        let a = RationalMatrix(rowArrays: [[2, 2, 0], [2, 2, 1], [0, 1, 0]].map { $0.map { Rational($0) } })
        let form = try ExactForm(constant: .zero, linear: RationalVector.zero(3), quadratic: a)
        let s = try ExactSynthesis(form: form)
        #expect(s.reduction.steps == [.diagonal(index: 0, pivot: Rational(2)), .productPair(i: 1, j: 2, entry: Rational(1))])
        #expect(s.rank == 3)
        #expect(s.minorDeterminant == a.determinant)
        #expect(s.minorDeterminant == Rational(-2))
        #expect(s.residual.expansion.equals(form))
        #expect(s.verify().passed)
    }

    @Test("random zero-diagonal integer matrices: rank as the rational oracle, exact equality")
    func zeroDiagonalRandom() throws {
        var rng = SplitMix64(seed: 77)
        for trial in 0..<60 {
            let n = Int.random(in: 2...9, using: &rng)
            var m = RationalMatrix(rows: n, columns: n)
            for i in 0..<n { for j in (i + 1)..<max(i + 1, n) {
                let v = Rational(Int.random(in: 0...2, using: &rng) == 0 ? Int.random(in: -3...3, using: &rng) : 0)
                m[i, j] = v; m[j, i] = v
            } }
            // Occasionally a dependent row/column, to make the rank drop.
            if trial % 3 == 0, n > 2 { for j in 0..<n { m[n - 1, j] = m[0, j]; m[j, n - 1] = m[j, 0] }; m[n - 1, n - 1] = .zero; m[0, n - 1] = .zero; m[n - 1, 0] = .zero }
            let form = try ExactForm(constant: .one, linear: (0..<n).map { Rational($0 % 2) }, quadratic: m)
            let s = try ExactSynthesis(form: form)
            #expect(s.rank == m.rank, "trial \(trial)")
            #expect(s.residual.expansion.equals(form), "trial \(trial)")
            #expect(s.plain.expansion.equals(form), "trial \(trial)")
            #expect(s.verify().passed)
            #expect(s.certificate.holds(for: form))
            if s.rank > 0 { #expect(m.principalSubmatrix(s.reduction.pivotIndices).determinant == s.minorDeterminant) }
        }
    }

    @Test("certificate numbers stay within the Hadamard bound of A's k×k minors, a in range(A) or not",
          arguments: [(20, nil), (40, nil), (20, false), (40, false), (30, true)] as [(Int, Bool?)])
    func certificateSize(n: Int, linearInRange: Bool?) throws {
        let form = try integerForm(n: n, rank: n / 2, seed: UInt64(n), linearInRange: linearInRange)
        let s = try ExactSynthesis(form: form)
        // The bound, computed here independently in floating point: Σ of the k largest log10 row norms.
        let a = form.symmetricMatrix
        let logs = (0..<n).map { i in 0.5 * log10((0..<n).reduce(0.0) { $0 + pow(a[i, $1].doubleValue, 2) }) }
        let bound = logs.sorted(by: >).prefix(s.rank).reduce(0, +)
        var largest = 0
        for network in [s.residual, s.plain] {
            for v in network.firstWeights.entries + network.firstBias + network.outputWeights + [network.outputBias] + (network.skip ?? []) where !v.isZero {
                largest = max(largest, v.numerator.magnitude.description.count)
            }
        }
        #expect(Double(largest) <= 1.2 * bound.rounded(.up), "numerators of \(largest) digits, Hadamard bound \(bound)")
        let sizes = ExactCertificateSizes(synthesis: s)
        #expect(sizes.largestNumeratorDigits == largest)
        #expect(abs(Double(sizes.hadamardDigits) - bound.rounded(.up)) <= 1)
        #expect(s.plain.hiddenNeurons == (linearInRange == false ? s.rank + 2 : s.rank))
        // The certificate that a ∉ range(A) is small too: an integer null vector of A.
        if linearInRange == false {
            let z = try #require(s.certificate.nullVector)
            #expect(z.allSatisfy { $0.denominator == 1 })
            let zDigits = z.map { $0.isZero ? 0 : $0.numerator.magnitude.description.count }.max() ?? 0
            #expect(Double(zDigits) <= 1.2 * bound.rounded(.up), "null vector of \(zDigits) digits, Hadamard bound \(bound)")
            let az: [Rational] = a.multiply(z)
            #expect(az.allSatisfy { $0.isZero })
            #expect(!RationalVector.dot(z, form.linear).isZero)
        }
    }

    @Test("a ∉ range(A): the plain network carries v = a − A·y, zero on the pivots, with v − a_N ∈ range(A)")
    func linearRemainder() throws {
        for seed in UInt64(1)...6 {
            let form = try integerForm(n: 14, rank: 5, seed: seed, linearInRange: false)
            let s = try ExactSynthesis(form: form)
            let a = form.symmetricMatrix
            let v = s.linearRemainder
            #expect(s.hasLinearNullPart && v.contains { !$0.isZero })
            #expect(s.reduction.pivotIndices.allSatisfy { v[$0].isZero })
            // a − v ∈ range(A): solvable on the pivot block (an independent rational solve).
            let pivots = s.reduction.pivotIndices
            let block = a.principalSubmatrix(pivots)
            let rhs = pivots.map { RationalVector.adding(form.linear, v, scaledBy: -Rational.one)[$0] }
            let inverse = try #require(block.inverse)
            let yP = (0..<pivots.count).map { i in RationalVector.dot(inverse.row(i), rhs) }
            var y = RationalVector.zero(14)
            for (position, i) in pivots.enumerated() { y[i] = yP[position] }
            let ay: [Rational] = a.multiply(y)
            #expect(RationalVector.adding(ay, v) == form.linear)
            // v − a_N ∈ range(A) = null(A)^⊥, and a_N ∈ null(A): so a_N is v's orthogonal projection.
            let nullPart = try #require(s.linearNullPart)
            let aNull: [Rational] = a.multiply(nullPart)
            #expect(aNull.allSatisfy { $0.isZero })
            #expect(RationalVector.dot(RationalVector.adding(v, nullPart, scaledBy: -Rational.one), nullPart).isZero)
            // The two extra neurons: rows equal, biases ±1, weights ±w, and their sum is vᵀx.
            let m = s.plain.hiddenNeurons, k = s.rank
            #expect(m == k + 2)
            #expect(s.plain.firstWeights.row(k) == s.plain.firstWeights.row(k + 1))
            // Offsets ±t with t a power of two of z's size, so that evaluating the pair in floating
            // point does not lose vᵀx: (zᵀx + t)² − (zᵀx − t)² = 4t·zᵀx.
            let t = s.plain.firstBias[k], z = s.plain.firstWeights.row(k)
            #expect(s.plain.firstBias[k + 1] == -t)
            #expect(t.denominator == 1 && t.numerator > 0 && t.numerator.magnitude & (t.numerator.magnitude - 1) == 0)
            let largest = z.map(\.numerator.magnitude).max() ?? 0
            #expect(t.numerator.magnitude <= largest && largest < 2 * t.numerator.magnitude)
            #expect(z.allSatisfy { $0.denominator == 1 })
            #expect(s.plain.outputWeights[k] == -s.plain.outputWeights[k + 1])
            let scaled = z.map { $0 * Rational(4) * t * s.plain.outputWeights[k] }
            #expect(scaled == v)
            #expect(s.plain.expansion.equals(form))
            let report = try ExactSynthesisReport(synthesis: s)
            #expect(report.passed)
        }
    }

    @Test("exact mode refuses huge forms before allocating their matrices")
    func refusals() throws {
        let sum = (1...2000).map { "x\($0)" }.joined(separator: "+")
        #expect(throws: ExactLimitError.dimension(variables: 2000, limit: ExactWorkEstimate.maximumDimension)) { _ = try ExactForm.parse(sum) }
        // Refused from its tokens, before any product is expanded: the square of 5000 names gets the
        // dimension error, not the expander's product-size error it would reach first otherwise.
        let long = (1...5000).map { "x\($0)" }.joined(separator: "+")
        #expect(throws: ExactLimitError.dimension(variables: 5000, limit: ExactWorkEstimate.maximumDimension)) { _ = try ExactForm.parse("(\(long))^2") }
        let rows = "[" + Array(repeating: "[0]", count: 1600).joined(separator: ",") + "]"
        #expect(throws: ExactLimitError.self) { _ = try ExactForm.from(json: JSONReader.parse("{\"quadratic\": \(rows)}"), name: "f.json") }
        // The work estimate: n = 200 with small entries passes, n = 1500 or long coefficients do not.
        try ExactWorkEstimate(dimension: 200, coefficientBits: 16).check()
        #expect(throws: ExactLimitError.self) { try ExactWorkEstimate(dimension: 1500, coefficientBits: 2).check() }
        #expect(throws: ExactLimitError.self) { try ExactWorkEstimate(dimension: 400, coefficientBits: 300).check() }
        // A form within the dimension limit but over the work bound is refused by synthesis.
        var m = RationalMatrix(rows: 700, columns: 700)
        for i in 0..<700 { m[i, i] = .one }
        let big = try ExactForm(constant: .zero, linear: RationalVector.zero(700), quadratic: m)
        #expect(throws: ExactLimitError.self) { _ = try ExactSynthesis(form: big) }
    }
}
