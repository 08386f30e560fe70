import Foundation
import Testing
@testable import QuadFormCore
import QuadFormTestSupport

/// `quadform prove --exact --certificate multimodular` (design.md §4, "Multimodular certificates")
/// through the built executable: the JSON certificate against the fraction-free reduction.
@Suite("prove --exact --certificate")
struct ProveCertificateCommandTests {
    /// A = U·diag(d)·Uᵀ (n × n, rank r) with a outside range(A) (`inRange` false) or a = U·w, as
    /// the JSON of `--input`.
    static func formJSON(n: Int, rank r: Int, inRange: Bool, seed: UInt64) -> (text: String, form: ExactForm?) {
        var g = SplitMix64(seed: seed)
        func small(_ range: Int) -> Int { Int(g.next() % UInt64(2 * range + 1)) - range }
        let u = (0..<n).map { _ in (0..<r).map { _ in small(3) } }
        let d = (0..<r).map { _ in small(1) >= 0 ? 2 : -1 }
        let w = (0..<r).map { _ in small(2) }
        let a = (0..<n).map { i in (0..<n).map { j in (0..<r).reduce(0) { $0 + u[i][$1] * d[$1] * u[j][$1] } } }
        let linear = (0..<n).map { i in inRange ? (0..<r).reduce(0) { $0 + u[i][$1] * w[$1] } : small(3) }
        let text = "{\"constant\": 1, \"linear\": \(linear), \"quadratic\": \(a)}"
        return (text, try? ExactForm.from(json: JSONReader.parse(text), name: "form.json"))
    }

    @Test("JSON certificate: method, primes, minors, seconds; the counts equal the reduction's", arguments: [true, false])
    func multimodularJSON(inRange: Bool) throws {
        let folder = try makeScratchDirectory("prove-certificate")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (text, parsed) = Self.formJSON(n: 24, rank: 9, inRange: inRange, seed: inRange ? 3 : 4)
        let form = try #require(parsed)
        try text.write(to: folder.appendingPathComponent("form.json"), atomically: true, encoding: .utf8)
        let run = try BuiltExecutable.quadform(["prove", "--exact", "--input", "form.json", "--certificate", "multimodular", "--format", "json"], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        let json = try JSONReader.parse(run.stdout)
        let reduction = try ExactSynthesis(form: form)
        #expect(json["holds"] == .bool(true))
        #expect(json["residual_minimum"] == .number(String(reduction.rank)))
        #expect(json["plain_minimum"] == .number(String(reduction.plain.hiddenNeurons)))
        #expect(json["synthesis"] == .null)
        let certificate = try #require(json["certificate"])
        #expect(certificate["method"] == .string("multimodular"))
        #expect(certificate["linear_in_range"] == .bool(!reduction.hasLinearNullPart))
        guard case let .array(primes)? = certificate["prime_values"], case let .number(count)? = certificate["primes"] else {
            Issue.record("no primes in \(certificate)")
            return
        }
        #expect(primes.count == Int(count) && primes.count >= 1)
        guard case let .array(rows)? = certificate["lower_bound"]?["rows"] else { Issue.record("no minor rows"); return }
        #expect(rows.count == reduction.rank)
        #expect((certificate["linear_not_in_range"] == .null) == !reduction.hasLinearNullPart)
        guard case let .number(seconds)? = certificate["seconds"] else { Issue.record("no seconds"); return }
        #expect((Double(seconds) ?? -1) >= 0)
        // The text says how many primes and how long.
        let textRun = try BuiltExecutable.quadform(["prove", "--exact", "--input", "form.json", "--certificate", "multimodular"], in: folder)
        #expect(textRun.status == 0)
        #expect(textRun.stdout.contains("Certificate: multimodular — \(primes.count) prime"))
        #expect(textRun.stdout.contains("Conclusion: residual minimum = k = \(reduction.rank)"))
    }

    @Test("--certificate reduction keeps the exact networks and says how long; --certificate without --exact is refused")
    func reductionAndRefusal() throws {
        let run = try BuiltExecutable.quadform(["prove", "--exact", "x^2 + y", "--certificate", "reduction", "--format", "json"])
        #expect(run.status == 0)
        let json = try JSONReader.parse(run.stdout)
        #expect(json["certificate"]?["method"] == .string("reduction"))
        #expect(json["synthesis"]?["plain"]?["neurons"] == .number("3"))
        let refused = try BuiltExecutable.quadform(["prove", "x^2 + y", "--certificate", "multimodular"])
        #expect(refused.status == 2 && refused.stderr.contains("--certificate multimodular needs --exact"))
    }
}
