import Foundation
@testable import QuadFormCore
@testable import QuadFormReports
@testable import QuadFormInterop
import QuadFormTestSupport
import Testing

@Suite("Exact mode limits, end to end")
struct ExactLimitCommandTests {
    @Test("the CLI refuses x1+…+x5000 and a 3000×3000 identity in exact mode with exit 2, fast")
    func cliRefusals() throws {
        let sum = (1...5000).map { "x\($0)" }.joined(separator: "+")
        let start = Date()
        let run = try BuiltExecutable.quadform(["synth", "--exact", sum])
        #expect(run.status == 2)
        #expect(run.stderr.contains("limit of \(ExactWorkEstimate.maximumDimension)"))
        #expect(Date().timeIntervalSince(start) < 20)
        let folder = try makeScratchDirectory("exact-limits")
        defer { try? FileManager.default.removeItem(at: folder) }
        let n = 3000
        var text = "{\"quadratic\": ["
        for i in 0..<n {
            var row = [String](repeating: "0", count: n)
            row[i] = "1"
            text += (i == 0 ? "" : ",") + "[" + row.joined(separator: ",") + "]"
        }
        text += "]}"
        let path = folder.appendingPathComponent("identity.json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let identity = try BuiltExecutable.quadform(["synth", "--exact", "--input", path, "--output", folder.appendingPathComponent("out.txt").path])
        #expect(identity.status == 2)
        #expect(identity.stderr.contains("3000 variables"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out.txt").path))
    }
}
