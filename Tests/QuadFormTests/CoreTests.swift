import Foundation
import Testing
@testable import QuadForm

/// Evaluates f(x) = c + aᵀx + xᵀMx directly from M (not its symmetric part): an independent check
/// of the form's own evaluation.
func evaluateDirectly(_ form: QuadraticForm, _ x: [Double]) -> Double {
    var value = form.constant
    for i in 0..<form.dimension {
        value += form.linear[i] * x[i]
        for j in 0..<form.dimension { value += form.quadratic[i, j] * x[i] * x[j] }
    }
    return value
}

@Suite("Lecture notes: Definition 1.5.4 reference values")
struct LectureNotesTests {
    @Test("Example 1.5.6: realization(5) = 28")
    func example156() throws {
        let net = try ResNet(
            widths: [1, 1, 2, 2, 1], activation: .relu,
            layers: [
                .init(weights: Matrix(rowArrays: [[1]]), bias: [0]),
                .init(weights: Matrix(rowArrays: [[1], [2]]), bias: [0, 1]),
                .init(weights: Matrix.identity(2), bias: [0, 0]),
                .init(weights: Matrix(rowArrays: [[2, 2]]), bias: [1]),
            ],
            skips: [.init(from: 0, to: 4, weights: Matrix(rowArrays: [[-1]]))])
        #expect(try net.realization([5]) == [28])
        let trace = try net.trace([5])
        #expect(trace[1] == [5])
        #expect(trace[2] == [5, 11])
        #expect(try net.realization(batch: Matrix(rowArrays: [[5]]))[0, 0] == 28)
    }

    @Test("Exercise 1.5.1: realization(−1) = −7, not 0")
    func exercise151() throws {
        let net = try ResNet(
            widths: [1, 2, 3, 1], activation: .relu,
            layers: [
                .init(weights: Matrix(rowArrays: [[1], [2]]), bias: [3, 4]),
                .init(weights: Matrix(rowArrays: [[-1, 2], [3, -4], [-5, 6]]), bias: [0, 0, 0]),
                .init(weights: Matrix(rowArrays: [[-1, 1, -1]]), bias: [-4]),
            ],
            skips: [.init(from: 0, to: 3, weights: Matrix(rowArrays: [[1]])),
                    .init(from: 1, to: 3, weights: Matrix(rowArrays: [[3, -2]]))])
        let value = try net.realization([-1])
        #expect(value == [-7])
        #expect(value != [0])
    }

    @Test("Network shapes are validated")
    func shapes() throws {
        #expect(throws: NetworkError.self) {
            try ResNet(widths: [2, 1], activation: .square, layers: [.init(weights: Matrix(rows: 1, columns: 3), bias: [0])])
        }
        #expect(throws: NetworkError.self) {
            try ResNet(widths: [1, 1, 1], activation: .square,
                       layers: [.init(weights: Matrix(rows: 1, columns: 1), bias: [0]), .init(weights: Matrix(rows: 1, columns: 1), bias: [0])],
                       skips: [.init(from: 2, to: 1, weights: Matrix(rows: 1, columns: 1))])
        }
    }
}

@Suite("Expression parser")
struct ExpressionTests {
    @Test("The issue's example: rank 2, residual 2, plain 4")
    func publicExample() throws {
        let form = try ExpressionParser.form("x1^2 + 3*x1*x2 + x2^2 + x3 - 5")
        #expect(form.variables == ["x1", "x2", "x3"])
        #expect(form.constant == -5)
        #expect(form.linear == [0, 0, 1])
        let s = try Synthesis(form: form)
        #expect(s.rank == 2)
        #expect(s.residual.hiddenNeurons == 2)
        #expect(s.plain.hiddenNeurons == 4)
        #expect(try s.verify().passed)
    }

    @Test("Products and powers expand; the expansion matches direct evaluation")
    func expansion() throws {
        let form = try ExpressionParser.form("(x+y+1)^2 - 2*(x - y/4)*(3 + y) + 1.5e-1*z**2 - -x/2")
        var rng = SplitMix64(seed: 7)
        for _ in 0..<20 {
            let (x, y, z) = (rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian())
            let expected = (x + y + 1) * (x + y + 1) - 2 * (x - y / 4) * (3 + y) + 0.15 * z * z + x / 2
            let got = evaluateDirectly(form, [x, y, z])
            #expect(abs(got - expected) <= 1e-13 * (1 + abs(expected)))
        }
    }

