import BigInt
import Foundation
import Testing
@testable import QuadFormCore
@testable import QuadFormReports
@testable import QuadFormInterop
import QuadFormTestSupport

/// design.md §5's accuracy contract, checked in exact arithmetic: a PASSED network's Double
/// weights, expanded as the rationals they are, give coefficients within τ·scale of f's exact
/// coefficients (c, a, (M + Mᵀ)/2 of the given Doubles). Cases with planted cancellation: skew
/// parts of M, completed squares with tiny kept eigenvalues, extracted neurons that cancel.
@Suite("Accuracy contract: PASSED means within τ of f's scale, in exact arithmetic (issue 22)")
struct AccuracyContractTests {
    static let tau = Verifier.defaultAccuracy

    /// The exact form a one-hidden-layer network computes (its Double weights as rationals).
    static func exactForm(of net: ResNet) throws -> ExactForm { try NetworkExtraction.exactForm(of: net) }

    /// The exact form of a floating form: its Doubles as rationals, A = (M + Mᵀ)/2 exactly.
    static func exactForm(of form: QuadraticForm) throws -> ExactForm {
        func q(_ d: Double) -> Rational { Rational(exactly: d)! }
        let n = form.dimension
        let rows = (0..<n).map { i in (0..<n).map { j in q(form.quadratic[i, j]) } }
        return try ExactForm(constant: q(form.constant), linear: form.linear.map(q), quadratic: RationalMatrix(rowArrays: rows, columns: n))
    }

    /// max over c, a_i, A_ij of |network − f|, exactly, rounded to Double at the end.
    static func exactCoefficientError(_ net: ResNet, against f: ExactForm) throws -> Double {
        let g = try exactForm(of: net)
        var worst = (g.constant - f.constant).magnitude
        for i in 0..<f.dimension { worst = max(worst, (g.linear[i] - f.linear[i]).magnitude) }
        let ga = g.symmetricMatrix, fa = f.symmetricMatrix
        for i in 0..<f.dimension { for j in 0..<f.dimension { worst = max(worst, (ga[i, j] - fa[i, j]).magnitude) } }
        return worst.doubleValue
    }

    /// f's scale of the contract, from the exact coefficients (the values on the box only raise it).
    static func coefficientScale(_ f: ExactForm) -> Double {
        var scale = f.constant.magnitude.doubleValue
        for v in f.linear { scale = max(scale, v.magnitude.doubleValue) }
        for v in f.symmetricMatrix.entries { scale = max(scale, v.magnitude.doubleValue) }
        return scale
    }

    /// Every PASSED network of `report` is within τ·scale of `f` exactly; returns how many passed.
    @discardableResult
    static func expectPassedWithinTau(_ s: Synthesis, exact f: ExactForm, _ comment: Comment) throws -> Int {
        let report = try s.verify()
        var passed = 0
        for (net, check) in [(s.residual, report.residual), (s.plain, report.plain)] where check.status == .passed {
            passed += 1
            // The verifier's scale also counts f on the box, which is at least the coefficient scale's
            // diagonal/linear/constant part; the exact error must be within τ of the scale it used.
            let error = try exactCoefficientError(net, against: f)
            #expect(error <= tau * check.accuracy.scale, "\(comment) \(check.name): exact error \(error), scale \(check.accuracy.scale)")
        }
        return passed
    }

    @Test("Skew parts up to 1e20: A = (M + Mᵀ)/2 is formed to its own rounding; networks exact within τ")
    func skewParts() throws {
        var rng = SplitMix64(seed: 22)
        for trial in 0..<60 {
            let n = 2 + trial % 5
            let magnitude = pow(10, Double(trial % 21))  // 1 … 1e20
            var m = Matrix(rows: n, columns: n)
            for i in 0..<n {
                m[i, i] = rng.nextGaussian() * pow(10, Double(Int(rng.nextUnit() * 6) - 3))
                for j in (i + 1)..<n {
                    let s = rng.nextGaussian() * magnitude
                    let a = rng.nextGaussian()
                    m[i, j] = a + s
                    m[j, i] = a - s
                }
            }
            let form = try QuadraticForm(constant: rng.nextGaussian(), linear: (0..<n).map { _ in rng.nextGaussian() }, quadratic: m)
            let s = try Synthesis(form: form)
            let f = try Self.exactForm(of: form)
            // The rank tolerance follows A, never M's skew part.
            #expect(s.rankTolerance <= Double(n) * Double.ulpOfOne * s.eigen.eigenvalues.map(abs).max()! * 1.0000001)
            try Self.expectPassedWithinTau(s, exact: f, "trial \(trial)")
        }
    }

