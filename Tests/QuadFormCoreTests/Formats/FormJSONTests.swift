import Foundation
import Testing
@testable import QuadFormCore
import QuadFormTestSupport

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

@Suite("Readers: form JSON and .npy")
struct ReaderTests {
    @Test("Form JSON round trip and path errors")
    func formJSON() throws {
        let text = #"{"constant": 2.5, "linear": [1, 0], "quadratic": [[1, 2], [0, -1]], "variables": ["u", "v"]}"#
        let form = try Formats.form(from: JSONReader.parse(text), name: "f.json")
        #expect(form.variables == ["u", "v"])
        #expect(form.quadratic[0, 1] == 2)
        #expect(form.symmetricMatrix[1, 0] == 1)
        let again = try Formats.form(from: JSONReader.parse(JSONWriter.write(Formats.formJSON(form))), name: "again")
        #expect(again == form)
        do {
            _ = try Formats.form(from: JSONReader.parse(#"{"quadratic": [[1, 2], [0, "a"]]}"#), name: "f.json")
            Issue.record("should fail")
        } catch let e as JSONError {
            #expect(e.description.contains("quadratic[1][1]"))
        }
        do {
            _ = try JSONReader.parse("{\n  \"quadratic\": [[1, 2],\n   [0 1]]}", name: "f.json")
            Issue.record("should fail")
        } catch let e as JSONError {
            #expect(e.location == "f.json:3:7")
        }
    }

    @Test(".npy: C and Fortran order, dtypes, and bad headers")
    func npy() throws {
        let values: [Double] = [1, 2, 3, 4, 5, 6]
        let data = Npy.encode(values, shape: [2, 3])
        let array = try Npy.parse(data, path: "a.npy")
        #expect(array.shape == [2, 3])
        #expect(array.values == values)
        var fortran = Data(data)
        let header = String(decoding: fortran[10..<(10 + Int(fortran[8]))], as: UTF8.self)
        let swapped = header.replacingOccurrences(of: "False", with: "True ")
        fortran.replaceSubrange(10..<(10 + header.utf8.count), with: Array(swapped.utf8))
        #expect(try Npy.parse(fortran, path: "f.npy").values == [1, 3, 5, 2, 4, 6])
        #expect(throws: NpyError.self) { try Npy.parse(Data([1, 2, 3]), path: "bad.npy") }
        #expect(throws: NpyError.self) { try Npy.parse(data.dropLast(8), path: "short.npy") }
    }
}
