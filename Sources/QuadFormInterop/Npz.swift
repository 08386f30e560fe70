import QuadFormCore
import QuadFormReports
import Foundation

/// One named array of an `.npz` archive: `<f8` values in C order with their shape.
public struct NpzArray: Equatable, Sendable {
    /// The array's name (the archive member is `name.npy`; `numpy.load(…)[name]` reads it).
    public let name: String
    /// The shape.
    public let shape: [Int]
    /// The values in C (row-major) order.
    public let values: [Double]

    /// An array; `values.count` must equal the product of `shape`.
    public init(name: String, shape: [Int], values: [Double]) {
        precondition(shape.reduce(1, *) == values.count, "shape does not match the value count")
        self.name = name
        self.shape = shape
        self.values = values
    }

    /// A matrix as a 2-D array.
    public init(name: String, matrix: Matrix) {
        self.init(name: name, shape: [matrix.rows, matrix.columns], values: matrix.entries)
    }
}

/// Errors reading an `.npz` archive, naming the file and the member at fault.
public struct NpzError: Error, Equatable, CustomStringConvertible {
    /// The file.
    public let path: String
    /// What is wrong.
    public let message: String

    public var description: String { "\(path): \(message)" }
}

/// NumPy's `.npz` format: a ZIP archive of `.npy` files, as `numpy.savez` writes and
/// `numpy.load` reads. Written here with stored (uncompressed) members, their CRC-32, a fixed
/// timestamp (1980-01-01, so equal networks give equal files) and ZIP64 records when a member or
/// an offset reaches 4 GiB; read back from stored members with every CRC checked.
public enum Npz {
    /// The arrays of a network under `prefix`: `prefix_W<k>` (l_k × l_{k−1}) and `prefix_B<k>`
    /// (l_k) for k = 1…L, and `prefix_V_<r>_<k>` (l_k × l_r) for each skip (r, k) ∈ S — the names
    /// of design.md §1 (Definition 1.5.4).
    public static func arrays(of net: ResNet, prefix: String) -> [NpzArray] {
        var arrays: [NpzArray] = []
        for (index, layer) in net.layers.enumerated() {
            arrays.append(NpzArray(name: "\(prefix)_W\(index + 1)", matrix: layer.weights))
            arrays.append(NpzArray(name: "\(prefix)_B\(index + 1)", shape: [layer.bias.count], values: layer.bias))
        }
        for skip in net.skips {
            arrays.append(NpzArray(name: "\(prefix)_V_\(skip.from)_\(skip.to)", matrix: skip.weights))
        }
        return arrays
    }

    /// The arrays `--save-networks` writes for a synthesis: `residual_W1, residual_B1, residual_W2,
    /// residual_B2, residual_V_0_2, plain_W1, plain_B1, plain_W2, plain_B2` (design.md §2).
    public static func networkArrays(of synthesis: Synthesis) -> [NpzArray] {
        arrays(of: synthesis.residual, prefix: "residual") + arrays(of: synthesis.plain, prefix: "plain")
    }

    /// Writes `arrays` to `path` atomically (a temporary file renamed over the target), streaming
    /// each array's bytes without building the archive in memory. `forceZip64` writes ZIP64
    /// records even for small archives (to test that path).
    public static func write(_ arrays: [NpzArray], to path: String, forceZip64: Bool = false) throws {
        try checkNames(arrays)
        try OutputFile.write(to: path) { sink in try writeArchive(arrays, to: &sink, forceZip64: forceZip64) }
    }

    /// The archive's bytes (for tests and small archives; `write(_:to:)` streams instead).
    public static func encode(_ arrays: [NpzArray], forceZip64: Bool = false) throws -> Data {
        try checkNames(arrays)
        var sink = DataSink()
        try writeArchive(arrays, to: &sink, forceZip64: forceZip64)
        return sink.data
    }

    static func checkNames(_ arrays: [NpzArray]) throws {
        var seen = Set<String>()
        for array in arrays {
            guard !array.name.isEmpty, array.name.utf8.count < 0xFF00, !array.name.contains("/") else {
                throw FormatError.invalidMemberName(array.name)
            }
            guard seen.insert(array.name).inserted else {
                throw FormatError.repeatedMemberName(array.name)
            }
        }
    }

    private static let dosDate: UInt16 = (0 << 9) | (1 << 5) | 1  // 1980-01-01
    private static let limit32: UInt64 = 0xFFFF_FFFF

    struct CentralEntry {
        let name: [UInt8]
        let crc: UInt32
        let size: UInt64
        let offset: UInt64
    }

