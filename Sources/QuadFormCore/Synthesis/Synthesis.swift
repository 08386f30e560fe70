import Foundation

/// Settings of a synthesis run (design.md §2, §5).
public struct SynthesisOptions: Sendable {
    /// Absolute rank tolerance; nil means the default `max(n,1) · ε · max|λ|` (design.md §5).
    public var rankTolerance: Double?
    /// The most eigenvalues kept, whatever the tolerance: a form known as a sum of m rank-one
    /// terms (an extracted network) has rank ≤ m (design.md §5); nil for no bound.
    public var maximumRank: Int?
    /// The accuracy τ of design.md §5's contract, relative to f's scale: a network is PASSED only
    /// within τ·scale of f; nil means the default for the input's precision (1e-10 for float64,
    /// 1e-4 for float32).
    public var accuracy: Double?
    /// What summing A from rank-one terms may have left in it, `m·ε·max Σ_j|w_jα||u_j||u_j|ᵀ` for
    /// an extracted network summed in double-double (`NetworkExtraction`); the default rank
    /// tolerance covers it (design.md §5). nil for a form given by its coefficients.
    public var summedTermScale: Double?
    /// The LAPACKE driver for `A = QΛQᵀ`.
    public var driver: EigenDriver
    /// Radius R of the box `[−R, R]ⁿ` that verification samples and the error bounds refer to.
    public var boxRadius: Double
    /// Number of random points verification samples in the box.
    public var randomSamples: Int
    /// Seed of the sample points (verification is reproducible).
    public var seed: UInt64

    /// Defaults: automatic rank tolerance, driver `auto` (`dsyev` for n ≤ 200, `dsyevd` above),
    /// R = 1, 32 random points, seed 1.
    public init(rankTolerance: Double? = nil, driver: EigenDriver = .auto, boxRadius: Double = 1,
                randomSamples: Int = 32, seed: UInt64 = 1, accuracy: Double? = nil, maximumRank: Int? = nil) {
        self.rankTolerance = rankTolerance
        self.accuracy = accuracy
        self.maximumRank = maximumRank
        self.driver = driver
        self.boxRadius = boxRadius
        self.randomSamples = randomSamples
        self.seed = seed
    }
}

/// The result of synthesizing the residual and plain networks for a form (design.md §2).
public struct Synthesis: Sendable {
    /// The input form.
    public let form: QuadraticForm
    /// What the synthesis derived from the eigenvalues (rank, a_N, both networks): `Core`, the same
    /// value `quadform-mpi` computes from ScaLAPACK's decomposition.
    public let core: Core
    /// `A = (M + Mᵀ)/2`.
    public let symmetricMatrix: Matrix
    /// `A = QΛQᵀ` from LAPACKE.
    public let eigen: SymmetricEigendecomposition
    /// The rank tolerance used: eigenvalues with |λ| ≤ it are dropped.
    public var rankTolerance: Double { core.rankTolerance }
    /// Whether `rankTolerance` was the default `max(n,1) · ε · max|λ|`.
    public let rankToleranceIsDefault: Bool
    /// k, the numerical rank of A.
    public var rank: Int { core.rank }
    /// Indices (into `eigen.eigenvalues`) of the kept eigenpairs, by decreasing |λ|.
    public var keptIndices: [Int] { core.keptIndices }
    /// Smallest kept |λ| (nil when k = 0).
    public var smallestKept: Double? { core.smallestKept }
    /// Largest dropped |λ| (nil when k = n).
    public var largestDropped: Double? { core.largestDropped }
    /// `Σ |λ_dropped|`: dropping them changes f by at most this times ‖x‖² (design.md §5).
    public var droppedEigenvalueSum: Double { core.droppedEigenvalueSum }
    /// `a_R = P a`, the part of the linear term in range(A).
    public var linearRangePart: [Double] { core.linearRangePart }
    /// `a_N = (I − P) a` as computed, before the tolerance test.
    public var linearNullPartComputed: [Double] { core.linearNullPartComputed }
    /// ‖a_N‖ as computed.
    public var linearNullPartNorm: Double { core.linearNullPartNorm }
    /// How far the computed range(A) can be tilted by rounding, as a bound on the a_N it can fake:
    /// `10·max(n,1)·ε·‖a‖·max|λ|/gap` (Davis–Kahan, gap = smallest kept − largest dropped |λ|).
    /// Above it a_N ≠ 0 for certain (theorem T2's hypothesis holds).
    public var linearNullPartTolerance: Double { core.linearNullPartTolerance }
    /// `max_i |a_N,i| / (3t_i/4)`, with t_i the verification's tolerance for the linear coefficient
    /// a_i of the k-neuron plain network (design.md §5; the last quarter is left for the rounding of
    /// the network's own expansion): above 1, leaving a_N out would make that
    /// network miss f by more than rounding, so the plain network takes the two a_N neurons even
    /// when ‖a_N‖ is under `linearNullPartTolerance` (it then equals f, but k + 2 is not proved minimal).
    public var linearNullPartRoundingRatio: Double { core.linearNullPartRoundingRatio }
    /// Whether the plain network carries a_N (k + 2 neurons): ‖a_N‖ exceeds
    /// `linearNullPartTolerance`, or `linearNullPartRoundingRatio` exceeds 1.
    public var hasLinearNullPart: Bool { core.hasLinearNullPart }
    /// The residual network: k square neurons plus the skip V_{0,2} = aᵀ (design.md §2).
    public var residual: ResNet { core.residual }
    /// The plain network (S = ∅): k neurons, or k + 2 when a_N ≠ 0 (or when completing a square
    /// overflows: `plainSquaresOverflow`).
    public var plain: ResNet { core.plain }
    /// Set when completing a square overflowed a Double: the plain network then has k + 2 neurons
    /// carrying aᵀx on the pair, and is not the minimal one when a ∈ range(A).
    public var plainSquaresOverflow: String? { core.plainSquaresOverflow }
    /// The options used.
    public let options: SynthesisOptions
    /// The radius of the verification's four far sample points: 1000·R, or less for huge forms
    /// whose values there would come near the largest Double (design.md §5).
    public let farSampleRadius: Double

