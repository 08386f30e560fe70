import BigInt
import Foundation

/// The neuron counts of design.md §3 certified without big numbers (design.md §4, "Multimodular
/// certificates"): k = rank A and whether a ∈ range(A), from [B | b] = s·[A | a] reduced modulo
/// word-size primes (2⁶¹ < p < 2⁶²) by FLINT.
///
/// - **rank A ≥ k**: the principal minor B[R, R] is non-zero mod p (R = the first independent
///   columns mod p; for a symmetric matrix they index a non-singular principal block), so it is a
///   non-zero integer. `rankMinor` records p, R and the determinant mod p.
/// - **a ∉ range(A)** (T2: plain = k + 2): the (k+1)×(k+1) minor of [B | b] on rows R ∪ {j},
///   columns R ∪ {b} is non-zero mod p, so rank [B | b] = k + 1 > rank B. It equals
///   det B[R, R]·v_j with v = b − B[:, R]·B[R, R]⁻¹·b[R] (the Schur complement of the border), and
///   j is a coordinate where v_j ≢ 0. `borderedMinor` records it.
/// - **rank A ≤ k** (and **a ∈ range(A)**: rank [B | b] ≤ k): every (k+1)×(k+1) minor of B (of
///   [B | b]) is an integer of absolute value at most Hadamard's bound H; rank ≤ k modulo each of
///   the primes p_1 … p_m means each such minor is divisible by every p_i, hence by their product
///   P; with P > H the minor is 0. Equivalently the Schur complement S = B22 − B21·B11⁻¹·B12
///   vanishes: det B11·S_ij is the bordered minor on R ∪ {i}, R ∪ {j}. m is the least number of
///   primes of the deterministic sequence with P² > H² (both exact integers), fixed before any
///   of them is reduced.
///
/// The rank mod p is never above the rank over ℚ. A prime below it (p divides every k×k minor)
/// is unlucky: another prime of the sequence then shows a higher rank, the claim is raised to the
/// highest rank seen and that prime becomes the witness (`unluckyPrimes` lists the replaced ones),
/// and the number of primes is recomputed for the new claim. Primes are reduced in parallel.
public struct MultimodularRankCertificate: Sendable {
    /// A minor non-zero modulo a prime: rows and columns of [B | b] (column n is b).
    public struct Minor: Sendable, Equatable {
        /// p.
        public let prime: UInt64
        /// The minor's rows (0-based).
        public let rows: [Int]
        /// The minor's columns (0-based; n is the linear term's column).
        public let columns: [Int]
        /// Its determinant mod p (non-zero), recomputed by FLINT's `nmod_mat_det` on the submatrix.
        public let determinant: UInt64
    }

    /// Why no certificate was produced.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The Hadamard bound needs more primes than the limit.
        case tooManyPrimes(needed: Int, limit: Int)
        /// The primes times the elimination's n²·(k + 1) word operations exceed the limit.
        case tooMuchWork(primes: Int, dimension: Int, rank: Int, operations: Double, limit: Double)
        /// A recorded minor vanished mod its prime when recomputed (an internal inconsistency).
        case minorVanished(prime: UInt64, size: Int)

