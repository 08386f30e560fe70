import ArgumentParser
import Foundation
import QuadFormCore

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the explorer page: type a quadratic, see A, its spectrum, both networks and their verification.",
        discussion: """
        Starts a local HTTP server (docs/serve.md) and prints its address; open it in a browser. \
        The page and its API are served by quadform alone (no network). Listens on 127.0.0.1 \
        (this machine only) unless --host says otherwise. Stop it with Ctrl-C.

        Examples:
          quadform serve
          quadform serve --port 0            any free port (the address printed tells which)
          quadform serve --host 0.0.0.0      every interface: others on the network can use it
        """
    )

    @Option(help: ArgumentHelp("Port to listen on (0: any free port).", valueName: "port"))
    var port: Int = 8080

    @Option(help: ArgumentHelp("Address to listen on: 127.0.0.1 (this machine only), ::1, or 0.0.0.0 (every interface).", valueName: "address"))
    var host: String = "127.0.0.1"

    func validate() throws {
        if port < 0 || port > 65_535 { throw ValidationError("--port must be between 0 and 65535, got \(port)") }
    }

    func run() throws {
        // The server is its own executable, so that quadform itself never loads the HTTP stack
        // (FlyingFox, FoundationNetworking): replace this process with it.
        let explorer = try ExplorerExecutable.locate()
        let arguments = [explorer, "--port", String(port), "--host", host]
        let cArguments = arguments.map { strdup($0) } + [nil]
        execv(explorer, cArguments)
        throw ExplorerExecutable.Failure.cannotRun(path: explorer, reason: String(cString: strerror(errno)))
    }
}

/// Finds `quadform-explorer`, the server `quadform serve` runs: beside this executable (as
/// `swift build` and scripts/install.sh place it), else on PATH.
enum ExplorerExecutable {
    /// Why the server could not be started.
    enum Failure: Error, CustomStringConvertible {
        case notFound(searched: [String])
        case cannotRun(path: String, reason: String)

        var description: String {
            switch self {
            case let .notFound(searched):
                return "quadform serve runs the quadform-explorer executable, which is not installed (looked in \(searched.joined(separator: ", "))); scripts/install.sh installs it beside quadform"
            case let .cannotRun(path, reason):
                return "cannot run \(path): \(reason)"
            }
        }
    }

    static let name = "quadform-explorer"

    static func locate() throws -> String {
        var searched: [String] = []
        let own = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let beside = URL(fileURLWithPath: own).deletingLastPathComponent().appendingPathComponent(name).path
        searched.append(URL(fileURLWithPath: beside).deletingLastPathComponent().path)
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) where !folder.isEmpty {
            let candidate = URL(fileURLWithPath: folder).appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            searched.append(folder)
        }
        throw Failure.notFound(searched: searched)
    }
}
