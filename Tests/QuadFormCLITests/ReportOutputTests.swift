import Foundation
import Testing
@testable import QuadFormCore
@testable import QuadFormReports
@testable import QuadFormInterop
import QuadFormTestSupport

/// Issue 13: every subcommand that prints a report takes `--format text|json` and `--output FILE`
/// (atomic: nothing written on bad input); `--save-networks` with `--exact` and `--activation`;
/// `quadform --version`.
@Suite("Report outputs")
struct ReportOutputTests {
    static func scratch() throws -> URL {
        let folder = try makeScratchDirectory("out")
        return folder
    }

    /// One run per report-printing subcommand, small enough to be quick.
    static let commands: [[String]] = [
        ["synth", "x^2 + 3*x*y + z"],
        ["synth", "--exact", "x*y + x/3 + 2"],
        ["spectrum", "x^2 + 1e-14*y^2 + x*z"],
        ["prove", "x^2 + y"],
        ["prove", "--exact", "x^2 + y"],
        ["eval", "examples/example-1.5.6.json", "--at", "5", "--trace"],
        ["experiment", "train", "x1^2 + x2", "--starts", "1", "--steps", "20", "--samples", "8"],
        ["experiment", "taylor", "x1^2 + x2", "--activation", "tanh", "--deltas", "3", "--samples", "8"],
    ]

    @Test("--format json --output FILE: only `wrote FILE: …` on stdout, the file parses as JSON; --format text --output gives the text that stdout would", arguments: commands)
    func jsonAndOutput(_ command: [String]) throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("report.json").path
        let run = try BuiltExecutable.quadform(command + ["--format", "json", "--output", file])
        #expect(run.status == 0, "\(command): \(run.stderr)")
        // The one convention for a successful --output (docs/install.md): one line naming the file.
        #expect(run.stdout.hasPrefix("wrote \(file): ") && run.stdout.filter { $0 == "\n" }.count == 1, "\(command): \(run.stdout)")
        let json = try JSONReader.parseFile(file)
        guard case .object(let members) = json else { Issue.record("\(command): not an object"); return }
        #expect(!members.isEmpty)
        let textFile = folder.appendingPathComponent("report.txt").path
        let text = try BuiltExecutable.quadform(command + ["--output", textFile])
        let stdout = try BuiltExecutable.quadform(command)
        #expect(text.status == 0 && stdout.status == 0)
        // `prove --exact` ends with how long its certificate took: the one part that varies.
        #expect(Self.maskingSeconds(try String(contentsOfFile: textFile, encoding: .utf8)) == Self.maskingSeconds(stdout.stdout))
    }

    /// The text with the seconds of `prove --exact`'s "Certificate:" paragraph replaced by "…".
    static func maskingSeconds(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            guard line.hasPrefix("Certificate:") else { return String(line) }
            return String(line).replacing(/[0-9.]+(e[-+]?[0-9]+)? m?s\./, with: "… s.")
        }.joined(separator: "\n")
    }

    @Test("Bad input with --output: exit 2 and an existing file untouched", arguments: [
        ["spectrum", "x^3"], ["prove", "x^3"], ["eval", "examples/example-1.5.6.json", "--at", "1,2;3"],
        ["experiment", "taylor", "x^3"],
    ])
    func badInputLeavesOutput(_ command: [String]) throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("keep.json").path
        try "keep".write(toFile: file, atomically: true, encoding: .utf8)
        let run = try BuiltExecutable.quadform(command + ["--format", "json", "--output", file])
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix("quadform: error: "))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "keep")
    }

    @Test("spectrum --format json lists |λ| in decreasing order with the rank the synth report has")
    func spectrumJSON() throws {
        let form = try ExpressionParser.form("x^2 + 1e-14*y^2 + x*z - 3*y*z")
        let s = try Synthesis(form: form, options: SynthesisOptions(randomSamples: 0))
        let json = SpectrumReport(synthesis: s).json
        guard case .array(let items)? = json["eigenvalues_by_magnitude"] else { Issue.record("no eigenvalues"); return }
        let values = items.compactMap { if case .number(let t) = $0 { return Double(t) } else { return nil } }
        #expect(values.count == 3)
        #expect(zip(values, values.dropFirst()).allSatisfy { abs($0) >= abs($1) })
        #expect(json["rank"] == .number(String(s.rank)))
        #expect(json["eigen_driver_requested"] == .string("auto"))
    }

    @Test("--save-networks with --exact and --activation: a JSON document with rational weights, read back exactly; .npz with the s-networks")
    func saveNetworks() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let doc = folder.appendingPathComponent("nets.json").path
        let run = try BuiltExecutable.quadform(["synth", "--exact", "x^2 + y/3", "--activation", "quadratic:1,2,0", "--save-networks", doc])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try JSONReader.parseFile(doc)
        #expect(NetworkDocument.networkMembers(of: json) == ["residual", "plain", "quadratic_activation.residual", "quadratic_activation.plain"])
        let synthesis = try ExactSynthesis(form: ExactForm.parse("x^2 + y/3"))
        #expect(try NetworkDocument.exactNetwork(from: json, name: doc, member: "plain") == synthesis.plain)
        let s = try NetworkDocument.exactNetwork(from: json, name: doc, member: "quadratic_activation.plain")
        // The s-network equals f exactly: x^2 + y/3 at (1, 2) is 5/3.
        #expect(s.evaluate([Rational(1), Rational(2)]) == Rational(5) / Rational(3))
        let npz = folder.appendingPathComponent("nets.npz").path
        let floating = try BuiltExecutable.quadform(["synth", "x^2 + y", "--activation", "quadratic:1,2,0", "--save-networks", npz])
        #expect(floating.status == 0)
        let names = try Npz.read(npz).map(\.name)
        #expect(names.contains("quadratic_activation_plain_W1") && names.contains("residual_V_0_2"))
        let exactNpz = try BuiltExecutable.quadform(["synth", "--exact", "x^2 + y", "--save-networks", npz])
        #expect(exactNpz.status == 0)
        #expect(try Npz.read(npz).map(\.name).contains("plain_W1"))
    }

    @Test("quadform --version prints the version and the BLAS/LAPACK this process runs")
    func version() throws {
        let run = try BuiltExecutable.quadform(["--version"], in: URL(fileURLWithPath: "/"))
        #expect(run.status == 0)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "quadform \(PackageVersion.string)")
        #expect(lines.count >= 2 && lines[1].hasPrefix("BLAS/LAPACK  ") && lines[1].contains(BLASInfo.current.implementation))
    }
}
