import BigInt
import CGMP

/// Rank modulo a word-size prime p, with the rows and columns of a non-zero r×r minor: the cheap
/// half of an exact rank (design.md §4, "Modular rank"). A minor that is non-zero mod p is a
/// non-zero integer, so the rank over ℚ is at least r — a lower bound anyone can recheck from the
/// recorded rows, columns and p (`minorDeterminant(of:)`). The rank mod p can only be smaller than
/// the rank over ℚ (when p divides every r×r minor), never larger; an upper bound needs an exact
/// construction (the reduction's identity, or the factored extraction's checked coordinates).
public struct ModularRank: Sendable, Equatable {
    /// The prime p (2³⁰ < p < 2³¹, so products of residues fit in 64 bits).
    public let prime: UInt64
    /// r = the rank of the matrix modulo p.
    public let rank: Int
    /// The rows of the non-zero minor, in the order they were found independent.
    public let rows: [Int]
    /// The columns of the non-zero minor (the pivot column of each row of `rows`).
    public let columns: [Int]

    /// Why a modular rank could not be computed.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// Every prime tried divided a denominator of the matrix.
        case noUsablePrime(tried: Int)
        public var description: String {
            switch self {
            case .noUsablePrime(let tried): return "modular rank: all \(tried) primes tried divide a denominator of the matrix"
            }
        }
    }

    /// The `index`-th prime of the sequence for `seed`: a random odd number in (2³⁰, 2³¹) made
    /// prime by stepping up, deterministic for a given seed (so a report can be reproduced).
    public static func prime(seed: UInt64, index: Int) -> UInt64 {
        var generator = SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(index + 1))
        var candidate = (UInt64(1) << 30) | (generator.next() >> 34) | 1
        while !isPrime(candidate) { candidate += 2 }
        return candidate
    }

    /// Deterministic Miller–Rabin for n < 3 215 031 751 (bases 2, 3, 5, 7).
    static func isPrime(_ n: UInt64) -> Bool {
        if n < 2 { return false }
        for q: UInt64 in [2, 3, 5, 7] where n % q == 0 { return n == q }
        var d = n - 1, s = 0
        while d & 1 == 0 { d >>= 1; s += 1 }
        witness: for a: UInt64 in [2, 3, 5, 7] {
            var x = power(a, d, n)
            if x == 1 || x == n - 1 { continue }
            for _ in 1..<max(s, 1) {
                x = x &* x % n
                if x == n - 1 { continue witness }
            }
            return false
        }
        return true
    }

    /// bᵉ mod m (m < 2³²).
    static func power(_ b: UInt64, _ e: UInt64, _ m: UInt64) -> UInt64 {
        var result: UInt64 = 1, base = b % m, e = e
        while e > 0 {
            if e & 1 == 1 { result = result &* base % m }
            base = base &* base % m
            e >>= 1
        }
        return result
    }

    /// a⁻¹ mod p (a ≠ 0, p prime).
    static func inverse(_ a: UInt64, _ p: UInt64) -> UInt64 { power(a, p - 2, p) }

    /// Incremental echelon form mod p: rows arrive one at a time (each `columns` residues);
    /// a row independent of the earlier ones joins the basis with its first non-zero column as
    /// pivot. O(rows · rank · columns) word operations.
    struct Echelon {
        let prime: UInt64
        let columns: Int
        private(set) var basis: [[UInt64]] = []
        private(set) var pivotColumns: [Int] = []
        private(set) var basisRows: [Int] = []

        init(prime: UInt64, columns: Int) { self.prime = prime; self.columns = columns }

        /// Adds row `index`; returns whether it was independent of the basis so far.
        @discardableResult
        mutating func add(_ row: [UInt64], index: Int) -> Bool {
            var v = row
            let p = prime
            for (b, pc) in zip(basis, pivotColumns) {
                let f = v[pc]
                guard f != 0 else { continue }
                let negF = p - f
                for c in pc..<columns where b[c] != 0 { v[c] = (v[c] + negF &* b[c]) % p }
            }
            guard let pc = v.firstIndex(where: { $0 != 0 }) else { return false }
            let inv = ModularRank.inverse(v[pc], p)
            for c in pc..<columns where v[c] != 0 { v[c] = v[c] &* inv % p }
            basis.append(v)
            pivotColumns.append(pc)
            basisRows.append(index)
            return true
        }
    }

    /// Builds the result from a finished echelon.
    init(_ e: Echelon) {
        prime = e.prime
        rank = e.basisRows.count
        rows = e.basisRows
        columns = e.pivotColumns
    }

    /// x mod p for a rational x, nil when p divides its denominator.
    static func residue(_ x: Rational, _ p: UInt64) -> UInt64? {
        if x.isZero { return 0 }
        let q = BigInt(p)
        var num = x.numerator % q
        if num < 0 { num += q }
        let den = x.denominator % q
        if den == 0 { return nil }
        return UInt64(num) &* inverse(UInt64(den), p) % p
    }

    /// The rank of a rational matrix modulo the first prime of `seed`'s sequence that divides
    /// none of its denominators (up to 8 tried), with its non-zero minor: the lower bound
    /// `rank ≥ r` of theorem T1 (design.md §3, §4).
    public init(matrix: RationalMatrix, seed: UInt64 = 1) throws {
        for index in 0..<8 {
            let p = ModularRank.prime(seed: seed, index: index)
            var echelon = Echelon(prime: p, columns: matrix.columns)
            var usable = true
            for i in 0..<matrix.rows {
                var row = [UInt64](repeating: 0, count: matrix.columns)
                for j in 0..<matrix.columns {
                    guard let r = ModularRank.residue(matrix[i, j], p) else { usable = false; break }
                    row[j] = r
                }
                guard usable else { break }
                echelon.add(row, index: i)
            }
            if usable { self.init(echelon); return }
        }
        throw Failure.noUsablePrime(tried: 8)
    }

    /// det of the recorded minor (rows × columns of `matrix`) modulo p, recomputed by a separate
    /// Gaussian elimination: non-zero exactly when the lower bound holds for this matrix. nil when
    /// p divides a denominator of the minor.
    public func minorDeterminant(of matrix: RationalMatrix) -> UInt64? {
        let p = prime, r = rank
        var m = [[UInt64]](repeating: [UInt64](repeating: 0, count: r), count: r)
        for (a, i) in rows.enumerated() {
            for (b, j) in columns.enumerated() {
                guard let v = ModularRank.residue(matrix[i, j], p) else { return nil }
                m[a][b] = v
            }
        }
        var det: UInt64 = 1
        for k in 0..<r {
            guard let pivot = (k..<r).first(where: { m[$0][k] != 0 }) else { return 0 }
            if pivot != k { m.swapAt(pivot, k); det = (p - det) % p }
            det = det &* m[k][k] % p
            let inv = ModularRank.inverse(m[k][k], p)
            for i in (k + 1)..<max(k + 1, r) where m[i][k] != 0 {
                let f = m[i][k] &* inv % p
                for j in k..<r { m[i][j] = (m[i][j] + (p - f) &* m[k][j]) % p }
            }
        }
        return det
    }
}
