import ArgumentParser
import Foundation
import QuadForm
import QuadformServer

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
        let server = ExplorerServer(host: host, port: UInt16(port))
        Task {
            do {
                try await server.run { url in
                    try? StandardOutput.write("quadform explorer: \(url)\n")
                }
            } catch {
                printError(describe(error))
                Foundation.exit(2)
            }
        }
        dispatchMain()
    }
}

/// The child process of `quadform serve` that answers one exact-mode request (ExplorerWorker):
/// not for people, hidden from the help.
struct ExplorerWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: ExplorerWorker.subcommand,
        abstract: "Answer one explorer request read from standard input (used by quadform serve).",
        shouldDisplay: false
    )

    @Argument(help: "HTTP method.") var method: String
    @Argument(help: "Route.") var path: String

    func run() throws { ExplorerWorker.answer(method: method, path: path) }
}
