/// Lagrange's reduction of a symmetric rational matrix (design.md §4): symmetric LDLᵀ with
/// diagonal pivoting, and the step `x_i x_j = ((x_i + x_j)² − (x_i − x_j)²)/4` when every
/// remaining diagonal entry is 0. It writes
///
///     xᵀAx = Σ_{i=1..k} d_i (ℓ_iᵀx)²
///
/// with rational d_i ≠ 0 and independent ℓ_i, so k = rank A exactly.
public struct LagrangeReduction: Equatable, Sendable {
    /// One elimination step.
    public enum Step: Equatable, Sendable {
        /// A 1×1 pivot: the remaining diagonal entry at `index` was `pivot` ≠ 0.
        case diagonal(index: Int, pivot: Rational)
        /// All remaining diagonal entries were 0; the off-diagonal entry (i, j) was `entry` ≠ 0,
        /// removed with the product-to-squares step (two terms, 2×2 pivot of determinant −entry²).
        case productPair(i: Int, j: Int, entry: Rational)
    }

    /// The steps in order.
    public let steps: [Step]
    /// d_1 … d_k.
    public let coefficients: [Rational]
    /// ℓ_1 … ℓ_k (each of length n; each step's vectors are 0 on earlier pivot indices).
    public let vectors: [[Rational]]
    /// The pivot indices in order: the principal submatrix of A on them is nonsingular, which
    /// certifies rank A ≥ k (its determinant is the product of the pivot blocks' determinants).
    public let pivotIndices: [Int]

    /// k = rank A.
    public var rank: Int { coefficients.count }

    /// Reduces the symmetric matrix `a` (its symmetric part is used if it is not symmetric).
    public init(symmetric a: RationalMatrix) {
        let n = a.rows
        var b = a == a.transposed ? a : a.symmetricPart
        var steps: [Step] = []
        var coefficients: [Rational] = []
        var vectors: [[Rational]] = []
        var pivots: [Int] = []
        func height(_ r: Rational) -> Int { r.numerator.magnitude.bitWidth + r.denominator.magnitude.bitWidth }
        while true {
            // Pivoting: the non-zero diagonal entry of smallest size keeps the numbers small.
            var best: Int? = nil
            for i in 0..<n where !b[i, i].isZero {
                if best == nil || height(b[i, i]) < height(b[best!, best!]) { best = i }
            }
            if let i = best {
                let d = b[i, i]
                let row = b.row(i)
                let inverse = Rational.one / d
                for p in 0..<n where !row[p].isZero {
                    let scaled = row[p] * inverse
                    for q in 0..<n where !row[q].isZero { b[p, q] = b[p, q] - scaled * row[q] }
                }
                steps.append(.diagonal(index: i, pivot: d))
                coefficients.append(d)
                vectors.append(row.map { $0 * inverse })
                pivots.append(i)
                continue
            }
            var pair: (Int, Int)? = nil
            search: for i in 0..<n { for j in (i + 1)..<max(i + 1, n) where !b[i, j].isZero { pair = (i, j); break search } }
            guard let (i, j) = pair else { break }
            // xᵀBx = 2(uᵀx)(vᵀx)/e + xᵀ(B − (uvᵀ + vuᵀ)/e)x with u, v rows i, j and e = B_ij
            // (B_ii = B_jj = 0), and 2pq/e = (e/2)((p + q)/e)² − (e/2)((p − q)/e)².
            let e = b[i, j]
            let u = b.row(i), v = b.row(j)
            let inverse = Rational.one / e
            for p in 0..<n where !(u[p].isZero && v[p].isZero) {
                for q in 0..<n where !(u[q].isZero && v[q].isZero) {
                    b[p, q] = b[p, q] - (u[p] * v[q] + v[p] * u[q]) * inverse
                }
            }
            let half = e * Rational(1, 2)
            steps.append(.productPair(i: i, j: j, entry: e))
            coefficients += [half, -half]
            vectors += [zip(u, v).map { ($0 + $1) * inverse }, zip(u, v).map { ($0 - $1) * inverse }]
            pivots += [i, j]
        }
        self.steps = steps
        self.coefficients = coefficients
        self.vectors = vectors
        self.pivotIndices = pivots
    }

    /// `Σ d_i ℓ_i ℓ_iᵀ`, which equals the symmetric part of the reduced matrix.
    public func reconstructed(dimension n: Int) -> RationalMatrix {
        var m = RationalMatrix(rows: n, columns: n)
        for (d, l) in zip(coefficients, vectors) {
            for p in 0..<n where !l[p].isZero { for q in 0..<n where !l[q].isZero { m[p, q] = m[p, q] + d * l[p] * l[q] } }
        }
        return m
    }
}

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

