import Foundation
import ONNXProto
import QuadFormTestSupport
import SwiftProtobuf
import Testing
@testable import QuadFormCore
@testable import QuadFormReports
@testable import QuadFormInterop

/// Small hostile network files (issue 25): each is refused clearly or read within bounds, never an
/// abort — run through the built `quadform extract` under 1 GiB of address space and 20 s.
@Suite("Hostile network files (issue 25)")
struct HostileReaderTests {
    // MARK: ONNX builders

    static func input(_ name: String, width: Int64) -> Onnx_ValueInfoProto {
        var batch = Onnx_TensorShapeProto.Dimension()
        batch.dimParam = "batch"
        var w = Onnx_TensorShapeProto.Dimension()
        w.dimValue = width
        var shape = Onnx_TensorShapeProto()
        shape.dim = [batch, w]
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(Onnx_TensorProto.DataType.double.rawValue)
        tensor.shape = shape
        var type = Onnx_TypeProto()
        type.tensorType = tensor
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type = type
        return info
    }

    static func output(_ name: String) -> Onnx_ValueInfoProto {
        var info = Onnx_ValueInfoProto()
        info.name = name
        return info
    }

    static func node(_ op: String, _ inputs: [String], _ out: String) -> Onnx_NodeProto {
        var n = Onnx_NodeProto()
        n.opType = op
        n.input = inputs
        n.output = [out]
        n.name = out
        return n
    }

    static func tensor(_ name: String, _ dims: [Int64], _ values: [Double]) -> Onnx_TensorProto {
        var t = Onnx_TensorProto()
        t.name = name
        t.dims = dims
        t.dataType = Int32(Onnx_TensorProto.DataType.double.rawValue)
        t.doubleData = values
        return t
    }

    static func model(width: Int64, nodes: [Onnx_NodeProto], initializers: [Onnx_TensorProto] = [], output: String) throws -> Data {
        var graph = Onnx_GraphProto()
        graph.name = "hostile"
        graph.input = [input("x", width: width)]
        graph.node = nodes
        graph.initializer = initializers
        graph.output = [self.output(output)]
        var opset = Onnx_OperatorSetIdProto()
        opset.version = 17
        var m = Onnx_ModelProto()
        m.irVersion = 8
        m.opsetImport = [opset]
        m.graph = graph
        return try m.serializedData()
    }

    /// `quadform extract FILE` under 1 GiB and 20 s: it must end by itself, without a signal,
    /// either reading the network (0/1) or refusing it with a short message naming the file (2).
    static func extract(_ data: Data, name: String) throws -> HostileInputTests.Outcome {
        let dir = try HostileInputTests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try data.write(to: dir.appendingPathComponent(name))
        let outcome = try HostileInputTests.run(["extract", name], in: dir, memoryMiB: 1024, timeout: 20)
        #expect(outcome.exitedNormally, "extract \(name) ended by a signal: \(outcome.stderr.prefix(300))")
        #expect(outcome.seconds < 20)
        #expect(outcome.stderr.count < 2_000, "a \(outcome.stderr.count)-character message")
        if outcome.status == 2 { #expect(outcome.stderr.contains(name), "the message does not name the file: \(outcome.stderr)") }
        return outcome
    }

    static func expectRefused(_ outcome: HostileInputTests.Outcome, _ fragment: String) {
        #expect(outcome.status == 2, "\(outcome.stdout.prefix(200)) \(outcome.stderr.prefix(300))")
        #expect(outcome.stderr.contains(fragment), "\(outcome.stderr)")
    }

    @Test("a declared input of width 100 000 through Identity, Add(x, x), Mul(x, x), Mul(x, c) is refused by size, not an 80 GB allocation", arguments: ["Identity", "Add", "Mul", "MulConstant"])
    func wideDeclaredInput(_ op: String) throws {
        let nodes: [Onnx_NodeProto]
        var initializers: [Onnx_TensorProto] = []
        switch op {
        case "Identity": nodes = [Self.node("Identity", ["x"], "y")]
        case "Add": nodes = [Self.node("Add", ["x", "x"], "y")]
        case "Mul": nodes = [Self.node("Mul", ["x", "x"], "y")]
        default:
            nodes = [Self.node("Mul", ["x", "c"], "y")]
            initializers = [Self.tensor("c", [], [3])]
        }
        // 100 KB: an unused initializer makes the declared width possible for the file's size.
        initializers.append(Self.tensor("padding", [12_800], [Double](repeating: 0, count: 12_800)))
        let data = try Self.model(width: 100_000, nodes: nodes, initializers: initializers, output: "y")
        let outcome = try Self.extract(data, name: "wide-\(op).onnx")
        Self.expectRefused(outcome, "weights")
    }

    @Test("a rank-one chain MatMul(x, W1[n,1]) → MatMul(·, W2[1,n]) is never formed as n × n")
    func rankOneChain() throws {
        let n: Int64 = 40_000
        let nodes = [Self.node("MatMul", ["x", "W1"], "h"), Self.node("MatMul", ["h", "W2"], "y")]
        let initializers = [Self.tensor("W1", [n, 1], [Double](repeating: 0.5, count: Int(n))),
                            Self.tensor("W2", [1, n], [Double](repeating: 0.25, count: Int(n)))]
        let outcome = try Self.extract(try Self.model(width: n, nodes: nodes, initializers: initializers, output: "y"), name: "rank-one.onnx")
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("refusing") || outcome.stderr.contains("at most"), "\(outcome.stderr)")
    }

