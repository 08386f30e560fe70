import Foundation
import Testing
@testable import QuadFormCore
import QuadFormTestSupport

/// m-output maps with planted structure (design.md §9), and their shared hidden layers.
@Suite("Shared hidden layer of an m-output quadratic map")
struct SharedLayerSynthesisTests {
    /// Gaussian matrix.
    static func gaussian(_ rows: Int, _ columns: Int, _ rng: inout SplitMix64) -> Matrix {
        Matrix(rows: rows, columns: columns, entries: (0..<(rows * columns)).map { _ in rng.nextGaussian() })
    }

    /// The map whose output i has `A_i = Σ_j W_ij u_j u_jᵀ` for the rows u_j of `hidden`, and
    /// Gaussian constants and linear terms.
    static func map(hidden u: Matrix, weights w: Matrix, _ rng: inout SplitMix64) throws -> QuadraticMap {
        let n = u.columns
        let forms = try (0..<w.rows).map { i -> QuadraticForm in
            var a = Matrix(rows: n, columns: n)
            for j in 0..<u.rows { for p in 0..<n { for q in 0..<n { a[p, q] += w[i, j] * u[j, p] * u[j, q] } } }
            return try QuadraticForm(constant: rng.nextGaussian(), linear: (0..<n).map { _ in rng.nextGaussian() }, quadratic: a.symmetricPart)
        }
        return try QuadraticMap(forms: forms)
    }

    /// What every shared layer must satisfy: the bound below the width, "minimal" exactly when
    /// they meet, each output verified, and the network computing every output at random points
    /// (to ε times the terms' magnitude, with the rounding model's constant).
    static func expectSound(_ s: SharedLayerSynthesis, _ map: QuadraticMap) throws {
        #expect(s.lowerBound <= s.width)
        #expect(s.isMinimal == (s.width == s.lowerBound))
        #expect(s.width <= s.concatenatedWidth)
        #expect(s.network.widths == [map.inputWidth, s.width, map.outputCount])
        #expect(s.passed, "\(s.verification.map(\.status))")
        var rng = SplitMix64(seed: 99)
        let n = map.inputWidth
        for _ in 0..<20 {
            let x = (0..<n).map { _ in 2 * rng.nextUnit() - 1 }
            let g = try s.network.realization(x)
            for (i, output) in map.outputs.enumerated() {
                let magnitude = output.form.magnitude(at: x) + ExtractionMagnitude.of(s.network, output: i, at: x)
                let k = Verifier.safetyFactor * Double(n + s.width + 2) * Double.ulpOfOne
                #expect(abs(g[i] - output.form.evaluate(x)) <= k * magnitude, "output \(i + 1) at \(x)")
            }
        }
    }

    @Test("Planted: 4 outputs from 5 neurons in a 3-dimensional subspace of ℝ⁸: d = 3, s = 4, width between 4 and 6")
    func plantedSharedBasis() throws {
        var rng = SplitMix64(seed: 11)
        let directions = Self.gaussian(3, 8, &rng)
        let hidden = Self.gaussian(5, 3, &rng).multiply(directions)
        let map = try Self.map(hidden: hidden, weights: Self.gaussian(4, 5, &rng), &rng)
        let s = try SharedLayerSynthesis(map: map)
        #expect(s.perOutput.map(\.rank) == [3, 3, 3, 3])
        #expect(s.bounds.rangeDimension == 3)
        #expect(s.bounds.spanDimension == 4)
        #expect(s.lowerBound == 4)
        #expect(s.width <= 3 * 4 / 2)
        try Self.expectSound(s, map)
    }

    @Test("Commuting outputs (a common eigenbasis of a 4-dimensional R in ℝ⁶): width d = 4, minimal")
    func commuting() throws {
        let q = try TestMatrices.orthogonal(6, seed: 4)
        var rng = SplitMix64(seed: 5)
        let forms = try (0..<3).map { _ in
            try QuadraticForm(constant: 1, linear: (0..<6).map { _ in rng.nextGaussian() },
                              quadratic: TestMatrices.matrix(q, (0..<4).map { _ in rng.nextGaussian() }))
        }
        let map = try QuadraticMap(forms: forms)
        let s = try SharedLayerSynthesis(map: map)
        #expect(s.bounds.rangeDimension == 4)
        #expect(s.bounds.spanDimension == 3)
        #expect(s.concatenatedWidth == 12)
        #expect(s.width == 4)
        #expect(s.isMinimal)
        #expect([.jointEigenbasis, .congruence].contains(s.construction))
        try Self.expectSound(s, map)
    }

