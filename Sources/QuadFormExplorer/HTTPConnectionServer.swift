import QuadFormCore
import QuadFormReports
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 request as read by `HTTPConnectionServer`: the request line, the headers and the
/// body (exactly as declared: Content-Length bytes, or a chunked body decoded).
public struct HTTPServerRequest: Sendable {
    /// The method, as sent (`GET`, `POST`, …).
    public let method: String
    /// The path, percent-decoded, without the query.
    public let path: String
    /// The query parameters, percent-decoded (the last of repeated names wins).
    public let query: [String: String]
    /// The headers, names lower-cased (the last of repeated names wins).
    public let headers: [String: String]
    /// The body.
    public let body: Data
    /// The client's address (IP literal), for per-client limits.
    public let client: String
}

/// The limits of `HTTPConnectionServer`: everything a client controls is bounded.
public struct HTTPServerLimits: Sendable {
    /// Most connections open at once; past it the oldest idle (or, failing that, the oldest still
    /// sending its request) is closed to make room, and a new one is refused with 503 when every
    /// connection is waiting for an answer. Also capped below the process's descriptor limit.
    public var maximumConnections = 512
    /// Longest request line (bytes); longer is answered 414.
    public var maximumRequestLineBytes = 8_192
    /// Longest request head, request line and headers (bytes); longer is answered 431.
    public var maximumHeadBytes = 16_384
    /// Largest body (bytes, declared or chunked); larger is answered 413.
    public var maximumBodyBytes = 65_536
    /// Seconds a connection may stay open between requests (keep-alive) before it is closed.
    public var idleTimeout: Double = 15
    /// Seconds from a request's first byte to its last (head and body); then 408 and close.
    public var requestTimeout: Double = 10
    /// Seconds to write an answer to a client that does not read it; then the connection is closed.
    public var writeTimeout: Double = 30

    public init() {}
}

