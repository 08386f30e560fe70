import Foundation
import Testing
@testable import QuadFormCore
@testable import QuadFormReports
@testable import QuadFormInterop
import QuadFormTestSupport

/// Runs the built `quadform` executable (found next to the test bundle in the build products
/// directory) on bad input and checks what a script sees: exit status 2 from a normal exit (not a
/// signal), a first stderr line "quadform: error: …" that names the problem, and an existing
/// `--output` file left exactly as it was.
@Suite("Bad input through the quadform executable (synth, eval)")
struct CommandLineBadInputTests {
    /// The executable, from the build products directory of this test bundle.
    static let executable: URL? = try? BuiltExecutable.url()

    struct Outcome {
        var status: Int32
        var exitedNormally: Bool
        var stderr: String
        var stdout: String
    }

    /// Runs the executable with `arguments` in `directory`, killing it after `timeout` seconds.
    static func run(_ arguments: [String], in directory: URL, timeout: TimeInterval = 120) throws -> Outcome {
        let binary = try #require(executable, "the quadform executable was not found next to the test bundle; run `swift build` first")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_NUM_THREADS"] = "1"
        process.environment = environment
        let errPipe = Pipe(), outPipe = Pipe()
        process.standardError = errPipe
        process.standardOutput = outPipe
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        // Drain both pipes while waiting so a chatty child cannot block on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data(), outData = Data()
        DispatchQueue.global().async(group: group) { errData = errPipe.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { outData = outPipe.fileHandleForReading.readDataToEndOfFile() }
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            process.terminate()
            Issue.record("quadform \(arguments.joined(separator: " ").prefix(80)) did not finish within \(timeout) s (a hang)")
        }
        process.waitUntilExit()
        group.wait()
        return Outcome(status: process.terminationStatus,
                       exitedNormally: process.terminationReason == .exit,
                       stderr: String(decoding: errData, as: UTF8.self),
                       stdout: String(decoding: outData, as: UTF8.self))
    }

