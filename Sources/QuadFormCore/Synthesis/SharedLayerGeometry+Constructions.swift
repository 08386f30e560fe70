import Foundation

/// The shared layers built from a basis of R (design.md §9): in coordinates z = Hx (rows h_j of
/// H, unit norm) each A_i is `Hᵀ B_i H`, and
///
///     zᵀBz = Σ_{j<l} β_jl (z_j + z_l)² + Σ_j (β_jj − Σ_{l≠j} β_jl) z_j²,
///
/// so the squares of h_jᵀx and (h_j + h_l)ᵀx compute every output: K = (squares used) + (pairs
/// used). A pair whose β_jl is negligible for every output (2|β_jl| ≤ output i's rank tolerance)
/// is left out, and a square whose weight is negligible for every output: in the eigenbasis of
/// commuting A_i, or the congruence basis of a diagonalizable pencil, no pair is left and K = d.
extension SharedLayerGeometry {
    /// The network of `construction` (not `.perOutput`) and, per output, the bound on what it left
    /// out of A_i (spectral norm); `Unavailable` when the construction does not apply.
    func pairNetwork(_ construction: SharedLayerSynthesis.Construction, seed: UInt64) throws -> (network: ResNet, dropped: [Double]) {
        let d = basis.rows
        guard d > 0 else { return try pairNetwork(basis: basis, coefficients: restricted) }
        switch construction {
        case .perOutput, .echelonPairs, .lagrangePairs, .grouped:
            throw Unavailable(reason: "\(construction.rawValue) is not a floating-point construction from a basis of R")
        case .orthonormalPairs:
            return try pairNetwork(basis: basis, coefficients: restricted)
        case .jointEigenbasis:
            var rng = SplitMix64(seed: seed &+ 0x5A4E)
            let combination = randomCombination(&rng)
            let eigen = try SymmetricEigendecomposition(symmetric: combination)
            let v = eigen.eigenvectorRows  // rows v_jᵀ: A_i = Gᵀ B_i G = (VG)ᵀ (V B_i Vᵀ) (VG)
            return try pairNetwork(basis: v.multiply(basis), coefficients: restricted.map { v.multiply($0).multiply(v, transposeOther: true).symmetricPart },
                                   spectrum: eigen.eigenvalues.map { ($0, 0) })
        case .congruence:
            var rng = SplitMix64(seed: seed &+ 0xC0C0)
            let c = randomCombination(&rng), dd = randomCombination(&rng)
            guard let m = try GeneralEigendecomposition.solve(c, dd), m.isFinite else {
                throw Unavailable(reason: "a random combination of the A_i is singular on R")
            }
            // A complex pair's eigenvectors enter as their real and imaginary parts (LAPACK's columns
            // j, j + 1): every B_i is then block diagonal with a 2 × 2 block per pair (design.md §9).
            let eigen = try GeneralEigendecomposition(m)
            // B_i = P⁻ᵀ (Pᵀ B_i P) P⁻¹, so A_i = (P⁻¹G)ᵀ (Pᵀ B_i P) (P⁻¹G); rows of P⁻¹G scaled to norm 1.
            var p = eigen.vectors
            guard var h = try GeneralEigendecomposition.solve(p, basis), h.isFinite else {
                throw Unavailable(reason: "the eigenvectors of the pencil are linearly dependent")
            }
            for j in 0..<d {
                let norm = Vector.norm(h.row(j))
                guard norm > 0, norm.isFinite else { throw Unavailable(reason: "the congruence basis degenerates") }
                for r in 0..<h.columns { h[j, r] /= norm }
                for r in 0..<d { p[r, j] *= norm }
            }
            let noise = (0..<d).map { j in Vector.norm((0..<d).map { p[$0, j] }) }
            return try pairNetwork(basis: h, coefficients: restricted.map { p.multiply($0, transposeSelf: true).multiply(p).symmetricPart },
                                   noise: noise, spectrum: Array(zip(eigen.real, eigen.imaginary)))
        }
    }

    /// The largest factor by which close eigenvalues of the basis's matrix widen the tolerance of a
    /// pair (10³, the ratio at which `Synthesis.Core.rankIsIllDetermined` calls a gap ill-determined).
    static let maximumTilt = 1e3

