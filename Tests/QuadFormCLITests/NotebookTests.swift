import Foundation
import QuadFormTestSupport
import Testing

/// Runs every command block of notebooks/*.md against the built `quadform` and compares the output
/// with the block that follows it (rules in notebooks/README.md and `Notebook`).
@Suite("Notebooks")
struct NotebookTests {
    static let folder = BuiltExecutable.packageRoot.appendingPathComponent("notebooks")

    /// The notebook files, by name.
    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".md") }.sorted()
    }()

    @Test("There are at least four lessons, each with commands to run")
    func lessonsExist() throws {
        let lessons = try Self.files.map { try Notebook(path: Self.folder.appendingPathComponent($0).path) }.filter { !$0.cells.isEmpty }
        #expect(lessons.count >= 4, "notebooks with command blocks: \(lessons.map(\.path))")
        for lesson in lessons { #expect(lesson.cells.count >= 3, "\(lesson.path) has only \(lesson.cells.count) blocks") }
    }

    @Test("Every command block prints its output block", arguments: files)
    func run(file: String) throws {
        let notebook = try Notebook(path: Self.folder.appendingPathComponent(file).path)
        // A lesson that runs onnxruntime calls "$QUADFORM_PYTHON" (the venv .ci/run creates): it is
        // skipped, saying why, without one locally, and fails under CI (InteropPython.path records that).
        if notebook.cells.contains(where: { $0.command.contains("QUADFORM_PYTHON") }) { _ = try InteropPython.required(for: "notebooks/\(file)") }
        let executable = try BuiltExecutable.url()
        // Each notebook runs in a fresh folder, where `examples/` is the package's examples; files a
        // command writes there are visible to the commands after it.
        let scratch = try makeScratchDirectory("notebook")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createSymbolicLink(at: scratch.appendingPathComponent("examples"),
                                                   withDestinationURL: BuiltExecutable.packageRoot.appendingPathComponent("examples"))
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = executable.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["COLUMNS"] = "100"
        for cell in notebook.cells {
            // stderr goes into the same stream, in order, as a reader at a terminal would see it.
            let run = try BuiltExecutable.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "exec 2>&1\n" + cell.command],
                                              in: scratch, environment: environment)
            let actual = run.stdout.components(separatedBy: "\n")
            let matches = Notebook.outputMatches(cell.expected, actual, relative: cell.relativeTolerance,
                                                  absolute: cell.absoluteTolerance)
            #expect(run.status == cell.exitStatus && matches, """
                \(file):\(cell.line): $ \(cell.command)
                exit status \(run.status), expected \(cell.exitStatus)
                --- expected
                \(cell.expected.joined(separator: "\n"))
                --- got
                \(run.stdout)
                """)
        }
    }

    // MARK: The comparison itself

    @Test("Numbers are compared to the stated tolerance, text exactly")
    func comparison() {
        let r = Notebook.relativeTolerance
        #expect(Notebook.lineMatches("realization(5) = 28", "realization(5) = 28", relative: r))
        #expect(!Notebook.lineMatches("realization(5) = 28", "realization(5) = 27", relative: r))
        #expect(!Notebook.lineMatches("realization(5) = 28", "realization(5) = 28.001", relative: r))
        #expect(Notebook.lineMatches("gap ×1.20711", "gap ×1.207112", relative: r))
        #expect(Notebook.lineMatches("‖a_N‖ = 4.44089e-16", "‖a_N‖ = 2.22045e-16", relative: r))   // both rounding noise
        #expect(!Notebook.lineMatches("‖a_N‖ = 4.4e-06", "‖a_N‖ = 2.2e-06", relative: r))
        #expect(!Notebook.lineMatches("k = 2: kept", "k = 2: dropped", relative: r))
        #expect(!Notebook.lineMatches("(0.707107*x", "(-0.707107*x", relative: r))
        #expect(!Notebook.lineMatches("k = 2", "k = 2 extra", relative: r))
        #expect(Notebook.lineMatches("5  4.44119e-15     dropped", "5  -6.84464e-15    dropped", relative: r))   // padding follows the width
        #expect(!Notebook.lineMatches("k = 2", "k =2", relative: r))
        #expect(Notebook.lineMatches("x = 1e-09", "x = 1.000001e-9", relative: r))
        // A stated noise floor: 2.66e-07 and 2.72e-07 agree above a floor of 5e-08, not below it.
        #expect(Notebook.lineMatches("error 2.66e-07", "error 2.72e-07", relative: 1e-2, absolute: 5e-8))
        #expect(!Notebook.lineMatches("error 2.66e-07", "error 2.72e-07", relative: 1e-2))
        #expect(!Notebook.lineMatches("slope 2.00", "slope 1.90", relative: 1e-2, absolute: 5e-8))
        #expect(Notebook.tokens("x1^2 - 0.5e+3") == [.text("x"), .number(1, "1"), .text("^"), .number(2, "2"), .text(" - "), .number(500, "0.5e+3")])
        #expect(Notebook.tokens("a -1.5e-09 b") == [.text("a "), .number(-1.5e-09, "-1.5e-09"), .text(" b")])
        #expect(Notebook.tokens("1.") == [.number(1, "1.")])
        #expect(Notebook.tokens("e5 - x") == [.text("e"), .number(5, "5"), .text(" - x")])
    }

    @Test("[...] stands for any text in a line, or any number of lines on a line of its own")
    func wildcards() {
        let r = Notebook.relativeTolerance
        #expect(Notebook.lineMatches("max error [...] ok", "max error 4.65661e-10 ≤ 1e-3 ok", relative: r))
        #expect(!Notebook.lineMatches("max error [...] ok", "max error 4.65661e-10 FAILED", relative: r))
        #expect(Notebook.lineMatches("[...] PASSED", "verification        PASSED", relative: r))
        #expect(Notebook.lineMatches("k = 3 [...]", "k = 3   tolerance 1e-15", relative: r))
        #expect(!Notebook.lineMatches("k = 3 [...]", "k = 4   tolerance 1e-15", relative: r))
        #expect(Notebook.outputMatches(["a", "[...]", "z"], ["a", "b", "c", "z"], relative: r))
        #expect(Notebook.outputMatches(["a", "[...]", "z"], ["a", "z"], relative: r))
        #expect(!Notebook.outputMatches(["a", "[...]", "z"], ["a", "b"], relative: r))
        #expect(!Notebook.outputMatches(["a", "b"], ["a", "b", "c"], relative: r))
        #expect(Notebook.outputMatches(["a", "b", ""], ["a", "b   ", "", ""], relative: r))
    }

    @Test("A command block without an output block is refused")
    func parsing() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("notebook-\(UUID().uuidString).md")
        defer { try? FileManager.default.removeItem(at: file) }
        try "# t\n```sh\nquadform eval x --at 1\n```\ntext\n```output\n1\n```\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: Notebook.ParseError.self) { try Notebook(path: file.path) }
        try "```sh\nquadform a\n```\n\n```output exit=2 tolerance=0.1\nx\n```\n```swift\nlet x = 1\n```\n".write(to: file, atomically: true, encoding: .utf8)
        let notebook = try Notebook(path: file.path)
        #expect(notebook.cells.count == 1)
        #expect(notebook.cells[0].exitStatus == 2)
        #expect(notebook.cells[0].relativeTolerance == 0.1)
        #expect(notebook.cells[0].expected == ["x"])
        #expect(notebook.cells[0].absoluteTolerance == Notebook.absoluteTolerance)
        try "```sh\nquadform a\n```\n```output absolute=5e-8\nx\n```\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try Notebook(path: file.path).cells[0].absoluteTolerance == 5e-8)
        try "```sh\nquadform a\n```\n```output absolute=-1\nx\n```\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: Notebook.ParseError.self) { try Notebook(path: file.path) }
    }
}
