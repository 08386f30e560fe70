import Foundation
import Testing
@testable import QuadForm

/// A fresh temporary directory for one test.
func makeScratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("quadform-bad-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The description of the error `body` throws, or nil (recorded as an issue) when it does not throw.
func errorText(_ body: () throws -> Void) -> String? {
    do {
        try body()
        Issue.record("expected an error")
        return nil
    } catch {
        return String(describing: error)
    }
}

/// The raw bytes of a version-1 `.npy` file with the given header dictionary and payload.
func npyBytes(header dict: String, payload: [UInt8], major: UInt8 = 1) -> Data {
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

@Suite("Bad form JSON")
struct FormJSONBadInputTests {
    /// (file text, fragment of the message naming where, fragment naming what).
    static let cases: [(String, String, String)] = [
        ("", "f.json:1:1", "empty input"),
        ("   \n  ", "f.json:2:3", "empty input"),
        ("constant = 1", "f.json:1:1", "expected a value"),
        ("{\"constant\": 1,}", "f.json:1:16", "member name"),
        ("{\"quadratic\": [[1, 2], [3, 4]]", "f.json:1:31", "expected ',' or '}'"),
        ("{\"quadratic\": [[1, 2],\n [3, 4]]]", "f.json:2:9", "unexpected ']': expected ',' or '}'"),
        ("[1, 2]", "f.json", "expected an object, found an array"),
        ("{\"linear\": [1]}", "f.json", "missing key \"quadratic\""),
        ("{\"quadratic\": 5}", "f.json: quadratic", "expected an array, found a number"),
        ("{\"quadratic\": [[1, \"a\"], [0, 1]]}", "quadratic[0][1]", "expected a number or an exact"),
        ("{\"quadratic\": [[1, true], [0, 1]]}", "quadratic[0][1]", "found a boolean"),
        ("{\"quadratic\": [[1, 2], [3]]}", "quadratic[1]", "must be square"),
        ("{\"quadratic\": [[1, 2, 3], [4, 5, 6]]}", "quadratic[0]", "must be square"),
        ("{\"quadratic\": [[1, 2], 7]}", "quadratic[1]", "expected an array"),
        ("{\"quadratic\": [[1, 0], [0, 1]], \"linear\": [1, 2, 3]}", "f.json: linear", "has 3 entries but quadratic is 2×2"),
        ("{\"quadratic\": [[1, 0], [0, 1]], \"linear\": {\"a\": 1}}", "f.json: linear", "expected an array"),
        ("{\"quadratic\": [[NaN]]}", "f.json:1:17", "NaN and Infinity are not JSON numbers"),
        ("{\"quadratic\": [[-Infinity]]}", "f.json:1:17", "NaN and Infinity"),
        ("Name: not json", "f.json:1:1", "unexpected 'N': expected a value"),
        ("{\"quadratic\": [[1e400]]}", "quadratic[0][0]", "overflows a Double"),
        ("{\"quadratic\": [[1]], \"constant\": -1e999}", "f.json: constant", "overflows a Double"),
        ("{\"quadratic\": [[\"1e4000/3\"]]}", "quadratic[0][0]", "overflows a Double"),
        ("{\"quadratic\": [[\"1/0\"]]}", "quadratic[0][0]", "exact \"p/q\" string"),
        ("{\"quadratic\": [[1]], \"variables\": [\"x\", \"y\"]}", "f.json: variables", "has 2 names"),
        ("{\"quadratic\": [[1, 0], [0, 1]], \"variables\": [\"x\", \"x\"]}", "f.json: variables", "not distinct"),
        ("{\"quadratic\": [[1]], \"variables\": [\"2x\"]}", "variables[0]", "not a variable name"),
        ("{\"quadratic\": [[1]], \"quadratc\": 1}", "f.json: quadratc", "unknown key"),
        ("{\"quadratic\": [[1]], \"quadratic\": [[2]]}", "f.json:1:22", "duplicate member"),
        ("{\"quadratic\": [[01]]}", "f.json:1:17", "leading zero"),
        ("{\"quadratic\": [[1.]]}", "f.json:1:19", "digit expected after '.'"),
        ("{\"quadratic\": [[\"\\x\"]]}", "f.json:1:18", "invalid escape"),
        ("{\"quadratic\": [[1]]", "f.json:1:20", "expected ',' or '}'"),
        ("{\"quadratic\": \"unterminated}", "f.json:1:15", "unterminated string"),
        (String(repeating: "[", count: 100_000), "f.json:1:257", "nesting deeper than 256"),
    ]

    @Test("every malformed form file names the place and the problem", arguments: cases)
    func malformed(_ text: String, _ place: String, _ problem: String) throws {
        let dir = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("f.json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let message = try #require(errorText { _ = try Formats.readForm(path) })
        let shown = message.replacingOccurrences(of: dir.path + "/", with: "")
        #expect(shown.hasPrefix(place.hasPrefix("f.json") ? place : "f.json: " + place), "\(shown)")
        #expect(shown.contains(problem), "\(shown)")
        #expect(!shown.contains("\n"))
    }

    @Test("a missing file, a directory and non-UTF-8 bytes are named as such")
    func fileProblems() throws {
        let dir = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("nope.json").path
        #expect(errorText { _ = try Formats.readForm(missing) } == "\(missing): no such file")
        #expect(errorText { _ = try Formats.readForm(dir.path) } == "\(dir.path): is a directory, not a file")
        let binary = dir.appendingPathComponent("b.json")
        try Data([0x7B, 0xFF, 0xFE, 0x7D]).write(to: binary)
        #expect(errorText { _ = try Formats.readForm(binary.path) } == "\(binary.path): is not UTF-8 text")
    }

    @Test("a UTF-8 byte order mark is accepted")
    func byteOrderMark() throws {
        let form = try Formats.form(from: JSONReader.parse("\u{FEFF}{\"quadratic\": [[2]]}"), name: "bom.json")
        #expect(form.quadratic[0, 0] == 2)
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

@Suite("Bad network JSON")
struct NetworkBadInputTests {
    static let layer1 = "{\"weights\": [[1, 2]], \"bias\": [0]}"
    static let layer2 = "{\"weights\": [[3]], \"bias\": [1]}"

    /// (network JSON, fragment naming where, fragment naming what).
    static let cases: [(String, String, String)] = [
        ("{\"activation\": {\"kind\": \"relu\"}, \"layers\": []}", "n.json", "missing key \"widths\""),
        ("{\"widths\": [2], \"activation\": {\"kind\": \"relu\"}, \"layers\": []}", "n.json: widths", "at least two widths"),
        ("{\"widths\": [2, -1, 1], \"activation\": {\"kind\": \"relu\"}, \"layers\": []}", "widths[1]", "non-negative integer"),
        ("{\"widths\": [2, 1.5, 1], \"activation\": {\"kind\": \"relu\"}, \"layers\": []}", "widths[1]", "non-negative integer"),
        ("{\"widths\": [2, 99999999999, 1], \"activation\": {\"kind\": \"relu\"}, \"layers\": []}", "widths[1]", "implausibly large"),
        ("{\"widths\": [2, 1, 1], \"activation\": {\"kind\": \"tanh\"}, \"layers\": [\(layer1), \(layer2)]}", "activation.kind", "unknown activation \"tanh\""),
        ("{\"widths\": [2, 1, 1], \"activation\": \"relu\", \"layers\": [\(layer1), \(layer2)]}", "n.json: activation", "expected an object"),
        ("{\"widths\": [2, 1, 1], \"activation\": {\"kind\": \"quadratic\", \"alpha\": 0, \"beta\": 1, \"gamma\": 0}, \"layers\": [\(layer1), \(layer2)]}", "activation.alpha", "must not be 0"),
        ("{\"widths\": [2, 1, 1], \"activation\": {\"kind\": \"quadratic\", \"alpha\": 1}, \"layers\": [\(layer1), \(layer2)]}", "n.json: activation", "missing key \"beta\""),
        ("{\"widths\": [2, 1, 1], \"activation\": {\"kind\": \"relu\"}, \"layers\": [\(layer1)]}", "n.json: layers", "widths describe 2 layers, found 1"),
        ("{\"widths\": [3, 1, 1], \"activation\": {\"kind\": \"relu\"}, \"layers\": [\(layer1), \(layer2)]}", "layers[0].weights[0]", "expected 3 entries, found 2"),
        ("{\"widths\": [2, 2, 1], \"activation\": {\"kind\": \"relu\"}, \"layers\": [\(layer1), \(layer2)]}", "layers[0].weights", "expected 2 rows, found 1"),
        ("{\"widths\": [2, 1, 1], \"activation\": {\"kind\": \"relu\"}, \"layers\": [{\"weights\": [[1, 2]], \"bias\": [0, 0]}, \(layer2)]}", "layers[0].bias", "has 2 entries, widths[1] = 1"),
        ("{\"widths\": [2, 1, 1], \"activation\": {\"kind\": \"relu\"}, \"layers\": [\(layer1), {\"weights\": [[1e999]], \"bias\": [1]}]}", "layers[1].weights[0][0]", "overflows a Double"),
        ("{\"widths\": [2, 1, 1], \"activation\": {\"kind\": \"relu\"}, \"layers\": [\(layer1), \(layer2)], \"skips\": [{\"from\": 2, \"to\": 1, \"weights\": [[1]]}]}", "skips[0]", "0 ≤ from < to ≤ 2"),
        ("{\"widths\": [2, 1, 1], \"activation\": {\"kind\": \"relu\"}, \"layers\": [\(layer1), \(layer2)], \"skips\": [{\"from\": 0, \"to\": 5, \"weights\": [[1]]}]}", "skips[0]", "0 ≤ from < to ≤ 2"),
        ("{\"widths\": [2, 1, 1], \"activation\": {\"kind\": \"relu\"}, \"layers\": [\(layer1), \(layer2)], \"skips\": [{\"from\": 1, \"to\": 1, \"weights\": [[1]]}]}", "skips[0]", "0 ≤ from < to ≤ 2"),
        ("{\"widths\": [2, 1, 1], \"activation\": {\"kind\": \"relu\"}, \"layers\": [\(layer1), \(layer2)], \"skips\": [{\"from\": -1, \"to\": 2, \"weights\": [[1, 1]]}]}", "skips[0].from", "non-negative integer"),
        ("{\"widths\": [2, 1, 1], \"activation\": {\"kind\": \"relu\"}, \"layers\": [\(layer1), \(layer2)], \"skips\": [{\"from\": 0, \"to\": 2, \"weights\": [[1]]}]}", "skips[0].weights[0]", "expected 2 entries, found 1"),
        ("{\"widths\": [2, 1, 1], \"activation\": {\"kind\": \"relu\"}, \"layers\": [\(layer1), \(layer2)], \"skips\": [{\"from\": 0, \"to\": 2, \"weights\": [[1, 1]]}, {\"from\": 0, \"to\": 2, \"weights\": [[1, 1]]}]}", "n.json", "appears twice"),
    ]

    @Test("malformed networks name the layer, skip or field", arguments: cases)
    func malformed(_ text: String, _ place: String, _ problem: String) throws {
        let value = try JSONReader.parse(text, name: "n.json")
        let message = try #require(errorText { _ = try Formats.network(from: value, name: "n.json") })
        #expect(message.hasPrefix(place.hasPrefix("n.json") ? place : "n.json: " + place), "\(message)")
        #expect(message.contains(problem), "\(message)")
    }

    @Test("inputs of the wrong length are refused by the evaluator")
    func wrongInputLength() throws {
        let text = "{\"widths\": [2, 1, 1], \"activation\": {\"kind\": \"square\"}, \"layers\": [\(Self.layer1), \(Self.layer2)]}"
        let net = try Formats.network(from: JSONReader.parse(text, name: "n.json"), name: "n.json")
        #expect(throws: NetworkError.inputLength(expected: 2, found: 3)) { _ = try net.realization([1, 2, 3]) }
        #expect(throws: NetworkError.inputLength(expected: 2, found: 1)) { _ = try net.realization(batch: Matrix(rows: 4, columns: 1)) }
        #expect(try net.realization([1, 1]) == [3 * 9 + 1])
    }
}
