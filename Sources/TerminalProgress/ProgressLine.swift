import Foundation
import QuadFormCore

/// The progress of a long run drawn on standard error when it is a terminal (issue 24): one line,
/// `quadform: decompose (LAPACKE dsyevd)  3.1 s` or `quadform: exact reduction  [######    ] 61% 122/200  2.4 s`,
/// redrawn at most ten times a second by a ticker thread, and finished with a newline that keeps
/// the stage and its time once the stage ends. A stage is drawn only once it has run for
/// `delay` seconds, so short runs print nothing at all.
///
/// `ProgressLine.standardError(quiet:)` gives nil — nothing is drawn and nothing is installed —
/// when standard error is not a terminal (isatty(2)), with `--quiet`, or with `QUADFORM_PROGRESS=0`
/// in the environment; standard output and reports never change.
public final class ProgressLine: ProgressReporter, @unchecked Sendable {
    /// The line's prefix (`quadform`, `quadform-mpi`).
    let program: String
    /// Seconds a stage runs before it is drawn (`QUADFORM_PROGRESS_DELAY`, default 0.3; with 0 each
    /// stage is drawn as it begins).
    let delay: Double
    /// Seconds between redraws.
    static let interval = 0.1

    private let lock = NSLock()
    private var stage: String?
    private var total: Int?
    private var done = 0
    private var stageStart = DispatchTime.now().uptimeNanoseconds
    private var shown = false
    private var stopped = false

    /// A reporter on standard error, or nil when progress is not wanted (see the type's comment).
    /// `force` draws it on a standard error that is not a terminal (quadform-mpi's `--progress`:
    /// under mpirun every process's standard error is a pipe, whatever the user's terminal is).
    public static func standardError(program: String = "quadform", quiet: Bool, force: Bool = false) -> ProgressLine? {
        let environment = ProcessInfo.processInfo.environment
        guard !quiet, force || isatty(STDERR_FILENO) == 1, environment["QUADFORM_PROGRESS"] != "0" else { return nil }
        let delay = environment["QUADFORM_PROGRESS_DELAY"].flatMap(Double.init).map { max(0, $0) } ?? 0.3
        return ProgressLine(program: program, delay: delay)
    }

    init(program: String, delay: Double) {
        self.program = program
        self.delay = delay
        let thread = Thread { [weak self] in
            while let line = self, line.tick() {
                Thread.sleep(forTimeInterval: ProgressLine.interval)
            }
        }
        thread.stackSize = 1 << 18
        thread.start()
    }

    public func begin(_ stage: String, total: Int?) {
        lock.lock(); defer { lock.unlock() }
        endStage()
        self.stage = stage
        self.total = total
        done = 0
        stageStart = DispatchTime.now().uptimeNanoseconds
        // With no delay every stage is drawn as it begins, however short (the tests rely on it).
        if delay == 0, !stopped { draw(final: false) }
    }

    public func advance(_ done: Int) {
        lock.lock(); self.done = done; lock.unlock()
    }

    /// A line that stays (a finished part of the work, such as one architecture's training): the
    /// progress line is erased, the note written with a newline, and the line drawn again after.
    public func note(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        if stopped { return }
        write("\r\u{1B}[K\(program): \(text)\n")
        shown = false
    }

    /// Ends the current stage (its line stays, with a newline, if it was drawn) and stops drawing.
    /// Call it before writing to a terminal standard output, and at the end of the run.
    public func finish() {
        lock.lock(); defer { lock.unlock() }
        endStage()
        stage = nil
        stopped = true
    }

    /// Stops drawing after a failure: a drawn line is ended with a newline, without "done", so the
    /// error message that follows starts a line of its own.
    func abandon() {
        lock.lock(); defer { lock.unlock() }
        if shown { write("\n") }
        shown = false
        stage = nil
        stopped = true
    }

    /// Runs the given work with this reporter installed for the library (`ProgressContext`), and
    /// finishes the line after it, also when it throws.
    public static func run<T>(_ line: ProgressLine?, _ body: () throws -> T) rethrows -> T {
        guard let line else { return try body() }
        do {
            let result = try ProgressContext.$reporter.withValue(line) { try body() }
            line.finish()
            return result
        } catch {
            line.abandon()
            throw error
        }
    }

    /// One redraw; false once finished.
    private func tick() -> Bool {
        lock.lock(); defer { lock.unlock() }
        if stopped { return false }
        guard stage != nil, elapsed >= delay else { return true }
        draw(final: false)
        return true
    }

    private var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - stageStart) / 1e9 }

    /// The stage ends: a drawn line is completed with its time and a newline.
    private func endStage() {
        if shown { draw(final: true) }
        shown = false
    }

    private func draw(final: Bool) {
        guard let stage else { return }
        var line = "\(program): \(stage)"
        if let total, total > 0 {
            let count = final ? total : min(done, total)
            let fraction = Double(count) / Double(total)
            let filled = Int((fraction * 20).rounded(.down))
            line += "  [" + String(repeating: "#", count: filled) + String(repeating: " ", count: 20 - filled) + "]"
            line += String(format: " %3d%% %d/%d", Int((fraction * 100).rounded(.down)), count, total)
        }
        line += String(format: "  %.1f s", elapsed)
        if final { line += " done" }
        let width = ProgressLine.terminalColumns()
        if line.count > width - 1 { line = String(line.prefix(max(width - 2, 10))) + "…" }
        write("\r\u{1B}[K" + line + (final ? "\n" : ""))
        shown = !final
    }

    private func write(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.write(STDERR_FILENO, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }

    /// The terminal's width (TIOCGWINSZ), 80 when unknown.
    static func terminalColumns() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }
}
