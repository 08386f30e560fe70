import Foundation

/// Runs recursive-descent readers (expressions, JSON) on a thread of their own with a large stack,
/// so the nesting their grammars allow never depends on the caller's thread: descent to the
/// nesting limits needs about 10 KiB a level in a debug build, more than a secondary thread's
/// default stack (512 KiB on some platforms) can give.
public enum LargeStack {
    /// Stack size of the reader thread.
    public static let size = 16 << 20

    /// Runs `body` on a thread with `size` bytes of stack and waits for its result.
    public static func run<T>(_ body: @escaping () throws -> T) throws -> T {
        let outcome = Outcome(body)
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            outcome.run()
            finished.signal()
        }
        thread.stackSize = size
        thread.start()
        finished.wait()
        return try outcome.get()
    }

    /// Carries the job to the reader thread and its result back; the semaphore in `run` orders
    /// the accesses.
    private final class Outcome<T>: @unchecked Sendable {
        private let body: () throws -> T
        private var result: Result<T, Error>?

        init(_ body: @escaping () throws -> T) { self.body = body }

        func run() { result = Result { try body() } }

        func get() throws -> T {
            guard let result else { throw FormatError.readerDidNotFinish }
            return try result.get()
        }
    }
}
