import Foundation

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
