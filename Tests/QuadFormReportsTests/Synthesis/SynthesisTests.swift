import Foundation
import Testing
@testable import QuadFormCore
import QuadFormTestSupport
@testable import QuadFormReports

@Suite("Synthesis: neuron counts and verification")
struct SynthesisTests {
    @Test("Every rank 0…n for n from 1 to 40 (984 forms): residual = k, plain = k or k + 2, both verified")
    func randomForms() throws {
        var count = 0
        var rng = SplitMix64(seed: 2026)
        for n in [1, 2, 3, 4, 5, 7, 10, 16, 25, 40] {
            let ranks = Array(0...n)
            for k in ranks {
                for linear in RandomFormSpec.LinearTerm.allCases { for nonSymmetric in [false, true] {
                    let seed = rng.next()
                    let form = try randomForm(n: n, k: k, seed: seed, linear: linear, nonSymmetric: nonSymmetric)
                    let s = try Synthesis(form: form)
                    #expect(s.rank == k, "n=\(n) k=\(k) seed=\(seed)")
                    #expect(s.residual.hiddenNeurons == s.rank)
                    let outside = linear == .generic && k < n || linear == .inNull && k < n
                    #expect(s.hasLinearNullPart == outside, "a_N for n=\(n) k=\(k) \(linear): ‖a_N‖=\(s.linearNullPartNorm)")
                    #expect(s.plain.hiddenNeurons == (outside ? k + 2 : k))
                    let report = try s.verify()
                    #expect(report.passed, "n=\(n) k=\(k) \(linear) seed=\(seed): \(report.residual) \(report.plain)")
                    count += 1
                } }
            }
        }
        #expect(count == 4 * 2 * [1, 2, 3, 4, 5, 7, 10, 16, 25, 40].reduce(0) { $0 + $1 + 1 })
    }

    @Test("Networks agree with the form at random points (independent evaluation from M)")
    func independentEvaluation() throws {
        var rng = SplitMix64(seed: 99)
        for trial in 0..<40 {
            let n = 1 + trial % 12
            let form = try randomForm(n: n, k: Int(rng.next() % UInt64(n + 1)), seed: rng.next(), linear: .generic, nonSymmetric: true)
            let s = try Synthesis(form: form)
            for _ in 0..<5 {
                let x = (0..<n).map { _ in 2 * rng.nextUnit() - 1 }
                let f = evaluateDirectly(form, x)
                let scale = abs(form.constant) + Vector.norm(form.linear) * Vector.norm(x) + form.quadratic.frobeniusNorm * Vector.dot(x, x)
                let g = try s.residual.realization(x)[0]
                #expect(abs(g - f) <= 1e-12 * scale, "trial \(trial) n=\(n) f=\(f) g=\(g) form=\(form.evaluate(x)) scale=\(scale)")
                #expect(abs(try s.plain.realization(x)[0] - f) <= 1e-12 * scale)
            }
        }
    }

    @Test("A = 0: residual is the affine skip alone; plain needs 2 neurons iff a ≠ 0")
    func zeroMatrix() throws {
        let affine = try QuadraticForm(constant: 3, linear: [1, -2], quadratic: Matrix(rows: 2, columns: 2))
        let s = try Synthesis(form: affine)
        #expect(s.rank == 0 && s.residual.hiddenNeurons == 0 && s.plain.hiddenNeurons == 2)
        #expect(try s.verify().passed)
        #expect(try s.residual.realization([1, 1]) == [2])
        let constant = try QuadraticForm(constant: 3, linear: [0, 0], quadratic: Matrix(rows: 2, columns: 2))
        let c = try Synthesis(form: constant)
        #expect(c.rank == 0 && c.residual.hiddenNeurons == 0 && c.plain.hiddenNeurons == 0)
        #expect(try c.verify().passed)
    }

    @Test("n = 1 and all eigenvalues negative")
    func smallAndNegative() throws {
        let one = try Synthesis(form: ExpressionParser.form("-3*x^2 + 2*x + 1"))
        #expect(one.rank == 1 && one.residual.hiddenNeurons == 1 && one.plain.hiddenNeurons == 1)
        #expect(try one.verify().passed)
        let spec = RandomFormSpec(dimension: 6, rank: 6, seed: 5, negativeFraction: 1)
        let s = try Synthesis(form: RandomForm.make(spec))
        #expect(s.eigen.eigenvalues.allSatisfy { $0 < 0 })
        #expect(s.rank == 6 && s.plain.hiddenNeurons == 6)
        #expect(try s.verify().passed)
    }

    @Test("Nearly rank-deficient A: the tolerance decides and the gap is reported")
    func nearlyDeficient() throws {
        // Eigenvalues 1, 1e-13 and 0: the default tolerance 3·ε·1 ≈ 6.7e-16 keeps 1e-13; 1e-10 drops it.
        let form = try ExpressionParser.form("x^2 + 1e-13*y^2 + z")
        let strict = try Synthesis(form: form)
        #expect(strict.rank == 2)
        #expect(strict.smallestKept == 1e-13)
        #expect(try strict.verify().passed)
        let loose = try Synthesis(form: form, options: SynthesisOptions(rankTolerance: 1e-10))
        #expect(loose.rank == 1)
        #expect(loose.largestDropped == 1e-13)
        #expect(loose.smallestKept == 1)
        #expect(loose.droppedEigenvalueSum == 1e-13)
        // Dropping 1e-13 is more than rounding of f's scale: the networks approximate f, they are not f.
        let verdict = try loose.verify()
        #expect(!verdict.passed)
        #expect(verdict.status == .approximate)
        #expect(verdict.residual.approximation?.boundOnBox == 1e-13 * 3)
        #expect(loose.plain.hiddenNeurons == 3)
    }