    /// The a_N that the networks use: the computed one, or zero when below its tolerance.
    public var linearNullPart: [Double] {
        hasLinearNullPart ? linearNullPartComputed : [Double](repeating: 0, count: form.dimension)
    }

    /// Bound on `|f(x) − network(x)|` from the eigenvalues the rank tolerance dropped, at a point
    /// of norm r: `Σ|λ_dropped| · r²` (design.md §5). It is the size of the approximation when a
    /// network is APPROXIMATE; it never enters the PASSED tolerance.
    public func modelErrorBound(normOfX r: Double) -> Double {
        droppedEigenvalueSum * r * r
    }

    /// `Σ|λ_dropped| · n · R²`: the bound of `modelErrorBound` on the box `[−R, R]ⁿ` (‖x‖² ≤ nR²).
    public var approximationBoundOnBox: Double {
        let r = options.boxRadius
        return droppedEigenvalueSum * Double(max(form.dimension, 1)) * r * r
    }

    /// The unit roundoff the tolerances use: Double's ε, or the input's coarser ε (float32).
    public var unitRoundoff: Double { max(Double.ulpOfOne, form.precision.epsilon) }

    /// Whether the numerical rank is ill-determined (`Core.rankIsIllDetermined`).
    public var rankIsIllDetermined: Bool { core.rankIsIllDetermined }

    /// Whether a_N is carried but uncertain (`Core.linearNullPartIsUncertain`).
    public var linearNullPartIsUncertain: Bool { core.linearNullPartIsUncertain }

