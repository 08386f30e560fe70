import Foundation

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
