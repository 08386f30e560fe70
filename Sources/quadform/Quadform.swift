import ArgumentParser
import Foundation
import QuadForm

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
        subcommands: [Synth.self, Prove.self, Experiment.self, Eval.self, Spectrum.self]
    )

    /// Runs the command like ArgumentParser's default `main`, except that usage errors (unknown
    /// options, bad option values, contradictory inputs) exit with status 2, the status of every
    /// other bad input, and print "quadform: error: …" first.
    static func main() {
        keepFreedMemory()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            var lines = fullMessage(for: error).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if let first = lines.first, first.hasPrefix("Error: ") { lines[0] = String(first.dropFirst("Error: ".count)) }
            while lines.last?.isEmpty == true { lines.removeLast() }
            if CommandLine.arguments.dropFirst().contains(where: looksLikeNegativeExpression) {
                lines.insert("an expression that starts with '-' goes after '--':  quadform synth -- \"-x^2 + y\"", at: 1)
            }
            printError(lines.joined(separator: "\n"))
            exit(withError: ExitCode(2))
        }
    }

    /// Has glibc's malloc serve every allocation from its heap and keep what is freed, instead of
    /// mapping each large array afresh and unmapping it when freed: a synthesis at n = 2000 makes
    /// a dozen temporaries of 32 MB (|A|, |U|, products), and every fresh mapping costs the
    /// kernel 8192 zeroed pages on first touch. A command-line run is short, so holding freed
    /// memory until exit costs nothing; the peak (resident set) is what it was.
    static func keepFreedMemory() {
        #if canImport(Glibc)
        // mallopt(3) from <malloc.h>, which the Glibc module does not export: M_MMAP_MAX = -4,
        // M_TRIM_THRESHOLD = -1.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        _ = mallopt(-4, 0)
        _ = mallopt(-1, Int32.max)
        #endif
    }

    /// Whether a command-line argument is an expression starting with '-' rather than an option.
    static func looksLikeNegativeExpression(_ argument: String) -> Bool {
        argument.hasPrefix("-") && !argument.hasPrefix("--") && argument.contains(where: { "^*+/() ".contains($0) })
    }
}

/// Output formats of `synth`: the report (text, json) or a picture of both networks (dot, svg).
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, dot, svg
}

extension EigenDriver: ExpressibleByArgument {}
extension RandomFormSpec.LinearTerm: ExpressibleByArgument {}

/// Prints `message` on standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data(("quadform: error: " + message + "\n").utf8))
}

/// The text of an error for users: typed library errors describe themselves.
func describe(_ error: Error) -> String {
    String(describing: error)
}


/// Writes `text` to the file `output` (atomically), or to standard output when it is nil; a file
/// that cannot be written is a user error (exit 2).
func emit(_ text: String, to output: String?) throws {
    guard let output else {
        FileHandle.standardOutput.write(Data(text.utf8))
        return
    }
    do { try OutputFile.write(text, to: output) } catch {
        printError(describe(error))
        throw ExitCode(2)
    }
}
