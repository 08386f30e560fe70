import BigInt
import Foundation

/// Why exact mode refused a form before allocating for it (docs/exact-and-proofs.md, "Limits").
public enum ExactLimitError: Error, Equatable, CustomStringConvertible {
    /// More variables than `ExactWorkEstimate.maximumDimension`.
    case dimension(variables: Int, limit: Int)
    /// The estimated work exceeds `ExactWorkEstimate.maximumOperations`.
    case work(stage: String, estimate: ExactWorkEstimate)
    /// The estimated peak memory exceeds `ExactWorkEstimate.maximumBytes`.
    case memory(estimate: ExactWorkEstimate)
    /// The outputs of one map together (each output's synthesis, then the shared layer's checks)
    /// exceed `ExactWorkEstimate.maximumOperations`, although each output alone may not.
    case sharedLayer(stage: String, outputs: Int, variables: Int, operations: Double)

    public var description: String {
        switch self {
        case let .dimension(n, limit):
            return "exact synthesis: \(n) variables, more than the limit of \(limit) for exact mode (its n × n rational matrix alone would take about \(ExactWorkEstimate.format(bytes: Double(n) * Double(n) * ExactWorkEstimate.bytesPerRational * 2))); use floating-point synthesis (without --exact)"
        case let .work(stage, e):
            return "exact synthesis: \(stage) of \(e.dimension) variables with coefficients of \(e.coefficientBits) bits would take about \(ExactWorkEstimate.format(operations: e.operations)) word operations on numbers of up to \(e.minorBits) bits (estimated up to \(ExactWorkEstimate.format(seconds: e.operations / ExactWorkEstimate.operationsPerSecond))), more than the limit of \(ExactWorkEstimate.format(operations: ExactWorkEstimate.maximumOperations)); use fewer variables or digits, or floating-point synthesis"
        case let .sharedLayer(stage, m, n, operations):
            return "exact shared layer: \(stage) for \(m) outputs of \(n) variables would take about \(ExactWorkEstimate.format(operations: operations)) word operations (estimated up to \(ExactWorkEstimate.format(seconds: operations / ExactWorkEstimate.operationsPerSecond))), more than the limit of \(ExactWorkEstimate.format(operations: ExactWorkEstimate.maximumOperations)) for the whole map; use fewer outputs or variables, or floating-point synthesis (without --exact)"
        case let .memory(e):
            return "exact synthesis: \(e.dimension) variables with coefficients of \(e.coefficientBits) bits would need about \(ExactWorkEstimate.format(bytes: e.bytes)) of memory, more than the limit of \(ExactWorkEstimate.format(bytes: ExactWorkEstimate.maximumBytes)); use fewer variables or digits, or floating-point synthesis"
        }
    }
}

/// The work and memory exact synthesis will need, estimated from n and the coefficient size before
/// anything n × n is allocated (design.md §4). Fraction-free elimination of B = s·A makes numbers of
/// at most the Hadamard size of B's minors: t·β bits at step t, β = b + ½·log2 n + 1 for entries of
/// b bits. Step t does (n − t)²/2 updates of three GMP operations on such numbers, each costing
/// about 1 + (words)^1.6 word operations (GMP's Karatsuba/Toom range); the certificate's solve on
/// the pivot block is an elimination of the same shape. Verification
/// (`ExactIntegerCheck`) follows the same triangle: after neuron t it carries the (n − t)²/2
/// entries not yet complete, four GMP operations each on numbers of up to twice the step's size
/// (the partial sum times the next pivot, before its common factor is divided out). Peak memory is
/// the remaining triangle plus the stored pivot rows at their sizes, plus the rational copies of A
/// (≈ 200 bytes an entry).
public struct ExactWorkEstimate: Sendable, Equatable {
    /// Most variables exact mode accepts at all: its dense rational matrices take ≈ 200 bytes an entry.
    public static let maximumDimension = 1500
    /// Most estimated word operations: about two minutes for a dense full-rank form on the
    /// 2-core machine of docs/performance.md, less for lower rank (n = 400 with 10-bit entries and
    /// rank 399 is estimated at 4.0·10¹⁰ and takes 72 s; rank 200 with 11-bit entries, 4.5·10¹⁰
    /// and 19 s).
    public static let maximumOperations: Double = 6e10
    /// Most estimated peak memory: 1.5 GiB.
    public static let maximumBytes: Double = 1.5 * 1_073_741_824
    /// Modelled word operations per second for a dense full-rank form, measured end to end on the
    /// reference machine (5·10⁸; forms of rank n/2 run 2–2.5·10⁹): the message's "up to" time.
    static let operationsPerSecond: Double = 5e8
    /// Bytes of one `Rational` entry with small numbers (two BigInts and their buffers).
    static let bytesPerRational: Double = 80