    @Test("A pencil with a definite member (generic, not commuting): congruence gives width d = 5, minimal", arguments: [21, 22, 23] as [UInt64])
    func definitePencil(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let g = Self.gaussian(5, 7, &rng)
        let definite = g.multiply(g, transposeSelf: true)  // GᵀG: positive semidefinite of rank 5 on R = rowspace(G)
        let inner = Self.gaussian(5, 5, &rng)
        let other = g.multiply(inner.symmetricPart.multiply(g), transposeSelf: true)
        let map = try QuadraticMap(forms: [try QuadraticForm(constant: 0, linear: [Double](repeating: 0.5, count: 7), quadratic: definite),
                                           try QuadraticForm(constant: -2, linear: [Double](repeating: 0, count: 7), quadratic: other.symmetricPart)])
        let s = try SharedLayerSynthesis(map: map)
        #expect(s.bounds.rangeDimension == 5)
        #expect(s.bounds.spanDimension == 2)
        #expect(s.concatenatedWidth == 10)
        #expect(s.width == 5)
        #expect(s.isMinimal)
        #expect(s.construction == .congruence)
        try Self.expectSound(s, map)
    }

    @Test("A generic pencil of two full-rank outputs on ℝ⁶: congruence gives d + c neurons, c the complex eigenvalue pairs of C⁻¹D")
    func genericPencil() throws {
        var rng = SplitMix64(seed: 71)
        let map = try QuadraticMap(forms: (0..<2).map { _ in
            try QuadraticForm(constant: 0, linear: [Double](repeating: 0, count: 6), quadratic: Self.gaussian(6, 6, &rng).symmetricPart)
        })
        let s = try SharedLayerSynthesis(map: map)
        let a = map.outputs.map { $0.form.symmetricMatrix }
        guard let pencil = try GeneralEigendecomposition.solve(a[0], a[1]) else { Issue.record("A_1 singular"); return }
        let pairs = try GeneralEigendecomposition(pencil).imaginary.filter { $0 > 0 }.count
        #expect(s.bounds.rangeDimension == 6)
        #expect(s.candidates.contains { $0.construction == .congruence && $0.width == 6 + pairs })
        #expect(s.width <= 6 + pairs)
        try Self.expectSound(s, map)
    }

    @Test("A definite pencil and a generic third output on the same 5-dimensional R: grouped, width 2d = 10 against d(d+1)/2 = 15 in one basis and 15 alone")
    func grouped() throws {
        var rng = SplitMix64(seed: 61)
        let g = Self.gaussian(5, 8, &rng)
        func form(_ inner: Matrix) throws -> QuadraticForm {
            try QuadraticForm(constant: rng.nextGaussian(), linear: (0..<8).map { _ in rng.nextGaussian() },
                              quadratic: g.multiply(inner.multiply(g), transposeSelf: true).symmetricPart)
        }
        let map = try QuadraticMap(forms: [try form(Matrix.identity(5)), try form(Self.gaussian(5, 5, &rng).symmetricPart),
                                           try form(Self.gaussian(5, 5, &rng).symmetricPart)])
        let s = try SharedLayerSynthesis(map: map)
        #expect(s.bounds.rangeDimension == 5 && s.bounds.spanDimension == 3)
        #expect(s.width == 10)
        #expect(s.construction == .grouped)
        #expect(!s.isMinimal)
        try Self.expectSound(s, map)
    }

    @Test("x² − y² and 2xy (a pencil with eigenvalues ±i): width 3 against the bound 2, not claimed minimal")
    func complexPencil() throws {
        let map = try QuadraticMap(forms: [try ExpressionParser.form("x^2 - y^2 + 1", variables: ["x", "y"]),
                                           try ExpressionParser.form("2*x*y - x", variables: ["x", "y"])])
        let s = try SharedLayerSynthesis(map: map)
        #expect(s.bounds.rangeDimension == 2 && s.bounds.spanDimension == 2)
        #expect(s.width == 3)
        #expect(!s.isMinimal)
        // The complex pair's real and imaginary parts: one 2 × 2 block, two squares and one pair sum.
        #expect(s.candidates.contains { $0.construction == .congruence && $0.width == 3 })
        try Self.expectSound(s, map)
    }