    @Test("Natural variable order and --variables")
    func ordering() throws {
        #expect(try ExpressionParser.form("x10 + x2 + x1").variables == ["x1", "x2", "x10"])
        #expect(try ExpressionParser.form("x^2 + 0*y").variables == ["x", "y"])
        #expect(try ExpressionParser.form("x^2 + z - z + w^0 + 3/(2 + 0*v)").variables == ["v", "w", "x", "z"])
        #expect(try ExpressionParser.form("x*y", variables: ["y", "x", "z"]).variables == ["y", "x", "z"])
        #expect(throws: FormError.self) { try ExpressionParser.form("x*y", variables: ["x"]) }
    }

    @Test("Errors say what and where", arguments: [
        ("x^3 + 1", 1, "degree 3"),
        ("x*y*z", 1, "degree 3"),
        ("(x^2)^2", 1, "degree 4"),
        ("x / y", 5, "division"),
        ("x / 0", 5, "division by zero"),
        ("(x + 1", 1, "unbalanced"),
        ("x + 1)", 6, "unbalanced"),
        ("x + * y", 5, "doubled operator"),
        ("x +", 3, "operand is missing"),
        ("1.2.3", 1, "malformed number"),
        ("x # y", 3, "unexpected character"),
        ("", 1, "empty"),
        ("x^-1", 3, "non-negative"),
        ("x^0.5", 3, "non-negative integer"),
        ("1e999 * x", 1, "overflow"),
        ("3x", 2, "missing operator"),
    ])
    func errors(text: String, column: Int, fragment: String) throws {
        do {
            _ = try ExpressionParser.form(text)
            Issue.record("'\(text)' should not parse")
        } catch let error as ExpressionError {
            #expect(error.column == column, "column of '\(text)': \(error)")
            #expect(error.message.contains(fragment), "message of '\(text)': \(error.message)")
        }
    }

    @Test("Deep nesting is refused, not a stack overflow")
    func deepNesting() throws {
        let deep = String(repeating: "(", count: 50_000) + "x" + String(repeating: ")", count: 50_000)
        #expect(throws: ExpressionError.self) { try ExpressionParser.form(deep) }
        let long = Array(repeating: "x", count: 20_000).joined(separator: " + ")
        #expect(try ExpressionParser.form(long).linear == [20_000])
    }
}

