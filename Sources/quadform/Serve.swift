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
        // A busy port is named at once (exit 2), before the server starts.
        try ServePort.checkFree(host: host, port: port)
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

/// Why `quadform serve` cannot listen where it was asked to.
enum ServeError: Error, CustomStringConvertible {
    /// Another process listens on the port (EADDRINUSE).
    case portInUse(host: String, port: Int)
    /// The port needs privileges this process lacks (EACCES: ports below 1024 for users).
    case portNotPermitted(host: String, port: Int)

    var description: String {
        switch self {
        case let .portInUse(host, port):
            return "port \(port) is already in use on \(host); choose another with --port, or --port 0 for any free port"
        case let .portNotPermitted(host, port):
            return "not permitted to listen on port \(port) of \(host) (ports below 1024 need root); choose another with --port, or --port 0 for any free port"
        }
    }
}

/// Checks a port by binding it the way the server will (SO_REUSEADDR, so a connection of a
/// stopped server still in TIME_WAIT does not count), then releasing it.
enum ServePort {
    static func checkFree(host: String, port: Int) throws {
        guard port != 0 else { return }
        var v4 = sockaddr_in(), v6 = sockaddr_in6()
        let family: Int32
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            family = AF_INET
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(port).bigEndian)
        } else if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
            family = AF_INET6
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(UInt16(port).bigEndian)
        } else {
            return  // not an address: the server reports it
        }
        #if canImport(Glibc)
        let stream = Int32(SOCK_STREAM.rawValue)
        #else
        let stream = SOCK_STREAM
        #endif
        let fd = socket(family, stream, 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let result: Int32
        if family == AF_INET {
            result = withUnsafePointer(to: &v4) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        } else {
            result = withUnsafePointer(to: &v6) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        }
        guard result != 0 else { return }
        switch errno {
        case EADDRINUSE: throw ServeError.portInUse(host: host, port: port)
        case EACCES: throw ServeError.portNotPermitted(host: host, port: port)
        default: return  // anything else: the server says what it is
        }
    }
}
