import Foundation

/// Random quadratic forms of prescribed rank, for `--random` and the property tests.
public struct RandomFormSpec: Sendable {
    /// Where the linear term lies relative to range(A).
    public enum LinearTerm: String, Sendable, CaseIterable {
        /// A Gaussian vector (outside range(A) whenever k < n).
        case generic
        /// Projected onto range(A), so a_N = 0 and plain = residual = k.
        case inRange = "in-range"
        /// Projected onto the null space of A, so a_R = 0.
        case inNull = "in-null"
        /// a = 0.
        case zero
    }

    /// n, the number of variables.
    public var dimension: Int
    /// k, the rank of A.
    public var rank: Int
    /// The seed.
    public var seed: UInt64
    /// Where the linear term lies.
    public var linearTerm: LinearTerm
    /// Eigenvalue magnitudes are 10^u with u uniform in this range (mixed scales).
    public var logMagnitudeRange: ClosedRange<Double>
    /// Probability that an eigenvalue is negative.
    public var negativeFraction: Double
    /// Whether M gets a random skew-symmetric part (same A, non-symmetric input).
    public var nonSymmetric: Bool

    /// A specification; defaults: generic a, magnitudes 10^[−2, 2], half negative, symmetric M.
    public init(dimension: Int, rank: Int, seed: UInt64 = 42, linearTerm: LinearTerm = .generic,
                logMagnitudeRange: ClosedRange<Double> = -2...2, negativeFraction: Double = 0.5,
                nonSymmetric: Bool = false) {
        self.dimension = dimension
        self.rank = rank
        self.seed = seed
        self.linearTerm = linearTerm
        self.logMagnitudeRange = logMagnitudeRange
        self.negativeFraction = negativeFraction
        self.nonSymmetric = nonSymmetric
    }
}

/// Builds random forms: `A = Q_k diag(λ) Q_kᵀ` with Q from LAPACK's QR of a Gaussian matrix.
public enum RandomForm {
    /// Largest n that `--random` accepts: 4000. A synthesis holds several n × n matrices (128 MiB
    /// each at n = 4000; about 1 GiB in all) and its JSON report is about 75·n² bytes (1.2 GB,
    /// streamed); at the former 20000 a run needed ~20 GB and hours. Larger forms come from
    /// `--quadratic A.npy`.
    public static let maximumDimension = 4000

    /// The form described by `spec`; its A has rank exactly `spec.rank` up to rounding.
    public static func make(_ spec: RandomFormSpec) throws -> QuadraticForm {
        let n = spec.dimension, k = spec.rank
        guard n >= 0 else { throw FormError.negativeDimension(n) }
        guard n <= maximumDimension else { throw FormError.dimensionLimit(n, limit: maximumDimension) }
        guard k >= 0, k <= n else { throw FormError.rankOutOfRange(rank: k, n: n) }
        var rng = SplitMix64(seed: spec.seed)
        let gaussian = Matrix(rows: n, columns: n, entries: (0..<(n * n)).map { _ in rng.nextGaussian() })
        let q = try Orthogonal.qFactor(of: gaussian)
        let lambdas: [Double] = (0..<k).map { _ in
            let u = spec.logMagnitudeRange.lowerBound + (spec.logMagnitudeRange.upperBound - spec.logMagnitudeRange.lowerBound) * rng.nextUnit()
            let magnitude = pow(10, u)
            return rng.nextUnit() < spec.negativeFraction ? -magnitude : magnitude
        }
        // Columns 0..<k of q span range(A); A = Σ λ_i q_i q_iᵀ.
        var scaled = Matrix(rows: n, columns: k)
        var basis = Matrix(rows: n, columns: k)
        for i in 0..<n { for j in 0..<k { basis[i, j] = q[i, j]; scaled[i, j] = q[i, j] * lambdas[j] } }
        var a = k == 0 ? Matrix(rows: n, columns: n) : scaled.multiply(basis, transposeOther: true)
        a = a.symmetricPart
        var m = a
        if spec.nonSymmetric {
            // m_ij = 2a_ij − t and m_ji = t with t = 2a_ij·r, r ∈ [1/2, 2]: t lies in [a_ij, 4a_ij], so
            // 2a_ij − t is exact (Sterbenz) and 0.5·m_ij + 0.5·m_ji = a_ij exactly. The skew part
            // a_ij − t changes nothing of A, whose planted rank stays exact (design.md §5).
            for i in 0..<n { for j in (i + 1)..<max(i + 1, n) {
                let t = 2 * a[i, j] * (0.5 + 1.5 * rng.nextUnit())
                let (upper, lower) = rng.nextUnit() < 0.5 ? (2 * a[i, j] - t, t) : (t, 2 * a[i, j] - t)
                m[i, j] = upper
                m[j, i] = lower
            } }
        }
        var linear = (0..<n).map { _ in rng.nextGaussian() }
        let coordinates = (0..<k).map { j in (0..<n).reduce(0.0) { $0 + basis[$1, j] * linear[$1] } }
        var projected = [Double](repeating: 0, count: n)
        for j in 0..<k { for i in 0..<n { projected[i] += coordinates[j] * basis[i, j] } }
        switch spec.linearTerm {
        case .generic: break
        case .inRange: linear = projected
        case .inNull: linear = zip(linear, projected).map { $0 - $1 }
        case .zero: linear = [Double](repeating: 0, count: n)
        }
        let constant = rng.nextGaussian()
        return try QuadraticForm(constant: constant, linear: linear, quadratic: m)
    }
}
