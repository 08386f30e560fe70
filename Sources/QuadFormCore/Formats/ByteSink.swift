import Foundation

/// A destination for bytes with a running offset: a file being written or memory.
package protocol ByteSink {
    /// Bytes written so far.
    var offset: UInt64 { get }
    /// Appends `bytes`.
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws
}

extension ByteSink {
    package mutating func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}

/// Bytes collected in memory.
package struct DataSink: ByteSink {
    package var data = Data()
    package var offset: UInt64 { UInt64(data.count) }
    package init() {}
    package mutating func write(_ bytes: UnsafeRawBufferPointer) throws { data.append(contentsOf: bytes) }
}

