import ArgumentParser
import Foundation
import QuadFormCore
import QuadFormReports
import QuadFormInterop
import TerminalProgress
import QuadFormMPI

extension EigenDriver: ExpressibleByArgument {}

/// `quadform-mpi`: `quadform synth` for `.npy` forms, distributed over MPI with ScaLAPACK
/// (docs/distributed.md). Run under `mpirun -np P`.
@main
struct QuadformMPI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quadform-mpi",
        abstract: "quadform synth over MPI: ScaLAPACK on a block-cyclically distributed matrix (docs/distributed.md).",
        discussion: "Run as: mpirun -np P quadform-mpi synth --quadratic A.npy [--linear a.npy] [--constant c]",
        version: PackageVersion.string,
        subcommands: [Synth.self]
    )

    /// The exit status of the whole run (set by `synth`; each process exits with it).
    nonisolated(unsafe) static var world: MPIWorld?

    /// Parses the arguments first, so that `--help`, `--version` and usage errors answer at once,
    /// before MPI starts (MPI_Init takes 0.3–0.5 s); then initializes MPI and runs the command.
    static func main() {
        let parsed: ParsableCommand
        do {
            if let problem = NumericArgument.firstRangeProblem(in: Array(CommandLine.arguments.dropFirst())) {
                throw ValidationError(problem)
            }
            parsed = try QuadformMPI.parseAsRoot()
        } catch {
            Glibc.exit(report(error, isRoot: launchedAsRankZero))
        }
        guard parsed is Synth else {
            // `--help`, `help synth` and the bare command print their text and need no MPI.
            do {
                var command = parsed
                try command.run()
                Glibc.exit(0)
            } catch {
                Glibc.exit(report(error, isRoot: launchedAsRankZero))
            }
        }
        let world: MPIWorld
        do { world = try MPIWorld.initialize() } catch {
            FileHandle.standardError.write(Data("quadform-mpi: error: \(error)\n".utf8))
            Glibc.exit(2)
        }
        QuadformMPI.world = world
        var status: Int32 = 0
        do {
            var command = parsed
            try command.run()
        } catch {
            status = report(error, isRoot: world.isRoot)
        }
        MPIWorld.finalize()
        Glibc.exit(status)
    }

    /// Whether this process is rank 0 (or not under a launcher) before MPI is initialized: the
    /// rank the launcher put in the environment (Open MPI, PMIx, MPICH's PMI), or 0 without one.
    static var launchedAsRankZero: Bool {
        let environment = ProcessInfo.processInfo.environment
        for name in ["OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"] {
            if let rank = environment[name] { return rank == "0" }
        }
        return true
    }

    /// The exit status of a command that threw `error`; its message (help, version, usage error,
    /// failure) is printed once, by process 0. Usage errors exit with status 2, like every other
    /// bad input (as `quadform` does).
    static func report(_ error: Error, isRoot: Bool) -> Int32 {
        let code = QuadformMPI.exitCode(for: error)
        let status = code == .validationFailure ? 2 : code.rawValue
        if isRoot && !(error is ExitCode) {
            var lines = QuadformMPI.fullMessage(for: error).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            while lines.last?.isEmpty == true { lines.removeLast() }
            if code == .validationFailure {
                if let first = lines.first, first.hasPrefix("Error: ") { lines[0] = String(first.dropFirst("Error: ".count)) }
                printError(lines.joined(separator: "\n"), isRoot: isRoot)
            } else if !lines.isEmpty {
                (code == .success ? FileHandle.standardOutput : FileHandle.standardError).write(Data((lines.joined(separator: "\n") + "\n").utf8))
            }
        }
        return status
    }
}

/// Prints `message` on standard error, on process 0 only.
func printError(_ message: String, world: MPIWorld) {
    printError(message, isRoot: world.isRoot)
}

