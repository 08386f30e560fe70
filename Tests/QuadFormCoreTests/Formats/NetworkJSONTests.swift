import Foundation
import Testing
@testable import QuadFormCore

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
