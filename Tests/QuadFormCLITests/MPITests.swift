import Foundation
import Testing
@testable import QuadFormCore
@testable import QuadFormReports
@testable import QuadFormInterop

/// `quadform-mpi` under `mpirun` on loopback (docs/distributed.md): P = 1, 2, 4 processes give the
/// single-process rank, eigenvalues (to rounding), neuron counts and verified networks. Skipped only
/// when `mpirun` is absent outside CI; under CI=true it must run.
@Suite(.serialized) struct MPITests {
    /// `mpirun`, or nil when it is not installed (then CI=true makes the test fail).
    static func mpirun() throws -> URL? {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("mpirun")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            throw BuiltExecutable.Failure(description: "mpirun not found under CI=true (.ci/run installs openmpi-bin)")
        }
        return nil
    }

    static func executable() throws -> URL {
        for folder in BuiltExecutable.candidateFolders {
            let candidate = folder.appendingPathComponent("quadform-mpi")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw BuiltExecutable.Failure(description: "quadform-mpi not found next to the test bundle; run `swift build` first")
    }

    /// Runs `mpirun -np p quadform-mpi args` as root-safe, loopback-only, oversubscribed.
    static func run(_ mpirun: URL, processes p: Int, _ arguments: [String]) throws -> BuiltExecutable.Run {
        var environment = ProcessInfo.processInfo.environment
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        environment["OMPI_MCA_btl"] = "self,vader"
        environment["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none"
        environment["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
        environment["OPENBLAS_NUM_THREADS"] = "1"
        return try BuiltExecutable.run(mpirun, ["--allow-run-as-root", "--oversubscribe", "-np", String(p), try executable().path] + arguments,
                                       environment: environment)
    }

    /// A dense symmetric n × n matrix of rank k (k random rank-one terms of both signs) and a
    /// generic linear term (so a_N ≠ 0), written as .npy files in a fresh folder.
    static func writeForm(n: Int, rank k: Int, seed: UInt64, triangular: Bool = false) throws -> (folder: URL, form: QuadraticForm) {
        var rng = SplitMix64(seed: seed)
        var a = [Double](repeating: 0, count: n * n)
        for t in 0..<k {
            let u = (0..<n).map { _ in rng.nextGaussian() / Double(n).squareRoot() }
            let w = (t % 2 == 0 ? 1.0 : -1.0) * (1 + rng.nextUnit())
            for i in 0..<n { for j in 0..<n { a[i * n + j] += w * u[i] * u[j] } }
        }
        for i in 0..<n { for j in 0..<i { a[i * n + j] = a[j * n + i] } }  // exactly symmetric
        if triangular {  // M with its cross terms in the upper triangle only (as the expression parser stores them)
            for i in 0..<n { for j in 0..<i { a[j * n + i] *= 2; a[i * n + j] = 0 } }
        }
        let linear = (0..<n).map { _ in rng.nextGaussian() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quadform-mpi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Npy.encode(a, shape: [n, n]).write(to: folder.appendingPathComponent("A.npy"))
        try Npy.encode(linear, shape: [n]).write(to: folder.appendingPathComponent("a.npy"))
        return (folder, try QuadraticForm(constant: 0.5, linear: linear, quadratic: Matrix(rows: n, columns: n, entries: a)))
    }

    /// Progress under mpirun (issue 24): process 0 draws its stages with --progress (its standard
    /// error is a pipe there, so nothing is drawn without it); the report is unchanged.
    @Test func progressStages() throws {
        guard let mpirun = try MPITests.mpirun() else { return }
        let (folder, _) = try MPITests.writeForm(n: 300, rank: 120, seed: 5)
        defer { try? FileManager.default.removeItem(at: folder) }
        setenv("QUADFORM_PROGRESS_DELAY", "0", 1)  // mpirun passes the environment to its processes
        defer { unsetenv("QUADFORM_PROGRESS_DELAY") }
        let quiet = try MPITests.run(mpirun, processes: 2, ["synth", "--quadratic", folder.appendingPathComponent("A.npy").path, "--quiet"])
        #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet.stderr)")
        let shown = try MPITests.run(mpirun, processes: 2, ["synth", "--quadratic", folder.appendingPathComponent("A.npy").path, "--progress"])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stderr.contains("quadform-mpi: decompose (ScaLAPACK)") && shown.stderr.contains(" done\n"), "\(shown.stderr)")
        #expect(shown.stdout == quiet.stdout)
    }

    static func number(_ value: JSONValue?) -> Double? {
        if case let .number(text)? = value { return Double(text) }
        return nil
    }

    /// P = 1, 2, 4 against the single-process synthesis, at n above the full-expansion limit (so
    /// the products with A run distributed) and below it with a non-symmetric (triangular) M.
    @Test(arguments: [(300, 120, false), (40, 15, true)])
    func matchesSingleProcess(size: (n: Int, k: Int, triangular: Bool)) throws {
        guard let mpirun = try MPITests.mpirun() else { return }
        let (folder, form) = try MPITests.writeForm(n: size.n, rank: size.k, seed: UInt64(size.n), triangular: size.triangular)
        defer { try? FileManager.default.removeItem(at: folder) }
        let single = try Synthesis(form: form, options: SynthesisOptions(driver: .dsyevd))
        #expect(single.rank == size.k && single.hasLinearNullPart)
        let scale = single.eigen.eigenvalues.reduce(0) { max($0, abs($1)) }
        for p in [1, 2, 4] {
            let report = folder.appendingPathComponent("report-\(p).json")
            let run = try MPITests.run(mpirun, processes: p, ["synth", "--quadratic", folder.appendingPathComponent("A.npy").path,
                                                              "--linear", folder.appendingPathComponent("a.npy").path, "--constant", "0.5",
                                                              "--format", "json", "--output", report.path])
            #expect(run.status == 0, "P = \(p): \(run.stderr)")
            let json = try JSONReader.parse(String(decoding: try Data(contentsOf: report), as: UTF8.self))
            guard case let .object(members) = json else { Issue.record("P = \(p): report is not an object"); continue }
            let value = Dictionary(members, uniquingKeysWith: { a, _ in a })
            #expect(MPITests.number(value["rank"]) == Double(single.rank), "P = \(p)")
            let tolerance = MPITests.number(value["rank_tolerance"]) ?? .nan
            #expect(abs(tolerance - single.rankTolerance) <= 1e-6 * single.rankTolerance, "P = \(p): rank tolerance \(tolerance) vs \(single.rankTolerance)")
            #expect(value["rank_tolerance_rule"] == .string(single.tolerance.jsonRule))
            guard case let .array(values)? = value["eigenvalues"] else { Issue.record("no eigenvalues"); continue }
            let eigenvalues = values.compactMap { MPITests.number($0) }
            #expect(eigenvalues.count == size.n)
            let worst = zip(eigenvalues, single.eigen.eigenvalues).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst <= 64 * Double(size.n) * .ulpOfOne * scale, "P = \(p): eigenvalues differ by \(worst)")
            guard case let .object(residual)? = value["residual"], case let .object(plain)? = value["plain"],
                  case let .object(verification)? = value["verification"] else { Issue.record("missing members"); continue }
            #expect(MPITests.number(Dictionary(residual, uniquingKeysWith: { a, _ in a })["neurons"]) == Double(size.k))
            #expect(MPITests.number(Dictionary(plain, uniquingKeysWith: { a, _ in a })["neurons"]) == Double(size.k + 2))
            #expect(Dictionary(verification, uniquingKeysWith: { a, _ in a })["passed"] == .bool(true), "P = \(p)")
            // The single-process report's keys, all present.
            let singleKeys = Set(try JSONReader.parse(JSONWriter.write(SynthesisReport(synthesis: single).json)).objectKeys)
            #expect(singleKeys.isSubset(of: Set(value.keys)), "P = \(p): missing \(singleKeys.subtracting(value.keys))")
        }
    }

    /// Bad input: a non-finite entry is named once (by process 0), exit status 2, no report written.
    @Test func badInputIsReportedOnce() throws {
        guard let mpirun = try MPITests.mpirun() else { return }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quadform-mpi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var a = [Double](repeating: 1, count: 64)
        a[5 * 8 + 6] = .nan
        try Npy.encode(a, shape: [8, 8]).write(to: folder.appendingPathComponent("A.npy"))
        let output = folder.appendingPathComponent("r.txt")
        let run = try MPITests.run(mpirun, processes: 4, ["synth", "--quadratic", folder.appendingPathComponent("A.npy").path, "--output", output.path])
        #expect(run.status == 2)
        #expect(run.stderr.components(separatedBy: "entry [5, 6] is nan; entries must be finite").count == 2, "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    /// --save-networks writes the format its name says (issue 25: n.onnx was a ZIP), or refuses
    /// an unknown extension before computing anything.
    @Test func saveNetworksFormatFollowsTheName() throws {
        guard let mpirun = try MPITests.mpirun() else { return }
        let (folder, _) = try MPITests.writeForm(n: 6, rank: 3, seed: 6, triangular: false)
        defer { try? FileManager.default.removeItem(at: folder) }
        let matrix = folder.appendingPathComponent("A.npy").path
        for name in ["n.onnx", "n.safetensors", "n.json", "n.npz"] {
            let path = folder.appendingPathComponent(name).path
            let run = try MPITests.run(mpirun, processes: 2, ["synth", "--quadratic", matrix, "--save-networks", path])
            #expect(run.status == 0, "\(name): \(run.stderr)")
            let loaded = try NetworkFile.read(path)
            #expect(loaded.network.hiddenNeurons == 3, "\(name)")
        }
        let bad = folder.appendingPathComponent("n.txt").path
        let run = try MPITests.run(mpirun, processes: 2, ["synth", "--quadratic", matrix, "--save-networks", bad])
        #expect(run.status != 0)
        #expect(run.stderr.contains(".txt"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: bad))
    }
}

extension JSONValue {
    /// The member names of an object (empty for other values).
    var objectKeys: [String] {
        if case let .object(members) = self { return members.map(\.0) }
        return []
    }
}
