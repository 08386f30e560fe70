import Foundation
import Testing
@testable import QuadForm

/// CRC-32 one bit at a time, straight from the definition (reflected polynomial 0xEDB88320):
/// an independent reference for the table-driven `CRC32`.
func bitwiseCRC32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return crc ^ 0xFFFF_FFFF
}

/// A fresh empty folder under the temporary directory.
func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("quadform-scale-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Little-endian field of a byte array (for checking ZIP records by hand).
func le(_ bytes: [UInt8], _ offset: Int, _ width: Int) -> UInt64 {
    (0..<width).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) }
}

@Suite("CRC-32")
struct CRC32Tests {
    @Test("the standard check value: CRC-32 of \"123456789\" is CBF43926")
    func checkValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
    }

    @Test("slicing by 8 agrees with the bit-at-a-time definition for every length 0…200 and split updates")
    func agreesWithDefinition() {
        var rng = SplitMix64(seed: 7)
        for length in 0...200 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            #expect(CRC32.checksum(bytes) == bitwiseCRC32(bytes), "length \(length)")
            let cut = length / 3
            var split = CRC32()
            bytes[..<cut].withUnsafeBytes { split.update($0) }
            bytes[cut...].withUnsafeBytes { split.update($0) }
            #expect(split.value == bitwiseCRC32(bytes))
        }
    }
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
        let folder = try temporaryFolder()
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
        let folder = try temporaryFolder()
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

