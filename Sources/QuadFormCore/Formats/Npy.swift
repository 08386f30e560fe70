import Foundation

/// Errors reading a NumPy `.npy` file, naming the file and the header field at fault.
public struct NpyError: Error, Equatable, CustomStringConvertible {
    /// The file.
    public let path: String
    /// What is wrong.
    public let message: String

    public var description: String { "\(path): \(message)" }
    /// An error about the file at `path`.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
}

/// An array read from a `.npy` file: its shape and its values as Doubles in C (row-major) order.
public struct NpyArray: Equatable, Sendable {
    /// The shape, as in the header.
    public let shape: [Int]
    /// The values in C order.
    public let values: [Double]
    /// The precision of the stored values: float32 for `f4` files, float64 otherwise (integers of
    /// `i4`/`i8` files are exact in a Double up to 2⁵³).
    public let precision: InputPrecision

    /// An array of the given shape.
    public init(shape: [Int], values: [Double], precision: InputPrecision = .float64) {
        precondition(shape.reduce(1, *) == values.count, "shape does not match the value count")
        self.shape = shape
        self.values = values
        self.precision = precision
    }
}

/// The NumPy `.npy` format, versions 1.0–3.0: little- or big-endian `f8`, `f4`, `i8`, `i4`,
/// C or Fortran order. Data are copied in one pass from the file's bytes; no per-element parsing.
public enum Npy {
    /// The dtypes the reader accepts.
    public static let supportedDtypes = ["<f8", ">f8", "<f4", ">f4", "<i8", ">i8", "<i4", ">i4"]
    /// Largest number of elements accepted (2³¹, 16 GiB of doubles); larger headers are refused
    /// before anything is allocated.
    public static let maximumElements = 1 << 31

    /// Reads `path`. Little-endian `f8` in C order (what `numpy.save` writes for float64) is read
    /// with one `read` per chunk straight into the result's storage; other dtypes go through `parse`.
    public static func read(_ path: String) throws -> NpyArray {
        if let array = try readFloat64Directly(path) { return array }
        return try parse(InputFile.readData(path), path: path)
    }

