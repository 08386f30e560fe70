import Foundation
import Testing
@testable import QuadFormCore
@testable import QuadFormReports
@testable import QuadFormInterop
import QuadFormTestSupport

/// Little-endian field of a byte array (for checking ZIP records by hand).
func le(_ bytes: [UInt8], _ offset: Int, _ width: Int) -> UInt64 {
    (0..<width).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) }
}

@Suite("--save-networks: .npz archives")
struct NpzTests {
    let synthesis: Synthesis

    init() throws {
        let form = try RandomForm.make(RandomFormSpec(dimension: 7, rank: 4, seed: 11, linearTerm: .generic))
        synthesis = try Synthesis(form: form)
    }

    @Test("the nine arrays, named after design.md §2, round-trip bit for bit through a file")
    func roundTrip() throws {
        let folder = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("nets.npz").path
        try Npz.write(Npz.networkArrays(of: synthesis), to: path)
        let read = try Npz.read(path)
        #expect(read.map(\.name) == ["residual_W1", "residual_B1", "residual_W2", "residual_B2", "residual_V_0_2",
                                     "plain_W1", "plain_B1", "plain_W2", "plain_B2"])
        let arrays = Dictionary(uniqueKeysWithValues: read.map { ($0.name, $0.array) })
        let k = synthesis.rank, n = 7
        #expect(synthesis.hasLinearNullPart)
        #expect(arrays["residual_W1"]?.shape == [k, n])
        #expect(arrays["residual_B1"]?.shape == [k])
        #expect(arrays["residual_W2"]?.shape == [1, k])
        #expect(arrays["residual_B2"]?.shape == [1])
        #expect(arrays["residual_V_0_2"]?.shape == [1, n])
        #expect(arrays["plain_W1"]?.shape == [k + 2, n])
        #expect(arrays["residual_W1"]?.values == synthesis.residual.layers[0].weights.entries)
        #expect(arrays["plain_W1"]?.values == synthesis.plain.layers[0].weights.entries)
        #expect(arrays["residual_V_0_2"]?.values == synthesis.residual.skips[0].weights.entries)

        // The network rebuilt from the file computes f.
        let w1 = try #require(arrays["residual_W1"]), b1 = try #require(arrays["residual_B1"])
        let w2 = try #require(arrays["residual_W2"]), b2 = try #require(arrays["residual_B2"])
        let v = try #require(arrays["residual_V_0_2"])
        let rebuilt = try ResNet(widths: [n, k, 1], activation: .square,
                                 layers: [.init(weights: Matrix(rows: k, columns: n, entries: w1.values), bias: b1.values),
                                          .init(weights: Matrix(rows: 1, columns: k, entries: w2.values), bias: b2.values)],
                                 skips: [.init(from: 0, to: 2, weights: Matrix(rows: 1, columns: n, entries: v.values))])
        var rng = SplitMix64(seed: 3)
        for _ in 0..<20 {
            let x = (0..<n).map { _ in 2 * rng.nextUnit() - 1 }
            let f = evaluateDirectly(synthesis.form, x)
            let g = try rebuilt.realization(x)[0]
            #expect(abs(f - g) <= 1e3 * Double.ulpOfOne * (1 + synthesis.form.magnitude(at: x)))
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(leftovers == ["nets.npz"], "no temporary file is left behind")
    }

    @Test("the bytes are a ZIP archive of stored .npy members that an independent walk of the records reads")
    func zipStructure() throws {
        let data = [UInt8](try Npz.encode(Npz.networkArrays(of: synthesis)))
        // End of central directory: the last 22 bytes (no comment).
        let end = data.count - 22
        #expect(le(data, end, 4) == 0x0605_4B50)
        #expect(le(data, end + 10, 2) == 9)
        var position = Int(le(data, end + 16, 4))
        var names: [String] = []
        for _ in 0..<9 {
            #expect(le(data, position, 4) == 0x0201_4B50)
            #expect(le(data, position + 10, 2) == 0, "stored, not deflated")
            let size = Int(le(data, position + 24, 4))
            let nameLength = Int(le(data, position + 28, 2))
            let name = String(decoding: data[(position + 46)..<(position + 46 + nameLength)], as: UTF8.self)
            names.append(name)
            let local = Int(le(data, position + 42, 4))
            #expect(le(data, local, 4) == 0x0403_4B50)
            let start = local + 30 + Int(le(data, local + 26, 2)) + Int(le(data, local + 28, 2))
            let member = Array(data[start..<(start + size)])
            #expect(Array(member.prefix(6)) == [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59], "\(name) is a .npy file")
            #expect(UInt32(le(data, position + 16, 4)) == bitwiseCRC32(member), "\(name): recorded CRC")
            position += 46 + nameLength + Int(le(data, position + 30, 2)) + Int(le(data, position + 32, 2))
        }
        #expect(names == ["residual_W1.npy", "residual_B1.npy", "residual_W2.npy", "residual_B2.npy", "residual_V_0_2.npy",
                          "plain_W1.npy", "plain_B1.npy", "plain_W2.npy", "plain_B2.npy"])
        #expect(position == end, "the central directory ends where the end record starts")
    }

    @Test("ZIP64 records (used from 4 GiB on) are written and read back")
    func zip64() throws {
        let arrays = Npz.networkArrays(of: synthesis)
        let data = try Npz.encode(arrays, forceZip64: true)
        let bytes = [UInt8](data)
        #expect(le(bytes, bytes.count - 22 - 20, 4) == 0x0706_4B50, "ZIP64 locator before the end record")
        let read = try Npz.parse(data, path: "z.npz")
        #expect(read.map(\.name) == arrays.map(\.name))
        #expect(read.map(\.array.values) == arrays.map(\.values))
        #expect(read.map(\.array.shape) == arrays.map(\.shape))
    }

    @Test("damaged archives are refused with the member named")
    func damaged() throws {
        let good = [UInt8](try Npz.encode([NpzArray(name: "w", shape: [3], values: [1, 2, 3])]))
        var flipped = good
        flipped[30 + 5 + 80] ^= 0x01  // a byte inside the member w.npy
        #expect(throws: NpzError.self) { try Npz.parse(Data(flipped), path: "bad.npz") }
        do {
            _ = try Npz.parse(Data(flipped), path: "bad.npz")
        } catch let error as NpzError {
            #expect(error.description.contains("w.npy") && error.description.contains("CRC-32"))
        }
        var deflated = good
        let directory = Int(le(good, good.count - 22 + 16, 4))
        deflated[directory + 10] = 8
        #expect(throws: NpzError.self) { try Npz.parse(Data(deflated), path: "deflated.npz") }
        #expect(throws: NpzError.self) { try Npz.parse(Data(good.prefix(good.count - 30)), path: "short.npz") }
        #expect(throws: NpzError.self) { try Npz.parse(Data("PK not really".utf8), path: "text.npz") }
    }

    @Test("writing onto a directory or into a missing folder fails cleanly and leaves an existing file untouched")
    func atomicFailures() throws {
        let folder = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let arrays = Npz.networkArrays(of: synthesis)
        #expect(throws: FileError.isDirectory(folder.path)) { try Npz.write(arrays, to: folder.path) }
        let missing = folder.appendingPathComponent("no/such/dir/n.npz").path
        #expect(throws: FileError.self) { try Npz.write(arrays, to: missing) }
        let existing = folder.appendingPathComponent("keep.npz").path
        try Data("old".utf8).write(to: URL(fileURLWithPath: existing))
        let duplicate = [arrays[0], arrays[0]]
        #expect(throws: FormatError.self) { try Npz.write(duplicate, to: existing) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: existing)) == Data("old".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["keep.npz"])
        // A device is written in place, not replaced by a regular file.
        try Npz.write(arrays, to: "/dev/null")
        let type = try FileManager.default.attributesOfItem(atPath: "/dev/null")[.type] as? FileAttributeType
        #expect(type == .typeCharacterSpecial)
    }
}
