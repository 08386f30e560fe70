import Foundation
import Testing

/// Every relative link in the repository's Markdown (README, docs, notebooks, DocC articles, …)
/// points at a file or folder that exists (issue 13: docs/design.md pointed at a missing `seeds/`).
@Suite("Markdown links")
struct MarkdownLinkTests {
    static let root = URL(fileURLWithPath: #filePath)  // Tests/QuadFormCLITests/Documentation/ → the package root
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The Markdown files of the repository, outside hidden and build folders.
    static func markdownFiles() -> [URL] {
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isDirectoryKey],
                                                          options: [.skipsHiddenFiles]) else { return [] }
        var files: [URL] = []
        for case let url as URL in walker {
            let name = url.lastPathComponent
            if ["work", "node_modules"].contains(name) || name.hasPrefix(".build") { walker.skipDescendants(); continue }
            if url.pathExtension == "md" { files.append(url) }
        }
        return files
    }

    /// The targets of `[text](target)` and `![alt](target)` outside fenced code blocks and code spans.
    static func linkTargets(_ text: String) -> [String] {
        var targets: [String] = []
        var inFence = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") { inFence.toggle(); continue }
            if inFence { continue }
            // Drop code spans, then find "](target)".
            let plain = line.split(separator: "`", omittingEmptySubsequences: false).enumerated()
                .filter { $0.offset % 2 == 0 }.map(\.element).joined(separator: " ")
            var rest = Substring(plain)
            while let open = rest.range(of: "](") {
                let after = rest[open.upperBound...]
                guard let close = after.firstIndex(of: ")") else { break }
                let target = after[..<close].split(separator: " ").first.map(String.init) ?? ""
                targets.append(target)
                rest = after[close...]
            }
        }
        return targets
    }

    @Test("Link extraction skips code and finds images and links")
    func extraction() {
        let text = "see [a](docs/a.md#x) and ![b](img.svg \"t\")\n`[c](no.md)`\n```\n[d](no2.md)\n```\n"
        #expect(Self.linkTargets(text) == ["docs/a.md#x", "img.svg"])
    }

    @Test("Every relative link in *.md resolves to an existing file or folder")
    func relativeLinksResolve() {
        let files = Self.markdownFiles()
        #expect(files.count >= 10)
        var broken: [String] = []
        for file in files {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
            for target in Self.linkTargets(text) {
                if target.isEmpty || target.hasPrefix("#") || target.contains("://") || target.hasPrefix("mailto:") { continue }
                if target.hasPrefix("doc:") { continue }  // DocC links, checked by docc
                let path = String(target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0])
                let resolved = file.deletingLastPathComponent().appendingPathComponent(path.removingPercentEncoding ?? path)
                if !FileManager.default.fileExists(atPath: resolved.standardizedFileURL.path) {
                    broken.append("\(file.path.dropFirst(Self.root.path.count + 1)): \(target)")
                }
            }
        }
        #expect(broken.isEmpty, "broken relative links: \(broken)")
    }
}
