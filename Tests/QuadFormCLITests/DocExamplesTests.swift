import Foundation
import QuadFormTestSupport
import Testing

/// Runs every ```console transcript of README.md and docs/*.md against the built `quadform` and
/// compares what each command prints with the transcript (rules in `DocExamples`; docs/install.md
/// "Docs that run"). With QUADFORM_REGENERATE_DOCS=1 it rewrites the outputs that differ instead
/// (scripts/regenerate-doc-outputs.sh).
@Suite("Docs that run")
struct DocExamplesTests {
    static let root = BuiltExecutable.packageRoot

    /// README.md and docs/*.md, relative to the package root.
    static let files: [String] = {
        let docs = ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("docs").path)) ?? [])
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
        return ["README.md"] + docs
    }()

    static var regenerate: Bool { ProcessInfo.processInfo.environment["QUADFORM_REGENERATE_DOCS"] == "1" }

    /// Why the commands cannot run here (a tool they call is missing), or nil. Under CI the tools
    /// are installed (scripts/system-packages.txt), so a missing one is a failure there.
    static func missingTool(for commands: [DocExamples.Command]) -> String? {
        let text = commands.map(\.text).joined(separator: "\n")
        if text.contains("jq "), !FileManager.default.isExecutableFile(atPath: "/usr/bin/jq") {
            return "jq is not installed (apt-get install jq; scripts/system-packages.txt)"
        }
        if text.contains("--format svg") || text.contains("dot -T"),
           !["/usr/bin/dot", "/usr/local/bin/dot"].contains(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            return "Graphviz's dot is not installed (apt-get install graphviz; scripts/setup.sh installs it)"
        }
        if text.contains("import numpy") {
            let probe = try? BuiltExecutable.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import numpy"])
            if probe?.status != 0 { return "python3 with numpy is not installed (apt-get install python3-numpy; scripts/system-packages.txt)" }
        }
        return nil
    }

    @Test("The docs' transcripts of quadform are console blocks, so they are run", arguments: files)
    func transcriptsAreRun(file: String) throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent(file), encoding: .utf8)
        let lines = DocExamples.unrunTranscripts(in: text)
        #expect(lines.isEmpty, "\(file): lines \(lines) show `$ quadform` in a block that is not ```console")
    }

    @Test("README and the docs hold console transcripts")
    func thereAreSome() throws {
        let counts = try Self.files.map { try DocExamples(path: Self.root.appendingPathComponent($0).path).commands.count }
        #expect(counts[0] >= 2, "README.md")
        #expect(counts.reduce(0, +) >= 25, "\(zip(Self.files, counts).map { "\($0): \($1)" })")
    }

    @Test("Every console command prints its transcript", arguments: files)
    func run(file: String) throws {
        let doc = try DocExamples(path: Self.root.appendingPathComponent(file).path)
        guard !doc.commands.isEmpty else { return }
        if let missing = Self.missingTool(for: doc.commands) {
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("\(file): \(missing)") }
            print("skipped \(file): \(missing)")  // a cancelled case of a parameterized test is reported as passed
            try Test.cancel("skipped \(file): \(missing)")
        }
        let executable = try BuiltExecutable.url()
        let scratch = try makeScratchDirectory("docs")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createSymbolicLink(at: scratch.appendingPathComponent("examples"),
                                                   withDestinationURL: Self.root.appendingPathComponent("examples"))
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = executable.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["COLUMNS"] = "100"
        environment.removeValue(forKey: "QUADFORM_PROGRESS_DELAY")
        var replacements: [Int: [String]] = [:]
        for (index, command) in doc.commands.enumerated() {
            let run = try BuiltExecutable.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "exec 2>&1\n" + command.text],
                                              in: scratch, environment: environment)
            var actual = run.stdout.components(separatedBy: "\n")
            if actual.last == "" { actual.removeLast() }
            let matches = Notebook.outputMatches(command.expected, actual, relative: command.relativeTolerance,
                                                 absolute: command.absoluteTolerance)
            if Self.regenerate {
                // Blank lines that separate one command's output from the next command stay.
                let blanks = command.expected.reversed().prefix { $0.isEmpty }.count
                if !matches || run.status != command.exitStatus { replacements[index] = actual + Array(repeating: "", count: blanks) }
                continue
            }
            #expect(run.status == command.exitStatus && matches, """
                \(file):\(command.line): $ \(command.text)
                exit status \(run.status), expected \(command.exitStatus)
                --- expected
                \(command.expected.joined(separator: "\n"))
                --- got
                \(run.stdout)
                """)
        }
        if Self.regenerate, !replacements.isEmpty {
            try doc.rewritten(replacements).write(toFile: doc.path, atomically: true, encoding: .utf8)
            print("regenerated \(replacements.count) output\(replacements.count == 1 ? "" : "s") in \(file): lines \(replacements.keys.sorted().map { doc.commands[$0].line })")
        }
    }

    @Test("Parsing: commands, continuation lines, outputs, exit status of the last command")
    func parsing() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("doc-\(UUID().uuidString).md")
        defer { try? FileManager.default.removeItem(at: file) }
        try "text\n```console exit=2\n$ quadform a \\\n  --b\nout 1\nout 2\n$ quadform c\n```\n```text\n$ quadform d\n```\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let doc = try DocExamples(path: file.path)
        #expect(doc.commands.count == 2)
        #expect(doc.commands[0].text == "quadform a \n  --b")
        #expect(doc.commands[0].expected == ["out 1", "out 2"])
        #expect(doc.commands[0].exitStatus == 0 && doc.commands[1].exitStatus == 2)
        #expect(doc.commands[1].expected.isEmpty)
        #expect(DocExamples.unrunTranscripts(in: try String(contentsOf: file, encoding: .utf8)) == [10])
        #expect(doc.rewritten([1: ["new"]]).contains("$ quadform c\nnew\n```"))
    }
}