    /// Synthesizes both networks of design.md §2 for `form`. Residual: l = (n, k, 1), S = {(0, 2)},
    ///
    ///     f(x) = c + aᵀx + Σ λ_i (q_iᵀx)²,
    ///
    /// W1 rows q_iᵀ, B1 = 0, W2 = (λ_i), B2 = c, V_{0,2} = aᵀ: no division by λ_i. Plain (S = ∅):
    ///
    ///     f(x) = [c − Σ λ_i β_i²] + a_Nᵀx + Σ λ_i (q_iᵀx + β_i)²,   β_i = q_iᵀa / (2λ_i),
    ///
    /// the k completed squares plus, when
    /// a_N ≠ 0, two neurons for design.md §2's `a_Nᵀx = ((a_Nᵀx + 1)² − (a_Nᵀx − 1)²)/4`, scaled to
    /// the problem as `a_Nᵀx = h·((pᵀx + R)² − (pᵀx − R)²)/(4R)` with `p = a_N/h`, h the power of two
    /// `h ≤ ‖a_N‖ < 2h` and R the box radius: the two squares then stay near (R‖x‖)² and their
    /// difference keeps a_Nᵀx to a few ε at any scale of a_N (with ±1 it cancels away when
    /// ‖a_N‖R is far from 1). For 1 ≤ ‖a_N‖ < 2 and R = 1 this is the unscaled identity.
    public init(form: QuadraticForm, options: SynthesisOptions = SynthesisOptions()) throws {
        let n = form.dimension
        try Synthesis.validate(constant: form.constant, linear: form.linear, options: options)
        if let index = Vector.firstNonFinite(form.quadratic.entries) {
            throw SynthesisError.nonFinite("quadratic matrix entry (\(index / n + 1), \(index % n + 1)) is not finite")
        }
        let symmetricInput = form.quadratic.isSymmetric
        let a = symmetricInput ? form.quadratic : form.quadratic.symmetricPart
        try Synthesis.checkReach(dimension: n, constant: form.constant, linear: form.linear,
                                 frobeniusNorm: a.frobeniusNorm, boxRadius: options.boxRadius)
        self.farSampleRadius = Synthesis.farSampleRadius(dimension: n, constant: form.constant, linear: form.linear,
                                                         frobeniusNorm: a.frobeniusNorm, boxRadius: options.boxRadius)
        let rule = RankTolerance.rule(dimension: n, precision: form.precision, userValue: options.rankTolerance,
                                      summedTermScale: options.summedTermScale ?? 0)
        let eigen = try SymmetricEigendecomposition(symmetric: a, driver: options.driver, threshold: rule)
        let core = try Core(dimension: n, constant: form.constant, linear: form.linear, eigenvalues: eigen.eigenvalues,
                            precision: form.precision, options: options) { kept in
            // Rows q_iᵀ of the kept eigenvectors (W1).
            var keptRowEntries = [Double](repeating: 0, count: kept.count * n)
            let keptVectorRows = try kept.map { i in
                guard let row = eigen.vectorRow(of: i) else {
                    throw LinearAlgebraError.noConvergence(routine: "selected eigenvectors (eigenvalue \(i + 1) has none)", info: i + 1)
                }
                return row
            }
            eigen.eigenvectorRows.entries.withUnsafeBufferPointer { q in
                keptRowEntries.withUnsafeMutableBufferPointer { rows in
                    for (r, row) in keptVectorRows.enumerated() {
                        rows.baseAddress!.advanced(by: r * n).update(from: q.baseAddress!.advanced(by: row * n), count: n)
                    }
                }
            }
            return Matrix(rows: kept.count, columns: n, entries: keptRowEntries)
        }
        self.form = form
        self.core = core
        self.symmetricMatrix = a
        self.eigen = eigen
        self.rankToleranceIsDefault = options.rankTolerance == nil
        self.options = options
    }

    /// Checks the parts of the input every synthesis checks before touching the matrix: a finite
    /// constant and linear term, a finite rank tolerance ≥ 0 and a finite box radius > 0.
    public static func validate(constant: Double, linear: [Double], options: SynthesisOptions) throws {
        if !constant.isFinite { throw SynthesisError.nonFinite("the constant term is not finite") }
        if let i = linear.firstIndex(where: { !$0.isFinite }) { throw SynthesisError.nonFinite("linear term entry \(i + 1) is not finite") }
        if let t = options.rankTolerance, !(t >= 0 && t.isFinite) {
            throw SynthesisError.invalidOption("rank tolerance must be a finite number ≥ 0, got \(t)")
        }
        guard options.boxRadius > 0, options.boxRadius.isFinite else {
            throw SynthesisError.invalidOption("box radius must be a finite number > 0, got \(options.boxRadius)")
        }
    }