/// Why an HTTP request could not be read: the status and message of the JSON error answered
/// before the connection is closed.
struct HTTPReadError: Error {
    let status: Int
    let message: String
    init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }
}

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
    private let lock = NSLock()
    private var finished: [(Int, UInt64, Response, Bool)] = []

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

    private var connections: [Int32: Connection] = [:]
    private var nextID: UInt64 = 0
    private var acceptPausedUntil: Double = 0

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Serves until the process ends (on the calling thread).
    public func serve() -> Never {
        signal(SIGPIPE, SIG_IGN)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let now = HTTPConnectionServer.now()
            var fds: [pollfd] = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            let accepting = now >= acceptPausedUntil
            if accepting { fds.append(pollfd(fd: listener, events: Int16(POLLIN), revents: 0)) }
            var order: [Connection] = []
            for c in connections.values {
                var events: Int32
                switch c.phase {
                case .busy: events = pollReadHangUp
                case .writing: events = Int32(POLLOUT)
                default: events = Int32(POLLIN) | pollReadHangUp
                }
                fds.append(pollfd(fd: c.fd, events: Int16(truncatingIfNeeded: events), revents: 0))
                order.append(c)
            }
            let ready = poll(&fds, nfds_t(fds.count), 250)
            let after = HTTPConnectionServer.now()
            if ready > 0 {
                if fds[0].revents != 0 { drainWake(&buffer) }
                let offset = accepting ? 2 : 1
                if accepting && fds[1].revents != 0 { acceptAll(now: after) }
                for (i, c) in order.enumerated() {
                    let revents = Int32(fds[i + offset].revents)
                    if revents == 0 || connections[c.fd] !== c { continue }
                    service(c, revents: revents, buffer: &buffer, now: after)
                }
            }
            deliverFinished(now: after)
            expire(now: after)
        }
    }

    private func drainWake(_ buffer: inout [UInt8]) {
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }

    private func acceptAll(now: Double) {
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listener, $0, &length) }
            }
            if fd < 0 {
                let code = errno
                if code == EAGAIN || code == EWOULDBLOCK { return }
                if code == EINTR || code == ECONNABORTED || code == EPROTO { continue }
                if code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM {
                    // Out of descriptors: make room by shedding, or pause accepting for a moment.
                    if !shed(now: now) { acceptPausedUntil = now + 0.1; return }
                    continue
                }
                acceptPausedUntil = now + 0.1
                return
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            let client = HTTPConnectionServer.describe(storage)
            if connections.count >= connectionCap() && !shed(now: now) {
                // Every connection is waiting for an answer: refuse this one, briefly.
                let response = errorBody(503, "the server has \(connections.count) connections open, all waiting for answers; try again")
                let bytes = HTTPConnectionServer.serialize(response, keepAlive: false, head: false)
                _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                close(fd)
                continue
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            nextID += 1
            connections[fd] = Connection(fd: fd, id: nextID, client: client, now: now)
        }
    }

    /// Closes the oldest idle connection, or else the oldest one still sending its request; false
    /// when every connection is waiting for or receiving an answer.
    @discardableResult
    private func shed(now: Double) -> Bool {
        let idle = connections.values.filter(\.isIdle).min { $0.lastActivity < $1.lastActivity }
        if let victim = idle ?? connections.values.filter(\.isReading).min(by: { ($0.requestStarted ?? $0.lastActivity) < ($1.requestStarted ?? $1.lastActivity) }) {
            drop(victim)
            return true
        }
        return false
    }

    private func drop(_ c: Connection) {
        if case .busy(let token) = c.phase { token.cancel() }
        connections[c.fd] = nil
        close(c.fd)
    }

    static func describe(_ storage: sockaddr_storage) -> String {
        var s = storage
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        if Int32(s.ss_family) == AF_INET {
            withUnsafePointer(to: &s) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { p in
                var addr = p.pointee.sin_addr
                _ = inet_ntop(AF_INET, &addr, &text, socklen_t(text.count))
            } }
        } else if Int32(s.ss_family) == AF_INET6 {
            withUnsafePointer(to: &s) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                var addr = p.pointee.sin6_addr
                _ = inet_ntop(AF_INET6, &addr, &text, socklen_t(text.count))
            } }
        }
        return String(cString: text)
    }

    private func service(_ c: Connection, revents: Int32, buffer: inout [UInt8], now: Double) {
        switch c.phase {
        case .busy(let token):
            if revents & (pollReadHangUp | Int32(POLLHUP) | Int32(POLLERR)) != 0 {
                // The client went away while its answer was computed: stop the computation.
                token.cancel()
                drop(c)
            }
            return
        case .writing:
            if revents & (Int32(POLLHUP) | Int32(POLLERR)) != 0 && revents & Int32(POLLOUT) == 0 { drop(c); return }
            flush(c, now: now)
            return
        default:
            break
        }
        if revents & Int32(POLLIN) != 0 || revents & (pollReadHangUp | Int32(POLLHUP)) != 0 {
            let n = read(c.fd, &buffer, buffer.count)
            if n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) { drop(c); return }
            if n > 0 {
                if c.input.isEmpty && c.requestStarted == nil { c.requestStarted = now }
                c.input.append(contentsOf: buffer[0..<n])
                c.lastActivity = now
                advance(c, now: now)
            }
        }
    }

    /// Moves a connection on with the bytes it has: parses the head, reads the body, starts the
    /// request when it is complete.
    private func advance(_ c: Connection, now: Double) {
        do {
            while true {
                switch c.phase {
                case .head:
                    guard let end = try findHeadEnd(c) else { return }
                    let head = try HTTPConnectionServer.parseHead(Array(c.input[0..<end.start]), limits: limits)
                    c.input.removeFirst(end.end)
                    c.scanned = 0
                    c.lineEnd = nil
                    if head.headers["expect"]?.lowercased() == "100-continue" {
                        let interim = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
                        _ = interim.withUnsafeBytes { send(c.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    }
                    if head.headers["transfer-encoding"] != nil {
                        c.phase = .chunked(head, ChunkedDecoder(limit: limits.maximumBodyBytes))
                    } else {
                        c.phase = .body(head, try HTTPConnectionServer.contentLength(head, limits: limits))
                    }
                case .body(let head, let length):
                    guard c.input.count >= length else { return }
                    let body = Data(c.input[0..<length])
                    c.input.removeFirst(length)
                    start(c, head: head, body: body)
                    return
                case .chunked(let head, var decoder):
                    let consumed = try decoder.feed(c.input)
                    c.input.removeFirst(consumed)
                    if decoder.done {
                        start(c, head: head, body: Data(decoder.body))
                        return
                    }
                    c.phase = .chunked(head, decoder)
                    return
                default:
                    return
                }
            }
        } catch let error as HTTPReadError {
            refuse(c, status: error.status, message: error.message)
        } catch {
            refuse(c, status: 400, message: "the request could not be read: \(error)")
        }
    }

    /// The end of the request head (index of the blank line and just past it), scanning only the
    /// bytes not scanned before; throws 414/431 past the limits.
    private func findHeadEnd(_ c: Connection) throws -> (start: Int, end: Int)? {
        // Blank lines before a request are ignored (RFC 9112 §2.2).
        while let first = c.input.first, first == 0x0D || first == 0x0A, c.scanned == 0 {
            c.input.removeFirst()
        }
        let bytes = c.input
        var i = max(0, c.scanned - 3)
        let limit = min(bytes.count, limits.maximumHeadBytes + 4)
        while i < limit {
            if bytes[i] == 0x0A {
                if c.lineEnd == nil { c.lineEnd = i }
                if i >= 1 && bytes[i - 1] == 0x0A { return (i - 1, i + 1) }
                if i >= 3 && bytes[i - 1] == 0x0D && bytes[i - 2] == 0x0A && bytes[i - 3] == 0x0D { return (i - 3, i + 1) }
                if i >= 2 && bytes[i - 1] == 0x0D && bytes[i - 2] == 0x0A { return (i - 2, i + 1) }
            }
            i += 1
        }
        c.scanned = limit
        if (c.lineEnd ?? limit) > limits.maximumRequestLineBytes {
            throw HTTPReadError(414, "the request line is longer than \(limits.maximumRequestLineBytes) bytes")
        }
        if bytes.count > limits.maximumHeadBytes {
            throw HTTPReadError(431, "the request's head (request line and headers) is longer than \(limits.maximumHeadBytes) bytes")
        }
        return nil
    }

    static let methodCharacters = Set("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// The request line and headers of a head (without its blank line).
    static func parseHead(_ bytes: [UInt8], limits: HTTPServerLimits) throws -> Head {
        // Lines split on LF bytes (a Swift String would keep CR LF together as one Character).
        var lines: [Substring] = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            let trimmed = line.last == 0x0D ? line.dropLast() : line
            return Substring(String(decoding: trimmed, as: UTF8.self))
        }
        guard !lines.isEmpty else { throw HTTPReadError(400, "the request line is empty") }
        let requestLine = lines.removeFirst()
        if requestLine.utf8.count > limits.maximumRequestLineBytes {
            throw HTTPReadError(414, "the request line is longer than \(limits.maximumRequestLineBytes) bytes")
        }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].utf8.allSatisfy({ methodCharacters.contains($0) }),
              parts[1].first == "/" || parts[1] == "*" else {
            throw HTTPReadError(400, "malformed request line (expected METHOD /path HTTP/1.1): '\(shorten(String(requestLine)))'")
        }
        let version = String(parts[2])
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            if version.hasPrefix("HTTP/") { throw HTTPReadError(505, "HTTP version '\(shorten(version))' is not supported; use HTTP/1.1") }
            throw HTTPReadError(400, "malformed request line (expected METHOD /path HTTP/1.1): '\(shorten(String(requestLine)))'")
        }
        var headers: [String: String] = [:]
        for line in lines {
            if line.isEmpty { continue }
            if line.first == " " || line.first == "\t" { throw HTTPReadError(400, "folded header lines are not accepted") }
            guard let colon = line.firstIndex(of: ":") else { throw HTTPReadError(400, "malformed header line: '\(shorten(String(line)))'") }
            let name = line[..<colon]
            guard !name.isEmpty, name.utf8.allSatisfy({ methodCharacters.contains($0) }) else {
                throw HTTPReadError(400, "malformed header name: '\(shorten(String(name)))'")
            }
            let key = name.lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
            if let previous = headers[key] {
                if key == "content-length" && previous != value {
                    throw HTTPReadError(400, "Content-Length is given twice with different values")
                }
                if key == "content-length" || key == "transfer-encoding" || key == "host" {
                    if key != "content-length" { throw HTTPReadError(400, "\(name) is given twice") }
                }
                headers[key] = key == "content-length" ? value : previous + ", " + value
            } else {
                headers[key] = value
            }
        }
        let connection = headers["connection"]?.lowercased() ?? ""
        let keepAlive = version == "HTTP/1.1" ? !connection.contains("close") : connection.contains("keep-alive")
        return Head(method: String(parts[0]), target: String(parts[1]), version: version, headers: headers, keepAlive: keepAlive)
    }

    /// The declared body length (0 when none), refused when malformed or past the limit.
    static func contentLength(_ head: Head, limits: HTTPServerLimits) throws -> Int {
        guard let text = head.headers["content-length"] else { return 0 }
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw HTTPReadError(400, "Content-Length '\(shorten(text))' is not a non-negative whole number")
        }
        guard text.count <= 18, let length = Int(text), length <= limits.maximumBodyBytes else {
            throw HTTPReadError(413, "the body has \(text.count <= 18 ? text : "more than 10^18") bytes; the explorer takes at most \(limits.maximumBodyBytes)")
        }
        return length
    }

    static func shorten(_ text: String, _ limit: Int = 80) -> String {
        let printable = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
        return printable.count > limit ? String(printable.prefix(limit)) + "…" : printable
    }

    /// Answers a request that could not be read with a JSON error and closes the connection.
    private func refuse(_ c: Connection, status: Int, message: String) {
        c.input.removeAll()
        c.phase = .writing
        c.closeAfterWrite = true
        c.output = HTTPConnectionServer.serialize(errorBody(status, message), keepAlive: false, head: false)
        c.written = 0
        c.writeStarted = HTTPConnectionServer.now()
        flush(c, now: c.writeStarted)
    }

    /// Starts the handler on a complete request.
    private func start(_ c: Connection, head: Head, body: Data) {
        let token = RequestCancellation()
        c.phase = .busy(token)
        c.requestStarted = nil
        let components = URLComponents(string: head.target)
        let path = components?.path ?? head.target
        var query: [String: String] = [:]
        for item in components?.queryItems ?? [] { query[item.name] = item.value ?? "" }
        let request = HTTPServerRequest(method: head.method, path: path.isEmpty ? "/" : path, query: query,
                                        headers: head.headers, body: body, client: c.client)
        let fd = c.fd, id = c.id, keepAlive = head.keepAlive, isHead = head.method == "HEAD"
        handler(request, token) { [self] response in
            var response = response
            if !keepAlive { response.headers.append(("Connection", "close")) }
            self.finish(fd: fd, id: id, response: response, keepAlive: keepAlive, head: isHead)
        }
    }

    private func finish(fd: Int32, id: UInt64, response: Response, keepAlive: Bool, head: Bool) {
        var r = response
        let close = !keepAlive || r.headers.contains { $0.0.lowercased() == "connection" && $0.1.lowercased() == "close" }
        if close && !r.headers.contains(where: { $0.0.lowercased() == "connection" }) { r.headers.append(("Connection", "close")) }
        lock.lock()
        finished.append((Int(fd), id, r, head))
        lock.unlock()
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private func deliverFinished(now: Double) {
        lock.lock()
        let done = finished
        finished.removeAll()
        lock.unlock()
        for (fd, id, response, head) in done {
            guard let c = connections[Int32(fd)], c.id == id, case .busy = c.phase else { continue }
            let close = response.headers.contains { $0.0.lowercased() == "connection" && $0.1.lowercased() == "close" }
            c.closeAfterWrite = close
            c.output = HTTPConnectionServer.serialize(response, keepAlive: !close, head: head)
            c.written = 0
            c.phase = .writing
            c.writeStarted = now
            c.lastActivity = now
            flush(c, now: now)
        }
    }

    private func flush(_ c: Connection, now: Double) {
        while c.written < c.output.count {
            let n = c.output.withUnsafeBytes { send(c.fd, $0.baseAddress! + c.written, $0.count - c.written, Int32(MSG_NOSIGNAL)) }
            if n > 0 { c.written += n; continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) { return }
            drop(c)
            return
        }
        c.output.removeAll()
        c.written = 0
        c.lastActivity = now
        if c.closeAfterWrite {
            shutdown(c.fd, Int32(SHUT_WR))
            drop(c)
            return
        }
        c.phase = .head
        c.scanned = 0
        c.lineEnd = nil
        c.requestStarted = c.input.isEmpty ? nil : now
        if !c.input.isEmpty { advance(c, now: now) }
    }

    /// Closes connections past their time: idle keep-alive ones, requests that do not arrive
    /// within `requestTimeout` (408), answers the client does not read.
    private func expire(now: Double) {
        for c in Array(connections.values) {
            switch c.phase {
            case .head, .body, .chunked:
                if let started = c.requestStarted {
                    if now - started > limits.requestTimeout {
                        c.requestStarted = nil
                        refuse(c, status: 408, message: "the request did not arrive within \(Int(limits.requestTimeout)) s")
                    }
                } else if now - c.lastActivity > limits.idleTimeout {
                    drop(c)
                }
            case .writing:
                if now - c.writeStarted > limits.writeTimeout { drop(c) }
            case .busy:
                break
            }
        }
    }

    static func phrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 503: return "Service Unavailable"
        case 505: return "HTTP Version Not Supported"
        default: return "Status"
        }
    }

    static func serialize(_ r: Response, keepAlive: Bool, head: Bool) -> [UInt8] {
        var text = "HTTP/1.1 \(r.status) \(phrase(r.status))\r\nContent-Type: \(r.contentType)\r\nContent-Length: \(r.body.count)\r\n"
        for (name, value) in r.headers where name.lowercased() != "content-length" && name.lowercased() != "content-type" {
            text += "\(name): \(value)\r\n"
        }
        if !keepAlive && !r.headers.contains(where: { $0.0.lowercased() == "connection" }) { text += "Connection: close\r\n" }
        text += "\r\n"
        var bytes = Array(text.utf8)
        if !head { bytes.append(contentsOf: r.body) }
        return bytes
    }
}

