import QuadFormCore
import QuadFormReports
import Dispatch
import Foundation

/// Why the explorer's server cannot start: a host it cannot listen on, a port already taken.
public enum ExplorerServerError: Error, Equatable, CustomStringConvertible {
    /// `--host` is not an IPv4 or IPv6 address (or `localhost`).
    case badHost(String)
    /// Another program listens on the port (EADDRINUSE).
    case portInUse(host: String, port: UInt16)
    /// The socket could not be created, bound or listened on for another reason.
    case cannotListen(host: String, port: UInt16, reason: String)

    public var description: String {
        switch self {
        case .badHost(let host):
            return "--host '\(host)' is not an IP address: give 127.0.0.1 (the default, this machine only), ::1, or 0.0.0.0 to listen on every interface"
        case let .portInUse(_, port):
            return "port \(port) is already in use by another program: stop it, or give another port (--port 0 takes any free one)"
        case let .cannotListen(host, port, reason):
            return "cannot listen on \(host):\(port): \(reason)"
        }
    }
}

/// The HTTP server of `quadform serve` (docs/serve.md), on `HTTPConnectionServer` (POSIX sockets,
/// every connection bounded): the explorer page (HTML, CSS and script embedded in the binary, no
/// network needed) and the API of `Explorer`, whose answers are computed off the event loop, at
/// most `maximumConcurrentComputations` at a time and `maximumComputationsPerClient` for one
/// client address (more are answered 503), each given at most `computationTimeout` seconds (then
/// 503). Exact-mode and figure requests run in a child process (`ExplorerWorker`, with Graphviz's
/// `dot` under it) that is killed with its process group at the timeout or when the client goes
/// away; a floating computation in the server's process keeps its slot until it really ends.
public struct ExplorerServer: Sendable {
    /// The address to listen on (IPv4 or IPv6 literal; `localhost` means 127.0.0.1).
    public let host: String
    /// The port (0: any free port; the one chosen is passed to `onListening`).
    public let port: UInt16

    /// Computations running at once before the server answers 503 "busy".
    public static let maximumConcurrentComputations = 8
    /// Computations one client address may have running at once (so one client cannot hold every slot).
    public static let maximumComputationsPerClient = 4
    /// Seconds a computation may take before its request is answered 503.
    public static let computationTimeout: Double = 10

    /// A server for `host:port`.
    public init(host: String = "127.0.0.1", port: UInt16 = 8080) {
        self.host = host
        self.port = port
    }

    /// The numeric address to bind (`localhost` is 127.0.0.1), refused when not an IP literal.
    func address() throws -> String {
        let name = host == "localhost" ? "127.0.0.1" : host
        var buffer = [UInt8](repeating: 0, count: 16)
        guard inet_pton(name.contains(":") ? AF_INET6 : AF_INET, name, &buffer) == 1 else { throw ExplorerServerError.badHost(host) }
        return name
    }

    /// Binds the socket (throws `ExplorerServerError.portInUse` when the port is taken), calls
    /// `onListening` with the page's URL, and serves until the process ends.
    public func run(onListening: @escaping @Sendable (String) -> Void) async throws {
        let server = try makeServer()
        let name = try address()
        onListening("http://\(name.contains(":") ? "[\(name)]" : name):\(server.port)/")
        let thread = Thread { server.serve() }
        thread.stackSize = 1 << 20
        thread.start()
        while true { try? await Task.sleep(nanoseconds: 3_600_000_000_000) }
    }

    /// The bound server with the explorer's handler.
    public func makeServer(limits: HTTPServerLimits = HTTPServerLimits()) throws -> HTTPConnectionServer {
        var limits = limits
        limits.maximumBodyBytes = Explorer.maximumBodyBytes
        let gate = ComputationGate()
        return try HTTPConnectionServer(host: try address(), port: port, limits: limits,
                                        errorBody: { status, message in ExplorerServer.response(.error(ExplorerError(status: status, message))) },
                                        handler: { request, cancellation, respond in
                                            ExplorerServer.handle(request, gate: gate, cancellation: cancellation, respond: respond)
                                        })
    }

