import QuadFormCore
import Foundation

/// Little-endian fields of ZIP records.
struct ByteWriter {
    var buffer: [UInt8] = []
    mutating func u16(_ v: UInt16) { buffer += [UInt8(v & 0xFF), UInt8(v >> 8)] }
    mutating func u32(_ v: UInt32) { for k in 0..<4 { buffer.append(UInt8((v >> (8 * k)) & 0xFF)) } }
    mutating func u64(_ v: UInt64) { for k in 0..<8 { buffer.append(UInt8((v >> (8 * k)) & 0xFF)) } }
    mutating func bytes(_ b: [UInt8]) { buffer += b }
}

/// Bounds-checked little-endian reads from an archive's bytes.
struct ByteReader {
    let data: Data
    let path: String

    func check(_ position: Int, _ length: Int) throws {
        guard position >= 0, length >= 0, position <= data.count - length else {
            throw NpzError(path: path, message: "truncated archive: a record at byte \(position) runs past the end")
        }
    }
    func u16(_ p: Int) throws -> UInt16 {
        try check(p, 2)
        return UInt16(data[data.startIndex + p]) | UInt16(data[data.startIndex + p + 1]) << 8
    }
    func u32(_ p: Int) throws -> UInt32 {
        try check(p, 4)
        return (0..<4).reduce(0) { $0 | UInt32(data[data.startIndex + p + $1]) << (8 * $1) }
    }
    func u64(_ p: Int) throws -> UInt64 {
        try check(p, 8)
        return (0..<8).reduce(0) { $0 | UInt64(data[data.startIndex + p + $1]) << (8 * $1) }
    }
    func bytes(_ p: Int, _ length: Int) throws -> [UInt8] {
        try check(p, length)
        return Array(data[(data.startIndex + p)..<(data.startIndex + p + length)])
    }
    func offset(_ value: UInt64, _ what: String) throws -> Int {
        guard value < UInt64(data.count) else { throw NpzError(path: path, message: "\(what) at offset \(value) lies past the end of the file") }
        return Int(value)
    }
}