    /// Input files the cases refer to, written into a scratch directory.
    static func writeFixtures(into dir: URL) throws {
        func put(_ name: String, _ text: String) throws {
            try Data(text.utf8).write(to: dir.appendingPathComponent(name))
        }
        try put("empty.json", "")
        let layers = "\"layers\": [{\"weights\": [[1, 2]], \"bias\": [0]}, {\"weights\": [[3]], \"bias\": [1]}]"
        try put("net.json", "{\"widths\": [2, 1, 1], \"activation\": {\"kind\": \"square\"}, \(layers)}")
        try put("act.json", "{\"widths\": [2, 1, 1], \"activation\": {\"kind\": \"tanh\"}, \(layers)}")
        try put("back.json", "{\"widths\": [2, 1, 1], \"activation\": {\"kind\": \"relu\"}, \(layers), \"skips\": [{\"from\": 2, \"to\": 1, \"weights\": [[1]]}]}")
        try put("range.json", "{\"widths\": [2, 1, 1], \"activation\": {\"kind\": \"relu\"}, \(layers), \"skips\": [{\"from\": 0, \"to\": 7, \"weights\": [[1, 1]]}]}")
        try put("widths.json", "{\"widths\": [3, 1, 1], \"activation\": {\"kind\": \"relu\"}, \(layers)}")
        try Npy.encode(Array(repeating: 1, count: 12), shape: [4, 3]).write(to: dir.appendingPathComponent("p3.npy"))
        // 40 × 40 coefficients of about 4000 digits: an exact reduction would run for hours.
        let huge = (0..<40).map { i in "[" + (0..<40).map { j in "\"\((i + j) % 9 + 1)e\(4000 - 37 * j)/\(i + 7)\"" }.joined(separator: ", ") + "]" }
        try put("huge-exact.json", "{\"quadratic\": [" + huge.joined(separator: ", ") + "]}")
        try put("notjson.json", "quadratic: [[1]]")
        try put("ragged.json", "{\"quadratic\": [[1, 2], [3]]}")
        try put("mismatch.json", "{\"quadratic\": [[1, 0], [0, 1]], \"linear\": [1]}")
        try put("nan.json", "{\"quadratic\": [[NaN]]}")
        try put("overflow.json", "{\"quadratic\": [[1]], \"constant\": 1e999}")
        try put("wrongtype.json", "{\"quadratic\": [[1, \"two\"], [3, 4]]}")
        try put("deep.json", String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("adir"), withIntermediateDirectories: true)
        try Data("not numpy".utf8).write(to: dir.appendingPathComponent("bad-magic.npy"))
        try npyBytes(header: "{'descr': '<c16', 'fortran_order': False, 'shape': (1, 1), }", payload: Array(repeating: 0, count: 16))
            .write(to: dir.appendingPathComponent("complex.npy"))
        try npyBytes(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 3), }", payload: Array(repeating: 0, count: 40))
            .write(to: dir.appendingPathComponent("truncated.npy"))
        try npyBytes(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (3000000000, 3000000000), }", payload: [])
            .write(to: dir.appendingPathComponent("absurd.npy"))
        try Npy.encode([1, 2, 3, 4, 5, 6], shape: [2, 3]).write(to: dir.appendingPathComponent("rect.npy"))
        try Npy.encode([1, .nan, 0, 1], shape: [2, 2]).write(to: dir.appendingPathComponent("nan.npy"))
        try Npy.encode([1, 0, 0, 1], shape: [2, 2]).write(to: dir.appendingPathComponent("good.npy"))
        try Npy.encode([1, 2, 3], shape: [3]).write(to: dir.appendingPathComponent("vec3.npy"))
    }

    /// (arguments, fragment that the first stderr line must contain).
    static let cases: [([String], String)] = [
        (["synth", "x^2 +"], "expression:1:5: expression ends after '+'"),
        (["synth", "(x + y"], "unbalanced '('"),
        (["synth", "x ** * y"], "exponent must be"),
        (["synth", "x +* y"], "doubled operator"),
        (["synth", "1.2.3*x"], "malformed number"),
        (["synth", "x @ y"], "unexpected character '@'"),
        (["synth", ""], "empty expression"),
        (["synth", "x*y*z"], "degree 3"),
        (["synth", "(x^2)^3"], "degree 6"),
        (["synth", "x^1.5"], "non-negative integer"),
        (["synth", "x/y"], "division by an expression that contains y"),
        (["synth", "x/(3-3)"], "division by zero"),
        (["synth", "1e309*x"], "overflows a Double"),
        (["synth", "x^2", "--rank-tolerance", "1e-400"], "--rank-tolerance 1e-400 is out of range: it underflows to zero"),
        (["synth", "x^2", "--box=1e999"], "--box 1e999 is out of range: it overflows a Double"),
        (["synth", "x^123456789012345678901234567890"], "too large"),
        (["synth", String(repeating: "(", count: 40_000) + "x" + String(repeating: ")", count: 40_000)], "nests deeper than"),
        (["synth", "1e308*x^2 + y"], "the largest Double (1.8e308)"),
        (["synth", "--random", "4", "--rank", "0", "--box", "1e300"], "the largest Double (1.8e308)"),
        (["synth", "x^2 +\n y $"], "unexpected character '$'"),
        (["synth", "x\u{7}"], "control character U+0007"),
        (["synth", "--exact", "--input", "huge-exact.json"], "exact synthesis: a coefficient needs"),
        (["synth", "--exact", "x^2 + (10^5000)*y"], "too large for exact arithmetic"),
        (["synth", "--exact", "x^3"], "degree 3"),
        (["synth", "x^2", "--activation", "quadratic:0,1,2"], "α must not be 0"),
        (["synth", "--input", "missing.json"], "missing.json: no such file"),
        (["synth", "--input", "adir"], "adir: is a directory"),
        (["synth", "--quadratic", "/dev/zero"], "/dev/zero: more than 268435456 bytes"),
        (["synth", "--input", "empty.json"], "empty.json:1:1: empty input"),
        (["synth", "--input", "notjson.json"], "notjson.json:1:1:"),
        (["synth", "--input", "ragged.json"], "ragged.json: quadratic[1]:"),
        (["synth", "--input", "mismatch.json"], "mismatch.json: linear: has 1 entries but quadratic is 2×2"),
        (["synth", "--input", "nan.json"], "NaN and Infinity are not JSON numbers"),
        (["synth", "--input", "overflow.json"], "overflow.json: constant: number 1e999 overflows a Double"),
        (["synth", "--input", "wrongtype.json"], "wrongtype.json: quadratic[0][1]:"),
        (["synth", "--input", "deep.json"], "nesting deeper than"),
        (["synth", "--quadratic", "bad-magic.npy"], "magic string"),
        (["synth", "--quadratic", "complex.npy"], "dtype '<c16' is not supported (supported:"),
        (["synth", "--quadratic", "truncated.npy"], "truncated data"),
        (["synth", "--quadratic", "absurd.npy"], "refusing to allocate"),
        (["synth", "--quadratic", "rect.npy"], "expected a square matrix"),
        (["synth", "--quadratic", "nan.npy"], "entry [0, 1] is nan"),
        (["synth", "--quadratic", "good.npy", "--linear", "vec3.npy"], "vec3.npy has 3 entries"),
        (["synth", "--quadratic", "missing.npy"], "missing.npy: no such file"),
        (["synth", "--random", "-4"], "must be ≥ 0"),
        (["synth", "--random", "3", "--rank", "5"], "--rank must be between 0 and 3"),
        (["synth", "--random", "3", "--rank", "-1"], "--rank must be between 0 and 3"),
        (["synth", "--random", "99999999"], "exceeds the limit"),
        (["synth", "--random", "three"], "invalid for '--random"),
        (["synth", "--rank", "2", "x^2"], "--rank goes with --random"),
        (["synth", "x^2", "--input", "good.json"], "give exactly one form"),
        (["synth", "x^2", "--random", "3"], "give exactly one form"),
        (["synth"], "give a form"),
        (["synth", "x^2", "--no-such-option"], "Unknown option '--no-such-option'"),
        (["synth", "x^2", "--box", "-1"], "--box must be a finite number > 0"),
        (["synth", "x^2", "--box", "nan"], "--box must be a finite number > 0"),
        (["synth", "x^2", "--samples", "-5"], "--samples must be between"),
        (["synth", "x^2", "--rank-tolerance", "-1"], "--rank-tolerance must be"),
        (["synth", "x^2", "--driver", "dsyevx"], "dsyevx"),
        (["synth", "x^2", "--variables", "x,x"], "lists a name twice"),
        (["synth", "x*y", "--variables", "x"], "does not list y"),
        (["synth", "--quadratic", "good.npy", "--constant", "inf"], "--constant must be finite"),
        (["synth", "-x^2 + y"], "goes after '--'"),
        (["nosuchcommand"], "Unexpected argument 'nosuchcommand'"),
        // eval: networks read through Formats.network, points through --at and --points.
        (["eval", "net.json", "--at", "1,2,3"], "the network takes 2 per point"),
        (["eval", "net.json", "--at", "1,nan"], "is not a finite number"),
        (["eval", "net.json", "--at", "1e999,1"], "is not a finite number"),
        (["eval", "act.json", "--at", "1,2"], "act.json: activation.kind: unknown activation \"tanh\""),
        (["eval", "back.json", "--at", "1,2"], "back.json: skips[0]: skip (2, 1) must satisfy 0 ≤ from < to ≤ 2"),
        (["eval", "range.json", "--at", "1,2"], "range.json: skips[0]: skip (0, 7)"),
        (["eval", "widths.json", "--at", "1,2,3"], "widths.json: layers[0].weights[0]: expected 3 entries, found 2"),
        (["eval", "empty.json", "--at", "1"], "empty.json:1:1: empty input"),
        (["eval", "missing.json", "--at", "1"], "missing.json: no such file"),
        (["eval", "net.json", "--points", "p3.npy", "--output", "OUT"], "does not hold points of 2 coordinates"),
        (["eval", "net.json", "--points", "nan.npy", "--output", "OUT"], "entry [0, 1] is nan"),
        (["eval", "net.json", "--points", "complex.npy", "--output", "OUT"], "dtype '<c16' is not supported"),
        (["eval", "net.json", "--points", "absurd.npy", "--output", "OUT"], "refusing to allocate"),
        (["eval", "net.json", "--at", "1,2", "--points", "good.npy"], "not both"),
        (["eval", "net.json"], "give the points"),
    ]

    @Test("bad input exits with status 2, a one-line-first message, and leaves a given --output alone", arguments: cases)
    func badInput(_ arguments: [String], _ fragment: String) throws {
        let dir = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.writeFixtures(into: dir)
        let output = dir.appendingPathComponent("report.txt")
        let sentinel = Data("previous report, must survive\n".utf8)
        try sentinel.write(to: output)
        let withOutput = arguments.contains("OUT") ? arguments.map { $0 == "OUT" ? output.path : $0 }
            : arguments + (arguments.first == "synth" ? ["--output", output.path] : [])
        let outcome = try Self.run(withOutput, in: dir)
        #expect(outcome.exitedNormally, "terminated by a signal: \(outcome.stderr.prefix(300))")
        #expect(outcome.status == 2, "status \(outcome.status): \(outcome.stderr.prefix(300))")
        let firstLine = outcome.stderr.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        #expect(firstLine.hasPrefix("quadform: error: "), "\(outcome.stderr.prefix(300))")
        let shown = outcome.stderr.replacingOccurrences(of: dir.path + "/", with: "")
        #expect(shown.contains(fragment), "\(shown.prefix(400))")
        #expect(!outcome.stderr.contains("Fatal error"))
        if withOutput.contains(output.path) {
            #expect(try Data(contentsOf: output) == sentinel)
        }
        #expect(outcome.stdout.isEmpty)
    }

    @Test("expression errors print the caret line under the column")
    func caretLine() throws {
        let dir = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outcome = try Self.run(["synth", "x^2 + 3*x*y*z"], in: dir)
        #expect(outcome.status == 2)
        let lines = outcome.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0] == "quadform: error: expression:1:7: term '3*x*y*z' has degree 3; a quadratic form allows degree ≤ 2")
        #expect(lines[1] == "  x^2 + 3*x*y*z")
        #expect(lines[2] == "        ^^^^^^^")
    }

    @Test("--output /dev/null writes into the device and leaves it a device")
    func outputToDevice() throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: "/dev/null")
        try #require(attributes[.type] as? FileAttributeType == .typeCharacterSpecial, "/dev/null is not a device here")
        try OutputFile.write("report\n", to: "/dev/null")
        let after = try FileManager.default.attributesOfItem(atPath: "/dev/null")
        #expect(after[.type] as? FileAttributeType == .typeCharacterSpecial)
    }

    @Test("--output through symbolic links: a link to a device stays a link, a link to a file keeps its link")
    func outputThroughLinks() throws {
        let dir = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        let deviceLink = dir.appendingPathComponent("null-link").path
        try fm.createSymbolicLink(atPath: deviceLink, withDestinationPath: "/dev/null")
        try OutputFile.write("report\n", to: deviceLink)
        #expect(try fm.attributesOfItem(atPath: deviceLink)[.type] as? FileAttributeType == .typeSymbolicLink)
        #expect(try fm.attributesOfItem(atPath: "/dev/null")[.type] as? FileAttributeType == .typeCharacterSpecial)
        let file = dir.appendingPathComponent("report.txt").path
        let fileLink = dir.appendingPathComponent("report-link.txt").path
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: file))
        try fm.createSymbolicLink(atPath: fileLink, withDestinationPath: file)
        try OutputFile.write("new\n", to: fileLink)
        #expect(try fm.attributesOfItem(atPath: fileLink)[.type] as? FileAttributeType == .typeSymbolicLink)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "new\n")
    }

    @Test("a good run does write --output, so the survival checks above are meaningful")
    func goodRunWritesOutput() throws {
        let dir = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("report.json")
        try Data("old".utf8).write(to: output)
        let outcome = try Self.run(["synth", "x^2 + 3*x*y - y", "--format", "json", "--output", output.path], in: dir)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let written = try String(contentsOf: output, encoding: .utf8)
        #expect(written != "old")
        #expect(written.hasPrefix("{"))
    }
}
