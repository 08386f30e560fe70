import BigInt
import Foundation
import Testing
@testable import QuadFormCore

/// A form with planted rank: A = U·diag(d)·Uᵀ / denominator (U n × r, entries −3…3, d ±1…±3), a = U·w
/// (in range(A)) or random (outside it when r < n), every entry times `factor`.
func plantedForm(n: Int, rank r: Int, inRange: Bool, seed: UInt64, denominator: Int = 1, factor: BigInt = 1) throws -> ExactForm {
    var g = SplitMix64(seed: seed)
    func small(_ range: Int) -> Int { Int(g.next() % UInt64(2 * range + 1)) - range }
    let u = (0..<n).map { _ in (0..<r).map { _ in small(3) } }
    let d = (0..<r).map { _ in (small(2) >= 0 ? 1 : -1) * (1 + Int(g.next() % 3)) }
    let w = (0..<r).map { _ in small(4) }
    var entries: [Rational] = []
    for i in 0..<n {
        for j in 0..<n {
            let v = (0..<r).reduce(0) { $0 + u[i][$1] * d[$1] * u[j][$1] }
            entries.append(Rational(BigInt(v) * factor, BigInt(denominator)))
        }
    }
    let linear = (0..<n).map { i in
        Rational(BigInt(inRange ? (0..<r).reduce(0) { $0 + u[i][$1] * w[$1] } : small(5)) * factor, BigInt(denominator + 1))
    }
    return try ExactForm(constant: Rational(3), linear: linear, quadratic: squareMatrix(n, entries))
}

/// The n × n matrix with these row-major entries.
func squareMatrix(_ n: Int, _ entries: [Rational]) -> RationalMatrix {
    var m = RationalMatrix(rows: n, columns: n)
    m.entries = entries
    return m
}

