import Foundation

/// Errors about files named on the command line.
public enum FileError: Error, Equatable, CustomStringConvertible {
    /// The path does not exist.
    case notFound(String)
    /// The path is a directory.
    case isDirectory(String)
    /// The file could not be read or written (the system's reason included).
    case unreadable(String, String)
    /// The file is not valid UTF-8 text.
    case notText(String)
    /// The output could not be written.
    case unwritable(String, String)
    /// A pipe or device delivered more than `InputFile.maximumStreamBytes`.
    case tooLarge(String, Int)

    public var description: String {
        switch self {
        case .notFound(let p): return "\(p): no such file"
        case .isDirectory(let p): return "\(p): is a directory, not a file"
        case let .unreadable(p, why): return "\(p): cannot be read (\(why))"
        case .notText(let p): return "\(p): is not UTF-8 text"
        case let .unwritable(p, why): return "\(p): cannot be written (\(why))"
        case let .tooLarge(p, limit): return "\(p): more than \(limit) bytes; refusing to read further"
        }
    }
}

/// Reading input files with errors that name the file.
public enum InputFile {
    /// Most bytes read from a pipe or device (such as `<(command)` or /dev/stdin), whose size is
    /// not known in advance: an endless source like /dev/zero is cut off here.
    public static let maximumStreamBytes = 1 << 28

    /// The bytes of `path`: a regular file is mapped; a pipe or device is read up to
    /// `maximumStreamBytes`.
    public static func readData(_ path: String) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw FileError.notFound(path) }
        if isDirectory.boolValue { throw FileError.isDirectory(path) }
        let type = (try? FileManager.default.attributesOfItem(atPath: path)[.type]) as? FileAttributeType
        if let type, type != .typeRegular {
            guard let handle = FileHandle(forReadingAtPath: path) else { throw FileError.unreadable(path, "cannot open it") }
            defer { try? handle.close() }
            var data = Data()
            do {
                while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                    data.append(chunk)
                    if data.count > maximumStreamBytes { throw FileError.tooLarge(path, maximumStreamBytes) }
                }
            } catch let error as FileError {
                throw error
            } catch {
                throw FileError.unreadable(path, error.localizedDescription)
            }
            return data
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw FileError.unreadable(path, error.localizedDescription)
        }
    }

    /// The text of `path`, which must be UTF-8.
    public static func readText(_ path: String) throws -> String {
        let data = try readData(path)
        guard let text = String(data: data, encoding: .utf8) else { throw FileError.notText(path) }
        return text
    }
}

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
