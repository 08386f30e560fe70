import Foundation

/// The package root (three levels above this file): where `examples/` and `notebooks/` are.
public let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The lecture notes' two reference networks in `examples/` (design.md §1).
public enum ExampleFiles {
    /// Example 1.5.6: realization(5) = 28.
    public static let example156 = packageRoot.appendingPathComponent("examples/example-1.5.6.json").path
    /// Exercise 1.5.1: realization(−1) = −7.
    public static let exercise151 = packageRoot.appendingPathComponent("examples/exercise-1.5.1.json").path
}

/// A fresh empty folder under the temporary directory for one test, named quadform-`label`-UUID.
public func makeScratchDirectory(_ label: String = "test") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("quadform-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The raw bytes of a version-1 `.npy` file with the given header dictionary and payload.
public func npyBytes(header dict: String, payload: [UInt8], major: UInt8 = 1) -> Data {
    var header = dict
    let unpadded = 10 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, major, 0])
    let length = UInt16(header.utf8.count)
    data.append(UInt8(length & 0xFF))
    data.append(UInt8(length >> 8))
    data.append(contentsOf: Array(header.utf8))
    data.append(contentsOf: payload)
    return data
}
