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
    /// The reader of a pipe (standard output piped into `head`, say) went away (EPIPE).
    case brokenPipe(String)

    public var description: String {
        switch self {
        case .notFound(let p): return "\(p): no such file"
        case .isDirectory(let p): return "\(p): is a directory, not a file"
        case let .unreadable(p, why): return "\(p): cannot be read (\(why))"
        case .notText(let p): return "\(p): is not UTF-8 text"
        case let .unwritable(p, why): return "\(p): cannot be written (\(why))"
        case let .tooLarge(p, limit): return "\(p): more than \(limit) bytes; refusing to read further"
        case .brokenPipe(let p): return "\(p): the reader closed the pipe"
        }
    }
}
