import Foundation
import Testing
import QuadFormTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The answers a new user gets in the first hour (issue 24): a busy port, a form typed without a
/// subcommand, and what a successful `--output` prints.
@Suite("First hour: clear answers")
struct FirstHourTests {
    /// A listening socket on 127.0.0.1 at a port the kernel picks; its port and descriptor.
    static func listener() throws -> (port: Int, fd: Int32) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BuiltExecutable.Failure(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { close(fd); throw BuiltExecutable.Failure(description: "bind: errno \(errno)") }
        return (Int(UInt16(bigEndian: address.sin_port)), fd)
    }

    @Test("serve on a busy port names it, suggests --port 0 and exits 2 at once")
    func busyPort() throws {
        let (port, fd) = try Self.listener()
        defer { close(fd) }
        let started = Date()
        let run = try BuiltExecutable.quadform(["serve", "--port", String(port)])
        #expect(run.status == 2)
        #expect(run.stderr == "quadform: error: port \(port) is already in use on 127.0.0.1; choose another with --port, or --port 0 for any free port\n", "\(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(Date().timeIntervalSince(started) < 3, "it must not wait for a timeout")
    }

    @Test("A form typed without a subcommand: did you mean: quadform synth \"…\"?", arguments: [
        (["x^2+y"], "did you mean: quadform synth \"x^2+y\"?"),
        (["x^2 + y", "--format", "json"], "did you mean: quadform synth \"x^2 + y\" --format json?"),
        (["snyth", "x^2+y"], "did you mean: quadform synth \"x^2+y\"?"),
        (["spectrun", "x*y"], "did you mean: quadform spectrum \"x*y\"?"),
    ])
    func missingSubcommand(arguments: [String], hint: String) throws {
        let run = try BuiltExecutable.quadform(arguments)
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix("quadform: error: "))
        #expect(run.stderr.contains("\n" + hint), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
    }

    @Test("A successful --output prints one line naming the file, on standard output; --quiet drops it")
    func outputConvention() throws {
        let folder = try makeScratchDirectory("output-convention")
        defer { try? FileManager.default.removeItem(at: folder) }
        let synth = try BuiltExecutable.quadform(["synth", "x^2 + y", "--output", "r.txt", "--save-networks", "n.npz"], in: folder)
        #expect(synth.status == 0)
        #expect(synth.stdout == "wrote r.txt: the report, verification PASSED\nwrote n.npz: the residual and plain networks\n", "\(synth.stdout)")
        #expect(synth.stderr.isEmpty)
        // The report on standard output: the other files are announced on standard error.
        let piped = try BuiltExecutable.quadform(["synth", "x^2 + y", "--format", "json", "--save-networks", "n.json"], in: folder)
        #expect(piped.stdout.hasPrefix("{") && piped.stderr == "wrote n.json: the residual and plain networks\n", "\(piped.stderr)")
        let quiet = try BuiltExecutable.quadform(["synth", "x^2 + y", "--output", "q.txt", "--quiet"], in: folder)
        #expect(quiet.status == 0 && quiet.stdout.isEmpty && quiet.stderr.isEmpty)
        let convert = try BuiltExecutable.quadform(["convert", "n.json", "n.onnx"], in: folder)
        #expect(convert.stdout.hasPrefix("wrote n.onnx: "), "\(convert.stdout)")
    }
}
