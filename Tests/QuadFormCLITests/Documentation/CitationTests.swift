import Foundation
import Testing
import QuadFormTestSupport

/// CITATION.cff (issue 24) cites the software and the two works it implements, with the
/// identifiers a reader needs to find them; the README points at it.
@Suite("How to cite")
struct CitationTests {
    @Test("CITATION.cff names the paper (UTEP-CS-21-98) and the lecture notes (arXiv:2310.20360)")
    func citation() throws {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("CITATION.cff"), encoding: .utf8)
        #expect(text.hasPrefix("cff-version: 1.2.0\n"))
        for needle in ["title: \"quadform", "type: software", "Why Residual Neural Networks", "Holguin", "Kreinovich",
                       "UTEP-CS-21-98", "University of Texas at El Paso", "Mathematical Introduction to Deep Learning",
                       "Jentzen", "Kuckuck", "von Wurstemberger", "arXiv:2310.20360"] {
            #expect(text.contains(needle), "CITATION.cff lacks \(needle)")
        }
        let version = try String(contentsOf: packageRoot.appendingPathComponent("Sources/QuadFormCore/Formats/PackageVersion.swift"), encoding: .utf8)
        let line = text.split(separator: "\n").first { $0.hasPrefix("version: ") }.map { String($0.dropFirst("version: ".count)) }
        #expect(line.map { version.contains("\"\($0)\"") } == true, "CITATION.cff's version is the package's")
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("[`CITATION.cff`](CITATION.cff)"))
    }
}