/// The result of expanding exact networks back into `(c', a', A')` (design.md §4).
public struct ExactVerification: Sendable {
    /// The residual network's expansion.
    public let residual: ExactExpansion
    /// The plain network's expansion.
    public let plain: ExactExpansion
    /// Whether the residual expansion equals the form.
    public let residualEqual: Bool
    /// Whether the plain expansion equals the form.
    public let plainEqual: Bool

    /// Compares both expansions with `form`.
    public init(residual: ExactExpansion, plain: ExactExpansion, form: ExactForm) {
        self.residual = residual
        self.plain = plain
        residualEqual = residual.equals(form)
        plainEqual = plain.equals(form)
    }

    /// Both networks equal f exactly.
    public var passed: Bool { residualEqual && plainEqual }
}

/// Exact evidence for the neuron counts of design.md §3, each piece checkable on its own:
/// - rank A ≤ k: A = Σ_{i≤k} d_i ℓ_i ℓ_iᵀ (the reduction, re-expanded);
/// - rank A ≥ k: the principal k×k submatrix on the pivot indices has a non-zero determinant;
/// - a ∉ range(A) (T2 applies): z = a_N satisfies Az = 0 and zᵀa = ‖a_N‖² ≠ 0 — impossible
///   for a = Ay, since then zᵀa = (Az)ᵀy = 0;
/// - a ∈ range(A) (plain = k): a vector y with Ay = a.
public struct NeuronCountCertificate: Sendable {
    /// k.
    public let rank: Int
    /// Whether Σ d_i ℓ_i ℓ_iᵀ equals A exactly.
    public let reductionReproducesMatrix: Bool
    /// The pivot indices of the reduction (0-based).
    public let minorIndices: [Int]
    /// The determinant of the principal submatrix of A on `minorIndices` (non-zero).
    public let minorDeterminant: Rational
    /// z = a_N when a_N ≠ 0.
    public let nullVector: [Rational]?
    /// Az (zero when the certificate holds).
    public let matrixTimesNullVector: [Rational]?
    /// zᵀa (non-zero when the certificate holds).
    public let nullVectorDotLinear: Rational?
    /// y with Ay = a, when a ∈ range(A).
    public let rangePreimage: [Rational]?

    /// Builds the certificate from an exact synthesis.
    public init(synthesis s: ExactSynthesis) {
        let n = s.form.dimension
        let a = s.symmetricMatrix
        rank = s.rank
        reductionReproducesMatrix = s.reduction.reconstructed(dimension: n) == a
        minorIndices = s.reduction.pivotIndices
        minorDeterminant = s.rank == 0 ? .one : a.principalSubmatrix(s.reduction.pivotIndices).determinant
        if s.hasLinearNullPart {
            let z = s.linearNullPart
            nullVector = z
            matrixTimesNullVector = a.multiply(z)
            nullVectorDotLinear = RationalVector.dot(z, s.form.linear)
            rangePreimage = nil
        } else {
            nullVector = nil
            matrixTimesNullVector = nil
            nullVectorDotLinear = nil
            // A = L D Lᵀ and a = L y_c; y = L (LᵀL)⁻¹ D⁻¹ y_c gives Ay = L D D⁻¹ y_c = a.
            let basis = s.rangeBasis
            let gramInverse = basis.transposed.multiply(basis).inverse ?? RationalMatrix(rows: 0, columns: 0)
            let scaled = zip(s.rangeCoordinates, s.reduction.coefficients).map { $0 / $1 }
            rangePreimage = s.rank == 0 ? RationalVector.zero(n) : basis.multiply(gramInverse.multiply(scaled))
        }
    }

    /// Whether every piece checks: the counts are then proved for this instance.
    public func holds(for form: ExactForm) -> Bool {
        let a = form.symmetricMatrix
        guard reductionReproducesMatrix, minorIndices.count == rank, !minorDeterminant.isZero,
              a.principalSubmatrix(minorIndices).determinant == minorDeterminant || rank == 0 else { return false }
        if let z = nullVector {
            return a.multiply(z).allSatisfy(\.isZero) && !RationalVector.dot(z, form.linear).isZero
        }
        if let y = rangePreimage { return a.multiply(y) == form.linear }
        return false
    }
}

extension ExactSynthesis {
    /// Largest input coefficient accepted, in bits (numerator plus denominator; about 600 digits).
    public static let maximumCoefficientBits = 2048
    /// Largest n · b accepted (b = the largest coefficient in bits): the reduction's intermediate
    /// numbers grow to about that many bits.
    public static let maximumDimensionTimesBits = 65_536

    /// Refuses forms whose exact reduction would run for hours on astronomic numbers (issue 6: no
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