    /// The fast path of `read(_:)`: nil when the file is not `<f8` in C order (or too short to
    /// tell), so that `parse` handles it and reports any error.
    static func readFloat64Directly(_ path: String) throws -> NpyArray? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { return nil }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        let fileSize = Int(status.st_size)
        func readFully(_ buffer: UnsafeMutableRawPointer, _ count: Int) -> Bool {
            var done = 0
            while done < count {
                let got = Foundation.read(descriptor, buffer + done, min(count - done, 1 << 30))
                if got <= 0 { return false }
                done += got
            }
            return true
        }
        var prefix = [UInt8](repeating: 0, count: 12)
        guard fileSize >= 12, prefix.withUnsafeMutableBytes({ readFully($0.baseAddress!, 12) }),
              Array(prefix.prefix(6)) == [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59] else { return nil }
        let major = prefix[6]
        let headerStart = major == 1 ? 10 : 12
        guard major >= 1 && major <= 3 else { return nil }
        let headerLength = major == 1 ? Int(prefix[8]) | Int(prefix[9]) << 8
            : (0..<4).reduce(0) { $0 | Int(prefix[8 + $1]) << (8 * $1) }
        guard headerLength < 1 << 20, headerStart + headerLength <= fileSize else { return nil }
        let headerBytes = headerStart + headerLength
        var header = [UInt8](repeating: 0, count: headerBytes)
        guard lseek(descriptor, 0, SEEK_SET) == 0,
              header.withUnsafeMutableBytes({ readFully($0.baseAddress!, headerBytes) }),
              let text = String(bytes: header[headerStart...], encoding: major == 3 ? .utf8 : .isoLatin1) else { return nil }
        guard let fields = try? parseHeader(text, fail: { NpyError(path: path, message: $0) }),
              fields.descr == "<f8", !fields.fortranOrder || fields.shape.count < 2 else { return nil }
        var count = 1
        for d in fields.shape {
            guard d >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product <= maximumElements else { return nil }
            count = product
        }
        guard fileSize - header.count == count * 8 else { return nil }
        var complete = true
        let values = [Double].largeUninitialized(count: count) { buffer in
            complete = count == 0 || readFully(UnsafeMutableRawPointer(buffer.baseAddress!), count * 8)
            if !complete { buffer.initialize(repeating: 0) }
        }
        guard complete else { return nil }
        return NpyArray(shape: fields.shape, values: values)
    }

    /// Parses the bytes of a `.npy` file; `path` names it in errors.
    public static func parse(_ data: Data, path: String) throws -> NpyArray {
        let layout = try parseLayout(data, path: path, fileSize: data.count)
        let count = layout.count
        var values = [Double](repeating: 0, count: count)
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let payload = UnsafeRawBufferPointer(rebasing: raw[layout.dataOffset..<(layout.dataOffset + count * layout.itemSize)])
            values.withUnsafeMutableBufferPointer { decode(payload, descr: layout.descr, into: $0) }
        }
        if layout.fortranOrder && layout.shape.count == 2 {
            let r = layout.shape[0], c = layout.shape[1]
            var cOrder = values
            for i in 0..<r { for j in 0..<c { cOrder[i * c + j] = values[j * r + i] } }
            values = cOrder
        }
        return NpyArray(shape: layout.shape, values: values, precision: layout.precision)
    }

    /// Where a `.npy` file's values are and how they are stored, from its header alone.
    public struct Layout: Sendable, Equatable {
        /// The dtype, one of `supportedDtypes`.
        public let descr: String
        /// Whether the values are in Fortran (column-major) order.
        public let fortranOrder: Bool
        /// The array's shape.
        public let shape: [Int]
        /// Byte offset of the first value (after magic string and header).
        public let dataOffset: Int
        /// Bytes per value (8 or 4).
        public var itemSize: Int { descr.hasSuffix("8") ? 8 : 4 }
        /// Number of values.
        public var count: Int { shape.reduce(1, *) }
        /// The precision of the stored values (float32 for `f4`).
        public var precision: InputPrecision { descr.hasSuffix("f4") ? .float32 : .float64 }
        /// A layout from its parts (as `parseLayout` found them, e.g. sent from another process).
        public init(descr: String, fortranOrder: Bool, shape: [Int], dataOffset: Int) {
            self.descr = descr
            self.fortranOrder = fortranOrder
            self.shape = shape
            self.dataOffset = dataOffset
        }
    }

    /// The layout of a `.npy` file from its first bytes (`data`, at least magic string and header)
    /// and the file's total size in bytes, which must be exactly header plus values. At most
    /// `maximumElements` values unless `elementLimit` says otherwise (a distributed reader that
    /// holds only blocks of the array passes its own limit).
    public static func parseLayout(_ data: Data, path: String, fileSize: Int, elementLimit: Int = maximumElements) throws -> Layout {
        func fail(_ message: String) -> NpyError { NpyError(path: path, message: message) }
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard data.count >= 10, Array(data.prefix(6)) == magic else {
            throw fail("not a .npy file (the magic string \\x93NUMPY is missing)")
        }
        let major = data[data.startIndex + 6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(data[data.startIndex + 8]) | Int(data[data.startIndex + 9]) << 8
            headerStart = 10
        case 2, 3:
            guard data.count >= 12 else { throw fail("truncated header") }
            headerLength = (0..<4).reduce(0) { $0 | Int(data[data.startIndex + 8 + $1]) << (8 * $1) }
            headerStart = 12
        default:
            throw fail("unsupported .npy format version \(major) (1, 2 and 3 are supported)")
        }
        guard headerStart + headerLength <= data.count else { throw fail("truncated header: it claims \(headerLength) bytes") }
        let headerBytes = data[(data.startIndex + headerStart)..<(data.startIndex + headerStart + headerLength)]
        guard let header = String(data: headerBytes, encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw fail("header is not text")
        }
        let fields = try parseHeader(header, fail: fail)
        guard supportedDtypes.contains(fields.descr) else {
            throw fail("header field 'descr': dtype '\(fields.descr)' is not supported (supported: \(supportedDtypes.joined(separator: ", ")))")
        }
        var count = 1
        for (i, d) in fields.shape.enumerated() {
            guard d >= 0 else { throw fail("header field 'shape': dimension \(i) is negative") }
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product <= elementLimit else {
                throw fail("header field 'shape': \(fields.shape) has more than \(elementLimit) elements; refusing to allocate")
            }
            count = product
        }
        let itemSize = fields.descr.hasSuffix("8") ? 8 : 4
        let payloadStart = headerStart + headerLength
        let expected = count * itemSize
        let available = fileSize - payloadStart
        guard available >= expected else {
            throw fail("truncated data: shape \(fields.shape) needs \(expected) bytes, the file has \(available)")
        }
        guard available == expected else {
            throw fail("file has \(available - expected) bytes after the data that shape \(fields.shape) describes")
        }
        if fields.fortranOrder && fields.shape.count > 2 {
            throw fail("header field 'fortran_order': Fortran order is supported for 1-D and 2-D arrays only")
        }
        return Layout(descr: fields.descr, fortranOrder: fields.fortranOrder, shape: fields.shape, dataOffset: payloadStart)
    }

    /// Decodes `target.count` values of dtype `descr` (one of `supportedDtypes`) from `raw` into `target`.
    public static func decode(_ raw: UnsafeRawBufferPointer, descr: String, into target: UnsafeMutableBufferPointer<Double>) {
        let count = target.count
        guard count > 0 else { return }
        let bigEndian = descr.hasPrefix(">")
        let base = raw.baseAddress!
        switch descr.dropFirst() {
        case "f8":
            UnsafeMutableRawBufferPointer(target).copyMemory(from: UnsafeRawBufferPointer(start: base, count: count * 8))
            if bigEndian { for i in 0..<count { target[i] = Double(bitPattern: target[i].bitPattern.byteSwapped) } }
        case "f4":
            for i in 0..<count {
                var bits = base.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)
                if bigEndian { bits = bits.byteSwapped }
                target[i] = Double(Float(bitPattern: bits))
            }
        case "i8":
            for i in 0..<count {
                var bits = base.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
                if bigEndian { bits = bits.byteSwapped }
                target[i] = Double(Int64(bitPattern: bits))
            }
        default:
            for i in 0..<count {
                var bits = base.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)
                if bigEndian { bits = bits.byteSwapped }
                target[i] = Double(Int32(bitPattern: bits))
            }
        }
    }

    struct Header { var descr: String; var fortranOrder: Bool; var shape: [Int] }

    /// The header's Python dict literal `{'descr': …, 'fortran_order': …, 'shape': (…), }`, read
    /// key by key: each of the three keys exactly once (NumPy's reader would silently take the last
    /// of a key named twice), no other keys, nothing after the closing brace.
    static func parseHeader(_ header: String, fail: (String) -> NpyError) throws -> Header {
        let text = header.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("{"), text.hasSuffix("}") else { throw fail("header is not a Python dict literal: \(text.prefix(60))") }
        let chars = Array(text.unicodeScalars)
        var i = 1
        var values: [String: String] = [:]
        func skipSpaces() { while i < chars.count, chars[i] == " " || chars[i] == "\t" || chars[i] == "\n" || chars[i] == "\r" { i += 1 } }
        func quoted() -> String? {
            guard i < chars.count, chars[i] == "'" || chars[i] == "\"" else { return nil }
            let quote = chars[i]
            guard let close = chars[(i + 1)...].firstIndex(of: quote) else { return nil }
            defer { i = close + 1 }
            return String(String.UnicodeScalarView(chars[i...close]))
        }
        let known = ["descr", "fortran_order", "shape"]
        while true {
            skipSpaces()
            guard i < chars.count else { throw fail("header is not a Python dict literal: \(text.prefix(60))") }
            if chars[i] == "}" { i += 1; break }
            guard let keyText = quoted() else { throw fail("header is not a Python dict literal: expected a quoted key at \(String(String.UnicodeScalarView(chars[i...].prefix(30))))") }
            let key = String(keyText.dropFirst().dropLast())
            guard known.contains(key) else { throw fail("header field '\(key.prefix(40))' is not one of descr, fortran_order, shape") }
            guard values[key] == nil else { throw fail("header field '\(key)' is given twice") }
            skipSpaces()
            guard i < chars.count, chars[i] == ":" else { throw fail("header field '\(key)' has no value") }
            i += 1
            skipSpaces()
            let value: String
            if i < chars.count, chars[i] == "(" {
                guard let close = chars[i...].firstIndex(of: ")") else { throw fail("header field '\(key)': unclosed tuple") }
                value = String(String.UnicodeScalarView(chars[i...close]))
                i = close + 1
            } else if let q = quoted() {
                value = q
            } else {
                let start = i
                while i < chars.count, chars[i] != ",", chars[i] != "}" { i += 1 }
                value = String(String.UnicodeScalarView(chars[start..<i])).trimmingCharacters(in: .whitespaces)
            }
            values[key] = value
            skipSpaces()
            guard i < chars.count else { throw fail("header is not a Python dict literal: \(text.prefix(60))") }
            if chars[i] == "," { i += 1; continue }
            if chars[i] == "}" { i += 1; break }
            throw fail("header field '\(key)': unexpected '\(Character(chars[i]))' after the value")
        }
        guard i == chars.count else { throw fail("header has text after the dict: \(String(String.UnicodeScalarView(chars[i...].prefix(30))))") }
        func field(_ key: String) throws -> String {
            guard let value = values[key] else { throw fail("header has no field '\(key)'") }
            return value
        }
        var descr = try field("descr")
        guard descr.count >= 2, descr.first == descr.last, descr.first == "'" || descr.first == "\"" else {
            throw fail("header field 'descr': expected a quoted dtype string, found \(descr.prefix(40))")
        }
        descr = String(descr.dropFirst().dropLast())
        if descr == "=f8" || descr == "f8" { descr = "<f8" }
        let order = try field("fortran_order")
        guard order == "True" || order == "False" else { throw fail("header field 'fortran_order': expected True or False, found \(order.prefix(20))") }
        let shapeText = try field("shape")
        guard shapeText.hasPrefix("("), shapeText.hasSuffix(")") else { throw fail("header field 'shape': expected a tuple, found \(shapeText.prefix(40))") }
        let inner = shapeText.dropFirst().dropLast()
        var shape: [Int] = []
        for part in inner.split(separator: ",", omittingEmptySubsequences: true) {
            let t = part.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "L", with: "")
            if t.isEmpty { continue }
            guard let d = Int(t) else { throw fail("header field 'shape': '\(t.prefix(30))' is not an integer") }
            shape.append(d)
        }
        return Header(descr: descr, fortranOrder: order == "True", shape: shape)
    }

    /// The bytes of a version 1.0 `.npy` file holding `values` (C order, `<f8`) with `shape`.
    public static func encode(_ values: [Double], shape: [Int]) -> Data {
        precondition(shape.reduce(1, *) == values.count, "shape does not match the value count")
        var data = Data(header(shape: shape))
        values.withUnsafeBytes { data.append(contentsOf: $0) }
        return data
    }

    /// The magic string and header of a `.npy` file of `<f8` values in C order with `shape`:
    /// version 1.0 when the header fits in 65535 bytes (always, for up to thousands of
    /// dimensions), padded with spaces so the data start at a multiple of 64 bytes.
    public static func header(shape: [Int]) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var text = "{'descr': '<f8', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + text.utf8.count + 1
        text += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let length = UInt16(text.utf8.count)
        return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(text.utf8)
    }

    /// Reads a square matrix (shape `(n, n)`) from `path`.
    public static func readSquareMatrix(_ path: String) throws -> Matrix {
        try readSquareMatrixWithPrecision(path).matrix
    }

    /// `readSquareMatrix(_:)` with the precision the file stores its values at.
    static func readSquareMatrixWithPrecision(_ path: String) throws -> (matrix: Matrix, precision: InputPrecision) {
        let array = try read(path)
        guard array.shape.count == 2, array.shape[0] == array.shape[1] else {
            throw NpyError(path: path, message: "header field 'shape': expected a square matrix (n, n), found \(array.shape)")
        }
        try checkFinite(array, path: path)
        return (Matrix(rows: array.shape[0], columns: array.shape[1], entries: array.values), array.precision)
    }

    /// Reads a vector (shape `(n,)`, `(n, 1)` or `(1, n)`) from `path`.
    public static func readVector(_ path: String) throws -> [Double] {
        try readVectorWithPrecision(path).vector
    }

    /// `readVector(_:)` with the precision the file stores its values at.
    static func readVectorWithPrecision(_ path: String) throws -> (vector: [Double], precision: InputPrecision) {
        let array = try read(path)
        let s = array.shape
        guard s.count == 1 || (s.count == 2 && (s[0] == 1 || s[1] == 1)) else {
            throw NpyError(path: path, message: "header field 'shape': expected a vector (n,), found \(s)")
        }
        try checkFinite(array, path: path)
        return (array.values, array.precision)
    }

    /// The form c + aᵀx + xᵀMx with M read from the .npy file `quadratic`, a from the .npy file
    /// `linear` (zero when nil) and c = `constant` (the `--quadratic` input of design.md §6).
    public static func readForm(quadratic: String, linear: String?, constant: Double) throws -> QuadraticForm {
        let (m, matrixPrecision) = try readSquareMatrixWithPrecision(quadratic)
        var a = [Double](repeating: 0, count: m.rows)
        var precision = matrixPrecision
        if let linear {
            let (vector, vectorPrecision) = try readVectorWithPrecision(linear)
            a = vector
            precision = InputPrecision.coarser(precision, vectorPrecision)
            guard a.count == m.rows else {
                throw FormatError.vectorLength(linear: linear, entries: a.count, quadratic: quadratic, order: m.rows)
            }
        }
        return try QuadraticForm(constant: constant, linear: a, quadratic: m, precision: precision)
    }

    static func checkFinite(_ array: NpyArray, path: String) throws {
        if let i = Vector.firstNonFinite(array.values) {
            var index: [Int] = []
            var rest = i
            for d in array.shape.reversed() { index.insert(rest % max(d, 1), at: 0); rest /= max(d, 1) }
            throw NpyError(path: path, message: "entry \(index) is \(array.values[i]); entries must be finite")
        }
    }
}
