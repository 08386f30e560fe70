import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import QuadFormCore
@testable import QuadFormReports
@testable import QuadFormInterop
import QuadFormTestSupport

/// `quadform eval` end to end: the lecture notes' values, points in and out, bad input.
@Suite("quadform eval")
struct EvalCommandTests {
    @Test("Lesson 4's s-neuron networks: the shift −β/(2α) gives x², the printed +β/(2α) of eq. (10) gives (x + β/α)²")
    func quadraticActivationShift() throws {
        let root = BuiltExecutable.packageRoot.appendingPathComponent("examples")
        let correct = try Formats.readNetwork(root.appendingPathComponent("quadratic-activation-correct-shift.json").path)
        let printed = try Formats.readNetwork(root.appendingPathComponent("quadratic-activation-eq10-shift.json").path)
        guard case let .quadratic(alpha, beta, gamma) = correct.activation else {
            Issue.record("expected a quadratic activation, found \(correct.activation)")
            return
        }
        // The weights follow eq. (9) from the activation's own α, β, γ.
        #expect(correct.layers[0].bias == [-beta / (2 * alpha)])
        #expect(correct.layers[1].weights.entries == [1 / alpha])
        #expect(correct.layers[1].bias == [-(gamma - beta * beta / (4 * alpha)) / alpha])
        #expect(printed.layers[0].bias == [beta / (2 * alpha)])
        for x in stride(from: -4.0, through: 4.0, by: 0.25) {
            let y = try correct.realization([x])[0]
            #expect(abs(y - x * x) <= 8 * Double.ulpOfOne * max(1, x * x), "x = \(x)")
            let wrong = try printed.realization([x])[0]
            let shifted = (x + beta / alpha) * (x + beta / alpha)
            #expect(abs(wrong - shifted) <= 8 * Double.ulpOfOne * max(1, shifted), "x = \(x)")
        }
        let residual = try Formats.readNetwork(root.appendingPathComponent("quadratic-activation-residual.json").path)
        for point in [[1.0, 2], [-2, 0.5], [0.3, -1.7]] {
            let f = point[0] * point[0] + point[1]
            #expect(abs(try residual.realization(point)[0] - f) <= 16 * Double.ulpOfOne * max(1, abs(f)))
        }
    }

    @Test("Lesson 3's nearly-degenerate network loses accuracy to cancellation; Lesson 1's k + 1 network errs by y²/(2t)")
    func lessonNetworks() throws {
        let root = BuiltExecutable.packageRoot.appendingPathComponent("examples")
        let degenerate = try Formats.readNetwork(root.appendingPathComponent("nearly-degenerate-k2.json").path)
        let lambda = 0x1p-46
        #expect(degenerate.layers[1].weights.entries == [1, lambda])
        #expect(degenerate.layers[0].bias == [0, 1 / (2 * lambda)])
        #expect(degenerate.layers[1].bias == [-(1 / (4 * lambda))])
        // Exact: f(0, y) = y + λy². The rounding of (y + 2⁴⁵)² at 2⁹⁰ has ulp 2³⁸, times λ = 2⁻⁴⁶:
        // the error can reach 2⁻⁹ and more, far above ε·|f|.
        let y = 0.3
        let error = abs(try degenerate.realization([0, y])[0] - (y + lambda * y * y))
        #expect(error > 1e-3 && error <= 0x1p-7)

        let approximate = try Formats.readNetwork(root.appendingPathComponent("plain-k-plus-1-t100.json").path)
        let t = 100.0
        for point in [[1.0, 1], [0, 2], [3, -1], [0.5, -7]] {
            let f = point[0] * point[0] + point[1]
            let g = try approximate.realization(point)[0]
            #expect(abs((g - f) - point[1] * point[1] / (2 * t)) <= 1e-12 * max(1, abs(f)))
        }
    }