@Suite("Readers: form JSON and .npy")
struct ReaderTests {
    @Test("Form JSON round trip and path errors")
    func formJSON() throws {
        let text = #"{"constant": 2.5, "linear": [1, 0], "quadratic": [[1, 2], [0, -1]], "variables": ["u", "v"]}"#
        let form = try Formats.form(from: JSONReader.parse(text), name: "f.json")
        #expect(form.variables == ["u", "v"])
        #expect(form.quadratic[0, 1] == 2)
        #expect(form.symmetricMatrix[1, 0] == 1)
        let again = try Formats.form(from: JSONReader.parse(JSONWriter.write(Formats.formJSON(form))), name: "again")
        #expect(again == form)
        do {
            _ = try Formats.form(from: JSONReader.parse(#"{"quadratic": [[1, 2], [0, "a"]]}"#), name: "f.json")
            Issue.record("should fail")
        } catch let e as JSONError {
            #expect(e.description.contains("quadratic[1][1]"))
        }
        do {
            _ = try JSONReader.parse("{\n  \"quadratic\": [[1, 2],\n   [0 1]]}", name: "f.json")
            Issue.record("should fail")
        } catch let e as JSONError {
            #expect(e.location == "f.json:3:7")
        }
    }

    @Test(".npy: C and Fortran order, dtypes, and bad headers")
    func npy() throws {
        let values: [Double] = [1, 2, 3, 4, 5, 6]
        let data = Npy.encode(values, shape: [2, 3])
        let array = try Npy.parse(data, path: "a.npy")
        #expect(array.shape == [2, 3])
        #expect(array.values == values)
        var fortran = Data(data)
        let header = String(decoding: fortran[10..<(10 + Int(fortran[8]))], as: UTF8.self)
        let swapped = header.replacingOccurrences(of: "False", with: "True ")
        fortran.replaceSubrange(10..<(10 + header.utf8.count), with: Array(swapped.utf8))
        #expect(try Npy.parse(fortran, path: "f.npy").values == [1, 3, 5, 2, 4, 6])
        #expect(throws: NpyError.self) { try Npy.parse(Data([1, 2, 3]), path: "bad.npy") }
        #expect(throws: NpyError.self) { try Npy.parse(data.dropLast(8), path: "short.npy") }
    }
}

/// Builds a random form of rank k; see `RandomFormSpec`.
func randomForm(n: Int, k: Int, seed: UInt64, linear: RandomFormSpec.LinearTerm, nonSymmetric: Bool = false) throws -> QuadraticForm {
    try RandomForm.make(RandomFormSpec(dimension: n, rank: k, seed: seed, linearTerm: linear, nonSymmetric: nonSymmetric))
}

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

@Suite("Verification above the full-expansion limit (random probes, O(n²) each)")
struct ProbeVerificationTests {
    @Test("n = 300: probes verify the synthesized networks and catch a corrupted weight")
    func probes() throws {
        let n = Verifier.fullExpansionLimit + 44
        let form = try randomForm(n: n, k: 120, seed: 4, linear: .generic, nonSymmetric: true)
        let s = try Synthesis(form: form, options: SynthesisOptions(driver: .dsyevd))
        #expect(s.rank == 120)
        #expect(s.plain.hiddenNeurons == 122)
        let report = try s.verify()
        #expect(report.passed, "\(report.residual) \(report.plain)")
        var layers = s.residual.layers
        layers[0].weights[7, 123] += 1e-6
        let broken = try ResNet(widths: s.residual.widths, activation: .square, layers: layers, skips: s.residual.skips)
        let check = try Verifier(synthesis: s).check(broken, name: "broken", points: Verifier.samplePoints(dimension: n, radius: 1, random: 4, seed: 2))
        #expect(!check.coefficientsPassed)
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
        let bad = try Synthesis(form: ExpressionParser.form("1e-8*x^2 + x")).verify()
        #expect(bad.plain.passed)
        #expect(bad.plain.isIllConditioned)
        #expect(bad.plain.amplification > 1e7)
        #expect(bad.plain.sampleRelativeError > NetworkCheck.conditioningWarningLevel)
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

@Suite("The parser's stack does not depend on the caller's thread")
struct ParserStackTests {
    @Test("Expressions and JSON nested up to their limits parse from a thread with a 256 KiB stack")
    func smallStackCaller() throws {
        final class Box: @unchecked Sendable { var linear: [Double] = []; var refused = false; var json: JSONValue? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let depth = ExpressionParser.maximumNesting / 2 - 1
            let nested = String(repeating: "-(", count: depth) + "x" + String(repeating: ")", count: depth)
            box.linear = (try? ExpressionParser.form(nested).linear) ?? []
            let deep = String(repeating: "(", count: 50_000) + "x" + String(repeating: ")", count: 50_000)
            box.refused = (try? ExpressionParser.form(deep)) == nil
            let depthJSON = JSONReader.maximumDepth - 1
            box.json = try? JSONReader.parse(String(repeating: "[", count: depthJSON) + "1" + String(repeating: "]", count: depthJSON))
            done.signal()
        }
        thread.stackSize = 256 << 10
        thread.start()
        done.wait()
        #expect(box.linear.count == 1 && abs(box.linear[0]) == 1)
        #expect(box.refused)
        #expect(box.json != nil)
    }
}

@Suite("The rank tolerance rule is named the same way in every report")
struct ToleranceRuleTests {
    @Test("A strongly non-symmetric M: synth text, spectrum text and proof all name the skew rule")
    func skewRule() throws {
        // M = [[1e-3, 5], [-5, 1e-3]]: A = 1e-3·I, skew part of norm 5·√2 ≫ max|λ|.
        let m = Matrix(rowArrays: [[1e-3, 5], [-5, 1e-3]])
        let s = try Synthesis(form: QuadraticForm(constant: 0, linear: [0, 0], quadratic: m))
        #expect(s.skewDominates)
        let rule = "max(n,1)·ε·‖(M − Mᵀ)/2‖_F"
        #expect(s.rankToleranceFormula == rule)
        #expect(SpectrumReport(synthesis: s).text.contains(rule))
        #expect(try SynthesisReport(synthesis: s).text.contains(rule))
        let symmetric = try Synthesis(form: ExpressionParser.form("x^2 + y^2"))
        #expect(symmetric.rankToleranceFormula == "max(n,1)·ε·max|λ|")
        #expect(SpectrumReport(synthesis: symmetric).text.contains("max(n,1)·ε·max|λ|"))
        // A typed cross term sits in one corner of M (M = [[0, 1], [0, 0]] for x*y): A = (M + Mᵀ)/2 is
        // formed exactly, so the skew part must not set the tolerance nor be mentioned (issue 13).
        let typed = try Synthesis(form: ExpressionParser.form("x*y + 3*x - 2"))
        #expect(typed.form.quadratic[0, 1] != typed.form.quadratic[1, 0])
        #expect(!typed.skewDominates)
        #expect(typed.rankToleranceFormula == "max(n,1)·ε·max|λ|")
        #expect(try !SynthesisReport(synthesis: typed).text.contains("skew"))
        #expect(typed.rankTolerance == 2 * Double.ulpOfOne * typed.eigen.eigenvalues.map(abs).max()!)
        let user = try Synthesis(form: ExpressionParser.form("x^2"), options: SynthesisOptions(rankTolerance: 1e-3))
        #expect(user.rankToleranceFormula == nil)
    }
}