@Suite("Scale: BLAS report, driver choice, O(n²) helpers")
struct ScaleTests {
    @Test("the report names the BLAS/LAPACK that ran, with its library files and thread count")
    func blasReport() throws {
        let info = BLASInfo.current
        let lapack = try #require(info.lapackLibrary)
        #expect(FileManager.default.fileExists(atPath: lapack))
        let blas = try #require(info.blasLibrary)
        #expect(FileManager.default.fileExists(atPath: blas))
        if info.implementation == "OpenBLAS" {
            let threads = try #require(info.threads)
            #expect(threads >= 1)
            if let env = ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"], let requested = Int(env), requested >= 1 {
                #expect(threads == requested, "OpenBLAS honours OPENBLAS_NUM_THREADS")
            }
        }
        let report = try SynthesisReport(synthesis: Synthesis(form: ExpressionParser.form("x1^2 + x2", variables: nil)))
        #expect(report.json["blas"]?["lapack_library"] == .string(lapack))
        #expect(report.json["blas"]?["implementation"] == .string(info.implementation))
        #expect(report.text.hasSuffix("\nBLAS/LAPACK         " + info.summary + "\n"))
    }

    @Test("--driver auto: dsyev up to n = 200, dsyevd above, and the report says why")
    func autoDriver() throws {
        #expect(EigenDriver.auto.resolved(forOrder: 200) == .dsyev)
        #expect(EigenDriver.auto.resolved(forOrder: 201) == .dsyevd)
        #expect(EigenDriver.dsyevr.resolved(forOrder: 5000) == .dsyevr)
        for n in [2, 201] {
            let form = try RandomForm.make(RandomFormSpec(dimension: n, rank: n / 2, seed: 5))
            let report = try SynthesisReport(synthesis: Synthesis(form: form, options: SynthesisOptions(driver: .auto)))
            let expected = n <= 200 ? "dsyev" : "dsyevd"
            #expect(report.json["eigen_driver"] == .string(expected))
            #expect(report.json["eigen_driver_requested"] == .string("auto"))
            guard case let .string(reason)? = report.json["eigen_driver_reason"] else { Issue.record("no reason"); continue }
            #expect(reason.contains("n = \(n)") && reason.contains(expected))
            // The text names the driver that ran; the reason line only when auto left dsyev.
            #expect(report.text.contains("(LAPACKE \(expected), ascending)"))
            #expect(report.text.contains("driver auto: n = \(n)") == (expected != "dsyev"))
            #expect(report.passed)
        }
    }

    @Test("auto is the default driver of SynthesisOptions (issue 13: no slow path first)")
    func autoIsDefault() throws {
        #expect(SynthesisOptions().driver == .auto)
        let form = try RandomForm.make(RandomFormSpec(dimension: 201, rank: 100, seed: 6))
        let s = try Synthesis(form: form)
        #expect(s.eigen.requestedDriver == .auto && s.eigen.driver == .dsyevd)
    }

    @Test("every driver's eigenvector rows satisfy A q = λ q and are orthonormal")
    func eigenvectorRows() throws {
        let form = try RandomForm.make(RandomFormSpec(dimension: 40, rank: 25, seed: 9, nonSymmetric: true))
        let a = form.symmetricMatrix
        for driver in [EigenDriver.dsyev, .dsyevd, .dsyevr] {
            let eigen = try SymmetricEigendecomposition(symmetric: a, driver: driver)
            let scale = eigen.eigenvalues.reduce(0) { max($0, abs($1)) }
            for j in 0..<40 {
                let q = eigen.eigenvector(j)
                #expect(q == eigen.eigenvectors[j])
                let aq = a.multiply(q)
                let residual = Vector.norm(zip(aq, q).map { $0 - eigen.eigenvalues[j] * $1 })
                #expect(residual <= 100 * 40 * Double.ulpOfOne * scale, "\(driver) pair \(j)")
                #expect(abs(Vector.norm(q) - 1) <= 100 * Double.ulpOfOne)
            }
            #expect(eigen.seconds >= 0)
        }
    }

    @Test("blocked transpose and symmetric part agree with the definitions on sizes that are not multiples of the tile")
    func blockedHelpers() {
        var rng = SplitMix64(seed: 4)
        let m = Matrix(rows: 70, columns: 45, entries: (0..<(70 * 45)).map { _ in rng.nextGaussian() })
        let t = m.transposed
        for i in 0..<70 { for j in 0..<45 { #expect(t[j, i] == m[i, j]) } }
        let s = Matrix(rows: 67, columns: 67, entries: (0..<(67 * 67)).map { _ in rng.nextGaussian() })
        let sym = s.symmetricPart
        var skew: [Double] = []
        for i in 0..<67 {
            for j in 0..<67 { #expect(sym[i, j] == 0.5 * (s[i, j] + s[j, i]) || (i == j && sym[i, i] == s[i, i])) }
            for j in (i + 1)..<67 { skew.append(0.5 * (s[i, j] - s[j, i])) }
        }
        let expected = Vector.norm(skew) * 2.squareRoot()
        #expect(abs(Synthesis.skewPartNorm(s) - expected) <= 1e-14 * expected)
    }

    @Test("batched form values equal the direct double sum")
    func batchedFormValues() throws {
        let form = try RandomForm.make(RandomFormSpec(dimension: 30, rank: 12, seed: 21, nonSymmetric: true))
        let synthesis = try Synthesis(form: form)
        let points = Verifier.samplePoints(dimension: 30, radius: 2, random: 10, seed: 8)
        let (values, magnitudes) = synthesis.formValues(batch: points)
        for p in 0..<points.rows {
            let x = points.row(p)
            let direct = evaluateDirectly(form, x)
            #expect(abs(values[p] - direct) <= 64 * 30 * Double.ulpOfOne * magnitudes[p] + 1e-300)
            #expect(abs(magnitudes[p] - form.magnitude(at: x)) <= 1e-12 * magnitudes[p])
        }
    }

    @Test("the text formula of a large form lists 24 terms and counts the rest without writing them")
    func largeFormula() throws {
        let n = 60
        let form = try RandomForm.make(RandomFormSpec(dimension: n, rank: 30, seed: 2))
        let a = form.symmetricMatrix
        var nonzero = 0
        for i in 0..<n { for j in i..<n where a[i, j] != 0 { nonzero += 1 } }
        nonzero += form.linear.filter { $0 != 0 }.count + (form.constant != 0 ? 1 : 0)
        let text = SynthesisReport.formula(of: form)
        #expect(text.hasSuffix("… (\(nonzero - 24) more terms)"))
        let small = try ExpressionParser.form("x^2 + 2*x*y - y + 3", variables: nil)
        #expect(SynthesisReport.formula(of: small) == "x^2 + 2*x*y - y + 3")
    }

    @Test("verification's probe products are the batched dgemm of the single-vector ones")
    func batchedProbes() throws {
        let form = try RandomForm.make(RandomFormSpec(dimension: 50, rank: 20, seed: 13))
        let synthesis = try Synthesis(form: form)
        let expanded = try ExpandedNetwork(synthesis.residual)
        var rng = SplitMix64(seed: 1)
        let v = Matrix(rows: 3, columns: 50, entries: (0..<150).map { _ in rng.nextGaussian() })
        let (batch, batchMagnitude) = expanded.quadraticTimes(batch: v)
        for p in 0..<3 {
            let (single, magnitude) = expanded.quadraticTimes(v.row(p))
            let full = expanded.quadratic.multiply(v.row(p))
            for i in 0..<50 {
                #expect(abs(batch[p, i] - single[i]) <= 1e-12 * (magnitude[i] + 1e-300))
                #expect(abs(batchMagnitude[p, i] - magnitude[i]) <= 1e-12 * magnitude[i])
                #expect(abs(full[i] - single[i]) <= 1e-12 * (magnitude[i] + 1e-300))
            }
        }
    }

    @Test("the selected driver computes exactly the eigenvectors with |λ| above the tolerance, and synthesis with it verifies")
    func selectedDriver() throws {
        for (n, k, negative, seed) in [(60, 20, 0.5, UInt64(31)), (50, 50, 0.3, 32), (40, 7, 0.0, 33), (40, 9, 1.0, 34), (30, 0, 0.5, 35)] {
            let form = try RandomForm.make(RandomFormSpec(dimension: n, rank: k, seed: seed, negativeFraction: negative))
            let reference = try Synthesis(form: form, options: SynthesisOptions(driver: .dsyevd))
            let selected = try Synthesis(form: form, options: SynthesisOptions(driver: .selected))
            #expect(selected.eigen.driver == .selected)
            #expect(selected.rank == reference.rank && selected.rank == k, "n = \(n), k = \(k)")
            let tolerance = selected.rankTolerance
            let expected = selected.eigen.eigenvalues.indices.filter { abs(selected.eigen.eigenvalues[$0]) > tolerance }
            #expect(selected.eigen.vectorIndices == expected)
            #expect(selected.eigen.eigenvectorRows.rows == k)
            let scale = reference.eigen.eigenvalues.reduce(0) { max($0, abs($1)) }
            for (x, y) in zip(selected.eigen.eigenvalues, reference.eigen.eigenvalues) {
                #expect(abs(x - y) <= 100 * Double(n) * Double.ulpOfOne * max(scale, 1))
            }
            let a = selected.symmetricMatrix
            for j in expected {
                let q = selected.eigen.eigenvector(j)
                let residual = Vector.norm(zip(a.multiply(q), q).map { $0 - selected.eigen.eigenvalues[j] * $1 })
                #expect(residual <= 100 * Double(n) * Double.ulpOfOne * scale)
            }
            for j in selected.eigen.eigenvalues.indices where !expected.contains(j) {
                #expect(selected.eigen.eigenvector(j).isEmpty)
            }
            let report = try SynthesisReport(synthesis: selected)
            #expect(report.passed)
            #expect(selected.plain.hiddenNeurons == reference.plain.hiddenNeurons)
        }
        // Without a threshold every eigenvector is computed.
        let a = try RandomForm.make(RandomFormSpec(dimension: 25, rank: 10, seed: 3)).symmetricMatrix
        let all = try SymmetricEigendecomposition(symmetric: a, driver: .selected)
        #expect(all.vectorIndices == Array(0..<25))
        #expect(all.eigenvectors.allSatisfy { $0.count == 25 })
    }

    @Test(".npy files: the direct <f8 read agrees with parse, and other layouts and damaged files still go through parse")
    func npyDirectRead() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var rng = SplitMix64(seed: 12)
        let values = (0..<(700 * 900)).map { _ in rng.nextGaussian() }  // 5 MB: the huge-page path
        let path = folder.appendingPathComponent("a.npy").path
        let bytes = Npy.encode(values, shape: [700, 900])
        try bytes.write(to: URL(fileURLWithPath: path))
        let direct = try #require(try Npy.readFloat64Directly(path))
        #expect(direct == (try Npy.parse(bytes, path: path)))
        #expect(direct.values == values && direct.shape == [700, 900])
        // Fortran order: not the direct path; parse transposes.
        var header = Npy.header(shape: [2, 3])
        let flag = Array("False".utf8)
        let at = try #require((0...(header.count - flag.count)).first { Array(header[$0..<($0 + flag.count)]) == flag })
        header.replaceSubrange(at..<(at + flag.count), with: Array("True ".utf8))
        let fortran = folder.appendingPathComponent("f.npy").path
        var fortranBytes = Data(header)
        [1.0, 4, 2, 5, 3, 6].withUnsafeBytes { fortranBytes.append(contentsOf: $0) }
        try fortranBytes.write(to: URL(fileURLWithPath: fortran))
        #expect(try Npy.readFloat64Directly(fortran) == nil)
        #expect(try Npy.read(fortran).values == [1, 2, 3, 4, 5, 6])
        // Truncated: the direct path declines and parse names the problem.
        let truncated = folder.appendingPathComponent("t.npy").path
        try bytes.prefix(bytes.count - 8).write(to: URL(fileURLWithPath: truncated))
        #expect(try Npy.readFloat64Directly(truncated) == nil)
        #expect(throws: NpyError.self) { try Npy.read(truncated) }
    }
}
