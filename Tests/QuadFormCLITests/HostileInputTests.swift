import Foundation
import Testing
@testable import QuadFormCore
@testable import QuadFormReports
@testable import QuadFormInterop

/// Hostile and huge input (issue 14), run through the built `quadform` under `ulimit -v` and a
/// time limit, so that a regression fails the test instead of taking the machine down: closed and
/// full standard output, huge shapes, many JSON keys, output files under kills and races.
@Suite("Hostile and huge input (issue 14)")
struct HostileInputTests {
    /// Where the child's standard output goes.
    enum Stdout { case pipe, devFull, closedPipe }

    struct Outcome {
        var status: Int32
        var exitedNormally: Bool
        var stdout: String
        var stderr: String
        var seconds: Double
    }

    /// Runs `quadform arguments` in `directory` with at most `memoryMiB` of address space and
    /// `timeout` seconds (then it is killed and the test fails).
    static func run(_ arguments: [String], in directory: URL, stdout: Stdout = .pipe,
                    memoryMiB: Int = 2048, timeout: TimeInterval = 30) throws -> Outcome {
        let binary = try BuiltExecutable.url()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -v \(memoryMiB * 1024) && exec \"$0\" \"$@\"", binary.path] + arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_NUM_THREADS"] = "1"
        process.environment = environment
        let errPipe = Pipe()
        process.standardError = errPipe
        process.standardInput = FileHandle.nullDevice
        var outPipe: Pipe?
        switch stdout {
        case .pipe:
            outPipe = Pipe()
            process.standardOutput = outPipe
        case .devFull:
            process.standardOutput = FileHandle(forWritingAtPath: "/dev/full") as Any
        case .closedPipe:
            let pipe = Pipe()
            try pipe.fileHandleForReading.close()
            process.standardOutput = pipe
        }
        let start = Date()
        try process.run()
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data(), outData = Data()
        DispatchQueue.global().async(group: group) { errData = errPipe.fileHandleForReading.readDataToEndOfFile() }
        if let outPipe {
            DispatchQueue.global().async(group: group) { outData = outPipe.fileHandleForReading.readDataToEndOfFile() }
        }
        let deadline = start.addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("quadform \(arguments.joined(separator: " ").prefix(100)) ran past \(timeout) s")
        }
        process.waitUntilExit()
        group.wait()
        return Outcome(status: process.terminationStatus, exitedNormally: process.terminationReason == .exit,
                       stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self),
                       seconds: Date().timeIntervalSince(start))
    }

    /// The description of the error `body` throws, or nil.
    static func errorText(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return String(describing: error) }
    }

    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quadform-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static let network = """
        {"widths": [2, 1, 1], "activation": {"kind": "square"},
         "layers": [{"weights": [[1, 2]], "bias": [0]}, {"weights": [[3]], "bias": [1]}]}
        """

    // MARK: Standard output

    @Test("a full standard output is exit 2 with a message, not a trap", arguments: [
        ["synth", "x^2+y"], ["synth", "x^2+y", "--format", "json"], ["synth", "--exact", "x^2+y"],
        ["eval", "net.json", "--at", "1,2"], ["spectrum", "x^2+y^2"], ["prove", "x^2+y"],
    ])
    func fullStandardOutput(_ arguments: [String]) throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(Self.network.utf8).write(to: dir.appendingPathComponent("net.json"))
        let outcome = try Self.run(arguments, in: dir, stdout: .devFull)
        #expect(outcome.exitedNormally, "\(arguments): killed by signal \(outcome.status)")
        #expect(outcome.status == 2)
        #expect(outcome.stderr.hasPrefix("quadform: error: standard output: cannot be written"), "\(outcome.stderr)")
    }

    @Test("a reader that went away (| head -c1) ends the run quietly with status 2, not SIGPIPE", arguments: [
        ["synth", "--random", "200", "--format", "json"], ["synth", "x^2+y"], ["eval", "net.json", "--at", "1,2"],
    ])
    func closedPipe(_ arguments: [String]) throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(Self.network.utf8).write(to: dir.appendingPathComponent("net.json"))
        let outcome = try Self.run(arguments, in: dir, stdout: .closedPipe)
        #expect(outcome.exitedNormally, "\(arguments): killed by signal \(outcome.status)")
        #expect(outcome.status == 2)
        #expect(outcome.stderr.isEmpty, "\(outcome.stderr)")
    }

    // MARK: JSON

    @Test("a JSON object with 200 000 keys is read in linear time; a duplicate among them is found")
    func manyKeys() throws {
        let count = 200_000
        var text = "{"
        for i in 0..<count { text += "\"k\(i)\": \(i)," }
        text += "\"quadratic\": [[1]]}"
        let start = Date()
        let value = try JSONReader.parse(text, name: "keys.json")
        #expect(Date().timeIntervalSince(start) < 20, "a quadratic duplicate check takes minutes here")
        guard case .object(let members) = value else { Issue.record("not an object"); return }
        #expect(members.count == count + 1)
        let duplicate = text.replacingOccurrences(of: "\"quadratic\"", with: "\"k7\"")
        #expect(throws: JSONError(location: "keys.json:1:\(text.utf8.count - 18)", message: "duplicate member \"k7\"")) {
            try JSONReader.parse(duplicate, name: "keys.json")
        }
        // Through the executable: refused as a form (unknown key), quickly.
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(text.utf8).write(to: dir.appendingPathComponent("keys.json"))
        let outcome = try Self.run(["synth", "--input", "keys.json"], in: dir)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("unknown key"), "\(outcome.stderr)")
    }

    @Test("JSON arrays of Doubles write and compare like arrays of numbers")
    func numbersValues() throws {
        let m = Matrix(rows: 2, columns: 3, entries: [1, 0.1, -2.5e-300, .infinity, 0, 1e20])
        let value = JSONValue.object([("m", JSONWriter.matrix(m)), ("v", JSONWriter.numbers([3, .nan, 0.25])),
                                      ("e", JSONWriter.matrix(Matrix(rows: 2, columns: 0))), ("z", JSONWriter.numbers([]))])
        let text = JSONWriter.write(value)
        let spelled = JSONValue.object([
            ("m", .array([.array([.number("1"), .number("0.1"), .number("-2.5e-300")]), .array([.null, .number("0"), .number("1e+20")])])),
            ("v", .array([.number("3"), .null, .number("0.25")])),
            ("e", .array([.array([]), .array([])])), ("z", .array([])),
        ])
        #expect(text == JSONWriter.write(spelled))
        #expect(try JSONReader.parse(text) == value)
        #expect(value == spelled)
        #expect(JSONValue.numbers([1, 2]) != .numbers([1, 3]))
        // The streamed text is the same, byte for byte.
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("v.json").path
        let big = JSONValue.object([("m", JSONWriter.matrix(Matrix(rows: 300, columns: 300, entries: (0..<90_000).map { Double($0) / 7 })))])
        try OutputFile.write(to: path) { try JSONWriter.write(big, to: &$0) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == JSONWriter.write(big))
    }

    // MARK: Huge shapes

    /// The bytes of a `.npy` file with `header` and `payload`.
    static func npy(_ header: String, _ payload: [UInt8] = []) -> Data {
        var text = header
        while (10 + text.utf8.count + 1) % 64 != 0 { text += " " }
        text += "\n"
        let length = text.utf8.count
        return Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(text.utf8) + payload)
    }

    @Test("eval of a network without inputs on 2·10⁹ points of shape (m, 0) is refused by its row count")
    func zeroWidthPoints() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"{"widths": [0, 1, 1], "activation": {"kind": "square"}, "layers": [{"weights": [[]], "bias": [1]}, {"weights": [[2]], "bias": [0]}]}"#.utf8)
            .write(to: dir.appendingPathComponent("net0.json"))
        try Self.npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2000000000, 0), }").write(to: dir.appendingPathComponent("rows.npy"))
        for extra in [[], ["--output", "y.npy"]] {
            let outcome = try Self.run(["eval", "net0.json", "--points", "rows.npy"] + extra, in: dir)
            #expect(outcome.exitedNormally && outcome.status == 2, "\(outcome.status) \(outcome.stderr)")
            #expect(outcome.stderr.contains("rows.npy: 2000000000 points; at most \(NetworkEvaluation.maximumPoints)"), "\(outcome.stderr)")
        }
        // A few rows of the same shape are fine: the network's constant output.
        try Self.npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 0), }").write(to: dir.appendingPathComponent("three.npy"))
        let outcome = try Self.run(["eval", "net0.json", "--points", "three.npy"], in: dir)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == String(repeating: "realization() = 2\n", count: 3))
    }

    @Test("batch evaluation of a network with a layer of width 10⁶ goes a few rows per block (64 MiB), not 256 (2 GB a layer)")
    func wideLayerBlocks() throws {
        let width = 1_000_000
        let net = try ResNet(widths: [1, width, 1], activation: .square,
                             layers: [ResNet.Layer(weights: Matrix(rows: width, columns: 1, repeating: 1), bias: [Double](repeating: 0, count: width)),
                                      ResNet.Layer(weights: Matrix(rows: 1, columns: width, repeating: 1), bias: [0])])
        let block = net.batchBlockRows
        // z_2 and x_1 are held while layer 2 is computed.
        #expect(block >= 1 && block < 256 && block * (width + 1) * MemoryLayout<Double>.stride <= ResNet.batchWorkingBytes, "\(block) rows per block")
        // Across block boundaries the values are right: Σ_j (1·x)² = 10⁶ x².
        let points = Matrix(rows: 2 * block + 3, columns: 1, entries: (0..<(2 * block + 3)).map { Double($0) / 4 })
        let y = try net.realization(batch: points)
        for i in 0..<points.rows { #expect(y[i, 0] == Double(width) * points[i, 0] * points[i, 0]) }
        // Narrow networks keep the cache-sized blocks of at least 256 rows.
        let narrow = try ResNet(widths: [6, 40, 3, 2], activation: .relu,
                                layers: [ResNet.Layer(weights: Matrix(rows: 40, columns: 6), bias: Array(repeating: 0, count: 40)),
                                         ResNet.Layer(weights: Matrix(rows: 3, columns: 40), bias: [0, 0, 0]),
                                         ResNet.Layer(weights: Matrix(rows: 2, columns: 3), bias: [0, 0])])
        #expect(narrow.batchBlockRows == ResNet.batchBlockRows(forWidest: 40))
    }

    @Test("a network whose parameters alone exceed the limit is refused from its widths, before its layers are read")
    func parameterLimit() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"{"widths": [1000000, 1000000, 1], "activation": {"kind": "square"}, "layers": []}"#.utf8).write(to: dir.appendingPathComponent("big.json"))
        let outcome = try Self.run(["eval", "big.json", "--at", "1"], in: dir)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("big.json: widths: the network would have 1000002000001 weights and biases; at most \(ResNet.maximumParameters)"), "\(outcome.stderr)")
        #expect(ResNet.parameterCount(widths: [2, 3, 1], skips: [(0, 2)]) == 3 * 3 + 1 * 4 + 2)
        #expect(ResNet.parameterCount(widths: [Int.max, 2]) == Int.max)
    }

    @Test("an .npy header that names a key twice is refused (NumPy would take the last)")
    func npyKeyTwice() throws {
        let payload = [UInt8](repeating: 0, count: 16)
        for header in ["{'descr': '<f8', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
                       "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'shape': (4,), }",
                       "{'descr': '<f8', 'fortran_order': False, \"fortran_order\": True, 'shape': (2,), }"] {
            let message = Self.errorText { _ = try Npy.parse(Self.npy(header, payload), path: "k.npy") }
            #expect(message?.contains("is given twice") == true, "\(header): \(message ?? "accepted")")
        }
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("k.npy").path
        try Self.npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'shape': (1,), }", payload).write(to: URL(fileURLWithPath: path))
        #expect(Self.errorText { _ = try Npy.read(path) }?.contains("'shape' is given twice") == true)
        for header in ["{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'extra': 1}",
                       "{'descr': '<f8', 'fortran_order': False, 'shape': (2,)} trailing"] {
            #expect(Self.errorText { _ = try Npy.parse(Self.npy(header, payload), path: "k.npy") } != nil, "\(header)")
        }
        #expect(try Npy.parse(Self.npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", payload), path: "k.npy").shape == [2])
        #expect(try Npy.parse(Self.npy("{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"<f8\"}", payload), path: "k.npy").shape == [2])
    }

    // MARK: Options

    @Test("parameters that overflow name the option: --box and --activation", arguments: [
        (["synth", "x^2+y", "--box", "5e-324"], "--box 5e-324"),
        (["synth", "x^2+y", "--activation", "quadratic:5e-324,0,0"], "--activation quadratic:"),
    ])
    func optionNamed(_ arguments: [String], _ fragment: String) throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outcome = try Self.run(arguments, in: dir)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.hasPrefix("quadform: error: \(fragment)"), "\(outcome.stderr)")
    }

    // MARK: Output files

    @Test("a replaced --output file keeps its permission bits; a new one gets 0666 less the umask")
    func permissionsKept() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("report.txt").path
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o640)
        try OutputFile.write("new\n", to: path)
        var status = stat()
        stat(path, &status)
        #expect(status.st_mode & 0o7777 == 0o640)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
        let fresh = dir.appendingPathComponent("fresh.txt").path
        try OutputFile.write("x\n", to: fresh)
        let mask = umask(0o022)
        umask(mask)
        stat(fresh, &status)
        #expect(status.st_mode & 0o7777 == 0o666 & ~mask)
    }

    @Test("a dangling symbolic link is written through: the file it names is created and the link kept")
    func danglingLink() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        let link = dir.appendingPathComponent("link.txt").path
        try fm.createSymbolicLink(atPath: link, withDestinationPath: "target.txt")
        try OutputFile.write("through\n", to: link)
        #expect(try fm.attributesOfItem(atPath: link)[.type] as? FileAttributeType == .typeSymbolicLink)
        #expect(try String(contentsOfFile: dir.appendingPathComponent("target.txt").path, encoding: .utf8) == "through\n")
        let loop = dir.appendingPathComponent("loop").path
        try fm.createSymbolicLink(atPath: loop, withDestinationPath: "loop")
        #expect(throws: FileError.self) { try OutputFile.write("x", to: loop) }
    }

    @Test("temporaries a killed run left behind are removed by the next write; a live writer's and foreign names stay")
    func staleTemporaries() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        let fm = FileManager.default
        let stale = ".out.txt.tmp-\(dead.processIdentifier)-12345"
        let live = ".out.txt.tmp-\(getpid())-777"
        let foreign = [".out.txt.tmp-notapid", ".other.txt.tmp-\(dead.processIdentifier)-1", ".out.txt.tmp-\(dead.processIdentifier)-1-x"]
        for name in [stale, live] + foreign { try Data("partial".utf8).write(to: dir.appendingPathComponent(name)) }
        let outcome = try Self.run(["synth", "x^2+y", "--output", "out.txt"], in: dir)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let left = Set(try fm.contentsOfDirectory(atPath: dir.path))
        #expect(!left.contains(stale))
        #expect(left.isSuperset(of: [live, "out.txt"] + foreign))
    }

    @Test("SIGKILL and SIGINT during a large write: the old file or a complete new one, never a partial one, and no temporary left")
    func killedWrites() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let binary = try BuiltExecutable.url()
        let output = dir.appendingPathComponent("big.json")
        try Data("{\"old\": true}\n".utf8).write(to: output)
        var rng = SplitMix64(seed: 14)
        for (round, signal) in [SIGKILL, SIGINT, SIGKILL, SIGINT, SIGKILL].enumerated() {
            let process = Process()
            process.executableURL = binary
            process.arguments = ["synth", "--random", "300", "--seed", "\(round)", "--format", "json", "--output", output.path]
            process.currentDirectoryURL = dir
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: 0.4 + Double(rng.next() % 1000) / 1000)
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            let text = try String(contentsOf: output, encoding: .utf8)
            #expect((try? JSONReader.parse(text)) != nil, "round \(round): a partial file (\(text.utf8.count) bytes)")
            if signal == SIGINT {
                #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["big.json"], "SIGINT left a temporary")
            }
        }
        let outcome = try Self.run(["synth", "x^2+y", "--format", "json", "--output", "big.json"], in: dir)
        #expect(outcome.status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["big.json"])
    }

    @Test("concurrent runs writing the same --output end with one complete file of one of them")
    func concurrentWriters() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let binary = try BuiltExecutable.url()
        let forms = (1...6).map { "x^2 + \($0)*x*y + y" }
        let processes = try forms.map { form in
            let process = Process()
            process.executableURL = binary
            process.arguments = ["synth", form, "--format", "json", "--output", "same.json"]
            process.currentDirectoryURL = dir
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        for process in processes { process.waitUntilExit(); #expect(process.terminationStatus == 0) }
        let report = try JSONReader.parse(String(contentsOf: dir.appendingPathComponent("same.json"), encoding: .utf8))
        let m = report["form"]?["quadratic"]
        #expect((1...6).contains { m == .array([.array([.number("1"), .number("\($0)")]), .array([.number("0"), .number("0")])]) }, "\(String(describing: m))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["same.json"])
    }
}