        public var description: String {
            switch self {
            case let .tooManyPrimes(needed, limit):
                return "multimodular certificate: Hadamard's bound needs \(needed) primes, more than the limit of \(limit); use fewer digits or --certificate reduction"
            case let .tooMuchWork(primes, n, k, operations, limit):
                return "multimodular certificate: \(primes) primes (Hadamard's bound on the \(k + 1)×\(k + 1) minors) of an elimination of \(n) variables at rank \(k) would take about \(ExactWorkEstimate.format(operations: operations)) word operations (estimated \(ExactWorkEstimate.format(seconds: operations / MultimodularRankCertificate.operationsPerSecond))), more than the limit of \(ExactWorkEstimate.format(operations: limit)); use fewer variables or digits, or floating-point prove (without --exact)"
            case let .minorVanished(prime, size):
                return "multimodular certificate: the \(size)×\(size) minor found modulo \(prime) is zero when recomputed (internal error; please report)"
            }
        }
    }

    /// Most estimated word operations (primes × n²·(k + 1)): about two minutes on the 2-core
    /// machine of docs/performance.md, where n = 600 at rank 300 (65 primes, 7·10⁹) takes 4.4 s.
    public static let maximumOperations: Double = 2e11
    /// Modelled word operations per second (n = 600, rank 300, 2 workers under load ≈ 4).
    static let operationsPerSecond: Double = 1.6e9

    /// Most primes one certificate may use (about 6·10⁵ bits of Hadamard bound).
    public static let maximumPrimes = 10_000

    /// n.
    public let dimension: Int
    /// k = rank A.
    public internal(set) var rank: Int
    /// Whether a ∈ range(A) (plain minimum k) — else a ∉ range(A) (plain minimum k + 2).
    public internal(set) var linearInRange: Bool
    /// The k×k principal minor of B non-zero mod its prime: rank A ≥ k.
    public internal(set) var rankMinor: Minor
    /// The (k+1)×(k+1) minor of [B | b] through b, non-zero mod its prime, when a ∉ range(A).
    public internal(set) var borderedMinor: Minor?
    /// Every prime reduced, in the order of the sequence: rank ≤ the claims modulo each.
    public let primes: [UInt64]
    /// Primes that showed a rank below the final one and were replaced as witness.
    public let unluckyPrimes: [UInt64]
    /// The size t of the minors the upper bound covers (k + 1; 0 when no upper bound is needed, k = n).
    public let boundMinorSize: Int
    /// Whether those minors are of [B | b] (a ∈ range(A)) or of B.
    public let boundIsBordered: Bool
    /// log₂ H, rounded up: the bits of Hadamard's bound on those minors.
    public let hadamardBits: Int
    /// log₂ P, rounded down: the bits of the product of `primes`.
    public let primeProductBits: Int
    /// Whether P² > H² (exact integers): the primes pass Hadamard's bound.
    public let boundPassed: Bool
    /// The seed of the prime sequence.
    public let seed: UInt64
    /// s: [B | b] = s·[A | a].
    public let scale: BigInt
    /// Seconds the certificate took (integer matrix, reductions, minors).
    public let seconds: Double
    /// Parallel workers that reduced the primes.
    public let workers: Int

    /// The certificate for `form`'s A = (M + Mᵀ)/2 and a. `seed` chooses the prime sequence
    /// (`NmodMatrix.prime(seed:index:)`); `leadingPrimes` (any primes below 2⁶²) come first
    /// (tests force an unlucky one).
    public init(form: ExactForm, seed: UInt64 = 1, leadingPrimes: [UInt64] = [], workers: Int? = nil) throws {
        let clock = ContinuousClock()
        let start = clock.now
        let matrix = IntegerBorderedMatrix(symmetric: form.symmetricMatrix, linear: form.linear)
        try self.init(matrix: matrix, seed: seed, leadingPrimes: leadingPrimes, workers: workers, start: start)
    }

    /// The certificate for an integer bordered matrix; `start` is when the timing began.
    init(matrix: IntegerBorderedMatrix, seed: UInt64 = 1, leadingPrimes: [UInt64] = [], workers: Int? = nil,
         start: ContinuousClock.Instant? = nil, operationLimit: Double = MultimodularRankCertificate.maximumOperations) throws {
        let clock = ContinuousClock()
        let began = start ?? clock.now
        let n = matrix.dimension
        let norms = matrix.squaredNorms()
        var sequence = PrimeSequence(seed: seed, leading: leadingPrimes)
        let pool = max(1, min(workers ?? ProcessInfo.processInfo.activeProcessorCount, 16))
        var results: [Reduction] = [Reduction(matrix, prime: sequence.prime(0))]
        var witness = 0, borderWitness = 0
        var rank = results[0].rank, augmented = results[0].augmentedRank
        var unlucky: [UInt64] = []
        var bound = Bound(matrix: matrix, norms: norms, rank: rank, augmented: augmented)
        var needed = try bound.primesNeeded(&sequence)
        func checkWork() throws {
            let operations = Double(needed) * Double(n) * Double(n) * Double(rank + 1)
            if operations > operationLimit {
                throw Failure.tooMuchWork(primes: needed, dimension: n, rank: rank, operations: operations, limit: operationLimit)
            }
        }
        try checkWork()
        ProgressContext.begin("multimodular certificate (primes)", total: needed)
        while results.count < needed {
            let batch = (results.count..<needed).map { sequence.prime($0) }
            results += Reduction.all(matrix, primes: batch, workers: pool, done: results.count)
            for index in 0..<results.count {
                let r = results[index]
                if r.rank > rank {
                    if !unlucky.contains(results[witness].prime) { unlucky.append(results[witness].prime) }
                    witness = index
                    rank = r.rank
                }
                if r.augmentedRank > augmented {
                    if !unlucky.contains(results[borderWitness].prime) { unlucky.append(results[borderWitness].prime) }
                    borderWitness = index
                    augmented = r.augmentedRank
                }
            }
            bound = Bound(matrix: matrix, norms: norms, rank: rank, augmented: augmented)
            needed = try bound.primesNeeded(&sequence)
            try checkWork()
        }
        dimension = n
        self.rank = rank
        linearInRange = augmented == rank
        rankMinor = try Self.principalMinor(matrix, reduction: results[witness])
        borderedMinor = augmented == rank ? nil : try Self.borderedMinor(matrix, reduction: results[borderWitness])
        primes = results.map(\.prime)
        unluckyPrimes = unlucky
        boundMinorSize = bound.size
        boundIsBordered = bound.bordered
        hadamardBits = bound.hadamardBits
        primeProductBits = Self.productBits(primes)
        let product = primes.reduce(BigInt(1)) { $0 * BigInt($1) }
        boundPassed = product * product > bound.square
        self.seed = seed
        scale = matrix.scale
        self.workers = pool
        let elapsed = clock.now - began
        seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// Whether the certificate is complete: the minors are non-zero mod their primes and the
    /// primes pass Hadamard's bound (`rechecks(form:)` recomputes all of it from the form).
    public var holds: Bool {
        (rank == 0 || rankMinor.determinant != 0) && (linearInRange || (borderedMinor?.determinant ?? 0) != 0) && boundPassed
    }

    /// The FLINT version that reduced the primes.
    public static var flintVersion: String { NmodMatrix.flintVersion }

    /// The plain network's minimum: k, or k + 2 when a ∉ range(A) (design.md §3).
    public var plainMinimum: Int { linearInRange ? rank : rank + 2 }

    /// ⌊log₂ Π p⌋.
    static func productBits(_ primes: [UInt64]) -> Int {
        primes.reduce(BigInt(1)) { $0 * BigInt($1) }.bitWidth - 2
    }
}

