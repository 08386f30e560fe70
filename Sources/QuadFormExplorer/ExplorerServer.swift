import QuadFormCore
import QuadFormReports
import Dispatch
import FlyingFox
import FlyingSocks
import Foundation

/// Why the explorer's server cannot start: a host it cannot listen on.
public enum ExplorerServerError: Error, Equatable, CustomStringConvertible {
    /// `--host` is not an IPv4 or IPv6 address (or `localhost`).
    case badHost(String)

    public var description: String {
        switch self {
        case .badHost(let host):
            return "--host '\(host)' is not an IP address: give 127.0.0.1 (the default, this machine only), ::1, or 0.0.0.0 to listen on every interface"
        }
    }
}

/// The HTTP server of `quadform serve` (docs/serve.md), on FlyingFox: the explorer page (HTML,
/// CSS and script embedded in the binary, no network needed) and the API of `Explorer`, whose
/// answers are computed off the server's threads, at most `maximumConcurrentComputations` at a
/// time (more are answered 503), each given at most `computationTimeout` seconds (then 503);
/// exact-mode requests run in a child process (`ExplorerWorker`) that is killed at the timeout.
public struct ExplorerServer: Sendable {
    /// The address to listen on (IPv4 or IPv6 literal; `localhost` means 127.0.0.1).
    public let host: String
    /// The port (0: any free port; the one chosen is passed to `onListening`).
    public let port: UInt16

    /// Computations running at once before the server answers 503 "busy".
    public static let maximumConcurrentComputations = 8
    /// Seconds a computation may take before its request is answered 503.
    public static let computationTimeout: Double = 10

    /// A server for `host:port`.
    public init(host: String = "127.0.0.1", port: UInt16 = 8080) {
        self.host = host
        self.port = port
    }

    /// The socket address of `host` and `port`.
    func address() throws -> any SocketAddress {
        let name = host == "localhost" ? "127.0.0.1" : host
        if name.contains(":") {
            guard let a = try? sockaddr_in6.inet6(ip6: name, port: port) else { throw ExplorerServerError.badHost(host) }
            return a
        }
        guard let a = try? sockaddr_in.inet(ip4: name, port: port) else { throw ExplorerServerError.badHost(host) }
        return a
    }

    /// Listens and serves until the process ends; calls `onListening` with the page's URL once the
    /// socket is bound.
    public func run(onListening: @escaping @Sendable (String) -> Void) async throws {
        let server = HTTPServer(config: .init(address: try address(), timeout: ExplorerServer.computationTimeout + 20))
        let gate = ComputationGate()
        await server.appendRoute("*") { request in await ExplorerServer.handle(request, gate: gate) }
        let name = host == "localhost" ? "127.0.0.1" : host
        async let running: Void = server.run()
        try await server.waitUntilListening()
        var bound = port
        if case .ip4(_, let p)? = await server.listeningAddress { bound = p }
        if case .ip6(_, let p)? = await server.listeningAddress { bound = p }
        onListening("http://\(name.contains(":") ? "[\(name)]" : name):\(bound)/")
        try await running
    }

    /// The answer to one request: a page file, or the API (body read up to its limit, computed off
    /// the cooperative threads).
    static func handle(_ request: HTTPRequest, gate: ComputationGate) async -> HTTPResponse {
        let method = request.method.rawValue
        if let page = PageFile.named(request.path) {
            guard method == "GET" || method == "HEAD" else { return response(.error(ExplorerError(status: 405, "\(request.path) takes GET"))) }
            return HTTPResponse(statusCode: .ok, headers: [
                .contentType: page.contentType,
                HTTPHeader("Cache-Control"): "no-store",
                HTTPHeader("Content-Security-Policy"): "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'",
                HTTPHeader("X-Content-Type-Options"): "nosniff",
            ], body: page.data)
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > Explorer.maximumBodyBytes {
            var r = response(.error(ExplorerError(status: 413, "the body has \(length) bytes; the explorer takes at most \(Explorer.maximumBodyBytes)")))
            r.headers[.connection] = "close"
            return r
        }
        var body = Data()
        do {
            for try await chunk in request.bodySequence {
                body.append(chunk)
                if body.count > Explorer.maximumBodyBytes {
                    var r = response(.error(ExplorerError(status: 413, "the body has more than \(Explorer.maximumBodyBytes) bytes; the explorer takes at most \(Explorer.maximumBodyBytes)")))
                    r.headers[.connection] = "close"
                    return r
                }
            }
        } catch {
            return response(.error(ExplorerError("the body could not be read: \(error)")))
        }
        var query: [String: String] = [:]
        for item in request.query { query[item.name] = item.value }
        let path = request.path, parameters = query, content = body
        guard await gate.enter() else {
            return response(.error(ExplorerError(status: 503, "the explorer is busy (\(maximumConcurrentComputations) computations running); try again")))
        }
        let answer: ExplorerResponse?
        if method == "POST" && Explorer.wantsExact(content) {
            answer = await compute(timeout: computationTimeout + 5) {
                ExplorerWorker.run(method: method, path: path, body: content, timeout: computationTimeout)
                    ?? .error(ExplorerError(status: 503, "the exact computation took longer than \(Int(computationTimeout)) s and was stopped; try a smaller form or leave exact mode"))
            }
        } else {
            answer = await compute(timeout: computationTimeout) {
                Explorer.respond(method: method, path: path, query: parameters, body: content)
            }
        }
        await gate.leave()
        return response(answer ?? .error(ExplorerError(status: 503, "the computation took longer than \(Int(computationTimeout)) s")))
    }

    /// `work` on a Dispatch thread, or nil if it has not finished after `timeout` seconds (it then
    /// runs to its end unobserved; the explorer's input limits keep that short).
    static func compute(timeout: Double, _ work: @escaping @Sendable () -> ExplorerResponse) async -> ExplorerResponse? {
        let once = OnceResult()
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let r = work()
                if once.claim() { continuation.resume(returning: r) }
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                if once.claim() { continuation.resume(returning: nil) }
            }
        }
    }

    /// The FlyingFox response of an `ExplorerResponse`.
    static func response(_ r: ExplorerResponse) -> HTTPResponse {
        HTTPResponse(statusCode: HTTPStatusCode(r.status, phrase: phrase(r.status)),
                     headers: [.contentType: r.contentType, HTTPHeader("Cache-Control"): "no-store"], body: r.body)
    }

    static func phrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 413: return "Content Too Large"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}

/// Counts the computations running, refusing one past `ExplorerServer.maximumConcurrentComputations`.
actor ComputationGate {
    private var running = 0

    /// Takes a place if one is free.
    func enter() -> Bool {
        guard running < ExplorerServer.maximumConcurrentComputations else { return false }
        running += 1
        return true
    }

    /// Gives a place back.
    func leave() { running -= 1 }
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
