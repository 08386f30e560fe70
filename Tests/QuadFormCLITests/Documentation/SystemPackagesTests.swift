import Foundation
import Testing
import QuadFormTestSupport

/// One list of system packages (scripts/system-packages.txt): it covers every package Package.swift's
/// system-library targets name as `.apt` providers, setup.sh and .ci/run install from it rather than
/// from lists of their own, and the set-up docs name its build packages (issue 24: setup.sh left out
/// libgmp-dev, which Sources/CGMP needs, while README and docs/install.md said it installed it).
@Suite("System packages: one list")
struct SystemPackagesTests {
    static func text(_ path: String) throws -> String {
        try String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)
    }

    /// (name, role) of each package line.
    static func list() throws -> [(name: String, role: String)] {
        try text("scripts/system-packages.txt").split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let name = fields.first, !name.hasPrefix("#"), fields.count >= 2 else { return nil }
            return (String(name), String(fields[1]))
        }
    }

    /// The packages of every `.apt([...])` in Package.swift.
    static func providers() throws -> Set<String> {
        let manifest = try text("Package.swift")
        var names = Set<String>()
        var rest = Substring(manifest)
        while let open = rest.range(of: ".apt([") {
            let after = rest[open.upperBound...]
            guard let close = after.range(of: "])") else { break }
            for item in after[..<close.lowerBound].split(separator: ",") {
                names.insert(item.trimmingCharacters(in: CharacterSet(charactersIn: " \"\n")))
            }
            rest = after[close.upperBound...]
        }
        return names
    }

    @Test("Package.swift's apt providers are all in the list, with role build")
    func coversProviders() throws {
        let providers = try Self.providers()
        #expect(providers.contains("libgmp-dev") && providers.contains("liblapacke-dev"))
        let build = Set(try Self.list().filter { $0.role == "build" }.map(\.name))
        #expect(providers.subtracting(build).isEmpty, "missing from scripts/system-packages.txt: \(providers.subtracting(build).sorted())")
        #expect(try Self.list().allSatisfy { ["build", "tool", "ci"].contains($0.role) })
    }

    @Test("setup.sh and .ci/run install from the list, with no package list of their own")
    func scriptsReadTheList() throws {
        for script in ["scripts/setup.sh", ".ci/run"] {
            let source = try Self.text(script)
            #expect(source.contains("scripts/system-packages.txt"), "\(script)")
            for line in source.split(separator: "\n") where line.contains("apt-get install") {
                #expect(line.contains("\"${PACKAGES[@]}\""), "\(script): \(line)")
            }
        }
    }

    @Test("README and docs/install.md name every build and tool package")
    func docsNameThem() throws {
        let wanted = try Self.list().filter { $0.role != "ci" }.map(\.name)
        for doc in ["README.md", "docs/install.md"] {
            // The docs wrap lines: compare with whitespace collapsed.
            let flat = try Self.text(doc).split(whereSeparator: { $0 == "\n" || $0 == " " }).joined(separator: " ")
            for name in wanted { #expect(flat.contains(name), "\(doc) does not name \(name)") }
        }
    }
}
