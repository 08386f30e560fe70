import Foundation

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
