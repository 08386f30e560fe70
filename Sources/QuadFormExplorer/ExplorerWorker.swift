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
        let body = FileHandle.standardInput.readDataToEndOfFile()
        let response = Explorer.respond(method: method, path: path, body: body)
        var output = Data("\(response.status)\n\(response.contentType)\n".utf8)
        output.append(response.body)
        FileHandle.standardOutput.write(output)
    }

    /// The server's side: runs the child on the request and returns its answer, or nil when it did
    /// not answer within `timeout` seconds (it is then killed) or could not be run.
    static func run(method: String, path: String, body: Data, timeout: Double) -> ExplorerResponse? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        process.arguments = [subcommand, method, path]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var data = Data()
        DispatchQueue.global().async {
            data = output.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }
        input.fileHandleForWriting.write(body)
        try? input.fileHandleForWriting.close()
        if done.wait(timeout: .now() + timeout) == .timedOut {
            // SIGKILL: a child spawned from a Dispatch thread may inherit a mask that blocks SIGTERM.
            kill(process.processIdentifier, SIGKILL)
            done.wait()
            process.waitUntilExit()
            return nil
        }
        process.waitUntilExit()
        return parse(data)
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