extension MultimodularRankCertificate {
    /// One prime's reduction of [B | b]: the pivot columns of its row echelon form.
    struct Reduction: Sendable {
        let prime: UInt64
        /// Pivot columns in order; those < n are B's first independent columns, n means b ∉ range.
        let pivots: [Int]
        let dimension: Int

        /// rank B mod p.
        var rank: Int { pivots.filter { $0 < dimension }.count }
        /// rank [B | b] mod p.
        var augmentedRank: Int { pivots.count }

        init(_ matrix: IntegerBorderedMatrix, prime: UInt64) {
            self.prime = prime
            dimension = matrix.dimension
            pivots = matrix.withResidues(prime) { entries in
                NmodMatrix(entries: entries, stride: matrix.columns, rows: matrix.dimension, columns: matrix.columns, prime: prime)
                    .echelonPivotColumns()
            }
        }

        /// The reductions for `primes`, in their order, on `workers` threads.
        static func all(_ matrix: IntegerBorderedMatrix, primes: [UInt64], workers: Int, done: Int) -> [Reduction] {
            let box = ResultBox(count: primes.count)
            let reporter = ProgressContext.reporter
            DispatchQueue.concurrentPerform(iterations: min(workers, primes.count)) { _ in
                while let index = box.next() {
                    let reduction = Reduction(matrix, prime: primes[index])
                    let finished = box.store(reduction, at: index)
                    reporter?.advance(done + finished)
                }
            }
            return box.results.compactMap { $0 }
        }
    }

    /// Work distribution and results of `Reduction.all`, shared by the worker threads under a lock.
    final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var nextIndex = 0
        private var finished = 0
        private(set) var results: [Reduction?]

        init(count: Int) { results = Array(repeating: nil, count: count) }

        /// The next index to reduce, nil when all are taken.
        func next() -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard nextIndex < results.count else { return nil }
            nextIndex += 1
            return nextIndex - 1
        }

        /// Stores a result; returns how many are finished.
        func store(_ reduction: Reduction, at index: Int) -> Int {
            lock.lock(); defer { lock.unlock() }
            results[index] = reduction
            finished += 1
            return finished
        }
    }

    /// The deterministic primes: `leading` first, then `NmodMatrix.prime(seed:index:)` (62-bit), each once.
    struct PrimeSequence {
        let seed: UInt64
        private(set) var values: [UInt64] = []
        private var seen: Set<UInt64> = []
        private var leading: [UInt64]
        private var generated = 0

        init(seed: UInt64, leading: [UInt64]) {
            self.seed = seed
            self.leading = leading
        }

        /// The index-th prime.
        mutating func prime(_ index: Int) -> UInt64 {
            while values.count <= index {
                let candidate: UInt64
                if !leading.isEmpty { candidate = leading.removeFirst() } else {
                    candidate = NmodMatrix.prime(seed: seed, index: generated)
                    generated += 1
                }
                if seen.insert(candidate).inserted { values.append(candidate) }
            }
            return values[index]
        }
    }

    /// The Hadamard bound the upper bound must pass: (k+1)-minors of [B | b] when the claim is
    /// a ∈ range(A) (that implies rank B ≤ k too), of B when it is a ∉ range(A).
    struct Bound {
        /// t = k + 1, or 0 when there are no t×t minors (k = n).
        let size: Int
        let bordered: Bool
        /// H².
        let square: BigInt

        init(matrix: IntegerBorderedMatrix, norms: (matrixColumns: [BigInt], border: BigInt, borderedRows: [BigInt]), rank: Int, augmented: Int) {
            bordered = augmented == rank
            let t = rank + 1
            size = t > matrix.dimension ? 0 : t
            square = size == 0 ? 0 : matrix.hadamardSquare(size: t, bordered: bordered, norms: norms)
        }

        /// ⌈log₂ H⌉.
        var hadamardBits: Int { square.isZero ? 0 : (square.bitWidth - 1 + 1) / 2 }

        /// m: the fewest primes of the sequence whose product P has P² > H² (at least 1).
        func primesNeeded(_ sequence: inout PrimeSequence) throws -> Int {
            var product = BigInt(1)
            var count = 0
            while count == 0 || product * product <= square {
                product *= BigInt(sequence.prime(count))
                count += 1
                if count > MultimodularRankCertificate.maximumPrimes {
                    throw Failure.tooManyPrimes(needed: Int(square.bitWidth / 2 / 61) + 1, limit: MultimodularRankCertificate.maximumPrimes)
                }
            }
            return count
        }
    }
}
