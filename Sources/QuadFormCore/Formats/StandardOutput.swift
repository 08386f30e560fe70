import Foundation

/// Standard output, written with errors instead of traps: a full device (`> /dev/full`) is
/// `FileError.unwritable("standard output", …)`, a reader that went away (`| head -c1`, with
/// SIGPIPE ignored) is `FileError.brokenPipe`.
public enum StandardOutput {
    /// Streams the bytes `body` writes to standard output.
    public static func write(_ body: (inout FileSink) throws -> Void) throws {
        var sink = FileSink(descriptor: STDOUT_FILENO, path: "standard output")
        try body(&sink)
        try sink.flush()
    }

    /// Writes `data` to standard output.
    public static func write(_ data: Data) throws {
        try write { sink in try data.withUnsafeBytes { try sink.write($0) } }
    }

    /// Writes UTF-8 `text` to standard output.
    public static func write(_ text: String) throws {
        try write { sink in try sink.write(text) }
    }
}