    /// n.
    public let dimension: Int
    /// b: bits of the largest entry of the integer matrix s·A (numerator bits plus those of s).
    public let coefficientBits: Int
    /// n·β: bits of the largest minor (Hadamard).
    public let minorBits: Int
    /// Estimated word operations.
    public let operations: Double
    /// Estimated peak bytes.
    public let bytes: Double

    /// The estimate for n variables and entries of `bits` bits.
    public init(dimension n: Int, coefficientBits bits: Int) {
        dimension = n
        coefficientBits = bits
        let beta = Double(bits) + 0.5 * log2(Double(max(n, 2))) + 1
        minorBits = Int((Double(n) * beta).rounded(.up))
        var operations = 0.0, peak = 0.0, rows = 0.0
        let nd = Double(n)
        // Sum over steps in blocks of ≤ 64 steps (the cost varies slowly with t).
        let stride = max(1, n / 64)
        var t = 0
        while t < n {
            let span = Double(min(stride, n - t))
            let remaining = nd - Double(t)
            let words = Double(t + 1) * beta / 64
            let eliminationCost = 3 * (1 + pow(max(words, 1), 1.6))
            let verificationCost = 4 * (1 + pow(max(2 * words, 1), 1.6))
            // The reduction, the certificate's solve on the pivot block (an elimination of the
            // same shape), and the verification.
            operations += span * remaining * remaining / 2 * (2 * eliminationCost + verificationCost)
            let entryBytes = 16 + 8 * words
            rows += span * nd * entryBytes
            peak = max(peak, remaining * remaining / 2 * entryBytes + rows)
            t += stride
        }
        self.operations = operations
        bytes = peak + nd * nd * (ExactWorkEstimate.bytesPerRational * 2 + 16)
    }

    /// Throws when the work or the memory exceeds its limit.
    public func check(stage: String = "the reduction") throws {
        if bytes > ExactWorkEstimate.maximumBytes { throw ExactLimitError.memory(estimate: self) }
        if operations > ExactWorkEstimate.maximumOperations { throw ExactLimitError.work(stage: stage, estimate: self) }
    }

    /// The estimate for `form`: b from the largest numerator and the lcm of the denominators.
    public init(form: ExactForm) {
        let n = form.dimension
        var numeratorBits = 0
        var denominators = Set<BigInt>()
        for value in form.quadratic.entries where !value.isZero {
            numeratorBits = max(numeratorBits, value.numerator.magnitude.bitWidth)
            if value.denominator != 1 { denominators.insert(value.denominator) }
        }
        var scaleBits = 0
        if !denominators.isEmpty {
            // The lcm of the distinct denominators (times 2 for A = (M + Mᵀ)/2), capped once it is
            // hopeless anyway.
            var lcm = BigInt(2)
            for d in denominators where lcm.bitWidth < 1 << 20 { lcm = lcm / Rational.gcd(lcm.magnitude, d.magnitude) * d }
            scaleBits = lcm.bitWidth
        }
        self.init(dimension: n, coefficientBits: numeratorBits + scaleBits)
    }

    static func format(operations: Double) -> String { String(format: "%.1e", operations) }
    static func format(seconds: Double) -> String { seconds < 120 ? String(format: "%.0f s", seconds) : String(format: "%.0f min", seconds / 60) }
    static func format(bytes: Double) -> String {
        bytes >= 1_073_741_824 ? String(format: "%.1f GiB", bytes / 1_073_741_824) : String(format: "%.0f MiB", bytes / 1_048_576)
    }
}
