import Foundation
import QuadFormTestSupport

/// The `quadform` executable that `swift build` / `swift test` built, run as a user would run it.
enum BuiltExecutable {
    /// The package root.
    static let packageRoot = QuadFormTestSupport.packageRoot

    /// Errors locating or running the executable.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Folders where the build products sit: `QUADFORM_BIN_DIR` when set, else the folder of the
    /// running test bundle (SwiftPM puts every product of a configuration in one folder). No
    /// fallback to a fixed `.build/debug` or `.build/release`: that could run a stale binary of
    /// the other configuration.
    static var candidateFolders: [URL] {
        if let override = ProcessInfo.processInfo.environment["QUADFORM_BIN_DIR"] { return [URL(fileURLWithPath: override)] }
        var folders: [URL] = []
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        folders.append(executable.deletingLastPathComponent())
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            folders.append(bundle.bundleURL.deletingLastPathComponent())
        }
        if let first = CommandLine.arguments.first {
            folders.append(URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent())
        }
        return folders
    }

    /// The path of the built `quadform`.
    static func url() throws -> URL {
        for folder in candidateFolders {
            let candidate = folder.appendingPathComponent("quadform")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw Failure(description: "the quadform executable was not found next to the test bundle; run `swift build` first (looked in \(candidateFolders.map(\.path)))")
    }

    /// The result of one run.
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `executable` with `arguments` in `folder` (default: the package root), capturing both streams.
    static func run(_ executable: URL, _ arguments: [String], in folder: URL? = nil, environment: [String: String]? = nil) throws -> Run {
        let scratch = try makeScratchDirectory("run")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = folder ?? packageRoot
        if let environment { process.environment = environment }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Run(status: process.terminationStatus,
                   stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                   stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// Runs the built `quadform` with `arguments`.
    static func quadform(_ arguments: [String], in folder: URL? = nil) throws -> Run {
        try run(url(), arguments, in: folder)
    }
}