    @Test("Generic 3 outputs of full rank in ℝ⁴: d = 4, s = 3, width at most d(d+1)/2 = 10, not claimed minimal unless it meets 4")
    func generic() throws {
        var rng = SplitMix64(seed: 31)
        let forms = try (0..<3).map { _ in
            try QuadraticForm(constant: rng.nextGaussian(), linear: (0..<4).map { _ in rng.nextGaussian() },
                              quadratic: Self.gaussian(4, 4, &rng))
        }
        let map = try QuadraticMap(forms: forms)
        let s = try SharedLayerSynthesis(map: map)
        #expect(s.bounds.rangeDimension == 4)
        #expect(s.bounds.spanDimension == 3)
        #expect(s.lowerBound == 4)
        #expect(s.width <= 10)
        try Self.expectSound(s, map)
    }

    @Test("One output: the shared layer is the output's own k neurons, minimal")
    func oneOutput() throws {
        let form = try ExpressionParser.form("x^2 + 3*x*y - y + 2*z^2 + 1")
        let map = try QuadraticMap(forms: [form])
        let s = try SharedLayerSynthesis(map: map)
        #expect(s.width == s.perOutput[0].rank)
        #expect(s.lowerBound == s.perOutput[0].rank)
        #expect(s.isMinimal)
        try Self.expectSound(s, map)
    }

    @Test("An affine output beside a quadratic one adds no neuron; an all-affine map has width 0")
    func affineOutputs() throws {
        let quadratic = try ExpressionParser.form("x^2 - 2*y^2 + x*z", variables: ["x", "y", "z"])
        let affine = try ExpressionParser.form("3*x - z + 4", variables: ["x", "y", "z"])
        let mixed = try QuadraticMap(forms: [quadratic, affine])
        let s = try SharedLayerSynthesis(map: mixed)
        #expect(s.width == s.perOutput[0].rank)
        #expect(s.isMinimal)
        try Self.expectSound(s, mixed)
        let flat = try QuadraticMap(forms: [affine, affine])
        let t = try SharedLayerSynthesis(map: flat)
        #expect(t.width == 0 && t.lowerBound == 0 && t.isMinimal)
        try Self.expectSound(t, flat)
    }

    @Test("Outputs given at very different scales (1e-9 and 1e9) share their common range")
    func scales() throws {
        var rng = SplitMix64(seed: 41)
        let directions = Self.gaussian(2, 6, &rng)
        let base = try Self.map(hidden: directions, weights: Matrix(rowArrays: [[1, 2], [3, -1]]), &rng)
        let scaled = try QuadraticMap(forms: zip(base.outputs, [1e-9, 1e9]).map { output, factor in
            try QuadraticForm(constant: output.form.constant * factor, linear: output.form.linear.map { $0 * factor },
                              quadratic: Matrix(rows: 6, columns: 6, entries: output.form.quadratic.entries.map { $0 * factor }))
        })
        let s = try SharedLayerSynthesis(map: scaled)
        #expect(s.bounds.rangeDimension == 2)
        #expect(s.width == 2 && s.isMinimal)
        try Self.expectSound(s, scaled)
    }
}

/// `Σ_j |W_ij|·(|u_j|ᵀ|x|)² + |c_i| + |a_i|ᵀ|x|`: the magnitude of the terms output i of a
/// shared square layer sums at x, which bounds its rounding.
enum ExtractionMagnitude {
    static func of(_ net: ResNet, output i: Int, at x: [Double]) -> Double {
        let hidden = net.layers[0].weights.absolute.multiply(x.map { abs($0) })
        var total = abs(net.layers[1].bias[i])
        for skip in net.skips { total += Vector.absDot(skip.weights.row(i), x) }
        for j in 0..<hidden.count { total += abs(net.layers[1].weights[i, j]) * hidden[j] * hidden[j] }
        return total
    }
}
