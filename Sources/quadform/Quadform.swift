import ArgumentParser
import Foundation
import QuadFormCore
import QuadFormReports
import QuadFormInterop

@main
struct Quadform: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quadform",
        abstract: "Smallest square-activation networks, residual and plain, that compute a quadratic function.",
        discussion: """
        A quadratic f(x) = c + aᵀx + xᵀAx with k = rank A is computed exactly by a residual network \
        of k square neurons plus a linear skip from input to output, and by a plain network of k \
        neurons when a lies in range(A), k + 2 otherwise (Holguin & Kreinovich, "Why Residual \
        Neural Networks", with the exact plain count). Start with:

          quadform synth "x1^2 + 3*x1*x2 + x2^2 + x3 - 5"
        """,
        version: PackageVersion.string,
        subcommands: [Synth.self, Prove.self, Experiment.self, Eval.self, Spectrum.self, Convert.self, Extract.self, Compress.self, Serve.self]
    )

    /// Runs the command like ArgumentParser's default `main`, and maps every error to its exit
    /// status in this one place: a check that did not pass (`CheckFailed`) exits with 1; usage
    /// errors (unknown options, bad option values, contradictory inputs) and every error of the
    /// library (bad input: a typed error that describes itself) exit with 2, after
    /// "quadform: error: …" on standard error.
    static func main() {
        HeapPolicy.keepFreedMemory()
        // A reader that goes away (`quadform … | head -c1`) makes write(2) fail with EPIPE
        // (FileError.brokenPipe), which ends the run quietly with status 2, not a SIGPIPE death.
        signal(SIGPIPE, SIG_IGN)
        if CommandLine.arguments.dropFirst().elementsEqual(["--version"]) {
            // The version and the BLAS/LAPACK this binary runs (ArgumentParser's own --version
            // prints only the static string).
            do { try StandardOutput.write(PackageVersion.text()) } catch { exit(withError: ExitCode(2)) }
            return
        }
        if let problem = NumericArgument.firstRangeProblem(in: Array(CommandLine.arguments.dropFirst())) {
            printError(problem)
            exit(withError: ExitCode(2))
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failed as CheckFailed {
            printError(failed.message)
            exit(withError: ExitCode(1))
        } catch FileError.brokenPipe {
            // The reader of standard output is gone: nothing to tell it, status 2.
            exit(withError: ExitCode(2))
        } catch {
            let status = exitCode(for: error)
            if error is ExitCode || status == .success { exit(withError: error) }
            guard status == .validationFailure else {
                printError(describe(error))
                exit(withError: ExitCode(2))
            }
            var lines = fullMessage(for: error).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if let first = lines.first, first.hasPrefix("Error: ") { lines[0] = String(first.dropFirst("Error: ".count)) }
            while lines.last?.isEmpty == true { lines.removeLast() }
            if CommandLine.arguments.dropFirst().contains(where: looksLikeNegativeExpression) {
                lines.insert("an expression that starts with '-' goes after '--':  quadform synth -- \"-x^2 + y\"", at: 1)
            }
            if let hint = missingSubcommandHint(Array(CommandLine.arguments.dropFirst())) { lines.insert(hint, at: 1) }
            printError(lines.joined(separator: "\n"))
            exit(withError: ExitCode(2))
        }
    }

    /// The names of the subcommands users type.
    static var subcommandNames: [String] {
        configuration.subcommands.filter { $0.configuration.shouldDisplay }.map { $0._commandName }
    }

    /// When the first argument is not a subcommand: `did you mean: quadform synth "…"?` for a form
    /// typed without `synth`, or the subcommand one or two letters away from a misspelt name.
    static func missingSubcommandHint(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-") || looksLikeNegativeExpression(first),
              !subcommandNames.contains(first), first != "help" else { return nil }
        let quoted = arguments.map { $0.contains(where: { " ^*()\"'$;&|<>".contains($0) }) || $0.isEmpty ? "\"\($0)\"" : $0 }
        if let near = subcommandNames.min(by: { editDistance($0, first) < editDistance($1, first) }),
           editDistance(near, first) <= 2, !first.contains(where: { "^*+/() ".contains($0) }) {
            return "did you mean: quadform \(([near] + quoted.dropFirst()).joined(separator: " "))?  (quadform --help lists the subcommands)"
        }
        let expression = first.hasPrefix("-") ? ["--"] + quoted : quoted
        return "did you mean: quadform synth \(expression.joined(separator: " "))?  (a form is given to a subcommand: synth, prove, spectrum, …; quadform --help lists them)"
    }

    /// Levenshtein distance (short strings: subcommand names).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }

    /// Whether a command-line argument is an expression starting with '-' rather than an option.
    static func looksLikeNegativeExpression(_ argument: String) -> Bool {
        argument.hasPrefix("-") && !argument.hasPrefix("--") && argument.contains(where: { "^*+/() ".contains($0) })
    }
}