    /// Refuses forms whose values on the box come too close to the largest Double to synthesize and
    /// verify: on the box, ‖x‖ ≤ R√n, so |f(x)| ≤ |c| + ‖a‖·‖x‖ + ‖A‖_F·‖x‖², and the plain
    /// network's a_N neurons square pᵀx ± R with p = a_N/h, ‖p‖ < 2, at most (2R√n + R)². Without
    /// headroom below the Double limit the networks and the verification overflow: such input is
    /// bad input, not a failed verification.
    public static func checkReach(dimension n: Int, constant: Double, linear: [Double], frobeniusNorm: Double, boxRadius: Double) throws {
        let radius = boxRadius * Double(max(n, 1)).squareRoot()
        let reach = reachAt(radius: radius, constant: constant, linearNorm: Vector.norm(linear), frobeniusNorm: frobeniusNorm, boxRadius: boxRadius)
        guard (reach * Double(64 * (n + 2))).isFinite else {
            let size = reach.isFinite ? "reach about \(reach), too close to" : "exceed"
            throw SynthesisError.overflow("values of the form and its networks on the box of radius R = \(boxRadius) \(size) the largest Double (1.8e308) to synthesize and verify reliably; rescale the form or use a smaller --box")
        }
    }

    /// `|c| + ‖a‖ρ + ‖A‖_F ρ² + (2ρ + R)²`: what f's terms and the a_N neurons' squares reach at points of norm ρ.
    static func reachAt(radius ρ: Double, constant: Double, linearNorm: Double, frobeniusNorm: Double, boxRadius: Double) -> Double {
        abs(constant) + linearNorm * ρ + frobeniusNorm * ρ * ρ + (2 * ρ + boxRadius) * (2 * ρ + boxRadius)
    }

    /// The radius of the verification's far sample points: 1000·R, halved (not below R) while f's
    /// terms there would come within 2¹⁰·64(n + 2) of overflowing (huge forms, design.md §5).
    public static func farSampleRadius(dimension n: Int, constant: Double, linear: [Double], frobeniusNorm: Double, boxRadius: Double) -> Double {
        var far = 1000 * boxRadius
        let linearNorm = Vector.norm(linear)
        while far > boxRadius,
              !(reachAt(radius: far, constant: constant, linearNorm: linearNorm, frobeniusNorm: frobeniusNorm, boxRadius: boxRadius) * Double(64 * (n + 2)) * 1024).isFinite {
            far /= 2
        }
        return max(far, boxRadius)
    }


    /// Everything a synthesis derives from the eigenvalues, the kept eigenvectors and the linear
    /// term (design.md §2): the rank and its tolerance, a_R and a_N, and both networks. `Synthesis`
    /// computes it from LAPACKE's decomposition; `quadform-mpi` from ScaLAPACK's, with the kept
    /// eigenvectors gathered onto one process.
    public struct Core: Sendable {
        /// The rank tolerance used.
        public let rankTolerance: Double
        /// k.
        public let rank: Int
        /// Indices of the kept eigenpairs, by decreasing |λ|.
        public let keptIndices: [Int]
        /// Smallest kept |λ| (nil when k = 0).
        public let smallestKept: Double?
        /// Largest dropped |λ| (nil when k = n).
        public let largestDropped: Double?
        /// `Σ |λ_dropped|`.
        public let droppedEigenvalueSum: Double
        /// a_R = a − a_N.
        public let linearRangePart: [Double]
        /// a_N as computed (projected twice).
        public let linearNullPartComputed: [Double]
        /// ‖a_N‖ as computed.
        public let linearNullPartNorm: Double
        /// The Davis–Kahan tolerance of ‖a_N‖.
        public let linearNullPartTolerance: Double
        /// max |a_N,i| over what verification would allow as rounding (see `Synthesis`).
        public let linearNullPartRoundingRatio: Double
        /// Whether the plain network carries a_N.
        public let hasLinearNullPart: Bool
        /// The residual network.
        public let residual: ResNet
        /// The plain network.
        public let plain: ResNet
        /// Set when completing a square overflowed: why, and that the plain network then carries
        /// the whole linear term on its two extra neurons (k + 2 neurons, even when a ∈ range(A)).
        public let plainSquaresOverflow: String?

        /// Whether the numerical rank is ill-determined: the kept and dropped eigenvalues are within a
        /// factor 10³ of each other, so a slightly different tolerance gives another k.
        public var rankIsIllDetermined: Bool {
            guard let kept = smallestKept, let dropped = largestDropped, dropped > 0 else { return false }
            return kept / dropped < 1e3
        }

        /// Whether the plain network carries a_N although ‖a_N‖ is within the Davis–Kahan uncertainty
        /// of the computed range(A): it equals f with k + 2 neurons, but T2's hypothesis is not certain.
        public var linearNullPartIsUncertain: Bool {
            hasLinearNullPart && linearNullPartNorm <= linearNullPartTolerance
        }