/// Prints `message` on standard error when `isRoot`.
func printError(_ message: String, isRoot: Bool) {
    if isRoot { FileHandle.standardError.write(Data(("quadform-mpi: error: " + message + "\n").utf8)) }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Synthesize and verify both networks of a .npy form, distributed over the MPI processes.",
        discussion: """
        Same options and report keys as `quadform synth` for .npy input. Each process reads only
        its own blocks of A; ScaLAPACK decomposes it on a BLACS grid chosen from P; process 0
        gathers the kept eigenvectors, builds the networks, writes the report (atomically) and
        the networks (--save-networks). Errors are printed once, by process 0.

        Exit status: 0 verified, 1 verification failed, 2 bad input or usage.

        Example:
          mpirun -np 4 quadform-mpi synth --quadratic A.npy --linear a.npy --format json --output r.json
        """
    )

    @Option(help: ArgumentHelp("The NumPy matrix M (n x n; <f8, <f4, <i8, <i4, either byte order, C or Fortran order).", valueName: "file"))
    var quadratic: String

    @Option(help: ArgumentHelp("Read the linear term a from a .npy file (default 0).", valueName: "file"))
    var linear: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("The constant term c (default 0).", valueName: "c"))
    var constant: Double = 0

    @Option(name: .customLong("rank-tolerance"), parsing: .unconditional,
            help: ArgumentHelp("Absolute rank tolerance: eigenvalues with |λ| at or below it are dropped (default \(RankTolerance.defaultRuleHelp)).", valueName: "t"))
    var rankTolerance: Double?

    @Option(help: "Eigen driver, the names of quadform synth's --driver: auto (default), dsyev and dsyevd run ScaLAPACK pdsyevd; dsyevr and selected run pdsyevr (docs/distributed.md).")
    var driver: EigenDriver = .auto

    @Option(parsing: .unconditional, help: ArgumentHelp("Radius R of the verification box [−R, R]^n.", valueName: "R"))
    var box: Double = 1

    @Option(parsing: .unconditional,
            help: ArgumentHelp("The accuracy τ a verified network must reach, relative to f's scale (default \(Verifier.defaultAccuracy) for float64 input, \(Verifier.defaultFloat32Accuracy) for float32; design.md §5).", valueName: "τ"))
    var accuracy: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Random sample points for verification.", valueName: "count"))
    var samples: Int = 32

    @Option(name: .customLong("block-size"), help: ArgumentHelp("Block size nb of the block-cyclic distribution.", valueName: "nb"))
    var blockSize: Int = DistributedSynthesis.defaultBlock

    @Option(name: .customLong("save-networks"),
            help: ArgumentHelp("Also write both networks (atomically), as quadform synth does, in the format the name says: .npz, .json, .onnx or .safetensors.", valueName: "file"))
    var saveNetworks: String?

    @Flag(help: "Print the time of each phase on standard error (process 0's clock).")
    var timings = false

    @Flag(help: "Draw process 0's progress line (stage, elapsed time) on standard error although it is not a terminal: under mpirun every process's standard error is a pipe. Without mpirun (P = 1) it is drawn when standard error is a terminal.")
    var progress = false

    @Flag(help: "No progress line.")
    var quiet = false

    @Option(help: "Output format: text (for people) or json (for tools).")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("Write the report to this file (atomically) instead of standard output.", valueName: "file"))
    var output: String?

    func validate() throws {
        if !(box > 0 && box.isFinite) { throw ValidationError("--box must be a finite number > 0, got \(box)") }
        if samples < 0 || samples > 100_000 { throw ValidationError("--samples must be between 0 and 100000, got \(samples)") }
        if !constant.isFinite { throw ValidationError("--constant must be finite") }
        if let t = rankTolerance, !(t >= 0 && t.isFinite) { throw ValidationError("--rank-tolerance must be a finite number ≥ 0, got \(t)") }
        if let t = accuracy, !(t > 0 && t <= 1) { throw ValidationError("--accuracy must be a number in (0, 1], got \(t)") }
        if blockSize < 1 || blockSize > 4096 { throw ValidationError("--block-size must be between 1 and 4096, got \(blockSize)") }
        if let saveNetworks {
            do { _ = try NetworkFile.Format(path: saveNetworks) } catch { throw ValidationError("--save-networks: \(error)") }
        }
    }

    func run() throws {
        let world = QuadformMPI.world!
        let options = SynthesisOptions(rankTolerance: rankTolerance, driver: driver, boxRadius: box, randomSamples: samples, accuracy: accuracy)
        let synthesis: DistributedSynthesis
        let line = world.isRoot ? ProgressLine.standardError(program: "quadform-mpi", quiet: quiet, force: progress) : nil
        do {
            synthesis = try ProgressLine.run(line) {
                try DistributedSynthesis(world: world, quadratic: quadratic, linear: linear, constant: constant,
                                         options: options, block: blockSize)
            }
        } catch {
            printError(String(describing: error), world: world)
            throw ExitCode(2)
        }
        // Process 0 writes; the others learn its outcome.
        var outcome: Double = 0
        if world.isRoot, let report = DistributedSynthesisReport(synthesis: synthesis, matrixPath: quadratic) {
            let start = MPIWorld.time
            do {
                let data = Data((format == .json ? JSONWriter.write(report.json) : report.text).utf8)
                if let output { try OutputFile.write(data, to: output) } else { FileHandle.standardOutput.write(data) }
                if let saveNetworks {
                    try SavedNetworks.write([("residual", report.core.residual), ("plain", report.core.plain)], to: saveNetworks,
                                            options: NetworkWriteOptions(source: "quadform-mpi synth \(quadratic)"))
                }
                // The convention of quadform's `--output` (docs/install.md): a line per file written,
                // on standard output when the report went to a file, on standard error otherwise.
                if !quiet {
                    var lines = ""
                    if let output { lines += "wrote \(output): the \(format == .json ? "JSON report" : "report"), verification \(report.status.rawValue)\n" }
                    if let saveNetworks { lines += "wrote \(saveNetworks): the residual and plain networks\n" }
                    if output != nil { FileHandle.standardOutput.write(Data(lines.utf8)) } else { FileHandle.standardError.write(Data(lines.utf8)) }
                }
                outcome = report.passed ? 0 : 1
                if let message = report.status.failureMessage { printError(message, world: world) }
            } catch {
                printError(String(describing: error), world: world)
                outcome = 2
            }
            if timings {
                var text = ""
                for (name, seconds) in synthesis.phases + [("report and write", MPIWorld.time - start)] {
                    text += "timing: \(name.padding(toLength: 40, withPad: " ", startingAt: 0)) \(String(format: "%8.3f", seconds)) s\n"
                }
                FileHandle.standardError.write(Data(text.utf8))
            }
        }
        var shared = [outcome]
        try world.broadcast(&shared, from: 0)
        if shared[0] != 0 { throw ExitCode(Int32(shared[0])) }
    }
}
