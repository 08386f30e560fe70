import Foundation
import Testing
@testable import QuadFormCore
@testable import QuadFormReports
import QuadFormTestSupport

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
        for i in 0..<67 {
            for j in 0..<67 { #expect(sym[i, j] == 0.5 * s[i, j] + 0.5 * s[j, i] || (i == j && sym[i, i] == s[i, i])) }
        }
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
        let folder = try makeScratchDirectory()
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