/// An incremental decoder of a chunked body (RFC 9112 §7.1): each byte is looked at once, the
/// decoded body is refused past `limit` (413) and chunk-size lines and trailers past 4 KiB (400).
struct ChunkedDecoder {
    enum State { case size, data(Int), dataEnd, trailer }
    let limit: Int
    var state = State.size
    var body: [UInt8] = []
    var done = false
    var trailerBytes = 0

    init(limit: Int) { self.limit = limit }

    /// Consumes what it can of `input`; returns the number of bytes consumed.
    mutating func feed(_ input: [UInt8]) throws -> Int {
        var i = 0
        while !done {
            switch state {
            case .size:
                guard let nl = input[i...].prefix(4_096).firstIndex(of: 0x0A) else {
                    if input.count - i > 4_096 { throw HTTPReadError(400, "a chunk-size line is longer than 4 KiB") }
                    return i
                }
                var line = input[i..<nl]
                if line.last == 0x0D { line = line.dropLast() }
                let hex = line.prefix { $0 != 0x3B }.filter { $0 != 0x20 && $0 != 0x09 }
                guard !hex.isEmpty, hex.count <= 8, let size = Int(String(decoding: hex, as: UTF8.self), radix: 16) else {
                    throw HTTPReadError(400, "malformed chunk size '\(HTTPConnectionServer.shorten(String(decoding: line, as: UTF8.self)))'")
                }
                i = nl + 1
                if size == 0 { state = .trailer; continue }
                guard body.count + size <= limit else {
                    throw HTTPReadError(413, "the body has more than \(limit) bytes; the explorer takes at most \(limit)")
                }
                state = .data(size)
            case .data(let size):
                let take = min(size, input.count - i)
                body.append(contentsOf: input[i..<(i + take)])
                i += take
                if take < size { state = .data(size - take); return i }
                state = .dataEnd
            case .dataEnd:
                guard input.count - i >= 2 || (input.count - i == 1 && input[i] == 0x0A) else { return i }
                if input[i] == 0x0A { i += 1 }
                else if input[i] == 0x0D && input[i + 1] == 0x0A { i += 2 }
                else { throw HTTPReadError(400, "a chunk does not end with CRLF") }
                state = .size
            case .trailer:
                guard let nl = input[i...].prefix(4_096).firstIndex(of: 0x0A) else {
                    if input.count - i > 4_096 { throw HTTPReadError(400, "a trailer line is longer than 4 KiB") }
                    return i
                }
                let empty = nl == i || (nl == i + 1 && input[i] == 0x0D)
                trailerBytes += nl + 1 - i
                if trailerBytes > 16_384 { throw HTTPReadError(431, "the trailers are longer than 16 KiB") }
                i = nl + 1
                if empty { done = true }
            }
        }
        return i
    }
}
