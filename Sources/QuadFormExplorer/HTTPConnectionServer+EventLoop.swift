import QuadFormCore
import QuadFormReports
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The event loop: `poll(2)` over the listener, the wake pipe and every connection; accepting,
/// shedding, reading and expiring connections.
extension HTTPConnectionServer {
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

    func drainWake(_ buffer: inout [UInt8]) {
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }

    func acceptAll(now: Double) {
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
    func shed(now: Double) -> Bool {
        let idle = connections.values.filter(\.isIdle).min { $0.lastActivity < $1.lastActivity }
        if let victim = idle ?? connections.values.filter(\.isReading).min(by: { ($0.requestStarted ?? $0.lastActivity) < ($1.requestStarted ?? $1.lastActivity) }) {
            drop(victim)
            return true
        }
        return false
    }

    func drop(_ c: Connection) {
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
        return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    func service(_ c: Connection, revents: Int32, buffer: inout [UInt8], now: Double) {
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

    /// Closes connections past their time: idle keep-alive ones, requests that do not arrive
    /// within `requestTimeout` (408), answers the client does not read.
    func expire(now: Double) {
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
}
