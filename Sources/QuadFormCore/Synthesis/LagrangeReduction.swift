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

    /// Reduces the symmetric matrix `a` (its symmetric part is used if it is not symmetric),
    /// fraction-free on integers (`FractionFreeReduction`): each ℓ_i is an integer vector reduced
    /// by its common factor and d_i carries the step's denominator.
    public init(symmetric a: RationalMatrix) {
        let n = a.rows
        let b = a == a.transposed ? a : a.symmetricPart
        // Without a linear term the border is zero and the projection step never runs.
        let result = try? ExactReductionBuilder.build(symmetric: b, linear: RationalVector.zero(n), constant: .zero)
        self.init(result: result ?? ExactReductionResult(steps: [], weights: [], vectors: [], biases: [], pivotIndices: [],
                                                         outputBias: .zero, minorDeterminant: .one, nullPart: [], nullPartOmission: nil,
                                                         remainder: [], remainderNeuron: nil))
    }

    /// The reduction part of a fraction-free result.
    init(result: ExactReductionResult) {
        steps = result.steps
        coefficients = result.weights
        vectors = result.vectors
        pivotIndices = result.pivotIndices
    }
}