        /// The indices of `eigenvalues` with |λ| above `tolerance` (kept, at most `maximumRank` of
        /// them) and the others (dropped), each by decreasing |λ|.
        public static func split(eigenvalues: [Double], tolerance: Double, maximumRank: Int? = nil) -> (kept: [Int], dropped: [Int]) {
            let order = eigenvalues.indices.sorted { abs(eigenvalues[$0]) > abs(eigenvalues[$1]) }
            let above = order.filter { abs(eigenvalues[$0]) > tolerance }.count
            let keep = min(above, max(maximumRank ?? above, 0))
            return (Array(order.prefix(keep)), Array(order.dropFirst(keep)))
        }

        /// Computes the synthesis of design.md §2 from the ascending `eigenvalues` of A; `keptRows`
        /// returns the kept eigenvectors (indices by decreasing |λ|) as the rows of a k × n matrix.
        public init(dimension n: Int, constant: Double, linear: [Double], eigenvalues: [Double],
                    precision: InputPrecision, options: SynthesisOptions, keptRows rowsOf: ([Int]) throws -> Matrix) throws {
            let maxAbs = eigenvalues.reduce(0) { max($0, abs($1)) }
            let inputEps = max(Double.ulpOfOne, precision.epsilon)
            let tolerance = RankTolerance(dimension: n, eigenvalues: eigenvalues, precision: precision,
                                          userValue: options.rankTolerance, summedTermScale: options.summedTermScale ?? 0).value
            let (kept, dropped) = Core.split(eigenvalues: eigenvalues, tolerance: tolerance, maximumRank: options.maximumRank)
            let k = kept.count

            let keptRows = try rowsOf(kept)
            precondition(keptRows.rows == k && keptRows.columns == n, "kept eigenvector rows have the wrong shape")
            let keptRowEntries = keptRows.entries
            // a_N = (I − QQᵀ)a projected twice ("twice is enough"): the second pass removes what the
            // first left of range(Q) through rounding, so a_N is accurate to ε‖a‖ against the computed Q.
            var projections = keptRows.multiply(linear)
            var nullPart = zip(linear, keptRows.multiplyTransposed(projections)).map { $0 - $1 }
            if k > 0 {
                let correction = keptRows.multiply(nullPart)
                let removed = keptRows.multiplyTransposed(correction)
                for i in 0..<n { nullPart[i] -= removed[i] }
                for i in 0..<k { projections[i] += correction[i] }
            }
            let rangePart = zip(linear, nullPart).map { $0 - $1 }
            let nullNorm = Vector.norm(nullPart)
            let linearNorm = Vector.norm(linear)
            let smallestKeptValue = kept.last.map { abs(eigenvalues[$0]) } ?? 0
            let largestDroppedValue = dropped.first.map { abs(eigenvalues[$0]) } ?? 0
            // Davis–Kahan: rounding of size n·ε·‖A‖ tilts the computed range(A) by about that over the
            // spectral gap, and the projection of a inherits the tilt.
            let spectralGap = smallestKeptValue - largestDroppedValue
            let tilt = k == 0 ? 1 : max(1, maxAbs / max(spectralGap, .leastNormalMagnitude))
            let nullTolerance = 10 * Double(max(n, 1)) * inputEps * tilt * linearNorm
            // The k-neuron plain network's linear coefficients are a_R = Σ (q_iᵀa) q_i, summed from terms
            // of magnitude |Q|ᵀ|Qᵀa|; the verification allows K(n + k + 2)(ε(|a_i| + that + ‖a‖ + ‖A‖R) + η).
            let termMagnitudes = keptRows.absolute.multiplyTransposed(projections.map { abs($0) })
            let operations = Verifier.safetyFactor * Double(n + k + 2)
            let quadraticReach = maxAbs * options.boxRadius
            var roundingRatio = 0.0
            for i in 0..<n where nullPart[i] != 0 {
                let allowed = operations * (inputEps * (abs(linear[i]) + termMagnitudes[i] + linearNorm + quadraticReach) + Verifier.underflowUnit)
                roundingRatio = max(roundingRatio, abs(nullPart[i]) / (0.75 * allowed))
            }
            let hasNull = nullNorm > nullTolerance || roundingRatio > 1

            let lambdas = kept.map { eigenvalues[$0] }
            var overflowNote: String?
            let residual = try ResNet.oneHiddenLayer(inputWeights: keptRows, hiddenBias: [Double](repeating: 0, count: k),
                                                     outputWeights: lambdas, outputBias: constant, skip: linear)

            // The plain network completes the squares of the range part: β_i = q_iᵀa / (2λ_i).
            let betas = (0..<k).map { projections[$0] / (2 * lambdas[$0]) }
            var outputBias = constant
            for i in 0..<k { outputBias -= lambdas[i] * betas[i] * betas[i] }
            // When a completed square overflows a Double (tiny λ_i, large q_iᵀa), the residual network
            // still stands; the plain one then keeps the squares unshifted and carries the whole
            // linear term aᵀx on the two-neuron pair: k + 2 neurons, exact (design.md §2).
            // The squares themselves must stay finite where verification evaluates them (up to the
            // far points, |q_iᵀx| ≤ ρ·√n), with the headroom checkReach keeps: (|β| + ρ√n)²·64(n + 2).
            // (the far radius as verification places it: moved in for huge forms, design.md §5)
            let frobenius = eigenvalues.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let farReach = Synthesis.farSampleRadius(dimension: n, constant: constant, linear: linear, frobeniusNorm: frobenius,
                                                     boxRadius: options.boxRadius) * Double(max(n, 1)).squareRoot()
            let overflowing = (0..<k).first(where: { i in
                let b = betas[i], square = (abs(b) + farReach) * (abs(b) + farReach)
                return !b.isFinite || !(lambdas[i] * b * b).isFinite || !(square * Double(64 * (n + 2))).isFinite
                    || !(abs(lambdas[i]) * square * Double(64 * (n + 2))).isFinite
            }) ?? (outputBias.isFinite ? nil : 0)
            var plainBias = betas
            var plainWeights = lambdas
            var plainRows = keptRows
            var pairVector = nullPart, pairNorm = nullNorm
            if let i = overflowing {
                overflowNote = "completing the square overflows a Double (β = q_iᵀa/(2λ_i) with λ_i = \(lambdas[i]), q_iᵀa = \(projections[i]))"
                plainBias = [Double](repeating: 0, count: k)
                outputBias = constant
                pairVector = linear
                pairNorm = linearNorm
            }
            if hasNull || overflowing != nil {
                let (direction, weight, offset) = Synthesis.nullNeuronParameters(nullPart: pairVector, norm: pairNorm, boxRadius: options.boxRadius)
                plainRows = Matrix(rows: k + 2, columns: n, entries: keptRowEntries + direction + direction)
                plainBias += [offset, -offset]
                plainWeights += [weight, -weight]
                guard weight.isFinite else {
                    throw SynthesisError.overflow("--box \(options.boxRadius): the box radius R is too small for this form: the plain network's two a_N neurons have output weights ±h/(4R), which overflow a Double; use a larger --box")
                }
            }
            let plain = try ResNet.oneHiddenLayer(inputWeights: plainRows, hiddenBias: plainBias, outputWeights: plainWeights, outputBias: outputBias)

            self.rankTolerance = tolerance
            self.rank = k
            self.keptIndices = kept
            self.smallestKept = k > 0 ? smallestKeptValue : nil
            self.largestDropped = dropped.isEmpty ? nil : largestDroppedValue
            self.droppedEigenvalueSum = dropped.reduce(0) { $0 + abs(eigenvalues[$1]) }
            self.linearRangePart = rangePart
            self.linearNullPartComputed = nullPart
            self.linearNullPartNorm = nullNorm
            self.linearNullPartTolerance = nullTolerance
            self.linearNullPartRoundingRatio = roundingRatio
            self.hasLinearNullPart = hasNull
            self.residual = residual
            self.plain = plain
            self.plainSquaresOverflow = overflowNote
        }
    }

