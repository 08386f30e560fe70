import Foundation
import Testing
@testable import QuadFormCore
import QuadFormTestSupport

/// Every dtype the `.npy` reader accepts, decoded to the same values, in both orders, through the
/// file reader (fast path for `<f8` C order, `parse` for the rest).
@Suite("Npy: every supported dtype decodes to its values")
struct NpyDtypeTests {
    /// The bytes of `values` as `dtype` (`<f8`, `>i4`, …).
    static func payload(_ values: [Double], dtype: String) -> [UInt8] {
        let bigEndian = dtype.hasPrefix(">")
        var bytes: [UInt8] = []
        func append<T: FixedWidthInteger>(_ bits: T) {
            withUnsafeBytes(of: bigEndian ? bits.bigEndian : bits.littleEndian) { bytes += $0 }
        }
        for v in values {
            switch dtype.dropFirst() {
            case "f8": append(v.bitPattern)
            case "f4": append(Float(v).bitPattern)
            case "i8": append(Int64(v))
            default: append(Int32(v))
            }
        }
        return bytes
    }

    @Test("f8, f4, i8, i4, little and big endian, C and Fortran order", arguments: Npy.supportedDtypes)
    func decodes(dtype: String) throws {
        // 2 × 3 in C order; the last entry is the largest i4, or 2²⁴ for f4 (exact in single precision).
        let large: Double = dtype.hasSuffix("f4") ? 16_777_216 : 2_147_483_647
        let cOrder: [Double] = [1, -2, 3, -40, 5, large]
        let fortranOrder: [Double] = [1, -40, -2, 5, 3, large]
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("npy-dtypes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (fortran, stored) in [(false, cOrder), (true, fortranOrder)] {
            let data = npyBytes(header: "{'descr': '\(dtype)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': (2, 3), }",
                                payload: Self.payload(stored, dtype: dtype))
            let file = directory.appendingPathComponent("\(fortran ? "F" : "C").npy")
            try data.write(to: file)
            let array = try Npy.read(file.path)
            #expect(array.shape == [2, 3])
            #expect(array.values == cOrder, "\(dtype), fortran_order \(fortran)")
            #expect(try Npy.parse(data, path: "x.npy") == array)
        }
    }
}

@Suite("Bad .npy files")
struct NpyBadInputTests {
    static let f8Payload = [UInt8](repeating: 0, count: 32)

    static let cases: [(Data, String)] = [
        (Data(), "magic string"),
        (Data("PK\u{3}\u{4}not numpy at all".utf8), "magic string"),
        (Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, 0x40]), "magic string"),
        (npyBytes(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", payload: f8Payload, major: 9), "format version 9"),
        (npyBytes(header: "{'descr': '<c16', 'fortran_order': False, 'shape': (2, 2), }", payload: f8Payload), "dtype '<c16' is not supported (supported: <f8"),
        (npyBytes(header: "{'descr': '|O', 'fortran_order': False, 'shape': (2, 2), }", payload: f8Payload), "header field 'descr'"),
        (npyBytes(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", payload: Array(f8Payload.prefix(20))), "truncated data: shape [2, 2] needs 32 bytes, the file has 20"),
        (npyBytes(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", payload: f8Payload + [1]), "1 bytes after the data"),
        (npyBytes(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000, 100000000000), }", payload: f8Payload), "refusing to allocate"),
        (npyBytes(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (9223372036854775807, 2), }", payload: f8Payload), "refusing to allocate"),
        (npyBytes(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (46341, 46341), }", payload: f8Payload), "refusing to allocate"),
        (npyBytes(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (40000, 40000), }", payload: f8Payload), "truncated data"),
        (npyBytes(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (-2, 2), }", payload: f8Payload), "dimension 0 is negative"),
        (npyBytes(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (2, x), }", payload: f8Payload), "'x' is not an integer"),
        (npyBytes(header: "{'descr': '<f8', 'fortran_order': maybe, 'shape': (2, 2), }", payload: f8Payload), "header field 'fortran_order'"),
        (npyBytes(header: "{'descr': '<f8', 'fortran_order': False, }", payload: f8Payload), "no field 'shape'"),
        (npyBytes(header: "not a dict", payload: f8Payload), "not a Python dict"),
    ]

    @Test("malformed .npy bytes are refused with the header field at fault", arguments: cases)
    func malformed(_ data: Data, _ fragment: String) throws {
        let message = try #require(errorText { _ = try Npy.parse(data, path: "m.npy") })
        #expect(message.hasPrefix("m.npy: "), "\(message)")
        #expect(message.contains(fragment), "\(message)")
    }

    @Test("a header that claims more bytes than the file has is refused")
    func truncatedHeader() throws {
        var data = npyBytes(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", payload: [])
        data = data.prefix(30)
        let message = try #require(errorText { _ = try Npy.parse(data, path: "m.npy") })
        #expect(message.contains("truncated header"))
    }

    @Test("shapes that are not square matrices or vectors, and NaN/Inf entries, are refused")
    func shapesAndValues() throws {
        let dir = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ name: String, _ values: [Double], _ shape: [Int]) throws -> String {
            let path = dir.appendingPathComponent(name).path
            try Npy.encode(values, shape: shape).write(to: URL(fileURLWithPath: path))
            return path
        }
        let rect = try write("rect.npy", [1, 2, 3, 4, 5, 6], [2, 3])
        #expect(errorText { _ = try Npy.readSquareMatrix(rect) }?.contains("expected a square matrix (n, n), found [2, 3]") == true)
        let cube = try write("cube.npy", Array(repeating: 1, count: 8), [2, 2, 2])
        #expect(errorText { _ = try Npy.readSquareMatrix(cube) }?.contains("found [2, 2, 2]") == true)
        #expect(errorText { _ = try Npy.readVector(rect) }?.contains("expected a vector (n,)") == true)
        let nan = try write("nan.npy", [1, 2, .nan, 4], [2, 2])
        #expect(errorText { _ = try Npy.readSquareMatrix(nan) }?.contains("entry [1, 0] is nan") == true)
        let inf = try write("inf.npy", [1, -.infinity, 3], [3])
        #expect(errorText { _ = try Npy.readVector(inf) }?.contains("entry [1] is -inf") == true)
        // f4 infinities are refused as well.
        let f4Inf = npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }", payload: [0x00, 0x00, 0x80, 0x7F])
        let f4Path = dir.appendingPathComponent("f4.npy").path
        try f4Inf.write(to: URL(fileURLWithPath: f4Path))
        #expect(errorText { _ = try Npy.readSquareMatrix(f4Path) }?.contains("is inf") == true)
    }
}