    static func writeArchive<Sink: ByteSink>(_ arrays: [NpzArray], to sink: inout Sink, forceZip64: Bool) throws {
        var entries: [CentralEntry] = []
        for array in arrays {
            let name = Array((array.name + ".npy").utf8)
            let header = Npy.header(shape: array.shape)
            var crc = CRC32()
            header.withUnsafeBytes { crc.update($0) }
            array.values.withUnsafeBytes { crc.update($0) }
            let size = UInt64(header.count + array.values.count * 8)
            let offset = sink.offset
            let sizeZip64 = forceZip64 || size >= limit32
            var local = ByteWriter()
            local.u32(0x0403_4B50)
            local.u16(sizeZip64 ? 45 : 20)
            local.u16(0)
            local.u16(0)
            local.u16(0)
            local.u16(dosDate)
            local.u32(crc.value)
            local.u32(sizeZip64 ? UInt32(limit32) : UInt32(size))
            local.u32(sizeZip64 ? UInt32(limit32) : UInt32(size))
            local.u16(UInt16(name.count))
            local.u16(sizeZip64 ? 20 : 0)
            local.bytes(name)
            if sizeZip64 {
                local.u16(0x0001)
                local.u16(16)
                local.u64(size)
                local.u64(size)
            }
            try sink.write(local.buffer)
            try sink.write(header)
            try array.values.withUnsafeBytes { try sink.write($0) }
            entries.append(CentralEntry(name: name, crc: crc.value, size: size, offset: offset))
        }
        let directoryOffset = sink.offset
        var directory = ByteWriter()
        for entry in entries {
            let sizeZip64 = forceZip64 || entry.size >= limit32
            let offsetZip64 = forceZip64 || entry.offset >= limit32
            var extra = ByteWriter()
            if sizeZip64 || offsetZip64 {
                extra.u16(0x0001)
                extra.u16(UInt16((sizeZip64 ? 16 : 0) + (offsetZip64 ? 8 : 0)))
                if sizeZip64 { extra.u64(entry.size); extra.u64(entry.size) }
                if offsetZip64 { extra.u64(entry.offset) }
            }
            directory.u32(0x0201_4B50)
            directory.u16(3 << 8 | 45)
            directory.u16(sizeZip64 || offsetZip64 ? 45 : 20)
            directory.u16(0)
            directory.u16(0)
            directory.u16(0)
            directory.u16(dosDate)
            directory.u32(entry.crc)
            directory.u32(sizeZip64 ? UInt32(limit32) : UInt32(entry.size))
            directory.u32(sizeZip64 ? UInt32(limit32) : UInt32(entry.size))
            directory.u16(UInt16(entry.name.count))
            directory.u16(UInt16(extra.buffer.count))
            directory.u16(0)
            directory.u16(0)
            directory.u16(0)
            directory.u32(0o100644 << 16)
            directory.u32(offsetZip64 ? UInt32(limit32) : UInt32(entry.offset))
            directory.bytes(entry.name)
            directory.bytes(extra.buffer)
        }
        try sink.write(directory.buffer)
        let directorySize = UInt64(directory.buffer.count)
        let count = UInt64(entries.count)
        let endZip64 = forceZip64 || count >= 0xFFFF || directoryOffset >= limit32 || directorySize >= limit32
        var end = ByteWriter()
        if endZip64 {
            let recordOffset = sink.offset
            end.u32(0x0606_4B50)
            end.u64(44)
            end.u16(3 << 8 | 45)
            end.u16(45)
            end.u32(0)
            end.u32(0)
            end.u64(count)
            end.u64(count)
            end.u64(directorySize)
            end.u64(directoryOffset)
            end.u32(0x0706_4B50)
            end.u32(0)
            end.u64(recordOffset)
            end.u32(1)
        }
        end.u32(0x0605_4B50)
        end.u16(0)
        end.u16(0)
        end.u16(endZip64 ? 0xFFFF : UInt16(count))
        end.u16(endZip64 ? 0xFFFF : UInt16(count))
        end.u32(endZip64 ? UInt32(limit32) : UInt32(directorySize))
        end.u32(endZip64 ? UInt32(limit32) : UInt32(directoryOffset))
        end.u16(0)
        try sink.write(end.buffer)
    }

    /// Reads every array of the archive at `path`, in archive order.
    public static func read(_ path: String) throws -> [(name: String, array: NpyArray)] {
        try parse(InputFile.readData(path), path: path)
    }

