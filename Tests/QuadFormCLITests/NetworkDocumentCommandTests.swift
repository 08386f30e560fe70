import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import QuadFormCore
@testable import QuadFormReports
@testable import QuadFormInterop
import QuadFormTestSupport

/// `quadform eval` reading the networks of synth's JSON report.
@Suite("quadform eval on synth reports")
struct NetworkDocumentCommandTests {
    @Test("quadform eval reads synth's JSON report: residual by default, --network plain, and the error for a bad member")
    func evalReadsReport() throws {
        let folder = try makeScratchDirectory("doc")
        defer { try? FileManager.default.removeItem(at: folder) }
        let report = folder.appendingPathComponent("report.json").path
        let synth = try BuiltExecutable.quadform(["synth", "x^2 + 3*x*y + z", "--format", "json", "--output", report])
        #expect(synth.status == 0)
        // f(1, 2, 3) = 1 + 6 + 3 = 10, for either network.
        for member in [[], ["--network", "residual"], ["--network", "plain"]] {
            let run = try BuiltExecutable.quadform(["eval", report, "--at", "1,2,3"] + member)
            #expect(run.status == 0, "\(member): \(run.stderr)")
            let value = Double(run.stdout.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
            #expect(value.map { abs($0 - 10) < 1e-12 } == true, "\(member): \(run.stdout)")
        }
        let json = try BuiltExecutable.quadform(["eval", report, "--network", "plain", "--at", "1,2,3;0,0,0", "--format", "json"])
        #expect(json.status == 0)
        let parsed = try JSONReader.parse(json.stdout)
        #expect(parsed["network"]?["member"] == .string("plain"))
        guard case .array(let points)? = parsed["points"], points.count == 2,
              case .array(let y)? = points[0]["y"], case .number(let text)? = y.first, let value = Double(text) else {
            Issue.record("unexpected eval JSON: \(json.stdout)"); return
        }
        #expect(abs(value - 10) < 1e-12)
        let output = folder.appendingPathComponent("eval.txt").path
        let saved = try BuiltExecutable.quadform(["eval", report, "--at", "0,0,0", "--output", output])
        #expect(saved.status == 0 && saved.stdout == "wrote \(output): the results\n", "\(saved.stdout)")
        #expect((try? String(contentsOfFile: output, encoding: .utf8))?.hasPrefix("realization(0, 0, 0) = ") == true)
        let bad = try BuiltExecutable.quadform(["eval", report, "--network", "hidden", "--at", "1,2,3", "--output", output + ".2"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("is a report with networks") && bad.stderr.contains("--network"))
        #expect(!FileManager.default.fileExists(atPath: output + ".2"))
    }
}
