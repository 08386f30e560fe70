import QuadFormCore
import QuadFormReports
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Responses: handing a complete request to the handler, collecting its answer from any thread,
/// serializing and writing it.
extension HTTPConnectionServer {
    /// Answers a request that could not be read with a JSON error and closes the connection.
    func refuse(_ c: Connection, status: Int, message: String) {
        c.input.removeAll()
        c.phase = .writing
        c.closeAfterWrite = true
        c.output = HTTPConnectionServer.serialize(errorBody(status, message), keepAlive: false, head: false)
        c.written = 0
        c.writeStarted = HTTPConnectionServer.now()
        flush(c, now: c.writeStarted)
    }

    /// Starts the handler on a complete request.
    func start(_ c: Connection, head: Head, body: Data) {
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

    func finish(fd: Int32, id: UInt64, response: Response, keepAlive: Bool, head: Bool) {
        var r = response
        let close = !keepAlive || r.headers.contains { $0.0.lowercased() == "connection" && $0.1.lowercased() == "close" }
        if close && !r.headers.contains(where: { $0.0.lowercased() == "connection" }) { r.headers.append(("Connection", "close")) }
        lock.lock()
        finished.append((Int(fd), id, r, head))
        lock.unlock()
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    func deliverFinished(now: Double) {
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

    func flush(_ c: Connection, now: Double) {
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
