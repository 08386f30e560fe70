
/// Exact rational synthesis (design.md §4): Lagrange's reduction gives k = rank A, the rational
/// projector `P = L(LᵀL)⁻¹Lᵀ` onto range(A) splits `a = a_R + a_N`, and
///
///     f(x) = [c − Σ d_i β_i²] + a_Nᵀx + Σ d_i (ℓ_iᵀx + β_i)²,   a_R = Σ 2 d_i β_i ℓ_i,
///
/// gives the residual network (k neurons + skip a_Nᵀ) and the plain one (k, or k + 2 with
/// `a_Nᵀx = ((a_Nᵀx + 1)² − (a_Nᵀx − 1)²)/4`), every parameter rational.
public struct ExactSynthesis: Sendable {
    /// The input form.
    public let form: ExactForm
    /// `A = (M + Mᵀ)/2`.
    public let symmetricMatrix: RationalMatrix
    /// `xᵀAx = Σ d_i (ℓ_iᵀx)²`.
    public let reduction: LagrangeReduction
    /// L: n × k, columns ℓ_i (a basis of range(A)).
    public let rangeBasis: RationalMatrix
    /// `P = L(LᵀL)⁻¹Lᵀ`, the orthogonal projector onto range(A).
    public let projector: RationalMatrix
    /// y with `a_R = L y` (y = (LᵀL)⁻¹Lᵀa).
    public let rangeCoordinates: [Rational]
    /// `a_R = P a`.
    public let linearRangePart: [Rational]
    /// `a_N = (I − P) a`.
    public let linearNullPart: [Rational]
    /// β_i = y_i / (2 d_i).
    public let shifts: [Rational]
    /// The residual network: k square neurons plus the skip V_{0,2} = a_Nᵀ.
    public let residual: ExactNetwork
    /// The plain network: k neurons, or k + 2 when a_N ≠ 0.
    public let plain: ExactNetwork

    /// k = rank A, exactly.
    public var rank: Int { reduction.rank }
    /// Whether a_N ≠ 0 (exactly): the plain network then needs k + 2 neurons (theorem T2).
    public var hasLinearNullPart: Bool { linearNullPart.contains { !$0.isZero } }
    /// ‖a_N‖², exactly.
    public var linearNullPartNormSquared: Rational { RationalVector.dot(linearNullPart, linearNullPart) }

    /// Synthesizes both networks for `form` in exact arithmetic.
    public init(form: ExactForm) throws {
        let n = form.dimension
        try ExactSynthesis.checkWork(form)
        let a = form.symmetricMatrix
        let reduction = LagrangeReduction(symmetric: a)
        let k = reduction.rank
        let basis = RationalMatrix(columnVectors: reduction.vectors, length: n)
        let gram = basis.transposed.multiply(basis)
        guard let gramInverse = gram.inverse else {
            throw SynthesisError.internalError("internal: the Lagrange vectors are dependent (their Gram matrix is singular)")
        }
        let projector = basis.multiply(gramInverse).multiply(basis.transposed)
        let coordinates = gramInverse.multiply(basis.transposed.multiply(form.linear))
        let rangePart = basis.multiply(coordinates)
        let nullPart = RationalVector.adding(form.linear, rangePart, scaledBy: -Rational.one)
        let two = Rational(2)
        let shifts = (0..<k).map { coordinates[$0] / (two * reduction.coefficients[$0]) }
        var outputBias = form.constant
        for i in 0..<k { outputBias = outputBias - reduction.coefficients[i] * shifts[i] * shifts[i] }
        let firstRows = RationalMatrix(rowArrays: reduction.vectors, columns: n)
        let residual = try ExactNetwork(inputWidth: n, activation: .square, firstWeights: firstRows, firstBias: shifts,
                                        outputWeights: reduction.coefficients, outputBias: outputBias, skip: nullPart)
        let plain: ExactNetwork
        if nullPart.contains(where: { !$0.isZero }) {
            let quarter = Rational(1, 4)
            plain = try ExactNetwork(inputWidth: n, activation: .square,
                                     firstWeights: RationalMatrix(rowArrays: reduction.vectors + [nullPart, nullPart], columns: n),
                                     firstBias: shifts + [.one, -Rational.one],
                                     outputWeights: reduction.coefficients + [quarter, -quarter], outputBias: outputBias, skip: nil)
        } else {
            plain = try ExactNetwork(inputWidth: n, activation: .square, firstWeights: firstRows, firstBias: shifts,
                                     outputWeights: reduction.coefficients, outputBias: outputBias, skip: nil)
        }
        self.form = form
        self.symmetricMatrix = a
        self.reduction = reduction
        self.rangeBasis = basis
        self.projector = projector
        self.rangeCoordinates = coordinates
        self.linearRangePart = rangePart
        self.linearNullPart = nullPart
        self.shifts = shifts
        self.residual = residual
        self.plain = plain
    }

    /// Expands both networks back and compares with the form: the exact proof of equivalence.
    public func verify() -> ExactVerification {
        ExactVerification(residual: residual.expansion, plain: plain.expansion, form: form)
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

    /// Refuses forms whose exact reduction would run for hours on astronomic numbers (no
    /// hang on absurd input). The gcd behind every rational operation costs about the square of
    /// the operands' size, and eliminating n variables makes numbers of up to about n · b bits.
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
    }
}