    @Test("Verification catches one corrupted weight")
    func corruption() throws {
        let form = try randomForm(n: 5, k: 3, seed: 11, linear: .generic)
        let s = try Synthesis(form: form)
        #expect(try s.verify().passed)
        let points = Verifier.samplePoints(dimension: 5, radius: 1, random: 16, seed: 3)
        for (layerIndex, entry) in [(0, 0), (0, 7), (1, 2)] {
            var layers = s.plain.layers
            layers[layerIndex].weights.entries[entry] *= 1 + 1e-7
            let broken = try ResNet(widths: s.plain.widths, activation: .square, layers: layers)
            let check = try Verifier(synthesis: s).check(broken, name: "broken", points: points)
            #expect(!check.coefficientsPassed, "layer \(layerIndex + 1) entry \(entry)")
            #expect(!check.samplesPassed, "layer \(layerIndex + 1) entry \(entry)")
        }
        var skip = s.residual.skips
        skip[0].weights.entries[4] += 1e-9
        let brokenSkip = try ResNet(widths: s.residual.widths, activation: .square, layers: s.residual.layers, skips: skip)
        #expect(!(try Verifier(synthesis: s).check(brokenSkip, name: "skip", points: points).passed))
    }

    @Test("All three LAPACKE drivers give the same rank and verified networks")
    func drivers() throws {
        let form = try randomForm(n: 30, k: 12, seed: 8, linear: .generic)
        for driver in [EigenDriver.dsyev, .dsyevd, .dsyevr, .auto] {
            let s = try Synthesis(form: form, options: SynthesisOptions(driver: driver))
            #expect(s.rank == 12)
            #expect(try s.verify().passed)
        }
    }

    @Test("JSON report has the documented keys and networks that read back")
    func jsonReport() throws {
        let s = try Synthesis(form: ExpressionParser.form("x1^2 + 3*x1*x2 + x2^2 + x3 - 5"))
        let report = try SynthesisReport(synthesis: s)
        let parsed = try JSONReader.parse(JSONWriter.write(report.json))
        for key in ["variables", "form", "eigenvalues", "rank", "rank_tolerance", "residual", "plain", "linear_null_part_norm", "verification"] {
            #expect(parsed[key] != nil, "missing \(key)")
        }
        for key in ["passed", "coefficient_error", "sample_error", "tolerance", "points"] {
            #expect(parsed["verification"]?[key] != nil, "missing verification.\(key)")
        }
        let residual = try Formats.network(from: parsed["residual"]!["network"]!, name: "residual")
        let plain = try Formats.network(from: parsed["plain"]!["network"]!, name: "plain")
        #expect(residual == s.residual)
        #expect(plain == s.plain)
        #expect(parsed["plain"]?["neurons"] == .number("4"))
    }
}

@Suite("Conditioning: exact in real arithmetic, but how accurate in floating point?")
struct ConditioningTests {
    @Test("A well-scaled form is not flagged; 1e-8·x² + x is, with its amplification")
    func flagged() throws {
        let good = try Synthesis(form: ExpressionParser.form("x1^2 + 3*x1*x2 + x2^2 + x3 - 5")).verify()
        #expect(!good.residual.isIllConditioned && !good.plain.isIllConditioned)
        #expect(good.residual.amplification < 100)
        // Plain: β = 1/(2·1e-8) = 5e7, the neuron's terms are ~λβ² = 2.5e7 while f is ~1 on the box.
        // Residual: the skip carries x, no completed square, so nothing is amplified (design.md §2).
        // Its rounding model holds (it is f in real arithmetic) but it misses τ·scale: ILL_CONDITIONED,
        // never PASSED (design.md §5's accuracy contract).
        let bad = try Synthesis(form: ExpressionParser.form("1e-8*x^2 + x")).verify()
        #expect(bad.plain.withinRounding)
        #expect(!bad.plain.passed)
        #expect(bad.plain.status == .illConditioned)
        #expect(bad.status == .illConditioned)
        #expect(bad.plain.amplification > 1e7)
        #expect(bad.plain.accuracy.worstRatio > 1)
        #expect(bad.residual.passed && !bad.residual.isIllConditioned)
        #expect(bad.residual.amplification < 10)
    }

    @Test("A form without constant (all terms 0 at the origin) is not flagged, square or s-network")
    func zeroAtOrigin() throws {
        let s = try Synthesis(form: ExpressionParser.form("x^2 + 3*x*y - z"))
        let report = try s.verify()
        #expect(!report.residual.isIllConditioned && !report.plain.isIllConditioned)
        #expect(report.residual.sampleRelativeError.isFinite)
        let networks = try QuadraticActivationNetworks(synthesis: s, spec: QuadraticActivationSpec(parsing: "quadratic:2,1,-1"))
        #expect(networks.residualCheck.passed && !networks.residualCheck.isIllConditioned)
        #expect(networks.plainCheck.passed && !networks.plainCheck.isIllConditioned)
    }
}