    /// The rank tolerance with the rule that set it (design.md §5).
    public var tolerance: RankTolerance {
        RankTolerance(dimension: form.dimension, eigenvalues: eigen.eigenvalues,
                      precision: form.precision, userValue: options.rankTolerance, summedTermScale: options.summedTermScale ?? 0)
    }

    /// The power of two h with `h ≤ value < 2h` (value > 0 finite): dividing by it is exact.
    public static func powerOfTwoScale(_ value: Double) -> Double {
        Double(sign: .plus, exponent: value.exponent, significand: 1)
    }

    /// The two a_N neurons of the plain network, `w·((pᵀx + r)² − (pᵀx − r)²) = 4wr·pᵀx = a_Nᵀx`
    /// (design.md §2's identity, scaled): p = a_N/h with h the power of two `h ≤ ‖a_N‖ < 2h`,
    /// r = R (the box radius) and w = h/(4R), so the two squares stay near (R‖x‖)² and their
    /// difference keeps a_Nᵀx to a few ε at any scale of a_N. Where h/(4R) would underflow
    /// (subnormal a_N), w is the smallest normal power of two and r = h/(4w), exact in binary.
    /// Returns (p, w, r).
    public static func nullNeuronParameters(nullPart: [Double], norm: Double, boxRadius: Double) -> (direction: [Double], weight: Double, offset: Double) {
        let h = powerOfTwoScale(norm)
        let direction = nullPart.map { $0 / h }
        let weight = h / (4 * boxRadius)
        if weight >= Double.leastNormalMagnitude { return (direction, weight, boxRadius) }
        let smallest = Double.leastNormalMagnitude
        return (direction, smallest, h / (4 * smallest))
    }

