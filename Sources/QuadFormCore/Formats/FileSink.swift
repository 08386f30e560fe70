import Foundation

/// A file descriptor being written through a 64 KiB buffer, counting the bytes; errors name the
/// path (used by `OutputFile.write(to:_:)` and `StandardOutput`). Call `flush()` at the end.
public struct FileSink: ByteSink {
    /// The descriptor written to.
    let descriptor: Int32
    /// The name used in errors.
    public let path: String
    /// Bytes written so far (buffered ones included).
    public private(set) var offset: UInt64 = 0
    private var buffer: [UInt8] = []
    private static let capacity = 1 << 16

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
        buffer.reserveCapacity(FileSink.capacity)
    }

    /// Appends `bytes`.
    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        if buffer.count + bytes.count > FileSink.capacity { try flush() }
        if bytes.count >= FileSink.capacity {
            try writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
        offset += UInt64(bytes.count)
    }

    /// Appends the UTF-8 bytes of `text`.
    public mutating func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Writes out the buffered bytes.
    public mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// write(2) until every byte is out; EINTR is retried, EPIPE is `FileError.brokenPipe`.
    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = Foundation.write(descriptor, bytes.baseAddress! + done, min(bytes.count - done, 1 << 30))
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { throw FileError.brokenPipe(path) }
                throw FileError.unwritable(path, String(cString: strerror(errno)))
            }
            if n == 0 { throw FileError.unwritable(path, "no bytes could be written") }
            done += n
        }
    }
}
