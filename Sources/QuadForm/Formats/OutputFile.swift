import Foundation

/// Writing output files atomically: a temporary file in the same folder, renamed over the target
/// only when complete, so a failed run leaves an existing file untouched.
public enum OutputFile {
    /// Writes `data` to `path` atomically (see `write(to:_:)`).
    public static func write(_ data: Data, to path: String) throws {
        try write(to: path) { sink in try data.withUnsafeBytes { try sink.write($0) } }
    }

    /// Writes UTF-8 `text` to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }
}

/// A file being written through C stdio, counting the bytes (used by `OutputFile.write(to:_:)`).
struct FileSink: ByteSink {
    let file: UnsafeMutablePointer<FILE>
    let path: String
    private(set) var offset: UInt64 = 0

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        guard fwrite(base, 1, bytes.count, file) == bytes.count else {
            throw FileError.unwritable(path, String(cString: strerror(errno)))
        }
        offset += UInt64(bytes.count)
    }
}

extension OutputFile {
    /// Writes the bytes that `body` streams into the sink to `path` atomically: a temporary file
    /// in the same folder, renamed over `path` only after `body` returned and the file was closed,
    /// so a failure leaves an existing file untouched and no half-written one behind.
    static func write(to path: String, _ body: (inout FileSink) throws -> Void) throws {
        // stat follows symbolic links: /dev/stdout is a link to a pipe or terminal.
        var status = stat()
        var target = path
        if stat(path, &status) == 0 {
            let kind = status.st_mode & S_IFMT
            if kind == S_IFDIR { throw FileError.isDirectory(path) }
            if kind != S_IFREG {
                // A device or pipe (/dev/null, /dev/stdout, <(…)) is written in place: renaming
                // over it would replace /dev/null itself with a regular file.
                guard let file = fopen(path, "wb") else { throw FileError.unwritable(path, String(cString: strerror(errno))) }
                var sink = FileSink(file: file, path: path)
                do { try body(&sink) } catch { fclose(file); throw error }
                guard fclose(file) == 0 else { throw FileError.unwritable(path, String(cString: strerror(errno))) }
                return
            }
            // A link to a regular file: replace the file it names, and keep the link.
            if let resolved = realpath(path, nil) {
                target = String(cString: resolved)
                free(resolved)
            }
        }
        let url = URL(fileURLWithPath: target)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        guard let file = fopen(temporary, "wb") else {
            throw FileError.unwritable(path, String(cString: strerror(errno)))
        }
        var sink = FileSink(file: file, path: path)
        do {
            try body(&sink)
        } catch {
            fclose(file)
            unlink(temporary)
            throw error
        }
        let closed = fclose(file) == 0
        let reason = String(cString: strerror(errno))
        guard closed else {
            unlink(temporary)
            throw FileError.unwritable(path, reason)
        }
        guard rename(temporary, target) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(temporary)
            throw FileError.unwritable(path, why)
        }
    }
}
