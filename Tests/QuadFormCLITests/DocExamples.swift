import Foundation

/// The shell examples of README.md and docs/*.md that show output (issue 24: docs cannot drift).
/// A fenced block whose info string starts with `console` is a transcript:
///
///     ```console
///     $ quadform eval examples/example-1.5.6.json --at 5
///     realization(5) = 28
///     $ quadform synth "x^2 + y" --output r.txt
///     wrote r.txt: the report, verification PASSED
///     ```
///
/// A line starting `$ ` is a command (continued on the next line while it ends with `\`); the
/// lines after it, up to the next command, are what it prints — standard output and standard error
/// together, in order. Every command must exit 0, except that ```` ```console exit=N ```` expects
/// status N from the block's last command. ```` tolerance=r ```` and ```` absolute=a ```` change the
/// tolerances of numbers. Output is compared by the notebooks' rules (notebooks/README.md,
/// `Notebook.outputMatches`): text exactly up to runs of blanks, numbers to 1e-5 relative, and
/// `[...]` for output that legitimately varies — versions, BLAS builds and threads, timings,
/// absolute paths; a line that is only `[...]` stands for any number of lines.
///
/// The commands of one file run in order in one fresh folder where `examples/` is the package's,
/// with the built `quadform` first on PATH; nothing is written into the clone.
/// `scripts/regenerate-doc-outputs.sh` rewrites the outputs that no longer match from the binary.
struct DocExamples {
    struct Command {
        /// 1-based line of the `$ ` line.
        let line: Int
        let text: String
        let expected: [String]
        /// 0-based indices in the file's lines of the expected output (for regeneration).
        let outputRange: Range<Int>
        let exitStatus: Int32
        let relativeTolerance: Double
        let absoluteTolerance: Double
    }

    let path: String
    let lines: [String]
    let commands: [Command]

    init(path: String) throws {
        self.path = path
        let lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        self.lines = lines
        var commands: [Command] = []
        var i = 0
        while i < lines.count {
            let trimmed = lines[i].trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("```") else { i += 1; continue }
            let info = String(trimmed.dropFirst(3)).split(separator: " ").map(String.init)
            var end = i + 1
            while end < lines.count, lines[end].trimmingCharacters(in: .whitespaces) != "```" { end += 1 }
            guard end < lines.count else { throw Notebook.ParseError(description: "\(path):\(i + 1): unclosed fence") }
            defer { i = end + 1 }
            guard info.first == "console" else { continue }
            var exit: Int32 = 0, relative = Notebook.relativeTolerance, absolute = Notebook.absoluteTolerance
            for option in info.dropFirst() {
                let pair = option.split(separator: "=", maxSplits: 1).map(String.init)
                switch (pair.first, pair.count == 2 ? pair[1] : nil) {
                case ("exit", let v?): guard let s = Int32(v) else { throw Notebook.ParseError(description: "\(path):\(i + 1): bad exit=\(v)") }; exit = s
                case ("tolerance", let v?): guard let r = Double(v), r >= 0 else { throw Notebook.ParseError(description: "\(path):\(i + 1): bad tolerance=\(v)") }; relative = r
                case ("absolute", let v?): guard let a = Double(v), a >= 0 else { throw Notebook.ParseError(description: "\(path):\(i + 1): bad absolute=\(v)") }; absolute = a
                default: throw Notebook.ParseError(description: "\(path):\(i + 1): unknown console option '\(option)' (exit=N, tolerance=r, absolute=a)")
                }
            }
            var j = i + 1
            guard j < end, lines[j].hasPrefix("$ ") else {
                throw Notebook.ParseError(description: "\(path):\(i + 1): a console block starts with a `$ ` command line")
            }
            var block: [(line: Int, text: String, range: Range<Int>)] = []
            while j < end {
                let start = j
                var text = String(lines[j].dropFirst(2))
                while text.hasSuffix("\\"), j + 1 < end { j += 1; text = String(text.dropLast()) + "\n" + lines[j] }
                j += 1
                let outputStart = j
                while j < end, !lines[j].hasPrefix("$ ") { j += 1 }
                block.append((start + 1, text, outputStart..<j))
            }
            for (index, command) in block.enumerated() {
                commands.append(Command(line: command.line, text: command.text, expected: Array(lines[command.range]),
                                        outputRange: command.range, exitStatus: index == block.count - 1 ? exit : 0,
                                        relativeTolerance: relative, absoluteTolerance: absolute))
            }
        }
        self.commands = commands
    }

    /// The file with the expected output of each command in `replacements` (by index in
    /// `commands`) replaced.
    func rewritten(_ replacements: [Int: [String]]) -> String {
        var out = lines
        for (index, new) in replacements.sorted(by: { $0.key > $1.key }) {
            out.replaceSubrange(commands[index].outputRange, with: new)
        }
        return out.joined(separator: "\n")
    }

    /// The 1-based lines of fenced blocks that are not `console` but hold a `$ quadform` prompt
    /// line: transcripts of quadform must be console blocks, so that they are run.
    static func unrunTranscripts(in text: String) -> [Int] {
        let lines = text.components(separatedBy: "\n")
        var found: [Int] = []
        var i = 0
        while i < lines.count {
            let trimmed = lines[i].trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("```") else { i += 1; continue }
            let console = trimmed.dropFirst(3).hasPrefix("console")
            var end = i + 1
            while end < lines.count, lines[end].trimmingCharacters(in: .whitespaces) != "```" {
                if !console, lines[end].hasPrefix("$ quadform") { found.append(end + 1) }
                end += 1
            }
            i = end + 1
        }
        return found
    }
}
