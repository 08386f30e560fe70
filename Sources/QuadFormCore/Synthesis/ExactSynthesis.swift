/// Exact rational synthesis (design.md §4): Lagrange's reduction gives k = rank A; the linear
/// term, eliminated with it as a border, splits as `a = A·y + v` (y on the pivots, v zero there),
/// and
///
///     f(x) = [c − Σ d_i β_i²] + vᵀx + Σ d_i (ℓ_iᵀx + β_i)²,   A·y = Σ 2 d_i β_i ℓ_i,
///
/// gives the residual network (k neurons + skip aᵀ) and the plain one (k, or k + 2 carrying
/// `vᵀx = ((zᵀx + t)² − (zᵀx − t)²)·w` with z integer, t a power of two of z's size and
/// v = 4wt·z), every parameter rational. v = 0 exactly when a ∈ range(A),
/// i.e. when a_N = (I − P)a = 0 (P the orthogonal projector onto range(A), reported too).
public struct ExactSynthesis: Sendable {
    /// The input form.
    public let form: ExactForm
    /// `A = (M + Mᵀ)/2`.
    public let symmetricMatrix: RationalMatrix
    /// `xᵀAx = Σ d_i (ℓ_iᵀx)²`.
    public let reduction: LagrangeReduction
    /// L: n × k, columns ℓ_i (a basis of range(A)).
    public var rangeBasis: RationalMatrix { RationalMatrix(columnVectors: reduction.vectors, length: form.dimension) }
    /// `P = L(LᵀL)⁻¹Lᵀ`, the orthogonal projector onto range(A), computed on demand in rational
    /// arithmetic (O(n³) fraction operations: meant for small n; synthesis does not need it).
    public var projector: RationalMatrix {
        let basis = rangeBasis
        guard let gramInverse = basis.transposed.multiply(basis).inverse else { return RationalMatrix(rows: form.dimension, columns: form.dimension) }
        return basis.multiply(gramInverse).multiply(basis.transposed)
    }
    /// y with `a − v = L y` (y_i = 2 d_i β_i): the linear part the completed squares absorb.
    public let rangeCoordinates: [Rational]
    /// `a_R = P a`; nil when a_N was not computed.
    public let linearRangePart: [Rational]?
    /// `a_N = (I − P) a`: the zero vector when a ∈ range(A); nil when a ∉ range(A) but the
    /// projection's estimated work exceeds `ExactWorkEstimate`'s bound (`linearNullPartOmission`
    /// says so). Neither network nor the certificate needs it.
    public let linearNullPart: [Rational]?
    /// Why a_N was not computed, or nil.
    public let linearNullPartOmission: String?
    /// `v = a − A·y` with y supported on the pivots: what is left of a once the squares are
    /// completed, carried by the plain network's two extra neurons. It is zero on the pivot
    /// coordinates, zero exactly when a_N is, and differs from a_N by a vector of range(A), so its
    /// numbers are A's bordered minors rather than the ~twice larger ones of the projector.
    public let linearRemainder: [Rational]
    /// β_i = y_i / (2 d_i).
    public let shifts: [Rational]
    /// det A[P, P] on the pivot indices P (non-zero; A's scaled Bareiss pivot p_k / s^k).
    public let minorDeterminant: Rational
    /// The residual network: k square neurons plus the skip V_{0,2} = aᵀ (design.md §2).
    public let residual: ExactNetwork
    /// The plain network: k neurons, or k + 2 when a_N ≠ 0.
    public let plain: ExactNetwork

    /// k = rank A, exactly.
    public var rank: Int { reduction.rank }
    /// Whether a_N ≠ 0 (exactly), i.e. a ∉ range(A), read from v = a − A·y (non-zero exactly
    /// then): the plain network then needs k + 2 neurons (theorem T2).
    public var hasLinearNullPart: Bool { linearRemainder.contains { !$0.isZero } }
    /// ‖a_N‖², exactly (nil when a_N was not computed).
    public let linearNullPartNormSquared: Rational?