    @Test("a 10⁵-node chain of Mul(z, scalar) is traced in memory linear in the graph")
    func longScalarChain() throws {
        var nodes = [Self.node("Mul", ["x", "x"], "z0")]
        for i in 0..<100_000 { nodes.append(Self.node("Mul", ["z\(i)", "c"], "z\(i + 1)")) }
        let data = try Self.model(width: 1, nodes: nodes, initializers: [Self.tensor("c", [], [1])], output: "z100000")
        let outcome = try Self.extract(data, name: "chain.onnx")
        // A square network x → x² of one neuron: read and extracted.
        #expect(outcome.status == 0 || outcome.status == 1, "\(outcome.stderr.prefix(300))")
    }

    @Test("10⁴ Relu nodes each with a skip Add: refused by the network's size, not 4 GB")
    func reluSkipChain() throws {
        var nodes: [Onnx_NodeProto] = []
        var z = "x"
        for i in 0..<10_000 {
            nodes.append(Self.node("Relu", [z], "r\(i)"))
            nodes.append(Self.node("Add", ["r\(i)", z], "s\(i)"))
            z = "s\(i)"
        }
        let outcome = try Self.extract(try Self.model(width: 4, nodes: nodes, output: z), name: "relu-skips.onnx")
        #expect(outcome.status == 2, "\(outcome.stderr.prefix(300))")
    }

    @Test("a tensor of 10⁷ dimensions gives a short message")
    func manyDimensions() throws {
        var t = Self.tensor("W", [], [])
        t.dims = [Int64](repeating: 1, count: 2_000_000)
        let data = try Self.model(width: 1, nodes: [Self.node("MatMul", ["x", "W"], "y")], initializers: [t], output: "y")
        let outcome = try Self.extract(data, name: "dims.onnx")
        Self.expectRefused(outcome, "dimensions")
    }

    @Test("error messages are cut to a readable length")
    func boundedMessage() {
        let error = NetworkFileError(path: "f.onnx", message: String(repeating: "a", count: 1_000_000))
        #expect(error.description.count < 1_000)
        #expect(error.description.hasPrefix("f.onnx: aaa"))
    }

    // MARK: Alias bombs