    @Test("Tiny kept eigenvalues (λ ratios to 1e-15): the plain network is ILL_CONDITIONED, never PASSED off f")
    func smallKeptEigenvalues() throws {
        for seed in UInt64(1)...40 {
            let n = 3 + Int(seed % 4)
            let q = try TestMatrices.orthogonal(n, seed: seed)
            let smallest = pow(10, -Double(seed % 16))
            var lambdas = [1.0, -0.5]
            lambdas.append(smallest)
            let a = TestMatrices.matrix(q, lambdas)
            var rng = SplitMix64(seed: seed &+ 100)
            // a in range(A): the plain network completes the squares, β_i = q_iᵀa/(2λ_i).
            var linear = [Double](repeating: 0, count: n)
            for c in 0..<lambdas.count { let g = rng.nextGaussian(); for i in 0..<n { linear[i] += g * q[i, c] } }
            let form = try QuadraticForm(constant: 0.25, linear: linear, quadratic: a)
            let s = try Synthesis(form: form)
            let report = try s.verify()
            #expect(report.residual.status == .passed, "seed \(seed)")
            try Self.expectPassedWithinTau(s, exact: try Self.exactForm(of: form), "seed \(seed)")
            if report.plain.status != .passed {
                #expect(report.plain.status == .illConditioned || report.plain.status == .approximate, "seed \(seed)")
            }
        }
    }

    @Test("Extracted neurons that cancel (directions u, u·(1 + δ), weights ±w): rank ≤ neurons, networks within τ of the exact f")
    func cancellingNeurons() throws {
        for (trial, delta) in [1e-6, 1e-9, 1e-12, 1e-7, 1e-10, 1e-11].enumerated() {
            var rng = SplitMix64(seed: UInt64(trial + 1))
            let n = 12
            let u = (0..<n).map { _ in rng.nextGaussian() }
            let w = 1e3 * (1 + rng.nextUnit())
            let first = Matrix(rowArrays: [u, u.map { $0 * (1 + delta) }])
            let net = try ResNet.oneHiddenLayer(inputWeights: first, hiddenBias: [0.3, 0.3], outputWeights: [w, -w], outputBias: 0.5,
                                                skip: (0..<n).map { _ in rng.nextGaussian() })
            let extraction = try ExtractionReport(file: "cancel", original: LoadedNetwork(network: net, precision: .float64))
            let synthesis = try #require(extraction.synthesis).synthesis
            #expect(synthesis.rank <= 2, "δ = \(delta)")
            let f = try Self.exactForm(of: net)
            for (minimal, check) in [(synthesis.residual, extraction.synthesis!.verification.residual),
                                     (synthesis.plain, extraction.synthesis!.verification.plain)] where check.status == .passed {
                let error = try Self.exactCoefficientError(minimal, against: f)
                #expect(error <= Self.tau * check.accuracy.scale, "δ = \(delta) \(check.name): exact error \(error)")
            }
            // The original's own floating evaluation is ill-conditioned, but it is f exactly.
            #expect(extraction.originalCheck?.withinRounding == true, "δ = \(delta)")
        }
    }

    @Test("float32 weights without a skip: a_N is storage noise, the plain network has k neurons, τ = 1e-4")
    func float32WithoutSkip() throws {
        var rng = SplitMix64(seed: 5)
        let n = 6, m = 3
        // Trained-looking float32 weights: rows and biases rounded to Float, then read as Doubles.
        let rows = (0..<m).map { _ in (0..<n).map { _ in Double(Float(rng.nextGaussian())) } }
        let bias = (0..<m).map { _ in Double(Float(rng.nextGaussian())) }
        let weights = (0..<m).map { _ in Double(Float(rng.nextGaussian())) }
        let net = try ResNet.oneHiddenLayer(inputWeights: Matrix(rowArrays: rows), hiddenBias: bias, outputWeights: weights, outputBias: 0.25)
        let as32 = try ExtractionReport(file: "f32", original: LoadedNetwork(network: net, precision: .float32))
        let s = try #require(as32.synthesis)
        #expect(s.synthesis.rank == m)
        // No skip: a = 2Σ w_j b_j u_j lies in span{u_j} = range(A) exactly; float32 noise must not make it k + 2.
        #expect(!s.synthesis.hasLinearNullPart)
        #expect(s.synthesis.plain.hiddenNeurons == m)
        #expect(s.synthesis.form.precision == .float32)
        #expect(s.verification.accuracy == Verifier.defaultFloat32Accuracy)
        #expect(as32.passed)
    }

    @Test("A completed square that overflows leaves the residual network and a k + 2 plain one")
    func overflowingCompletedSquare() throws {
        // β = 1e200/(2·1e-150) = 5e349 is beyond Double; before, the whole run was refused.
        let form = try QuadraticForm(constant: 1, linear: [1e200], quadratic: Matrix(rowArrays: [[1e-150]]))
        let s = try Synthesis(form: form)
        #expect(s.rank == 1)
        #expect(s.plainSquaresOverflow != nil)
        #expect(s.residual.hiddenNeurons == 1)
        #expect(s.plain.hiddenNeurons == 3)
        let report = try SynthesisReport(synthesis: s)
        #expect(report.verification.residual.status == .passed)
        #expect(report.verification.plain.status == .passed)
        #expect(report.plainReason.contains("overflows"))
        #expect(!NeuronCountProof(report: report).holds)
    }

