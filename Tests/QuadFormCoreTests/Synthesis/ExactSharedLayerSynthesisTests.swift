import Foundation
import Testing
@testable import QuadFormCore
import QuadFormTestSupport

/// The exact shared hidden layer (design.md §4, §9): exact bounds, exact equality of every output.
@Suite("Exact shared hidden layer of an m-output quadratic map")
struct ExactSharedLayerSynthesisTests {
    /// Integer matrix with entries in −3…3.
    static func integers(_ rows: Int, _ columns: Int, _ rng: inout SplitMix64) -> [[Int]] {
        (0..<rows).map { _ in (0..<columns).map { _ in Int(rng.next() % 7) - 3 } }
    }

    /// Output i: `c_i + a_iᵀx + Σ_j (W_ij/4)(u_jᵀx)²` for the integer rows u_j of `hidden`.
    static func forms(hidden u: [[Int]], weights w: [[Int]], _ rng: inout SplitMix64) throws -> [ExactForm] {
        let n = u[0].count
        return try w.map { row in
            var a = RationalMatrix(rows: n, columns: n)
            for (j, uj) in u.enumerated() {
                for p in 0..<n { for q in 0..<n { a[p, q] = a[p, q] + Rational(row[j] * uj[p] * uj[q]) / Rational(4) } }
            }
            return try ExactForm(constant: Rational(Int(rng.next() % 5)), linear: (0..<n).map { _ in Rational(Int(rng.next() % 5) - 2) }, quadratic: a)
        }
    }

    /// The network computes every form exactly at random rational points, and its Double copy
    /// within the rounding model.
    static func expectComputes(_ s: ExactSharedLayerSynthesis) throws {
        var rng = SplitMix64(seed: 5)
        let n = s.forms[0].dimension
        let rounded = try s.network.resNet()
        #expect(rounded.widths == [n, s.width, s.forms.count])
        for _ in 0..<5 {
            let x: [Rational] = (0..<n).map { _ in Rational(Int(rng.next() % 41) - 20) / Rational(7) }
            let point: [Double] = x.map { $0.doubleValue }
            let g = try rounded.realization(point)
            for (i, form) in s.forms.enumerated() {
                let exact: Rational = form.evaluate(x)
                #expect(try s.network.output(i).evaluate(x) == exact)
                let magnitude = try form.doubleForm().magnitude(at: point) + ExtractionMagnitude.of(rounded, output: i, at: point)
                let k = Verifier.safetyFactor * Double(n + s.width + 2) * Double.ulpOfOne
                #expect(abs(g[i] - exact.doubleValue) <= k * magnitude)
            }
        }
    }

    @Test("Planted: 4 outputs of 5 integer neurons in a 3-dimensional subspace of ℚ⁶: d = 3 and s = 4 exactly, every output equal")
    func planted() throws {
        var rng = SplitMix64(seed: 3)
        let directions = Self.integers(3, 6, &rng), mix = Self.integers(5, 3, &rng)
        let hidden = mix.map { row in (0..<6).map { p in (0..<3).reduce(0) { $0 + row[$1] * directions[$1][p] } } }
        let forms = try Self.forms(hidden: hidden, weights: Self.integers(4, 5, &rng), &rng)
        let s = try ExactSharedLayerSynthesis(forms: forms)
        #expect(s.perOutput.allSatisfy { $0.rank <= 3 })
        #expect(s.rangeDimension == 3)
        #expect(s.spanDimension == 4)
        #expect(s.lowerBound == 4)
        #expect(s.lowerBound <= s.width && s.width <= 6)
        #expect(s.passed)
        // The floating-point synthesis finds the same bounds.
        let floating = try SharedLayerSynthesis(map: QuadraticMap(forms: forms.map { try $0.doubleForm() }))
        #expect(floating.bounds.rangeDimension == s.rangeDimension)
        #expect(floating.bounds.spanDimension == s.spanDimension)
        try Self.expectComputes(s)
    }

    @Test("Diagonal outputs in x, y (and z only linearly): width d = 2, minimal, in the echelon basis")
    func diagonal() throws {
        let names = ["x", "y", "z"]
        let forms = try ["x^2 + 2*y^2", "3*x^2 - y^2 + z", "y^2 + x - 1/2"].map { try ExactForm.parse($0, variables: names) }
        let s = try ExactSharedLayerSynthesis(forms: forms)
        #expect(s.rangeDimension == 2 && s.spanDimension == 2)
        #expect(s.concatenatedWidth == 5)
        #expect(s.width == 2 && s.isMinimal)
        #expect(s.construction == .echelonPairs)
        #expect(s.passed)
        try Self.expectComputes(s)
    }

    @Test("x² − y² and 2xy: width 3 against the exact bound 2, not minimal")
    func complexPencil() throws {
        let forms = try ["x^2 - y^2 + 1", "2*x*y - x"].map { try ExactForm.parse($0, variables: ["x", "y"]) }
        let s = try ExactSharedLayerSynthesis(forms: forms)
        #expect(s.lowerBound == 2)
        #expect(s.width == 3 && !s.isMinimal)
        #expect(s.passed)
        try Self.expectComputes(s)
    }

    @Test("A pencil diagonal in the Lagrange basis of its sum: width d, minimal")
    func lagrangeBasis() throws {
        // A_1 = (x + y)², A_2 = (x + y)² − 3(y − z)², A_3 = 2(y − z)²: in the basis x + y, y − z all diagonal.
        let forms = try ["(x + y)^2", "(x + y)^2 - 3*(y - z)^2 + z", "2*(y - z)^2 - 5"].map { try ExactForm.parse($0, variables: ["x", "y", "z"]) }
        let s = try ExactSharedLayerSynthesis(forms: forms)
        #expect(s.rangeDimension == 2 && s.spanDimension == 2)
        #expect(s.width == 2 && s.isMinimal)
        #expect(s.passed)
        try Self.expectComputes(s)
    }

    @Test("Forms of different widths are refused")
    func widths() throws {
        #expect(throws: QuadraticMapError.inputWidthMismatch(index: 1, expected: 2, found: 1)) {
            try ExactSharedLayerSynthesis(forms: [try ExactForm.parse("x*y"), try ExactForm.parse("x^2")])
        }
    }

    @Test("Outputs that each fit exact mode's work limit but together do not are refused before any synthesis")
    func wholeMapWorkLimit() throws {
        var rng = SplitMix64(seed: 11)
        let n = 120
        let u = (0..<n).map { _ in Int(rng.next() % 2_000_001) - 1_000_000 }
        var a = RationalMatrix(rows: n, columns: n)
        for p in 0..<n { for q in 0..<n { a[p, q] = Rational(u[p] * u[q]) } }
        let form = try ExactForm(constant: .zero, linear: [Rational](repeating: .zero, count: n), quadratic: a)
        let each = ExactWorkEstimate(form: form).operations
        #expect(each < ExactWorkEstimate.maximumOperations)
        let outputs = Int(ExactWorkEstimate.maximumOperations / each) + 1
        #expect(outputs <= 100)
        do {
            _ = try ExactSharedLayerSynthesis(forms: [ExactForm](repeating: form, count: outputs))
            Issue.record("\(outputs) outputs of estimated \(each) operations each were not refused")
        } catch let error as ExactLimitError {
            guard case let .sharedLayer(_, m, variables, operations) = error else { Issue.record("wrong limit: \(error)"); return }
            #expect(m == outputs && variables == n && operations > ExactWorkEstimate.maximumOperations)
            #expect(error.description.contains("\(outputs) outputs of \(n) variables"))
        }
    }
}