    @Test("quadform eval prints 28 for Example 1.5.6 at 5, as its last token")
    func example156Executable() throws {
        let run = try BuiltExecutable.quadform(["eval", ExampleFiles.example156, "--at", "5"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let tokens = run.stdout.split(whereSeparator: \.isWhitespace)
        #expect(tokens.last.flatMap { Double($0) } == 28)
    }

    @Test("quadform eval prints −7 for Exercise 1.5.1 at −1, and --trace shows every x_k")
    func exercise151Executable() throws {
        let run = try BuiltExecutable.quadform(["eval", ExampleFiles.exercise151, "--at", "-1"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.split(whereSeparator: \.isWhitespace).last.flatMap { Double($0) } == -7)

        let traced = try BuiltExecutable.quadform(["eval", ExampleFiles.exercise151, "--at=-1", "--trace"])
        #expect(traced.status == 0, "stderr: \(traced.stderr)")
        let lines = traced.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("x_1 = relu(z_1) = (2, 2)"))
        #expect(lines.contains("z_2 = W_2 x_1 + B_2 = (2, -2, 2)"))
        #expect(lines.contains("x_2 = relu(z_2) = (2, 0, 2)"))
        #expect(lines.contains("z_3 = W_3 x_2 + B_3 + V_{0,3} x_0 + V_{1,3} x_1 = -7"))
        #expect(lines.last == "realization(-1) = -7")
    }

    @Test("Several points with --at, and a batch through .npy in and out")
    func batches() throws {
        let many = try BuiltExecutable.quadform(["eval", ExampleFiles.example156, "--at", "1,2,3", "--at", "-2"])
        #expect(many.status == 0, "stderr: \(many.stderr)")
        let net = try Formats.readNetwork(ExampleFiles.example156)
        let expected = try [1.0, 2, 3, -2].map { "realization(\(NetworkEvaluation.format($0))) = \(NetworkEvaluation.format(try net.realization([$0])[0]))" }
        #expect(many.stdout.split(separator: "\n").map(String.init) == expected)

        let folder = try makeScratchDirectory("eval")
        defer { try? FileManager.default.removeItem(at: folder) }
        let xs = (0..<50).map { Double($0) * 0.37 - 9 }
        let input = folder.appendingPathComponent("X.npy").path
        let output = folder.appendingPathComponent("Y.npy").path
        try Npy.encode(xs, shape: [50, 1]).write(to: URL(fileURLWithPath: input))
        let batch = try BuiltExecutable.quadform(["eval", ExampleFiles.exercise151, "--points", input, "--output", output])
        #expect(batch.status == 0, "stderr: \(batch.stderr)")
        let y = try Npy.read(output)
        #expect(y.shape == [50, 1])
        let exercise = try Formats.readNetwork(ExampleFiles.exercise151)
        // The batch goes through dgemm, single points through dgemv: equal up to rounding of a
        // handful of operations on numbers of this size.
        for (x, value) in zip(xs, y.values) {
            let single = try exercise.realization([x])[0]
            #expect(abs(value - single) <= 64 * Double.ulpOfOne * max(1, abs(single)), "x = \(x)")
        }
        #expect(y.values[0] == (try exercise.realization([-9]))[0])
    }

    @Test("Bad input: exit code 2 and a message naming the problem")
    func badInput() throws {
        let wrongCount = try BuiltExecutable.quadform(["eval", ExampleFiles.exercise151, "--at", "1;2,3"])
        #expect(wrongCount.status == 2)
        #expect(wrongCount.stderr.contains("point 2 has 2 coordinates; the network takes 1"))
        let missing = try BuiltExecutable.quadform(["eval", "no-such-net.json", "--at", "1"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no-such-net.json: no such file"))
        let folder = try makeScratchDirectory("eval")
        defer { try? FileManager.default.removeItem(at: folder) }
        let broken = folder.appendingPathComponent("net.json")
        try #"{"widths": [1, 2, 1], "activation": {"kind": "relu"}, "layers": [{"weights": [[1], [2]], "bias": [0, 0]}, {"weights": [[1, 2, 3]], "bias": [0]}]}"#
            .write(to: broken, atomically: true, encoding: .utf8)
        let shape = try BuiltExecutable.quadform(["eval", broken.path, "--at", "1"])
        #expect(shape.status == 2)
        #expect(shape.stderr.contains("layers[1].weights"), "stderr: \(shape.stderr)")
    }
}

/// `eval --exact` on the networks `synth --exact --save-networks` writes: exact where floating
/// point cannot be (weights beyond Double's range at n ≈ 150 and above).
@Suite("quadform eval --exact")
struct ExactEvalCommandTests {
    @Test("a 160-variable exact network: floating eval warns of non-finite results, --exact gives f(x) exactly")
    func largeExactNetwork() throws {
        // A = U·diag(d)·Uᵀ, U 160 × 80 with entries −5…5, a outside range(A): the plain network
        // has k + 2 neurons and weights of ~200 digits.
        var rng = SplitMix64(seed: 160)
        let n = 160, r = 80
        let u = (0..<n).map { _ in (0..<r).map { _ in Int.random(in: -5...5, using: &rng) } }
        let d = (0..<r).map { _ in [-3, -2, -1, 1, 2, 3][Int.random(in: 0..<6, using: &rng)] }
        var a = [[Int]](repeating: [Int](repeating: 0, count: n), count: n)
        for i in 0..<n { for j in 0..<n { var e = 0; for t in 0..<r { e += u[i][t] * d[t] * u[j][t] }; a[i][j] = e } }
        let linear = (0..<n).map { _ in Int.random(in: -3...3, using: &rng) }
        let folder = try makeScratchDirectory("exact-eval")
        defer { try? FileManager.default.removeItem(at: folder) }
        let form = "{\"constant\": 5, \"linear\": \(linear), \"quadratic\": \(a)}"
        try form.write(to: folder.appendingPathComponent("form.json"), atomically: true, encoding: .utf8)
        let synth = try BuiltExecutable.quadform(["synth", "--exact", "--input", "form.json", "--save-networks", "net.json", "--output", "report.txt"], in: folder)
        #expect(synth.status == 0, "\(synth.stderr)")
        // Two points, one with fractions: f at each, exactly, from the integer form.
        let points: [[Rational]] = [(0..<n).map { Rational($0 % 7 - 3) }, (0..<n).map { Rational($0 % 5 - 2) / Rational(3) }]
        func f(_ x: [Rational]) -> Rational {
            var value = Rational(5)
            for i in 0..<n where !x[i].isZero {
                value = value + Rational(linear[i]) * x[i]
                var row = Rational.zero
                for j in 0..<n where !x[j].isZero && a[i][j] != 0 { row = row + Rational(a[i][j]) * x[j] }
                value = value + x[i] * row
            }
            return value
        }
        let list = points.map { $0.map(\.description).joined(separator: ",") }.joined(separator: ";")
        for member in ["residual", "plain"] {
            let exact = try BuiltExecutable.quadform(["eval", "net.json", "--network", member, "--exact", "--at", list, "--format", "json"], in: folder)
            #expect(exact.status == 0, "\(exact.stderr)")
            let json = try JSONReader.parse(exact.stdout)
            let content = JSONContent(name: "eval")
            let results = try content.array(try content.member(json, "points", ""), "points")
            #expect(results.count == 2)
            for (point, result) in zip(points, results) {
                let y = try content.rational(try content.member(result, "y", "points[]"), "y")
                #expect(y == f(point), "\(member)")
            }
            // The same network in floating point overflows: the results are reported as not finite.
            let floating = try BuiltExecutable.quadform(["eval", "net.json", "--network", member, "--at", list], in: folder)
            if floating.stdout.contains("nan") || floating.stdout.contains("inf") {
                #expect(floating.stderr.contains("not finite") && floating.stderr.contains("--exact"))
            }
        }
    }
}