/// Formats of a report: text (for people) or JSON (for tools).
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// `--format text|json` and `--output FILE` of the commands that print a report.
struct ReportOutput: ParsableArguments {
    @Option(help: "Report format: text (for people) or json (for tools).")
    var format: ReportFormat = .text

    @Option(help: ArgumentHelp("Write the report to this file (atomically) instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(help: "No progress line on a terminal's standard error, and no 'wrote FILE' line.")
    var quiet = false

    /// Writes the report to `--output` (then says so, unless `--quiet`) or to standard output.
    func emitReport(_ text: String, what: String) throws {
        if output == nil { finishProgress() } else { stage("write \(output!)") }
        try emit(text, to: output)
        if let output { try announceWritten(output, what, reportOnStandardOutput: false, quiet: quiet) }
    }
}

/// Output formats of `synth`: the report (text, json) or a picture of both networks (dot, svg).
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, dot, svg
}

extension RandomFormSpec.LinearTerm: ExpressibleByArgument {}

/// A check that did not pass after the output was written (verification, proof): exit status 1.
struct CheckFailed: Error {
    /// What failed, for standard error.
    let message: String
}

/// Prints `message` on standard error.
func printError(_ message: String) {
    printDiagnostic("quadform: error: " + message + "\n")
}

/// Writes `text` on standard error; a closed or full standard error is ignored (there is nowhere
/// left to report it), unlike FileHandle.write, which traps.
func printDiagnostic(_ text: String) {
    let bytes = Array(text.utf8)
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress! + done, $0.count - done) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return }
        done += n
    }
}

/// The text of an error for users: typed library errors describe themselves.
func describe(_ error: Error) -> String {
    String(describing: error)
}


/// Writes `text` to the file `output` (atomically), or to standard output when it is nil.
func emit(_ text: String, to output: String?) throws {
    try emit(to: output) { try $0.write(text) }
}

/// Writes `data` to the file `output` (atomically), or to standard output when it is nil.
func emit(_ data: Data, to output: String?) throws {
    try emit(to: output) { sink in try data.withUnsafeBytes { try sink.write($0) } }
}

/// Streams what `body` writes into the file `output` (atomically), or to standard output when it
/// is nil. Standard output is written with checked write(2) calls: a full device is a
/// `FileError` (exit 2 with its message), a closed pipe `FileError.brokenPipe` (exit 2 quietly).
func emit(to output: String?, _ body: (inout FileSink) throws -> Void) throws {
    if let output { try OutputFile.write(to: output, body) } else { try StandardOutput.write(body) }
}

/// How glibc's `malloc` treats large arrays in this process (mallopt(3)).
///
/// By default every allocation of 128 KiB or more is a fresh mapping, unmapped when freed, so each
/// 32 MB temporary of a synthesis at n = 2000 (|A|, |U|, products, LAPACK's workspace) costs the
/// kernel 8192 zeroed pages on first touch: 6 % of all CPU time in a profile of `synth`.
/// `keepFreedMemory()` serves everything from the heap and keeps what is freed, so those pages are
/// reused (synthesis 0.029 → 0.014 s, verification 0.066 → 0.039 s at n = 2000). The price is
/// fragmentation when many large blocks of different sizes come and go: `returnFreedMemory()`
/// restores glibc's defaults once the numerical work is done, before reports of hundreds of MB are
/// formatted.
enum HeapPolicy {
    /// mallopt(3) from <malloc.h>, which the Glibc module does not export.
    private static func mallopt(_ parameter: Int32, _ value: Int32) {
        #if canImport(Glibc)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(parameter, value)
        #endif
    }

    private static let trimThreshold: Int32 = -1  // M_TRIM_THRESHOLD
    private static let mmapMax: Int32 = -4        // M_MMAP_MAX

    /// Large arrays from the heap, freed memory kept for reuse.
    static func keepFreedMemory() {
        mallopt(mmapMax, 0)
        mallopt(trimThreshold, Int32.max)
    }

    /// glibc's defaults again: large arrays mapped, freed memory above 128 KiB returned.
    static func returnFreedMemory() {
        mallopt(mmapMax, 65_536)
        mallopt(trimThreshold, 128 * 1024)
    }
}
