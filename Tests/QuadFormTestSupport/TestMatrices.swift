import Foundation
import QuadFormCore

/// Symmetric matrices of a chosen spectrum, for tests of the rank and its tolerance.
public enum TestMatrices {
    /// A random orthogonal n×n matrix (rows orthonormal).
    public static func orthogonal(_ n: Int, seed: UInt64) throws -> Matrix {
        var rng = SplitMix64(seed: seed)
        return try Orthogonal.qFactor(of: Matrix(rows: n, columns: n, entries: (0..<(n * n)).map { _ in rng.nextGaussian() }))
    }

    /// `Σ λ_i q_i q_iᵀ` over the first columns of `q`, symmetrized exactly.
    public static func matrix(_ q: Matrix, _ lambdas: [Double]) -> Matrix {
        let n = q.rows
        var a = Matrix(rows: n, columns: n)
        for i in 0..<n {
            for j in 0..<n {
                var sum = 0.0
                for (c, l) in lambdas.enumerated() { sum += l * q[i, c] * q[j, c] }
                a.entries[i * n + j] = sum
            }
        }
        return a.symmetricPart
    }
}
