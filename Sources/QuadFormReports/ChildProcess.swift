import QuadFormCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Seconds on the monotonic clock.
func monotonicSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// A flag set when the client of a request has gone away or the request is abandoned; child
/// processes started for the request watch it (`ChildProcess`) and are killed when it is set.
public final class RequestCancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    public init() {}

    /// Whether the request was cancelled.
    public var isCancelled: Bool {
        lock.lock(); defer { lock.unlock() }
        return cancelled
    }

    /// Marks the request cancelled.
    public func cancel() {
        lock.lock(); cancelled = true; lock.unlock()
    }
}


/// A child process with a deadline: run (by default) in a process group of its own so that it
/// and everything it starts (the explorer's worker and Graphviz's `dot` under it) are killed
/// together (SIGKILL to the group, then reaped) when the deadline passes, the request it serves
/// is cancelled, or its output passes a bound. Never left running, never left unreaped.
public enum ChildProcess {
    /// How a run ended.
    public enum Outcome: Sendable {
        /// Exited by itself; its standard output and exit status.
        case exited(Data, Int32)
        /// Killed at the deadline.
        case timedOut
        /// Killed because the request was cancelled (client gone).
        case cancelled
        /// Killed because its output passed `maximumOutput`.
        case tooLarge
        /// Could not be started.
        case failed(String)
    }

    /// Runs `path arguments` with `input` on standard input, standard error to /dev/null, until it
    /// exits, `timeout` seconds pass, or `cancellation` is set; blocks the calling thread.
    public static func run(_ path: String, _ arguments: [String], input: Data, timeout: Double,
                           maximumOutput: Int = 64 << 20, cancellation: RequestCancellation?,
                           newProcessGroup: Bool = true, standardError: Bool = false) -> Outcome {
        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0]
        guard closeOnExecPipe(&toChild) else { return .failed(String(cString: strerror(errno))) }
        guard closeOnExecPipe(&fromChild) else {
            close(toChild[0]); close(toChild[1])
            return .failed(String(cString: strerror(errno)))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        if standardError {
            posix_spawn_file_actions_adddup2(&actions, fromChild[1], 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16((newProcessGroup ? POSIX_SPAWN_SETPGROUP : 0) | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        if newProcessGroup { posix_spawnattr_setpgroup(&attributes, 0) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGINT)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        close(toChild[0])
        close(fromChild[1])
        guard spawned == 0 else {
            close(toChild[1]); close(fromChild[0])
            return .failed(String(cString: strerror(spawned)))
        }
        let writeEnd = toChild[1], readEnd = fromChild[0]
        _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK)
        let deadline = monotonicSeconds() + timeout
        var output = Data()
        var written = 0
        var inputOpen = true
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let bytes = [UInt8](input)
        if bytes.isEmpty { close(writeEnd); inputOpen = false }
        var outcome: Outcome?
        while outcome == nil {
            if cancellation?.isCancelled == true { outcome = .cancelled; break }
            if monotonicSeconds() > deadline { outcome = .timedOut; break }
            var fds = [pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)]
            if inputOpen { fds.append(pollfd(fd: writeEnd, events: Int16(POLLOUT), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), 100)
            if ready <= 0 { continue }
            if inputOpen && fds.count > 1 && fds[1].revents != 0 {
                let n = bytes.withUnsafeBytes { write(writeEnd, $0.baseAddress! + written, $0.count - written) }
                if n > 0 { written += n }
                if n < 0 && errno != EAGAIN && errno != EINTR { written = bytes.count }
                if written >= bytes.count { close(writeEnd); inputOpen = false }
            }
            if fds[0].revents != 0 {
                let n = read(readEnd, &buffer, buffer.count)
                if n > 0 {
                    output.append(contentsOf: buffer[0..<n])
                    if output.count > maximumOutput { outcome = .tooLarge }
                } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
                    // End of its output: wait for it to exit (still bounded by the deadline).
                    var status: Int32 = 0
                    while true {
                        let r = waitpid(pid, &status, WNOHANG)
                        if r == pid {
                            if newProcessGroup { kill(-pid, SIGKILL) }  // anything it left behind in its group
                            close(readEnd)
                            if inputOpen { close(writeEnd) }
                            let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
                            return .exited(output, code)
                        }
                        if r < 0 && errno != EINTR { break }
                        if cancellation?.isCancelled == true { outcome = .cancelled; break }
                        if monotonicSeconds() > deadline { outcome = .timedOut; break }
                        usleep(10_000)
                    }
                    if outcome == nil { outcome = .failed("the child process could not be waited for") }
                }
            }
        }
        // SIGKILL to the whole group (the child and its own children), then reap the child.
        if newProcessGroup { kill(-pid, SIGKILL) }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        close(readEnd)
        if inputOpen { close(writeEnd) }
        return outcome ?? .timedOut
    }
}

/// A pipe whose two ends are closed on exec.
func closeOnExecPipe(_ fds: inout [Int32]) -> Bool {
    guard pipe(&fds) == 0 else { return false }
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    return true
}