    /// A safetensors file whose `count` tensors all name the same byte range of one 1 MB tensor.
    static func aliasedSafetensors(count: Int) -> Data {
        let elements = 131_072
        var header = "{\"__metadata__\": {\"activation\": \"square\"}"
        for i in 0..<count {
            header += ", \"t\(i)\": {\"dtype\": \"F64\", \"shape\": [\(elements)], \"data_offsets\": [0, \(8 * elements)]}"
        }
        header += "}"
        var data = Data()
        var length = UInt64(header.utf8.count)
        for _ in 0..<8 { data.append(UInt8(length & 0xFF)); length >>= 8 }
        data.append(contentsOf: Array(header.utf8))
        data.append(Data(count: 8 * elements))
        return data
    }

    @Test("a safetensors file of 2 000 tensors sharing one data range is refused before anything is decoded")
    func safetensorsAliasBomb() throws {
        let data = Self.aliasedSafetensors(count: 2_000)
        let started = Date()
        let message = HostileInputTests.errorText { _ = try Safetensors.parse(data, path: "alias.safetensors") } ?? ""
        #expect(message.contains("overlap"), "\(message)")
        #expect(message.hasPrefix("alias.safetensors: "))
        #expect(Date().timeIntervalSince(started) < 5)
        let outcome = try Self.extract(data, name: "alias.safetensors")
        Self.expectRefused(outcome, "overlap")
    }

    @Test("a safetensors shape error prints the shape as numbers")
    func safetensorsShapeMessage() {
        var header = "{\"w\": {\"dtype\": \"F64\", \"shape\": [2, -2], \"data_offsets\": [0, 0]}}"
        header += String(repeating: " ", count: 8 - header.utf8.count % 8)
        var data = Data()
        var length = UInt64(header.utf8.count)
        for _ in 0..<8 { data.append(UInt8(length & 0xFF)); length >>= 8 }
        data.append(contentsOf: Array(header.utf8))
        let message = HostileInputTests.errorText { _ = try Safetensors.parse(data, path: "s.safetensors") } ?? ""
        #expect(message.contains("[2, -2]"), "\(message)")
        #expect(!message.contains("JSONValue"), "\(message)")
    }