    /// `Σ r_i B_i/‖B_i‖_F` with Gaussian r_i: a generic element of span{B_i}, each output at its own scale.
    func randomCombination(_ rng: inout SplitMix64) -> Matrix {
        let d = basis.rows
        var sum = Matrix(rows: d, columns: d)
        for b in restricted {
            let r = rng.nextGaussian(), norm = b.frobeniusNorm
            guard norm > 0 else { continue }
            for e in 0..<sum.entries.count { sum.entries[e] += r * b.entries[e] / norm }
        }
        return sum.symmetricPart
    }

    /// Squares and pair sums in the basis `h` (d × n, rows of norm 1) for the coefficient matrices
    /// `coefficients` (B_i with A_i ≈ hᵀ B_i h); see the extension's comment. `noise[j]` is the
    /// norm of column j of the basis change P that gave `coefficients = PᵀB_iP` (1 for an
    /// orthogonal one), and `spectrum` the (complex) eigenvalues μ_j whose eigenvectors the basis
    /// is: entry (j, l) is negligible below `noise[j]·noise[l]` times output i's rank tolerance
    /// (what A_i is known to) plus the Double rounding `n·ε·max|λ(A_i)|` of the basis change times
    /// the Davis–Kahan tilt `max|μ|/|μ_j − μ_l|` of two computed eigenvectors (at most `maximumTilt`).
    func pairNetwork(basis h: Matrix, coefficients: [Matrix], noise: [Double]? = nil, spectrum: [(real: Double, imaginary: Double)]? = nil) throws -> (network: ResNet, dropped: [Double]) {
        let d = h.rows, n = h.columns, m = perOutput.count
        let rankTolerances = perOutput.map(\.rankTolerance)
        // The rounding of the basis change itself is Double's, whatever the input precision.
        let computed = perOutput.map { Double(max($0.form.dimension, 1)) * Double.ulpOfOne * $0.eigen.eigenvalues.reduce(0) { max($0, abs($1)) } }
        let scale = noise ?? [Double](repeating: 1, count: d)
        let largest = spectrum?.reduce(0) { max($0, hypot($1.real, $1.imaginary)) } ?? 0
        func tolerance(_ i: Int, _ j: Int, _ l: Int) -> Double {
            var tilt = 0.0
            if let spectrum, j != l {
                let gap = hypot(spectrum[j].real - spectrum[l].real, spectrum[j].imaginary - spectrum[l].imaginary)
                tilt = gap > 0 ? min(max(1, largest / gap), SharedLayerGeometry.maximumTilt) : SharedLayerGeometry.maximumTilt
            }
            return max(1, scale[j] * scale[l]) * (rankTolerances[i] + computed[i] * tilt)
        }
        var dropped = restrictionLoss
        var pairs: [(Int, Int)] = []
        for j in 0..<d {
            for l in (j + 1)..<max(j + 1, d) {
                if (0..<m).contains(where: { 2 * abs(coefficients[$0][j, l]) > tolerance($0, j, l) }) {
                    pairs.append((j, l))
                } else {
                    for i in 0..<m { dropped[i] += 2 * abs(coefficients[i][j, l]) }
                }
            }
        }
        var squareWeights = (0..<m).map { i in (0..<d).map { coefficients[i][$0, $0] } }
        for (j, l) in pairs {
            for i in 0..<m {
                squareWeights[i][j] -= coefficients[i][j, l]
                squareWeights[i][l] -= coefficients[i][j, l]
            }
        }
        var squares: [Int] = []
        for j in 0..<d {
            if (0..<m).contains(where: { abs(squareWeights[$0][j]) > tolerance($0, j, j) }) {
                squares.append(j)
            } else {
                for i in 0..<m { dropped[i] += abs(squareWeights[i][j]) }
            }
        }
        let k = squares.count + pairs.count
        var rows = Matrix(rows: k, columns: n), weights = Matrix(rows: m, columns: k)
        for (t, j) in squares.enumerated() {
            for r in 0..<n { rows[t, r] = h[j, r] }
            for i in 0..<m { weights[i, t] = squareWeights[i][j] }
        }
        for (index, (j, l)) in pairs.enumerated() {
            let t = squares.count + index
            for r in 0..<n { rows[t, r] = h[j, r] + h[l, r] }
            for i in 0..<m { weights[i, t] = coefficients[i][j, l] }
        }
        let net = try ResNet.sharedLayer(inputWeights: rows, hiddenBias: [Double](repeating: 0, count: k), outputWeights: weights,
                                         outputBias: perOutput.map(\.form.constant), skip: Matrix(rowArrays: perOutput.map(\.form.linear), columns: n))
        return (net, dropped)
    }
}
