import Foundation

/// The lower bounds on the width of a shared hidden layer (design.md §9): a layer of K square
/// neurons u_j computes the quadratic parts `A_i = Σ_j W_ij u_j u_jᵀ`, so every range(A_i) lies in
/// span{u_j} (K ≥ d = dim Σ range(A_i)) and every A_i in the span of the K matrices u_j u_jᵀ
/// (K ≥ s = dim span{A_i}). Both are numerical ranks: singular values above a tolerance scaled as
/// design.md §5 scales the rank tolerance.
public struct SharedLayerBounds: Sendable {
    /// d = dim Σ range(A_i).
    public let rangeDimension: Int
    /// s = dim span{A_i}.
    public let spanDimension: Int
    /// max k_i (never above d: it is reported because it is the one-output bound, theorem T1).
    public let largestRank: Int
    /// The singular values of `[Q_1Λ_1/max|Λ_1| … Q_mΛ_m/max|Λ_m|]` (each output's kept eigenpairs,
    /// scaled to its own size), whose rank above `rangeTolerance` is d.
    public let rangeSingularValues: [Double]
    /// `max(n, Σk_i)·ε·σ_1` (ε the coarsest input precision's).
    public let rangeTolerance: Double
    /// The singular values of the matrix whose rows are the A_i restricted to R (as vectors in the
    /// Frobenius inner product), each scaled to norm 1; its rank above `spanTolerance` is s.
    public let spanSingularValues: [Double]
    /// `max(n, m, d(d+1)/2)·ε·σ_1`.
    public let spanTolerance: Double

    /// max(d, s, max k_i).
    public var lowerBound: Int { max(rangeDimension, spanDimension, largestRank) }

    /// Whether d is ill-determined: the kept and dropped singular values are within a factor 10³.
    public var rangeDimensionIsIllDetermined: Bool { SharedLayerBounds.illDetermined(rangeSingularValues, rangeDimension) }
    /// Whether s is ill-determined, in the same sense.
    public var spanDimensionIsIllDetermined: Bool { SharedLayerBounds.illDetermined(spanSingularValues, spanDimension) }

    /// Whether the r-th and (r+1)-th values are within a factor 10³ (a slightly different
    /// tolerance would give another rank).
    static func illDetermined(_ values: [Double], _ rank: Int) -> Bool {
        guard rank > 0, rank < values.count, values[rank] > 0 else { return false }
        return values[rank - 1] / values[rank] < 1e3
    }
}

/// What the shared-layer constructions and bounds of design.md §9 share: an orthonormal basis of
/// R = Σ range(A_i) from the SVD of the outputs' scaled eigenvectors, and each A_i restricted to
/// it, `B_i = G A_i Gᵀ` (G: d × n, orthonormal rows), so `A_i ≈ Gᵀ B_i G`.
struct SharedLayerGeometry {
    /// A construction that does not apply to this map, and why.
    struct Unavailable: Error { let reason: String }

    let perOutput: [Synthesis]
    /// The basis of R, one row per vector (d × n).
    let basis: Matrix
    /// B_i, d × d (symmetric), one per output.
    let restricted: [Matrix]
    /// What restricting to R leaves out of A_i, as a spectral-norm bound:
    /// `2(σ_{d+1}·max|λ(A_i)| + Σ|λ dropped from A_i|)` (design.md §9).
    let restrictionLoss: [Double]
    /// The bounds.
    let bounds: SharedLayerBounds

    /// The basis, the restricted matrices and the bounds of the outputs' syntheses.
    init(perOutput: [Synthesis]) throws {
        let n = perOutput[0].form.dimension
        let epsilon = perOutput.reduce(Double.ulpOfOne) { max($0, $1.unitRoundoff) }
        // Y = [Q_1Λ_1/max|Λ_1| …]: column j of block i is q_ij λ_ij / max|λ_i|.
        let active = perOutput.filter { $0.rank > 0 }
        let columns = active.reduce(0) { $0 + $1.rank }
        var y = Matrix(rows: n, columns: columns)
        var offset = 0
        var scales = [Double](repeating: 0, count: perOutput.count)
        for (i, s) in perOutput.enumerated() where s.rank > 0 {
            let q = s.residual.layers[0].weights, lambdas = s.residual.layers[1].weights.entries
            let scale = lambdas.reduce(0) { max($0, abs($1)) }
            scales[i] = scale
            for j in 0..<s.rank { for r in 0..<n { y[r, offset + j] = q[j, r] * lambdas[j] / scale } }
            offset += s.rank
        }
        let svd = try SingularValueDecomposition(y, leftVectors: true)
        let rangeTolerance = Double(max(n, columns, 1)) * epsilon * (svd.values.first ?? 0)
        let d = svd.rank(tolerance: rangeTolerance)
        let lost = d < svd.values.count ? svd.values[d] : 0
        // Rows g_jᵀ = U's first d columns.
        var basis = Matrix(rows: d, columns: n)
        for j in 0..<d { for r in 0..<n { basis[j, r] = svd.leftVectors[r, j] } }
        let restricted = perOutput.map { s -> Matrix in
            let b = basis.multiply(s.symmetricMatrix).multiply(basis, transposeOther: true)
            return b.symmetricPart
        }
        // s = rank of the rows vec(B_i)/‖B_i‖_F (off-diagonal entries weighted √2: the Frobenius product).
        let pairs = d * (d + 1) / 2
        var rows: [[Double]] = []
        for (i, b) in restricted.enumerated() where perOutput[i].rank > 0 {
            let norm = b.frobeniusNorm
            guard norm > 0 else { continue }
            var row = [Double]()
            row.reserveCapacity(pairs)
            for j in 0..<d {
                row.append(b[j, j] / norm)
                for l in (j + 1)..<max(j + 1, d) { row.append(2.0.squareRoot() * b[j, l] / norm) }
            }
            rows.append(row)
        }
        let span = try SingularValueDecomposition(Matrix(rowArrays: rows, columns: pairs))
        let spanTolerance = Double(max(n, rows.count, pairs, 1)) * epsilon * (span.values.first ?? 0)
        self.perOutput = perOutput
        self.basis = basis
        self.restricted = restricted
        self.restrictionLoss = perOutput.enumerated().map { i, s in 2 * (lost * scales[i] + s.droppedEigenvalueSum) }
        self.bounds = SharedLayerBounds(rangeDimension: d, spanDimension: span.rank(tolerance: spanTolerance),
                                        largestRank: perOutput.map(\.rank).max() ?? 0,
                                        rangeSingularValues: svd.values, rangeTolerance: rangeTolerance,
                                        spanSingularValues: span.values, spanTolerance: spanTolerance)
    }
}
