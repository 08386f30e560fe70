import Foundation
import Testing
@testable import QuadForm

/// PASSED must mean "equals f up to rounding" (design.md §5): the cases where it did not, and the
/// property that a network perturbed beyond rounding is never called verified.
@Suite("Verification verdicts: PASSED, APPROXIMATE, FAILED")
struct VerificationVerdictTests {
    /// A random orthogonal n×n matrix (rows orthonormal).
    static func orthogonal(_ n: Int, seed: UInt64) throws -> Matrix {
        var rng = SplitMix64(seed: seed)
        return try Orthogonal.qFactor(of: Matrix(rows: n, columns: n, entries: (0..<(n * n)).map { _ in rng.nextGaussian() }))
    }

    /// `Σ λ_i q_i q_iᵀ` over the first columns of `q`, symmetrized exactly.
    static func matrix(_ q: Matrix, _ lambdas: [Double]) -> Matrix {
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

    @Test("The residual network is the paper's: B1 = 0, B2 = c, skip = aᵀ exactly")
    func residualCarriesLinearTerm() throws {
        let form = try RandomForm.make(RandomFormSpec(dimension: 9, rank: 4, seed: 3, linearTerm: .generic))
        let s = try Synthesis(form: form)
        #expect(s.residual.layers[0].bias.allSatisfy { $0 == 0 })
        #expect(s.residual.layers[1].bias == [form.constant])
        #expect(s.residual.skips.count == 1 && s.residual.skips[0].weights.entries == form.linear)
        #expect(try s.verify().status == .passed)
    }

    @Test("A rank tolerance that drops eigenvalues gives APPROXIMATE with its bound, never PASSED",
          arguments: [("x^2+y^2", 10.0), ("x^2 + 1e-4*y^2 + y", 1e-3), ("3*x*y - 2*z^2 + 1e-6*w^2 + z", 1e-5)])
    func droppedEigenvalues(expression: String, tolerance: Double) throws {
        let s = try Synthesis(form: ExpressionParser.form(expression), options: SynthesisOptions(rankTolerance: tolerance))
        let report = try SynthesisReport(synthesis: s)
        #expect(!report.passed)
        #expect(report.status == .approximate)
        for check in [report.verification.residual, report.verification.plain] {
            let approximation = try #require(check.approximation)
            #expect(approximation.boundOnBox == s.approximationBoundOnBox)
            #expect(approximation.measuredErrorOnBox > 0)
            #expect(approximation.measuredErrorOnBox <= approximation.boundOnBox)
        }
        #expect(report.text.contains("verification        APPROXIMATE"))
        #expect(JSONWriter.write(report.json).contains("\"approximate\""))
    }

    @Test("g = 0 for x² + y² (rank tolerance 10) exits 1 and says APPROXIMATE")
    func droppedEigenvaluesCommandLine() throws {
        let run = try BuiltExecutable.quadform(["synth", "x^2+y^2", "--rank-tolerance", "10"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("verification        APPROXIMATE"))
        #expect(run.stderr.contains("APPROXIMATE"))
        let plain = try BuiltExecutable.quadform(["synth", "x^2+y^2"])
        #expect(plain.status == 0 && plain.stdout.contains("verification        PASSED"))
    }

    @Test("A badly scaled matrix (eigenvalues 1e5 … 1e-5) keeps its a_N = 0.82 in the plain network",
          arguments: [UInt64(1), 2, 3, 4])
    func badlyScaledNullPart(seed: UInt64) throws {
        let n = 13, k = 6
        let q = try Self.orthogonal(n, seed: seed)
        let a = Self.matrix(q, [1e5, -3e3, 1, -1e-2, 1e-4, -1e-5])
        var rng = SplitMix64(seed: seed &+ 7)
        var null = [Double](repeating: 0, count: n)
        for c in k..<n { let g = rng.nextGaussian(); for i in 0..<n { null[i] += g * q[i, c] } }
        let scale = 0.82 / Vector.norm(null)
        var linear = null.map { $0 * scale }
        for c in 0..<k { let g = 1e4 * rng.nextGaussian(); for i in 0..<n { linear[i] += g * q[i, c] } }
        let s = try Synthesis(form: QuadraticForm(constant: 0.5, linear: linear, quadratic: a))
        #expect(s.rank == k)
        #expect(abs(s.linearNullPartNorm - 0.82) < 1e-3)
        #expect(s.hasLinearNullPart)
        #expect(s.plain.hiddenNeurons == k + 2)
        let report = try s.verify()
        #expect(report.status == .passed)
        // The residual network has no division by λ_i: it agrees with f to rounding of f's terms.
        #expect(report.residual.sampleRelativeError < 1e-13)
        // Without the two a_N neurons the plain network would miss 0.82·‖x‖: the decision says why.
        #expect(s.linearNullPartRoundingRatio > 1e6)
    }

    @Test("s(z) = 1e-8·z² + z: the s-networks' constant is 1, not 1.1046", arguments: [1e-8, 1e-4, 1, 1e4])
    func smallAlpha(alpha: Double) throws {
        let s = try Synthesis(form: ExpressionParser.form("x^2 + y^2 + 1"))
        let spec = try QuadraticActivationSpec(parsing: "quadratic:\(alpha),1,0")
        let networks = try QuadraticActivationNetworks(synthesis: s, spec: spec)
        #expect(networks.status == .passed)
        for net in [networks.residual, networks.plain] {
            #expect(abs(try net.realization([0, 0])[0] - 1) < 1e-13)
            #expect(abs(try net.realization([1, -1])[0] - 3) < 1e-13)
        }
    }

    @Test("Quadratic activations of any size verify and stay accurate to f's scale",
          arguments: [(1e-8, 1.0, 0.0), (1e-6, -3e3, 7.0), (5.0, 1e6, -1e6), (1e8, 1e-3, 1e8), (-2e-5, 0.5, 1e4)])
    func activationSweep(alpha: Double, beta: Double, gamma: Double) throws {
        let form = try RandomForm.make(RandomFormSpec(dimension: 5, rank: 3, seed: 17, linearTerm: .generic))
        let s = try Synthesis(form: form)
        let spec = try QuadraticActivationSpec(parsing: "quadratic:\(alpha),\(beta),\(gamma)")
        let networks = try QuadraticActivationNetworks(synthesis: s, spec: spec)
        #expect(networks.status == .passed)
        #expect(networks.residualCheck.sampleRelativeError < 1e-12)
        #expect(networks.plainCheck.sampleRelativeError < 1e-12)
    }

    @Test("float32 .npy input: its ε sets the rank tolerance (k = 3, not 6) and the report names it")
    func float32Input() throws {
        let n = 6
        let q = try Self.orthogonal(n, seed: 11)
        let a = Self.matrix(q, [3, -2, 1])
        let rounded = a.entries.map { Double(Float($0)) }
        var payload: [UInt8] = []
        for v in rounded { withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { payload += $0 } }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("f32-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("a.npy").path
        try npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (6, 6), }", payload: payload).write(to: URL(fileURLWithPath: path))
        let form = try Npy.readForm(quadratic: path, linear: nil, constant: 0)
        #expect(form.precision == .float32)
        let s = try Synthesis(form: form)
        #expect(s.rank == 3)
        #expect(try s.verify().status == .passed)
        // The same numbers taken as float64 are a full-rank matrix: the rounding is real data there.
        let asDouble = try Synthesis(form: QuadraticForm(constant: 0, linear: [Double](repeating: 0, count: n),
                                                         quadratic: Matrix(rows: n, columns: n, entries: rounded)))
        #expect(asDouble.rank == 6)
        let run = try BuiltExecutable.quadform(["synth", "--quadratic", path])
        #expect(run.status == 0)
        #expect(run.stdout.contains("input read as float32"))
        #expect(run.stdout.contains("ε_float32"))
    }

    @Test("Subnormal and huge forms verify like any other", arguments: [-1074, -1060, -1030, -600, 0, 300, 500])
    func scales(exponent: Int) throws {
        let scale = Double(sign: .plus, exponent: exponent, significand: 1)
        let form = try QuadraticForm(constant: 0, linear: [0, scale], quadratic: Matrix(rows: 2, columns: 2, entries: [scale, 0, 0, 0]))
        let s = try Synthesis(form: form)
        #expect(s.rank == 1)
        #expect(s.plain.hiddenNeurons == 3)
        let report = try s.verify()
        #expect(report.status == .passed, "2^\(exponent): \(report.residual) \(report.plain)")
    }

    @Test("synth '4.9e-324*x^2 + 5e-324*y' exits 0")
    func subnormalCommandLine() throws {
        let run = try BuiltExecutable.quadform(["synth", "4.9e-324*x^2 + 5e-324*y"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("verification        PASSED"))
    }

    @Test("prove claims no count when the rank is ill-determined, and says what would decide it")
    func proveIllDetermined() throws {
        // Eigenvalues 1, 1e-15, 3e-16: the tolerance 3ε ≈ 6.7e-16 keeps 1e-15 and drops 3e-16 (gap ×3.3).
        let s = try Synthesis(form: ExpressionParser.form("x^2 + 1e-15*y^2 + 3e-16*z^2 + z"))
        #expect(s.rankIsIllDetermined)
        let proof = NeuronCountProof(report: try SynthesisReport(synthesis: s))
        #expect(!proof.holds)
        #expect(!proof.text.contains("Conclusion:"))
        #expect(proof.text.contains("No conclusion"))
        #expect(proof.text.contains("--exact"))
        let run = try BuiltExecutable.quadform(["prove", "x^2 + 1e-15*y^2 + 3e-16*z^2 + z"])
        #expect(run.status == 1)
        let clear = NeuronCountProof(report: try SynthesisReport(synthesis: Synthesis(form: ExpressionParser.form("x^2 + 3*x*y + y^2 + z"))))
        #expect(clear.holds && clear.text.contains("Conclusion:"))
    }

    /// The property: correct networks pass, and the same networks with one parameter moved so that
    /// the function moves by ~2·10³·ε of f's scale never pass — whichever parameter moves.
    @Test("A network perturbed by ~2.5·10³·ε of f's scale (or its own terms') is never called verified; unperturbed ones always are")
    func perturbationProperty() throws {
        var rng = SplitMix64(seed: 4242)
        var checked = 0
        for trial in 0..<60 {
            let n = 1 + trial % 4
            let k = Int(rng.next() % UInt64(n + 1))
            let linear = RandomFormSpec.LinearTerm.allCases[trial % 4]
            let magnitude = Double(sign: .plus, exponent: Int(rng.next() % 200) - 100, significand: 1)
            var form = try RandomForm.make(RandomFormSpec(dimension: n, rank: k, seed: rng.next(), linearTerm: linear))
            form.constant *= magnitude
            form.linear = form.linear.map { $0 * magnitude }
            form.quadratic = Matrix(rows: n, columns: n, entries: form.quadratic.entries.map { $0 * magnitude })
            let s = try Synthesis(form: form)
            let report = try s.verify()
            #expect(report.status == .passed, "trial \(trial)")
            // f's scale on the unit box: |c| + ‖a‖₁ + Σ|A_ij|.
            let scale = abs(form.constant) + form.linear.reduce(0) { $0 + abs($1) } + s.symmetricMatrix.entries.reduce(0) { $0 + abs($1) }
            guard scale > 0 else { continue }
            let verifier = Verifier(synthesis: s)
            let points = Verifier.samplePoints(dimension: n, radius: 1, random: 32, seed: 1)
            for net in [s.residual, s.plain] {
                let hidden = net.layers[0], output = net.layers[1]
                // ~2.5·10³·ε of f's scale, or of the network's own terms where they are larger (a
                // plain network completing squares with small λ_i adds terms ≫ f: rounding of
                // evaluating it is at their scale, design.md §5).
                let own = try ExpandedNetwork(net)
                let terms = max(scale, abs(form.constant) + own.constantMagnitude, own.linearMagnitude.max() ?? 0, own.quadraticMagnitude)
                let delta = 2.5e3 * Double.ulpOfOne * terms
                // The output bias: f moves by δ everywhere.
                let shifted = try ResNet(widths: net.widths, activation: net.activation,
                                         layers: [hidden, ResNet.Layer(weights: output.weights, bias: [output.bias[0] + delta])], skips: net.skips)
                #expect(!(try verifier.check(shifted, name: "bias", points: points).passed), "trial \(trial) bias")
                // A skip weight (residual) or, in a plain network, an output weight w_j: moves a_i by δ
                // or A by δ·u_j u_jᵀ (|u_j|∞ ≥ 1/√n, so some entry moves by ≥ δ/n; use nδ).
                let moved: ResNet
                if let skip = net.skips.first {
                    var weights = skip.weights
                    weights.entries[Int(rng.next() % UInt64(n))] += delta
                    moved = try ResNet(widths: net.widths, activation: net.activation, layers: net.layers,
                                       skips: [ResNet.Skip(from: 0, to: 2, weights: weights)])
                } else if net.hiddenNeurons > 0 {
                    var weights = output.weights
                    weights.entries[Int(rng.next() % UInt64(net.hiddenNeurons))] += Double(n) * delta
                    moved = try ResNet(widths: net.widths, activation: net.activation,
                                       layers: [hidden, ResNet.Layer(weights: weights, bias: output.bias)])
                } else {
                    continue
                }
                #expect(!(try verifier.check(moved, name: "weight", points: points).passed), "trial \(trial) weight")
                checked += 1
            }
        }
        #expect(checked > 80)
    }
}
