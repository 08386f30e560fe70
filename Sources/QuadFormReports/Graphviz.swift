import QuadFormCore
import Foundation

/// Errors running Graphviz.
public enum GraphvizError: Error, Equatable, CustomStringConvertible {
    /// `dot` is not on PATH.
    case notInstalled
    /// `dot` ran and failed (exit status, its standard error).
    case failed(status: Int32, message: String)

    public var description: String {
        switch self {
        case .notInstalled:
            return "Graphviz's `dot` was not found on PATH. Install Graphviz (Debian/Ubuntu: `sudo apt-get install graphviz`; macOS: `brew install graphviz`; others: https://graphviz.org/download/), or write DOT with --format dot and render it elsewhere"
        case let .failed(status, message):
            return "Graphviz `dot` failed (exit status \(status)): \(message.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
    }
}

/// Running the Graphviz `dot` program on DOT text.
public enum Graphviz {
    /// The path of `dot` on PATH, if any.
    public static func dotExecutable(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") where !folder.isEmpty {
            let candidate = String(folder) + "/dot"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// `dot -T<format>` applied to `source`; its standard output.
    public static func render(_ source: String, format: String = "svg", timeout: Double = .infinity) throws -> Data {
        guard let dot = dotExecutable() else { throw GraphvizError.notInstalled }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("quadform-dot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let input = scratch.appendingPathComponent("graph.dot")
        let output = scratch.appendingPathComponent("graph.out")
        try Data(source.utf8).write(to: input)
        // Spawned in this process's own process group (Foundation's Process gives the child a
        // group of its own), so that killing the explorer's worker group stops `dot` too.
        switch ChildProcess.run(dot, ["-T\(format)", "-o", output.path, input.path], input: Data(), timeout: timeout,
                                cancellation: nil, newProcessGroup: false, standardError: true) {
        case let .exited(messages, status):
            guard status == 0 else { throw GraphvizError.failed(status: status, message: String(decoding: messages.prefix(4_096), as: UTF8.self)) }
        case .timedOut:
            throw GraphvizError.failed(status: -1, message: "stopped after \(timeout) s")
        case .cancelled, .tooLarge:
            throw GraphvizError.failed(status: -1, message: "stopped")
        case .failed(let reason):
            throw GraphvizError.failed(status: -1, message: reason)
        }
        return try Data(contentsOf: output)
    }
}