    /// Parses the bytes of an `.npz` archive; `path` names it in errors. Members must be stored
    /// (`numpy.savez`), not deflated (`numpy.savez_compressed`), and their CRC-32 must match.
    public static func parse(_ data: Data, path: String) throws -> [(name: String, array: NpyArray)] {
        let reader = ByteReader(data: data, path: path)
        let minimumEnd = 22
        guard data.count >= minimumEnd else { throw NpzError(path: path, message: "not a ZIP archive (too short for an end-of-directory record)") }
        var endOffset: Int?
        var candidate = data.count - minimumEnd
        let lowest = max(0, data.count - minimumEnd - 0xFFFF)
        while candidate >= lowest {
            if try reader.u32(candidate) == 0x0605_4B50 { endOffset = candidate; break }
            candidate -= 1
        }
        guard let end = endOffset else { throw NpzError(path: path, message: "not a ZIP archive (no end-of-directory record)") }
        var count = UInt64(try reader.u16(end + 10))
        var directorySize = UInt64(try reader.u32(end + 12))
        var directoryOffset = UInt64(try reader.u32(end + 16))
        if end >= 20, try reader.u32(end - 20) == 0x0706_4B50 {
            let record = try reader.offset(reader.u64(end - 12), "ZIP64 end record")
            guard try reader.u32(record) == 0x0606_4B50 else { throw NpzError(path: path, message: "ZIP64 locator points to no ZIP64 end record") }
            count = try reader.u64(record + 32)
            directorySize = try reader.u64(record + 40)
            directoryOffset = try reader.u64(record + 48)
        }
        var position = try reader.offset(directoryOffset, "central directory")
        guard directorySize <= UInt64(data.count) else { throw NpzError(path: path, message: "central directory size \(directorySize) exceeds the file") }
        guard count <= directorySize / 46 else {
            throw NpzError(path: path, message: "the directory claims \(count) members in \(directorySize) bytes")
        }
        // First the whole directory: names, sizes and where each member's bytes lie, checked
        // against the file and against each other (a name twice, or two entries sharing bytes, is
        // refused before any member is checked or decoded: an alias bomb costs nothing).
        var members: [(name: String, crc: UInt32, start: Int, size: Int, local: Int)] = []
        var names = Set<String>()
        for index in 0..<count {
            guard try reader.u32(position) == 0x0201_4B50 else {
                throw NpzError(path: path, message: "central directory entry \(index) has a bad signature")
            }
            let method = try reader.u16(position + 10)
            let crc = try reader.u32(position + 16)
            var compressedSize = UInt64(try reader.u32(position + 20))
            var size = UInt64(try reader.u32(position + 24))
            let nameLength = Int(try reader.u16(position + 28))
            let extraLength = Int(try reader.u16(position + 30))
            let commentLength = Int(try reader.u16(position + 32))
            var localOffset = UInt64(try reader.u32(position + 42))
            let nameBytes = try reader.bytes(position + 46, nameLength)
            let name = String(decoding: nameBytes, as: UTF8.self)
            var extra = position + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let tag = try reader.u16(extra), length = Int(try reader.u16(extra + 2))
                if tag == 0x0001 {
                    var field = extra + 4
                    if size == limit32 { size = try reader.u64(field); field += 8 }
                    if compressedSize == limit32 { compressedSize = try reader.u64(field); field += 8 }
                    if localOffset == limit32 { localOffset = try reader.u64(field); field += 8 }
                }
                extra += 4 + length
            }
            guard method == 0 else {
                throw NpzError(path: path, message: "member '\(name)' is compressed (method \(method)); only stored members are read (numpy.savez, not savez_compressed)")
            }
            guard compressedSize == size else { throw NpzError(path: path, message: "member '\(name)': stored sizes differ (\(compressedSize) and \(size))") }
            guard names.insert(name).inserted else {
                throw NpzError(path: path, message: "member '\(name)' is listed twice in the directory")
            }
            let local = try reader.offset(localOffset, "member '\(name)'")
            guard try reader.u32(local) == 0x0403_4B50 else { throw NpzError(path: path, message: "member '\(name)': bad local header signature") }
            let dataStart = local + 30 + Int(try reader.u16(local + 26)) + Int(try reader.u16(local + 28))
            guard size <= UInt64(data.count), dataStart + Int(size) <= data.count else {
                throw NpzError(path: path, message: "member '\(name)': truncated (\(size) bytes claimed)")
            }
            guard name.hasSuffix(".npy") else { throw NpzError(path: path, message: "member '\(name)' is not a .npy file") }
            members.append((name, crc, dataStart, Int(size), local))
            position += 46 + nameLength + extraLength + commentLength
        }
        let spans = members.sorted { $0.local < $1.local }
        for (a, b) in zip(spans, spans.dropFirst()) where b.local < a.start + a.size {
            throw NpzError(path: path, message: "members '\(a.name)' and '\(b.name)' share bytes of the archive; each member must have its own")
        }
        var result: [(name: String, array: NpyArray)] = []
        for m in members {
            let member = data[(data.startIndex + m.start)..<(data.startIndex + m.start + m.size)]
            var check = CRC32()
            member.withUnsafeBytes { check.update($0) }
            guard check.value == m.crc else {
                throw NpzError(path: path, message: "member '\(m.name)': CRC-32 \(String(check.value, radix: 16)) does not match the recorded \(String(m.crc, radix: 16))")
            }
            let array = try Npy.parse(member, path: "\(path)[\(m.name)]")
            result.append((String(m.name.dropLast(4)), array))
        }
        return result
    }
}

