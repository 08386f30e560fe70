/// Where long work says how far it has come: the stage it is in and, where the work is countable,
/// how many of how many units are done. The library only calls it — it never prints; the command
/// line draws it on a terminal (`ProgressLine` in Sources/TerminalProgress) and installs nothing
/// otherwise, so reports and non-terminal output are unchanged.
///
/// Implementations are called from the working thread and must be cheap: `advance` may be called
/// for every unit of work (a row of the exact reduction, a training start).
public protocol ProgressReporter: AnyObject, Sendable {
    /// A new stage begins (the previous one, if any, has ended); `total` units of countable work,
    /// or nil when the stage is not countable.
    func begin(_ stage: String, total: Int?)
    /// `done` of the current stage's `total` units are finished.
    func advance(_ done: Int)
}

/// The progress reporter of the current task or thread, if any. The command line installs one with
/// `ProgressContext.$reporter.withValue(line) { … }`; library code reports through the static
/// functions, which do nothing when no reporter is installed (the default).
public enum ProgressContext {
    @TaskLocal public static var reporter: (any ProgressReporter)?

    /// Begins `stage` on the installed reporter, if any.
    public static func begin(_ stage: String, total: Int? = nil) {
        reporter?.begin(stage, total: total)
    }

    /// Reports `done` units of the current stage on the installed reporter, if any.
    public static func advance(_ done: Int) {
        reporter?.advance(done)
    }
}
