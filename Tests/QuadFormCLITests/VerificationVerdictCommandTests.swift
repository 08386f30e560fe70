import Foundation
import Testing
@testable import QuadFormCore
@testable import QuadFormReports
@testable import QuadFormInterop
import QuadFormTestSupport

/// The verdicts of design.md §5 as the executable reports them: exit statuses and messages.
@Suite("Verification verdicts through quadform")
struct VerificationVerdictCommandTests {
    @Test("g = 0 for x² + y² (rank tolerance 10) exits 1 and says APPROXIMATE")
    func droppedEigenvaluesCommandLine() throws {
        let run = try BuiltExecutable.quadform(["synth", "x^2+y^2", "--rank-tolerance", "10"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("verification        APPROXIMATE"))
        #expect(run.stderr.contains("APPROXIMATE"))
        let plain = try BuiltExecutable.quadform(["synth", "x^2+y^2"])
        #expect(plain.status == 0 && plain.stdout.contains("verification        PASSED"))
    }

    @Test("float32 .npy input: its ε sets the rank tolerance (k = 3, not 6) and the report names it")
    func float32Input() throws {
        let n = 6
        let q = try TestMatrices.orthogonal(n, seed: 11)
        let a = TestMatrices.matrix(q, [3, -2, 1])
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

    @Test("A skew part of 1e20 in M: k = 2 and PASSED; prove's residual minimum is 2 (issue 22)")
    func skewPartCommandLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("skew-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("skew.json").path
        try Data(#"{"quadratic": [[1, 1e20], [-1e20, 1]]}"#.utf8).write(to: URL(fileURLWithPath: path))
        let run = try BuiltExecutable.quadform(["synth", "--input", path])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("k = 2"))
        #expect(run.stdout.contains("verification        PASSED"))
        let proof = try BuiltExecutable.quadform(["prove", "--input", path, "--format", "json"])
        #expect(proof.stdout.contains("\"residual_minimum\": 2") || proof.stdout.contains("\"residual_minimum\":2"), "\(proof.stdout.prefix(400))")
    }

    @Test("1e-8·x² + x: the plain network is ILL_CONDITIONED, exit 1 with the way out; --accuracy 1e-6 passes it")
    func illConditionedCommandLine() throws {
        let run = try BuiltExecutable.quadform(["synth", "1e-8*x^2 + x"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("verification        ILL_CONDITIONED"))
        #expect(run.stdout.contains("use the residual network"))
        #expect(run.stderr.contains("ILL_CONDITIONED"))
        let json = try BuiltExecutable.quadform(["synth", "1e-8*x^2 + x", "--format", "json"])
        #expect(json.stdout.contains("\"status\": \"ill_conditioned\"") || json.stdout.contains("\"status\":\"ill_conditioned\""))
        let loose = try BuiltExecutable.quadform(["synth", "1e-8*x^2 + x", "--accuracy", "1e-6"])
        #expect(loose.status == 0, "\(loose.stdout)")
        let bad = try BuiltExecutable.quadform(["synth", "x^2", "--accuracy", "0"])
        #expect(bad.status == 2 && bad.stderr.contains("--accuracy"))
    }

    @Test("A completed square that overflows: exit 0, the residual network, a k + 2 plain one that says why")
    func overflowingSquareCommandLine() throws {
        let run = try BuiltExecutable.quadform(["synth", "1e-200*x^2 + 1e100*x"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("completing the square overflows"))
        #expect(run.stdout.contains("plain network       3 square neurons"))
    }
}
