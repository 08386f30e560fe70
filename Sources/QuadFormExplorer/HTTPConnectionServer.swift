import QuadFormCore
import QuadFormReports
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// POLLRDHUP (Linux; not exported by Swift's Glibc module): the peer closed its end.
let pollReadHangUp: Int32 = 0x2000

/// A pipe whose two ends are closed on exec (and non-blocking if asked).
func makePipe(_ fds: inout [Int32], nonBlocking: Bool = false) -> Bool {
    guard pipe(&fds) == 0 else { return false }
    for fd in fds {
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        if nonBlocking { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }
    return true
}

/// A small HTTP/1.1 server on POSIX sockets and `poll(2)`, one event-loop thread for all
/// connections (docs/serve.md "Limits of the connection"): request heads are parsed in linear
/// time and bounded (414, 431), bodies are read exactly as declared (Content-Length or chunked,
/// 413 past the limit), requests must arrive within `requestTimeout`, idle keep-alive connections
/// are closed after `idleTimeout`, the number of connections is capped below the descriptor
/// limit (the oldest idle connection is shed to make room), and running out of descriptors in
/// `accept` backs off instead of ending the process. A client that disconnects while its request
/// is computed cancels it (`RequestCancellation`). Every refusal is a JSON error.
public final class HTTPConnectionServer: @unchecked Sendable {
    /// The answer to a request: status, content type, body, extra headers.
    public struct Response: Sendable {
        public var status: Int
        public var contentType: String
        public var body: Data
        public var headers: [(String, String)]
        public init(status: Int, contentType: String, body: Data, headers: [(String, String)] = []) {
            self.status = status
            self.contentType = contentType
            self.body = body
            self.headers = headers
        }
    }

    /// Called on the event loop's thread with a complete request; it must not block: it answers
    /// at once or hands the work to a thread of its own, calling `respond` exactly once.
    public typealias Handler = @Sendable (HTTPServerRequest, RequestCancellation, _ respond: @escaping @Sendable (Response) -> Void) -> Void

    let listener: Int32
    /// The port bound (the one chosen when 0 was asked).
    public let port: UInt16
    let limits: HTTPServerLimits
    let handler: Handler
    let errorBody: @Sendable (Int, String) -> Response
    let wakeRead: Int32, wakeWrite: Int32
    let lock = NSLock()
    var finished: [(Int, UInt64, Response, Bool)] = []

    /// Binds `address:port` (throws `ExplorerServerError.portInUse` when it is taken).
    public init(host: String, port: UInt16, limits: HTTPServerLimits = HTTPServerLimits(),
                errorBody: @escaping @Sendable (Int, String) -> Response, handler: @escaping Handler) throws {
        self.limits = limits
        self.handler = handler
        self.errorBody = errorBody
        let ipv6 = host.contains(":")
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw ExplorerServerError.cannotListen(host: host, port: port, reason: String(cString: strerror(errno))) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var result: Int32
        if ipv6 {
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, host, &a.sin6_addr) == 1 else { close(fd); throw ExplorerServerError.badHost(host) }
            result = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        } else {
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host, &a.sin_addr) == 1 else { close(fd); throw ExplorerServerError.badHost(host) }
            result = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        if result != 0 {
            let code = errno
            close(fd)
            if code == EADDRINUSE { throw ExplorerServerError.portInUse(host: host, port: port) }
            throw ExplorerServerError.cannotListen(host: host, port: port, reason: String(cString: strerror(code)))
        }
        guard listen(fd, 128) == 0 else {
            let code = errno
            close(fd)
            if code == EADDRINUSE { throw ExplorerServerError.portInUse(host: host, port: port) }
            throw ExplorerServerError.cannotListen(host: host, port: port, reason: String(cString: strerror(code)))
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        if ipv6 {
            self.port = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) } }
        } else {
            self.port = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) } }
        }
        listener = fd
        var fds: [Int32] = [0, 0]
        guard makePipe(&fds, nonBlocking: true) else {
            close(fd)
            throw ExplorerServerError.cannotListen(host: host, port: port, reason: String(cString: strerror(errno)))
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    /// The most connections allowed under the process's descriptor limit: a quarter of the
    /// descriptors are kept for child processes' pipes, scratch files and the libraries.
    func connectionCap() -> Int {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let soft = limit.rlim_cur > 1 << 20 ? 1 << 20 : Int(limit.rlim_cur)
        return max(8, min(limits.maximumConnections, soft - max(32, soft / 4)))
    }

    // MARK: Connections

    enum Phase {
        case head
        case body(Head, Int)
        case chunked(Head, ChunkedDecoder)
        case busy(RequestCancellation)
        case writing
    }

    /// A parsed request head.
    struct Head {
        var method: String
        var target: String
        var version: String
        var headers: [String: String]
        var keepAlive: Bool
    }

    final class Connection {
        let fd: Int32
        let id: UInt64
        let client: String
        var input: [UInt8] = []
        var scanned = 0
        var lineEnd: Int?
        var phase: Phase = .head
        var output: [UInt8] = []
        var written = 0
        var closeAfterWrite = false
        var lastActivity: Double
        var requestStarted: Double?
        var writeStarted: Double = 0
        init(fd: Int32, id: UInt64, client: String, now: Double) {
            self.fd = fd
            self.id = id
            self.client = client
            lastActivity = now
        }
        var isIdle: Bool {
            if case .head = phase, input.isEmpty, output.isEmpty { return true }
            return false
        }
        var isReading: Bool {
            switch phase {
            case .head, .body, .chunked: return output.isEmpty
            default: return false
            }
        }
    }

    var connections: [Int32: Connection] = [:]
    var nextID: UInt64 = 0
    var acceptPausedUntil: Double = 0

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