    /// Synthesizes both networks for `form` in exact arithmetic: the fraction-free reduction of
    /// `ExactReductionBuilder` on GMP integers, then the networks from its terms.
    public init(form: ExactForm) throws {
        let n = form.dimension
        try ExactSynthesis.checkWork(form)
        let a = form.symmetricMatrix
        let result = try ExactReductionBuilder.build(symmetric: a, linear: form.linear, constant: form.constant)
        let reduction = LagrangeReduction(result: result)
        let k = reduction.rank
        let nullPart = result.nullPart
        let rangePart = nullPart.map { RationalVector.adding(form.linear, $0, scaledBy: -Rational.one) }
        let two = Rational(2)
        let shifts = result.biases
        let coordinates = (0..<k).map { shifts[$0].isZero ? Rational.zero : two * result.weights[$0] * shifts[$0] }
        let outputBias = result.outputBias
        let firstRows = RationalMatrix(rowArrays: reduction.vectors, columns: n)
        // The residual network is the paper's (design.md §2): the skip carries all of a, no shifts.
        let residual = try ExactNetwork(inputWidth: n, activation: .square, firstWeights: firstRows,
                                        firstBias: [Rational](repeating: .zero, count: k),
                                        outputWeights: reduction.coefficients, outputBias: form.constant, skip: form.linear)
        let plain: ExactNetwork
        if let extra = result.remainderNeuron {
            plain = try ExactNetwork(inputWidth: n, activation: .square,
                                     firstWeights: RationalMatrix(rowArrays: reduction.vectors + [extra.vector, extra.vector], columns: n),
                                     firstBias: shifts + [extra.offset, -extra.offset],
                                     outputWeights: reduction.coefficients + [extra.weight, -extra.weight], outputBias: outputBias, skip: nil)
        } else {
            plain = try ExactNetwork(inputWidth: n, activation: .square, firstWeights: firstRows, firstBias: shifts,
                                     outputWeights: reduction.coefficients, outputBias: outputBias, skip: nil)
        }
        self.form = form
        self.symmetricMatrix = a
        self.reduction = reduction
        self.rangeCoordinates = coordinates
        self.linearRangePart = rangePart
        self.linearNullPart = nullPart
        self.linearRemainder = result.remainder
        self.linearNullPartNormSquared = nullPart.map { RationalVector.dot($0, $0) }
        self.linearNullPartOmission = result.nullPartOmission.map(\.description)
        self.shifts = shifts
        self.minorDeterminant = result.minorDeterminant
        self.residual = residual
        self.plain = plain
    }

    /// Expands both networks back and compares with the form: the exact proof of equivalence.
    public func verify() -> ExactVerification {
        ExactVerification(residual: residual, plain: plain, form: form)
    }

    /// The certificates behind the neuron counts (design.md §3), all exact.
    public var certificate: NeuronCountCertificate { NeuronCountCertificate(synthesis: self) }
}

extension ExactSynthesis {
    /// Largest input coefficient accepted, in bits (numerator plus denominator; about 600 digits).
    public static let maximumCoefficientBits = 2048
    /// Largest n · b accepted (b = the largest coefficient in bits): the reduction's intermediate
    /// numbers grow to about that many bits.
    public static let maximumDimensionTimesBits = 65_536

    /// Refuses forms whose exact reduction would run for hours on astronomic numbers (issue 6: no
    /// hang on absurd input): coefficients beyond `maximumCoefficientBits`, n · b beyond
    /// `maximumDimensionTimesBits`, and work or memory beyond the bounds of `ExactWorkEstimate`
    /// (eliminating n variables makes numbers of up to about n · b bits).
    static func checkWork(_ form: ExactForm) throws {
        let n = form.dimension
        var b = form.constant.exactSizeInBits
        for value in form.linear { b = max(b, value.exactSizeInBits) }
        for i in 0..<n { for j in 0..<n { b = max(b, form.quadratic[i, j].exactSizeInBits) } }
        guard b <= maximumCoefficientBits else {
            throw SynthesisError.tooLarge("exact synthesis: a coefficient needs \(b) bits (numerator and denominator), more than the limit of \(maximumCoefficientBits) (about 600 digits); use fewer digits or floating-point synthesis")
        }
        guard n * b <= maximumDimensionTimesBits else {
            throw SynthesisError.tooLarge("exact synthesis: \(n) variables with coefficients of up to \(b) bits would make numbers of about \(n * b) bits, more than the limit of \(maximumDimensionTimesBits); use fewer digits or floating-point synthesis")
        }
        try ExactWorkEstimate(form: form).check()
    }
}