    /// The answer to one request, on the event loop: page files, unknown routes and refusals at
    /// once; computations on a thread of their own (never Dispatch's shared pools, which blocked
    /// waits can starve), after taking a computation slot.
    static func handle(_ request: HTTPServerRequest, gate: ComputationGate, cancellation: RequestCancellation,
                       respond: @escaping @Sendable (HTTPConnectionServer.Response) -> Void) {
        let method = request.method
        if let page = PageFile.named(request.path) {
            guard method == "GET" || method == "HEAD" else { return respond(response(.error(ExplorerError(status: 405, "\(request.path) takes GET")))) }
            return respond(HTTPConnectionServer.Response(status: 200, contentType: page.contentType, body: page.data, headers: [
                ("Cache-Control", "no-store"),
                ("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'"),
                ("X-Content-Type-Options", "nosniff"),
            ]))
        }
        let path = request.path, parameters = request.query, content = request.body
        let routes = ["/api/synth", "/api/figures", "/api/eval", "/api/prove", "/api/spectrum.svg"]
        guard routes.contains(path) else {
            // No computation: the library answers 404 at once.
            return respond(response(Explorer.respond(method: method, path: path, query: parameters, body: content)))
        }
        switch gate.enter(client: request.client) {
        case .busy:
            return respond(response(.error(ExplorerError(status: 503, "the explorer is busy (\(maximumConcurrentComputations) computations running); try again"))))
        case .clientBusy:
            return respond(response(.error(ExplorerError(status: 503, "you already have \(maximumComputationsPerClient) computations running; wait for their answers"))))
        case .entered:
            break
        }
        let client = request.client
        let once = OnceResult()
        let thread = Thread {
            if method == "POST" && (path == "/api/figures" || Explorer.wantsExact(content)) {
                // A child process: stopped for real (with Graphviz under it) at the timeout or
                // when the client leaves; the slot is free once it is reaped.
                let answer = ExplorerWorker.run(method: method, path: path, body: content, timeout: computationTimeout, cancellation: cancellation)
                gate.leave(client: client)
                if once.claim() { respond(response(answer)) }
                return
            }
            // In the server's process: answered 503 at the timeout, but the slot is kept until
            // the computation ends (the explorer's input limits keep that short).
            DispatchQueue.global().asyncAfter(deadline: .now() + computationTimeout) {
                if once.claim() { respond(response(.error(ExplorerError(status: 503, "the computation took longer than \(Int(computationTimeout)) s")))) }
            }
            let answer = Explorer.respond(method: method, path: path, query: parameters, body: content)
            gate.leave(client: client)
            if once.claim() { respond(response(answer)) }
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// The server's response of an `ExplorerResponse`.
    static func response(_ r: ExplorerResponse) -> HTTPConnectionServer.Response {
        HTTPConnectionServer.Response(status: r.status, contentType: r.contentType, body: r.body, headers: [("Cache-Control", "no-store")])
    }
}

/// Counts the computations running, in all and per client address, refusing one past
/// `ExplorerServer.maximumConcurrentComputations` or `maximumComputationsPerClient`.
final class ComputationGate: @unchecked Sendable {
    enum Entry { case entered, busy, clientBusy }
    private let lock = NSLock()
    private var running = 0
    private var perClient: [String: Int] = [:]

    /// Takes a place if one is free for this client.
    func enter(client: String) -> Entry {
        lock.lock(); defer { lock.unlock() }
        if perClient[client, default: 0] >= ExplorerServer.maximumComputationsPerClient { return .clientBusy }
        guard running < ExplorerServer.maximumConcurrentComputations else { return .busy }
        running += 1
        perClient[client, default: 0] += 1
        return .entered
    }

    /// Gives a place back.
    func leave(client: String) {
        lock.lock(); defer { lock.unlock() }
        running -= 1
        let left = perClient[client, default: 1] - 1
        perClient[client] = left > 0 ? left : nil
    }
}

/// A flag that lets exactly one of two racing callers resume a continuation.
final class OnceResult: @unchecked Sendable {
    private let lock = NSLock()
    private var claimed = false

    /// True for the first caller only.
    func claim() -> Bool {
        lock.lock(); defer { lock.unlock() }
        if claimed { return false }
        claimed = true
        return true
    }
}
