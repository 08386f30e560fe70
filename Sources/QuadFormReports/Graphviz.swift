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
    public static func render(_ source: String, format: String = "svg") throws -> Data {
        guard let dot = dotExecutable() else { throw GraphvizError.notInstalled }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("quadform-dot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let input = scratch.appendingPathComponent("graph.dot")
        let output = scratch.appendingPathComponent("graph.out")
        let errors = scratch.appendingPathComponent("graph.err")
        try Data(source.utf8).write(to: input)
        guard FileManager.default.createFile(atPath: errors.path, contents: nil) else {
            throw GraphvizError.failed(status: -1, message: "cannot create a scratch file in \(scratch.path)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: dot)
        process.arguments = ["-T\(format)", "-o", output.path, input.path]
        let errorHandle = try FileHandle(forWritingTo: errors)
        process.standardError = errorHandle
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try errorHandle.close()
        let message = String(decoding: (try? Data(contentsOf: errors)) ?? Data(), as: UTF8.self)
        guard process.terminationStatus == 0 else { throw GraphvizError.failed(status: process.terminationStatus, message: message) }
        return try Data(contentsOf: output)
    }
}
