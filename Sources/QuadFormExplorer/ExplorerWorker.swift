import QuadFormCore
import QuadFormReports
import Dispatch
import Foundation

/// Exact-mode requests of the explorer run in a child process (`quadform explorer-worker METHOD
/// PATH`, the body on standard input), so that one whose rational arithmetic runs long is stopped
/// for real at `ExplorerServer.computationTimeout`: the child is killed and the request answered
/// 503. (A computation in the server's own process could only be abandoned, not stopped.)
public enum ExplorerWorker {
    /// The hidden subcommand of the quadform executable that answers one request.
    public static let subcommand = "explorer-worker"

    /// The child's side: answers the request read from standard input, writing the status line,
    /// the content type line and the body to standard output.
    public static func answer(method: String, path: String) {
        // If the server dies, take this process group (with any `dot` under it) along.
        let parent = getppid()
        // Only as the leader of its own group (as the server starts it), never a shell's group.
        if getpgrp() == getpid() { Thread.detachNewThread {
            while true {
                if getppid() != parent { kill(0, SIGKILL) }
                usleep(200_000)
            }
        } }
        let body = FileHandle.standardInput.readDataToEndOfFile()
        let response = Explorer.respond(method: method, path: path, body: body)
        var output = Data("\(response.status)\n\(response.contentType)\n".utf8)
        output.append(response.body)
        FileHandle.standardOutput.write(output)
    }

    /// The server's side: runs the child (in its own process group) on the request and returns
    /// its answer; 503 when it did not answer within `timeout` seconds or its client went away
    /// (it is then killed with everything it started, e.g. Graphviz's `dot`, and reaped).
    static func run(method: String, path: String, body: Data, timeout: Double, cancellation: RequestCancellation? = nil) -> ExplorerResponse {
        let seconds = Int(timeout)
        switch ChildProcess.run("/proc/self/exe", [subcommand, method, path], input: body, timeout: timeout, cancellation: cancellation) {
        case .exited(let data, _):
            return parse(data) ?? .error(ExplorerError(status: 500, "the worker process gave no answer"))
        case .timedOut:
            let what = Explorer.wantsExact(body) ? "the exact computation" : "the computation"
            return .error(ExplorerError(status: 503, "\(what) took longer than \(seconds) s and was stopped; try a smaller form\(Explorer.wantsExact(body) ? " or leave exact mode" : "")"))
        case .cancelled:
            return .error(ExplorerError(status: 503, "the request was cancelled (its client went away)"))
        case .tooLarge:
            return .error(ExplorerError(status: 503, "the answer grew past its bound and the computation was stopped"))
        case .failed(let reason):
            return .error(ExplorerError(status: 500, "the worker process could not be started: \(reason)"))
        }
    }

    /// The answer printed by `answer(method:path:)`.
    static func parse(_ data: Data) -> ExplorerResponse? {
        guard let first = data.firstIndex(of: 0x0A),
              let second = data[(first + 1)...].firstIndex(of: 0x0A),
              let status = Int(String(decoding: data[..<first], as: UTF8.self)) else { return nil }
        let contentType = String(decoding: data[(first + 1)..<second], as: UTF8.self)
        return ExplorerResponse(status: status, contentType: contentType, body: Data(data[(second + 1)...]))
    }
}
