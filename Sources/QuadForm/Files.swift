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
    /// Writes `data` to `path` atomically.
    public static func write(_ data: Data, to path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw FileError.isDirectory(path) }
            // A device or pipe (/dev/null, /dev/stdout, <(…)) is written in place: an atomic
            // rename would replace /dev/null itself with a regular file.
            let type = (try? FileManager.default.attributesOfItem(atPath: path)[.type]) as? FileAttributeType
            if let type, type != .typeRegular, type != .typeSymbolicLink {
                guard let handle = FileHandle(forWritingAtPath: path) else { throw FileError.unwritable(path, "cannot open it") }
                defer { try? handle.close() }
                do { try handle.write(contentsOf: data) } catch { throw FileError.unwritable(path, error.localizedDescription) }
                return
            }
        }
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw FileError.unwritable(path, error.localizedDescription)
        }
    }

    /// Writes UTF-8 `text` to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }
}