@Suite("Multimodular rank certificate (design.md §4)")
struct MultimodularRankCertificateTests {
    @Test("Agrees with the fraction-free reduction on 24 random planted-rank forms, a in and out of range(A)", arguments: Array(UInt64(1)...24))
    func agreesWithReduction(seed: UInt64) throws {
        let n = 3 + Int(seed * 7 % 38)
        let r = Int(seed * 13 % UInt64(n + 1))
        let inRange = seed % 2 == 0
        // Some forms rational, one with entries beyond Int64 (the GMP path of the integer matrix).
        let form = try plantedForm(n: n, rank: r, inRange: inRange, seed: seed, denominator: seed % 3 == 0 ? 6 : 1,
                                   factor: seed == 5 ? BigInt(1) << 70 : 1)
        let exact = try ExactSynthesis(form: form)
        let certificate = try MultimodularRankCertificate(form: form, seed: seed)
        #expect(certificate.rank == exact.rank)
        #expect(certificate.linearInRange == !exact.hasLinearNullPart)
        #expect(certificate.plainMinimum == exact.plain.hiddenNeurons)
        #expect(certificate.rankMinor.rows.count == certificate.rank)
        #expect(certificate.rankMinor.rows == certificate.rankMinor.columns)
        #expect((certificate.borderedMinor == nil) == certificate.linearInRange)
        #expect(certificate.rechecks(form: form))
        #expect(certificate.holds && certificate.boundPassed)
        // P > H: the product's bits (rounded down) reach H's (rounded up) less one at most.
        if certificate.boundMinorSize > 0 { #expect(certificate.primeProductBits + 1 >= certificate.hadamardBits) }
    }

    @Test("A forced unlucky prime (rank too low mod p) is detected and replaced; so is one that hides a ∉ range(A)")
    func unluckyPrime() throws {
        let p = ModularRank.prime(seed: 99, index: 0)
        let big = Rational(BigInt(p))
        // diag(p, 1, 2, 0): rank 3 over ℚ, rank 2 mod p.
        var entries = [Rational](repeating: .zero, count: 16)
        entries[0] = big; entries[5] = Rational(1); entries[10] = Rational(2)
        let form = try ExactForm(constant: .zero, linear: [Rational(1), Rational(2), Rational(3), .zero],
                                 quadratic: squareMatrix(4, entries))
        let certificate = try MultimodularRankCertificate(form: form, leadingPrimes: [p])
        #expect(certificate.primes.first == p)
        #expect(certificate.unluckyPrimes == [p])
        #expect(certificate.rank == 3 && certificate.linearInRange)
        #expect(certificate.rankMinor.prime != p)
        #expect(certificate.rechecks(form: form))

        // diag(1, 1, 0) with a = (0, 0, p): mod p, a looks in range(A); over ℚ it is not.
        var small = [Rational](repeating: .zero, count: 9)
        small[0] = Rational(1); small[4] = Rational(1)
        let hidden = try ExactForm(constant: .zero, linear: [.zero, .zero, big], quadratic: squareMatrix(3, small))
        let second = try MultimodularRankCertificate(form: hidden, leadingPrimes: [p])
        #expect(second.rank == 2 && !second.linearInRange && second.plainMinimum == 4)
        #expect(second.unluckyPrimes == [p])
        #expect(second.borderedMinor.map { $0.prime != p && $0.columns.contains(3) } == true)
        #expect(second.rechecks(form: hidden))
    }

    @Test("A wrong claimed rank, or a wrong claim about a, fails the check")
    func wrongClaims() throws {
        for (seed, inRange) in [(UInt64(31), true), (32, false)] {
            let form = try plantedForm(n: 12, rank: 5, inRange: inRange, seed: seed)
            let c = try MultimodularRankCertificate(form: form)
            #expect(c.rank == 5 && c.linearInRange == inRange)
            #expect(c.rechecks(form: form))
            let m = c.rankMinor
            // Too low: the minor trimmed to 4×4 is still non-zero, but rank ≤ 4 fails modulo the primes.
            let trimmed = MultimodularRankCertificate.Minor(prime: m.prime, rows: Array(m.rows.prefix(4)), columns: Array(m.columns.prefix(4)),
                                                            determinant: MultimodularRankCertificate.determinant(
                                                                IntegerBorderedMatrix(symmetric: form.symmetricMatrix, linear: form.linear),
                                                                prime: m.prime, rows: Array(m.rows.prefix(4)), columns: Array(m.columns.prefix(4))))
            #expect(trimmed.determinant != 0)
            #expect(!c.claiming(rank: 4, linearInRange: inRange, rankMinor: trimmed, borderedMinor: c.borderedMinor).rechecks(form: form))
            // Too high: any 6×6 minor is zero.
            let extra = (0..<12).first { !m.rows.contains($0) }!
            let grown = MultimodularRankCertificate.Minor(prime: m.prime, rows: m.rows + [extra], columns: m.columns + [extra], determinant: 1)
            #expect(!c.claiming(rank: 6, linearInRange: inRange, rankMinor: grown, borderedMinor: nil).rechecks(form: form))
            // The other case for a.
            #expect(!c.claiming(rank: 5, linearInRange: !inRange, rankMinor: m, borderedMinor: inRange ? m : nil).rechecks(form: form))
        }
    }

    @Test("Work past the limit (primes × n²·(k + 1)) is refused before the primes are reduced, naming the sizes")
    func workLimit() throws {
        let form = try plantedForm(n: 20, rank: 8, inRange: false, seed: 7)
        let matrix = IntegerBorderedMatrix(symmetric: form.symmetricMatrix, linear: form.linear)
        let allowed = try MultimodularRankCertificate(matrix: matrix)
        let work = Double(allowed.primes.count) * 400 * 9
        #expect(throws: MultimodularRankCertificate.Failure.self) {
            try MultimodularRankCertificate(matrix: matrix, operationLimit: work / 2)
        }
        do {
            _ = try MultimodularRankCertificate(matrix: matrix, operationLimit: work / 2)
        } catch {
            #expect("\(error)".contains("\(allowed.primes.count) primes") && "\(error)".contains("20 variables at rank 8"))
        }
        #expect(try MultimodularRankCertificate(matrix: matrix, operationLimit: work).rank == 8)
    }

    @Test("FLINT's pivot columns are the hand-written echelon's independent rows on symmetric matrices")
    func pivotsAgree() throws {
        for seed in UInt64(40)...45 {
            let form = try plantedForm(n: 30, rank: Int(seed % 7) * 4, inRange: true, seed: seed)
            let matrix = IntegerBorderedMatrix(symmetric: form.symmetricMatrix, linear: form.linear)
            let p = ModularRank.prime(seed: seed, index: 0)
            let reduction = MultimodularRankCertificate.Reduction(matrix, prime: p)
            var echelon = ModularRank.Echelon(prime: p, columns: 30)
            for (i, row) in MultimodularRankCertificate.residueRows(matrix, prime: p).enumerated() { echelon.add(Array(row.prefix(30)), index: i) }
            #expect(reduction.pivots.filter { $0 < 30 } == echelon.basisRows)
            // And with a prime of the certificate's own sequence (2⁶¹ < p < 2⁶²), against FLINT's rref.
            let q = NmodMatrix.prime(seed: seed, index: 0)
            #expect(q > 1 << 61 && q < 1 << 62 && NmodMatrix.isPrime(q))
            let lu = MultimodularRankCertificate.Reduction(matrix, prime: q).pivots
            let rref = matrix.withResidues(q) { NmodMatrix(entries: $0, stride: 31, rows: 30, columns: 31, prime: q).reducedEchelonPivotColumns() }
            #expect(lu == rref && lu.filter { $0 < 30 } == echelon.basisRows)
        }
    }
}
