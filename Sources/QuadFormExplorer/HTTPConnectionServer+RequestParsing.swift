import QuadFormCore
import QuadFormReports
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Request parsing: a connection's bytes to a request head and body, bounded by `HTTPServerLimits`.
extension HTTPConnectionServer {
    /// Moves a connection on with the bytes it has: parses the head, reads the body, starts the
    /// request when it is complete.
    func advance(_ c: Connection, now: Double) {
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
    func findHeadEnd(_ c: Connection) throws -> (start: Int, end: Int)? {
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
}
