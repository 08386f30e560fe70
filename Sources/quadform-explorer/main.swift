import ArgumentParser
import Dispatch
import Foundation
import QuadFormCore
import QuadFormExplorer

/// The explorer server (docs/serve.md): `quadform serve` replaces itself with this executable, so
/// the command line never loads the HTTP stack. Run alone it takes the same options.
struct QuadformExplorer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quadform-explorer",
        abstract: "Serve the explorer page (what `quadform serve` runs).",
        discussion: """
        Starts a local HTTP server and prints its address; open it in a browser. Listens on \
        127.0.0.1 (this machine only) unless --host says otherwise. Stop it with Ctrl-C.
        """,
        subcommands: [ExplorerWorkerCommand.self]
    )

    @Option(help: ArgumentHelp("Port to listen on (0: any free port).", valueName: "port"))
    var port: Int = 8080

    @Option(help: ArgumentHelp("Address to listen on: 127.0.0.1 (this machine only), ::1, or 0.0.0.0 (every interface).", valueName: "address"))
    var host: String = "127.0.0.1"

    func validate() throws {
        if port < 0 || port > 65_535 { throw ValidationError("--port must be between 0 and 65535, got \(port)") }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let server = ExplorerServer(host: host, port: UInt16(port))
        Task {
            do {
                try await server.run { url in
                    try? StandardOutput.write("quadform explorer: \(url)\n")
                }
            } catch {
                FileHandle.standardError.write(Data("quadform: error: \(error)\n".utf8))
                Foundation.exit(2)
            }
        }
        dispatchMain()
    }
}

/// The child process of the server that answers one exact-mode request (ExplorerWorker): not for
/// people, hidden from the help.
struct ExplorerWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: ExplorerWorker.subcommand,
        abstract: "Answer one explorer request read from standard input (used by the server).",
        shouldDisplay: false
    )

    @Argument(help: "HTTP method.") var method: String
    @Argument(help: "Route.") var path: String

    func run() throws { ExplorerWorker.answer(method: method, path: path) }
}

QuadformExplorer.main()