    /// f at every row of `points` (one point per row), with `|c| + Σ|a_i x_i| + Σ|A_ij x_i x_j|`,
    /// the magnitude that bounds its rounding error: two CBLAS `dgemm`s, O(n²) per point.
    public func formValues(batch points: Matrix) -> (values: [Double], magnitudes: [Double]) {
        formValues(batch: points, absoluteMatrix: symmetricMatrix.absolute)
    }

    /// `formValues(batch:)` with |A| already at hand.
    func formValues(batch points: Matrix, absoluteMatrix absA: Matrix) -> (values: [Double], magnitudes: [Double]) {
        let absX = points.absolute
        let products = FormProducts(constant: form.constant, linear: form.linear, rows: points, absoluteRows: absX,
                                    products: points.multiply(symmetricMatrix), absoluteProducts: absX.multiply(absA))
        return (products.values, products.magnitudes)
    }

    /// Verifies both networks against the form (design.md §5).
    public func verify() throws -> VerificationReport {
        try Verifier(synthesis: self).run()
    }
}

/// The products of a batch of rows x_pᵀ with A (`XA` and `|X||A|`, one CBLAS `dgemm` each, so A is
/// read once for all rows) and f at those rows with the magnitude of its terms,
/// `|c| + Σ|a_i x_i| + Σ|A_ij x_i x_j|`, which bounds its rounding error (design.md §5).
struct FormProducts {
    /// Row p is `x_pᵀA`.
    let products: Matrix
    /// Row p is `|x_p|ᵀ|A|`.
    let absoluteProducts: Matrix
    /// f(x_p).
    let values: [Double]
    /// The magnitude of the terms of f(x_p).
    let magnitudes: [Double]

    /// f and its magnitudes at the rows of `x` from `ax` = XA and `absAX` = |X||A|, computed by the caller.
    init(constant: Double, linear a: [Double], rows x: Matrix, absoluteRows absX: Matrix, products ax: Matrix, absoluteProducts absAX: Matrix) {
        let n = a.count
        precondition(x.columns == n, "points have \(x.columns) coordinates, the form \(n)")
        precondition(ax.rows == x.rows && ax.columns == n && absAX.rows == x.rows && absAX.columns == n, "products have the wrong shape")
        let linear = x.multiply(a)
        let absLinear = absX.multiply(a.map { abs($0) })
        var values = [Double](repeating: 0, count: x.rows)
        var magnitudes = [Double](repeating: 0, count: x.rows)
        for p in 0..<x.rows {
            var quadratic = 0.0, quadraticMagnitude = 0.0
            for i in 0..<n {
                quadratic += x.entries[p * n + i] * ax.entries[p * n + i]
                quadraticMagnitude += absX.entries[p * n + i] * absAX.entries[p * n + i]
            }
            values[p] = constant + linear[p] + quadratic
            magnitudes[p] = abs(constant) + absLinear[p] + quadraticMagnitude
        }
        self.products = ax
        self.absoluteProducts = absAX
        self.values = values
        self.magnitudes = magnitudes
    }
}
