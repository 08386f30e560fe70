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

    public var description: String {
        switch self {
        case .notFound(let p): return "\(p): no such file"
        case .isDirectory(let p): return "\(p): is a directory, not a file"
        case let .unreadable(p, why): return "\(p): cannot be read (\(why))"
        case .notText(let p): return "\(p): is not UTF-8 text"
        case let .unwritable(p, why): return "\(p): cannot be written (\(why))"
        }
    }
}

/// Reading input files with errors that name the file.
public enum InputFile {
    /// The bytes of `path`.
    public static func readData(_ path: String) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw FileError.notFound(path) }
        if isDirectory.boolValue { throw FileError.isDirectory(path) }
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
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw FileError.isDirectory(path)
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