    @Test("Squares that would overflow where they are evaluated take the k + 2 fallback; an infinite tolerance never passes")
    func overflowingSquares() throws {
        // A ≈ 1e-305 with a ≈ 0.1: β ≈ 2e307 fits a Double, but β² does not (the audit's case).
        let form = try QuadraticForm(constant: 1e-8, linear: [0.10806317664542026, 0.412981823340592],
                                     quadratic: Matrix(rowArrays: [[-7.181657349622033e-306, 4.495796679381353e-306],
                                                                   [4.495796679381353e-306, -2.8283426503779686e-306]]))
        let s = try Synthesis(form: form)
        #expect(s.plainSquaresOverflow != nil)
        let report = try s.verify()
        #expect(report.status == .passed)
        #expect(report.plain.coefficientTolerance.isFinite)
    }

    @Test("Huge eigenvalues with tiny completed squares: an underflowed square times λ ≈ 1e290 is rounding, not failure")
    func underflowUnderHugeWeights() throws {
        // β = 1/(2·1e290) ≈ 5e-291, so β² underflows to 0 before λ multiplies it back.
        let form = try QuadraticForm(constant: 0, linear: [1, 1], quadratic: Matrix(rowArrays: [[1e290, 0], [0, 1e289]]))
        let s = try Synthesis(form: form)
        let report = try s.verify()
        #expect(report.status == .passed)
        try Self.expectPassedWithinTau(s, exact: try Self.exactForm(of: form), "1e290")
    }

    @Test("Exact networks saved as Doubles are checked against the contract: a tiny pivot's plain copy is refused with exit 1")
    func exactDoubleCopies() throws {
        // λ = 1e-20 under a = (1, 0): the exact plain network completes the square with β = 5e19.
        let form = try ExactForm(constant: .zero, linear: [Rational(1), .zero],
                                 quadratic: RationalMatrix(rowArrays: [[Rational(1, BigInt(10).power(20)), .zero], [.zero, Rational(1)]]))
        let exact = try ExactSynthesis(form: form)
        let failing = try SavedNetworks.roundedChecks(of: [("residual", exact.residual), ("plain", exact.plain)], form: form)
        #expect(failing.map(\.name) == ["plain"])
        let fine = try ExactSynthesis(form: try ExactForm(constant: Rational(1), linear: [Rational(1), Rational(2)],
                                                          quadratic: RationalMatrix(rowArrays: [[Rational(3), Rational(1)], [Rational(1), Rational(-2)]])))
        #expect(try SavedNetworks.roundedChecks(of: [("residual", fine.residual), ("plain", fine.plain)], form: fine.form).isEmpty)
    }

    @Test("Exact networks with rows beyond Double's range are rescaled per neuron before rounding")
    func exactRescaling() throws {
        // w(uᵀx)² with u = 2^1100·(3, −1) and w = 2^−2200: the function is 9x² − 6xy + y², the
        // parameters are not Doubles.
        let big = Rational(BigInt(1) << 1100)
        let tiny = Rational(1, BigInt(1) << 2200)
        let network = try ExactNetwork(inputWidth: 2, activation: .square,
                                       firstWeights: RationalMatrix(rowArrays: [[Rational(3) * big, Rational(-1) * big]]),
                                       firstBias: [.zero], outputWeights: [tiny], outputBias: Rational(1), skip: nil)
        let net = try network.resNet()
        #expect(net.layers[0].weights.entries.allSatisfy { $0.isFinite })
        let value = try net.realization([2, 1])[0]
        #expect(abs(value - (1 + 9 * 4 - 6 * 2 + 1)) <= 1e-13 * 26)
        // A function that leaves Double's range is refused, naming the neuron.
        let huge = try ExactNetwork(inputWidth: 1, activation: .square, firstWeights: RationalMatrix(rowArrays: [[Rational(1)]]),
                                    firstBias: [.zero], outputWeights: [Rational(BigInt(1) << 1100)], outputBias: .zero, skip: nil)
        #expect(throws: NetworkError.self) { try huge.resNet() }
    }

    @Test("JSON keeps −0.0")
    func negativeZero() throws {
        #expect(JSONWriter.numberText(-0.0) == "-0.0")
        let net = try ResNet.oneHiddenLayer(inputWeights: Matrix(rowArrays: [[-0.0, 1]]), hiddenBias: [-0.0], outputWeights: [1], outputBias: -0.0)
        let text = JSONWriter.write(Formats.networkJSON(net))
        let back = try Formats.network(from: try JSONReader.parse(text), name: "test")
        #expect(back.layers[0].weights[0, 0].sign == .minus && back.layers[0].bias[0].sign == .minus && back.layers[1].bias[0].sign == .minus)
    }
}
