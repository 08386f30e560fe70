import Foundation
import Testing
import QuadFormTestSupport

/// Long runs talk (issue 24): on a terminal, standard error shows the stage, its elapsed time and,
/// where the work is countable, a bar; not on a terminal, or with --quiet, nothing changes.
/// The terminal is a pseudo-terminal from util-linux's `script`.
@Suite("Progress on a terminal")
struct ProgressLineTests {
    static let script = "/usr/bin/script"
    static var hasScript: Bool { FileManager.default.isExecutableFile(atPath: script) }

    /// Runs `quadform arguments` on a pseudo-terminal in `folder`; what the terminal showed
    /// (standard output and standard error together).
    static func onTerminal(_ arguments: [String], in folder: URL) throws -> BuiltExecutable.Run {
        let command = ([try BuiltExecutable.url().path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        var environment = ProcessInfo.processInfo.environment
        environment["QUADFORM_PROGRESS_DELAY"] = "0"   // draw from the first tick (0.1 s), not after 0.3 s
        environment.removeValue(forKey: "QUADFORM_PROGRESS")
        return try BuiltExecutable.run(URL(fileURLWithPath: script), ["-qec", command, "/dev/null"], in: folder, environment: environment)
    }

    @Test("synth --random 1000 --output F on a terminal shows its stages with times before it ends",
          .enabled(if: hasScript, "needs util-linux's script(1) for a pseudo-terminal"))
    func synthStages() throws {
        let folder = try makeScratchDirectory("progress")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Self.onTerminal(["synth", "--random", "1000", "--seed", "3", "--output", "F.txt"], in: folder)
        #expect(run.status == 0, "\(run.stdout)")
        let shown = run.stdout
        #expect(shown.contains("\r\u{1B}[Kquadform: read (random form, n = 1000)"), "\(shown)")
        #expect(shown.contains("quadform: decompose and synthesize (n = 1000)"), "\(shown)")
        #expect(shown.range(of: #"quadform: [a-z].* [0-9]+\.[0-9] s done"#, options: .regularExpression) != nil, "\(shown)")
        // The progress line is finished before the `wrote` line, which starts a line of its own.
        #expect(shown.contains("\nwrote F.txt: the report, verification PASSED") || shown.hasPrefix("wrote F.txt"), "\(shown)")
        #expect(try String(contentsOf: folder.appendingPathComponent("F.txt"), encoding: .utf8).contains("verification        PASSED"))
    }

    @Test("Training on a terminal draws a bar of starts per architecture, and each architecture's line stays",
          .enabled(if: hasScript, "needs util-linux's script(1) for a pseudo-terminal"))
    func trainingBar() throws {
        let folder = try makeScratchDirectory("progress-train")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Self.onTerminal(["experiment", "train", "x1^2 + x2", "--quick", "--steps", "4000", "--output", "T.txt"], in: folder)
        #expect(run.status == 0, "\(run.stdout)")
        #expect(run.stdout.range(of: #"quadform: train plain .*: starts  \[#* *\] +[0-9]+% [0-9]+/8"#, options: .regularExpression) != nil, "\(run.stdout)")
        #expect(run.stdout.contains("quadform: train: plain"), "\(run.stdout)")
    }

    @Test("Not on a terminal, and with --quiet on one, standard error stays empty and the report is the same")
    func quietWhenNotATerminal() throws {
        let folder = try makeScratchDirectory("progress-quiet")
        defer { try? FileManager.default.removeItem(at: folder) }
        let piped = try BuiltExecutable.quadform(["synth", "--random", "300", "--seed", "3", "--output", "F.txt"], in: folder)
        #expect(piped.status == 0)
        #expect(piped.stderr.isEmpty, "\(piped.stderr)")
        #expect(piped.stdout == "wrote F.txt: the report, verification PASSED\n")
        let report = try String(contentsOf: folder.appendingPathComponent("F.txt"), encoding: .utf8)
        let plain = try BuiltExecutable.quadform(["synth", "--random", "300", "--seed", "3"], in: folder)
        #expect(plain.stdout == report && plain.stderr.isEmpty)
        let quiet = try BuiltExecutable.quadform(["synth", "--random", "300", "--seed", "3", "--output", "G.txt", "--quiet"], in: folder)
        #expect(quiet.stdout.isEmpty && quiet.stderr.isEmpty)
        if Self.hasScript {
            let terminal = try Self.onTerminal(["synth", "--random", "1000", "--seed", "3", "--output", "H.txt", "--quiet"], in: folder)
            #expect(terminal.status == 0 && terminal.stdout.isEmpty, "\(terminal.stdout)")
        }
    }
}