    /// A stored ZIP with one `.npy` member and `entries` directory entries pointing at it
    /// (names a0.npy, a1.npy, …, or all the same name).
    static func aliasedNpz(entries: Int, sameName: Bool = false, payloadDoubles: Int = 1_000) -> Data {
        var payload = [UInt8]()
        for i in 0..<payloadDoubles { withUnsafeBytes(of: Double(i).bitPattern.littleEndian) { payload += $0 } }
        let member = [UInt8](npyBytes(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (\(payloadDoubles),), }", payload: payload))
        var crc = CRC32()
        member.withUnsafeBytes { crc.update($0) }
        var out = [UInt8]()
        func u16(_ v: Int) { out += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func u32(_ v: UInt32) { for k in 0..<4 { out.append(UInt8((v >> (8 * UInt32(k))) & 0xFF)) } }
        let localName = Array("a0.npy".utf8)
        u32(0x0403_4B50); u16(20); u16(0); u16(0); u16(0); u16(0); u32(crc.value)
        u32(UInt32(member.count)); u32(UInt32(member.count)); u16(localName.count); u16(0)
        out += localName
        out += member
        let directoryOffset = out.count
        for i in 0..<entries {
            let name = Array((sameName ? "a0.npy" : "a\(i).npy").utf8)
            u32(0x0201_4B50); u16(20); u16(20); u16(0); u16(0); u16(0); u16(0); u32(crc.value)
            u32(UInt32(member.count)); u32(UInt32(member.count)); u16(name.count); u16(0); u16(0); u16(0); u16(0)
            u32(0); u32(0)
            out += name
        }
        let directorySize = out.count - directoryOffset
        u32(0x0605_4B50); u16(0); u16(0); u16(entries); u16(entries)
        u32(UInt32(directorySize)); u32(UInt32(directoryOffset)); u16(0)
        return Data(out)
    }

    @Test("an .npz whose 3 000 directory entries point at one stored member is refused before decoding", arguments: [false, true])
    func npzAliasBomb(_ sameName: Bool) throws {
        let data = Self.aliasedNpz(entries: 3_000, sameName: sameName, payloadDoubles: 100_000)
        let started = Date()
        let message = HostileInputTests.errorText { _ = try Npz.parse(data, path: "alias.npz") } ?? ""
        #expect(message.contains(sameName ? "listed twice" : "share bytes"), "\(message)")
        #expect(message.contains("alias.npz"))
        #expect(Date().timeIntervalSince(started) < 5)
        let outcome = try Self.extract(data, name: "alias.npz")
        #expect(outcome.status == 2)
    }

    @Test("an .npz of one member still reads")
    func npzSingleMember() throws {
        let arrays = try Npz.parse(Self.aliasedNpz(entries: 1), path: "one.npz")
        #expect(arrays.count == 1 && arrays[0].name == "a0")
    }

    // MARK: --output

    @Test("--output never replaces a read-only file (the shell's > refuses it too), and leaves no temporary")
    func readOnlyOutput() throws {
        let dir = try HostileInputTests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("report.txt")
        try Data("keep me\n".utf8).write(to: target)
        chmod(target.path, 0o444)
        let outcome = try HostileInputTests.run(["synth", "x^2 + y", "--output", "report.txt"], in: dir)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("report.txt") && outcome.stderr.contains("read-only"), "\(outcome.stderr)")
        #expect(try String(contentsOf: target, encoding: .utf8) == "keep me\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["report.txt"])
        // A writable one is replaced as before.
        chmod(target.path, 0o644)
        let again = try HostileInputTests.run(["synth", "x^2 + y", "--output", "report.txt"], in: dir)
        #expect(again.status == 0)
        #expect(try String(contentsOf: target, encoding: .utf8).contains("residual network"))
    }

    // MARK: Numbers

    @Test("a non-zero literal that underflows to zero is refused like one that overflows", arguments: [
        (["synth", "1e-99999*x^2 + y"], "underflows to zero"),
        (["synth", "x^2 + 2.5e-400*y"], "underflows to zero"),
        (["synth", "--input", "form.json"], "underflows to zero"),
        (["eval", "net.json", "--at", "1e-99999"], "underflows to zero"),
    ])
    func underflowingLiterals(_ arguments: [String], _ fragment: String) throws {
        let dir = try HostileInputTests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"{"quadratic": [[1, 0], [0, 1e-99999]]}"#.utf8).write(to: dir.appendingPathComponent("form.json"))
        try Data(HostileInputTests.network.utf8).write(to: dir.appendingPathComponent("net.json"))
        let outcome = try HostileInputTests.run(arguments, in: dir)
        #expect(outcome.status == 2, "\(outcome.stdout.prefix(200))")
        #expect(outcome.stderr.contains(fragment), "\(outcome.stderr)")
        // Zero written as zero is still zero.
        #expect(Double.finiteLiteral("0e-99999") == 0 && Double.finiteLiteral("0.000") == 0)
        #expect(Double.finiteLiteral("4.9e-324") != nil && Double.finiteLiteral("1e-400") == nil && Double.finiteLiteral("1e400") == nil)
    }

    @Test("--save-networks with an unknown extension is a usage error before anything is computed or written", arguments: ["synth", "extract"])
    func unknownSaveExtension(_ command: String) throws {
        let dir = try HostileInputTests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(HostileInputTests.network.utf8).write(to: dir.appendingPathComponent("net.json"))
        let arguments = command == "synth" ? ["synth", "x^2 + y", "--save-networks", "n.txt"] : ["extract", "net.json", "--save-networks", "n.txt"]
        let outcome = try HostileInputTests.run(arguments, in: dir)
        #expect(outcome.status == 2)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderr.contains("--save-networks: n.txt: unknown network file extension '.txt'"), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("CommandError"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("n.txt").path))
    }
}
