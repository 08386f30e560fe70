import Foundation
import Testing
@testable import QuadForm

/// The vectorized kernels behind norms and finiteness checks, against plain loops.
@Suite("Vector kernels: norm, max |v_i|, first non-finite entry")
struct VectorKernelTests {
    /// The scaled two-pass norm the fast path replaces, as a reference.
    static func referenceNorm(_ v: [Double]) -> Double {
        let scale = v.reduce(0) { max($0, abs($1)) }
        guard scale > 0 else { return 0 }
        return scale * v.reduce(0) { $0 + ($1 / scale) * ($1 / scale) }.squareRoot()
    }

    @Test("norm agrees with the scaled sum at every length 0…37 and at scales from 1e-300 to 1e300")
    func norms() {
        var rng = SplitMix64(seed: 77)
        for scale in [1e-300, 1e-200, 1e-160, 1e-20, 1, 1e20, 1e160, 1e200, 1e300] {
            for count in 0...37 {
                let v = (0..<count).map { _ in scale * rng.nextGaussian() }
                let expected = Self.referenceNorm(v)
                let norm = Vector.norm(v)
                #expect(abs(norm - expected) <= 4 * Double(count + 1) * .ulpOfOne * expected, "scale \(scale), count \(count)")
                #expect(norm.isFinite)
            }
        }
        // Exact Pythagorean triples at scales where the squares overflow or underflow.
        #expect(Vector.norm([3 * 0x1p600, 4 * 0x1p600]) == 5 * 0x1p600)
        #expect(Vector.norm([3 * 0x1p-600, -4 * 0x1p-600]) == 5 * 0x1p-600)
        #expect(Vector.norm([3 * 0x1p-1070, 4 * 0x1p-1070]) == 5 * 0x1p-1070)
        #expect(Vector.norm([0, 0, 0]) == 0)
        #expect(Vector.norm(Array(repeating: 1e300, count: 16)) == 4e300)
        #expect(Vector.norm([1, .infinity, 2]) == .infinity)
        #expect(Vector.norm([1, .nan, 2]).isNaN)
        #expect(Matrix(rows: 2, columns: 2, entries: [1, 2, 2, 4]).frobeniusNorm == 5)
    }

    @Test("firstNonFinite and maxAbs find NaN and ±∞ in the vector part and the tail")
    func nonFinite() {
        for count in [1, 3, 4, 7, 8, 9, 31, 64, 65] {
            var v = (0..<count).map { Double($0) - 3.5 }
            #expect(Vector.firstNonFinite(v) == nil)
            #expect(v.withUnsafeBufferPointer { Vector.maxAbs($0) } == v.map { abs($0) }.max()!)
            for position in Set([0, count / 2, count - 1]) {
                for bad in [Double.nan, .infinity, -.infinity] {
                    var w = v
                    w[position] = bad
                    w[count - 1 - position] = bad  // a second one (or the same), after or before the first
                    #expect(Vector.firstNonFinite(w) == w.firstIndex { !$0.isFinite }, "count \(count), position \(position), \(bad)")
                    let m = w.withUnsafeBufferPointer { Vector.maxAbs($0) }
                    #expect(bad.isNaN ? m.isNaN : m == .infinity)
                }
            }
            v[0] = -1e308
            #expect(Matrix(rows: 1, columns: count, entries: v).maxAbsEntry == 1e308)
            #expect(Matrix(rows: 1, columns: count, entries: v).absolute.entries == v.map { abs($0) })
        }
    }

    @Test("NaN and ∞ are named where LAPACK would read them, and by synthesis anywhere")
    func located() throws {
        // LAPACK (column-major, uplo = U) reads the row-major lower triangle.
        var entries = [Double](repeating: 1, count: 9 * 9)
        entries[6 * 9 + 4] = .nan
        #expect(throws: LinearAlgebraError.nonFiniteEntry(row: 6, column: 4)) {
            try SymmetricEigendecomposition(symmetric: Matrix(rows: 9, columns: 9, entries: entries), driver: .dsyevd)
        }
        var diagonal = [Double](repeating: 0, count: 9 * 9)
        diagonal[8 * 9 + 8] = -.infinity
        #expect(throws: LinearAlgebraError.nonFiniteEntry(row: 8, column: 8)) {
            try SymmetricEigendecomposition(symmetric: Matrix(rows: 9, columns: 9, entries: diagonal))
        }
        // The other triangle is never read: the decomposition is that of the lower triangle's matrix.
        var upper = Matrix.identity(9)
        upper[4, 6] = .infinity
        let eigen = try SymmetricEigendecomposition(symmetric: upper, driver: .dsyevd)
        #expect(eigen.eigenvalues.allSatisfy { abs($0 - 1) < 1e-15 })
        let form = try QuadraticForm(constant: 0, linear: [0, 0, 0], quadratic: Matrix(rows: 3, columns: 3, entries: [1, 0, 0, 0, 1, .nan, 0, 0, 1]))
        #expect { try Synthesis(form: form) } throws: { "\($0)".contains("quadratic matrix entry (2, 3)") }
    }
}

/// Verification computes the network side once when the plain network is the residual one
/// without its (zero) skip; the reuse must never leak into a different network.
@Suite("Verification: shared network products are reused only for the same function")
struct VerificationReuseTests {
    static func fields(_ c: NetworkCheck) -> [Double] {
        [c.coefficientError, c.coefficientTolerance, c.sampleError, c.sampleRelativeError, c.sampleTolerance, c.worstRatio, c.amplification]
    }

    @Test("run() gives the plain network the same figures as a check of its own", arguments: [20, Verifier.fullExpansionLimit + 20])
    func sameAsStandalone(n: Int) throws {
        for linear in [RandomFormSpec.LinearTerm.zero, .inRange, .generic] {
            let form = try RandomForm.make(RandomFormSpec(dimension: n, rank: n / 2, seed: UInt64(n), linearTerm: linear))
            let s = try Synthesis(form: form, options: SynthesisOptions(driver: .dsyevd))
            // With a = 0 the plain network is the residual one without its (zero) skip: the products are shared.
            #expect((s.plain.layers == s.residual.layers) == (linear == .zero))
            let report = try s.verify()
            #expect(report.passed)
            let points = Verifier.samplePoints(dimension: n, radius: 1, random: s.options.randomSamples, seed: s.options.seed)
            let alone = try Verifier(synthesis: s).check(s.plain, name: "plain", points: points)
            #expect(Self.fields(alone) == Self.fields(report.plain), "n = \(n), \(linear)")
            #expect(alone.passed == report.plain.passed)
        }
    }

    @Test("networks that share the residual's weights but differ in skip, bias or activation are checked afresh and fail; other shapes are refused", arguments: [12, Verifier.fullExpansionLimit + 12])
    func differentSkipNotReused(n: Int) throws {
        let form = try RandomForm.make(RandomFormSpec(dimension: n, rank: n / 3, seed: 5, linearTerm: .inRange))
        let s = try Synthesis(form: form, options: SynthesisOptions(driver: .dsyevd))
        #expect(!s.hasLinearNullPart)
        var skipWeights = Matrix(rows: 1, columns: n)
        skipWeights[0, n / 2] = 1e-3
        let wrong = try ResNet(widths: s.residual.widths, activation: .square, layers: s.residual.layers,
                               skips: [ResNet.Skip(from: 0, to: 2, weights: skipWeights)])
        let verifier = Verifier(synthesis: s)
        let points = Verifier.samplePoints(dimension: n, radius: 1, random: 8, seed: 3)
        let reference = Verifier.Reference(synthesis: s, points: points)
        var cache = Verifier.ProductCache()
        let first = try verifier.check(s.residual, name: "residual", points: points, reference: reference, cache: &cache)
        #expect(first.passed)
        let second = try verifier.check(wrong, name: "wrong", points: points, reference: reference, cache: &cache)
        #expect(!second.coefficientsPassed && !second.samplesPassed)
        #expect(second.coefficientError >= 0.5e-3)
        // Networks that differ from the residual one only in a hidden bias, the output bias or the
        // activation are checked afresh after it, and fail.
        var hiddenBias = s.residual.layers
        hiddenBias[0].bias[0] += 1e-3
        var outputBias = s.residual.layers
        outputBias[1].bias[0] += 1e-3
        let variants = [
            try ResNet(widths: s.residual.widths, activation: .square, layers: hiddenBias, skips: s.residual.skips),
            try ResNet(widths: s.residual.widths, activation: .square, layers: outputBias, skips: s.residual.skips),
            try ResNet(widths: s.residual.widths, activation: .quadratic(alpha: 1, beta: 1e-3, gamma: 0), layers: s.residual.layers, skips: s.residual.skips),
            try ResNet(widths: s.plain.widths, activation: .square, layers: outputBias),
        ]
        for (index, variant) in variants.enumerated() {
            var primed = Verifier.ProductCache()
            _ = try verifier.check(s.residual, name: "residual", points: points, reference: reference, cache: &primed)
            let check = try verifier.check(variant, name: "variant", points: points, reference: reference, cache: &primed)
            #expect(!check.coefficientsPassed && !check.samplesPassed, "variant \(index), n = \(n)")
        }
        // A network of another shape is refused with an error, not served from the cache.
        var primed = Verifier.ProductCache()
        _ = try verifier.check(s.residual, name: "residual", points: points, reference: reference, cache: &primed)
        let deeper = try ResNet(widths: s.residual.widths + [1], activation: .square,
                                layers: s.residual.layers + [ResNet.Layer(weights: Matrix(rows: 1, columns: 1, entries: [1]), bias: [0])])
        #expect(throws: NetworkError.self) { try verifier.check(deeper, name: "deeper", points: points, reference: reference, cache: &primed) }
        let innerSkip = try ResNet(widths: s.residual.widths, activation: .square, layers: s.residual.layers,
                                   skips: [ResNet.Skip(from: 0, to: 1, weights: Matrix(rows: s.rank, columns: n))])
        #expect(throws: NetworkError.self) { try verifier.check(innerSkip, name: "inner skip", points: points, reference: reference, cache: &primed) }

        // and the other order: the wrong network first, then the right one.
        var fresh = Verifier.ProductCache()
        _ = try verifier.check(wrong, name: "wrong", points: points, reference: reference, cache: &fresh)
        #expect(try verifier.check(s.plain, name: "plain", points: points, reference: reference, cache: &fresh).passed)
    }
}

/// Every dtype the `.npy` reader accepts, decoded to the same values, in both orders, through the
/// file reader (fast path for `<f8` C order, `parse` for the rest).
@Suite("Npy: every supported dtype decodes to its values")
struct NpyDtypeTests {
    /// The bytes of `values` as `dtype` (`<f8`, `>i4`, …).
    static func payload(_ values: [Double], dtype: String) -> [UInt8] {
        let bigEndian = dtype.hasPrefix(">")
        var bytes: [UInt8] = []
        func append<T: FixedWidthInteger>(_ bits: T) {
            withUnsafeBytes(of: bigEndian ? bits.bigEndian : bits.littleEndian) { bytes += $0 }
        }
        for v in values {
            switch dtype.dropFirst() {
            case "f8": append(v.bitPattern)
            case "f4": append(Float(v).bitPattern)
            case "i8": append(Int64(v))
            default: append(Int32(v))
            }
        }
        return bytes
    }

    @Test("f8, f4, i8, i4, little and big endian, C and Fortran order", arguments: Npy.supportedDtypes)
    func decodes(dtype: String) throws {
        // 2 × 3 in C order; the last entry is the largest i4, or 2²⁴ for f4 (exact in single precision).
        let large: Double = dtype.hasSuffix("f4") ? 16_777_216 : 2_147_483_647
        let cOrder: [Double] = [1, -2, 3, -40, 5, large]
        let fortranOrder: [Double] = [1, -40, -2, 5, 3, large]
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("npy-dtypes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (fortran, stored) in [(false, cOrder), (true, fortranOrder)] {
            let data = npyBytes(header: "{'descr': '\(dtype)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': (2, 3), }",
                                payload: Self.payload(stored, dtype: dtype))
            let file = directory.appendingPathComponent("\(fortran ? "F" : "C").npy")
            try data.write(to: file)
            let array = try Npy.read(file.path)
            #expect(array.shape == [2, 3])
            #expect(array.values == cOrder, "\(dtype), fortran_order \(fortran)")
            #expect(try Npy.parse(data, path: "x.npy") == array)
        }
    }
}

/// `realization(batch:)` goes through large batches in blocks of rows; the blocks must not show.
@Suite("Batched realization in blocks of rows")
struct BlockedRealizationTests {
    @Test("rows on both sides of every block boundary agree with the one-point realization", arguments: [Activation.square, .relu, .quadratic(alpha: 0.5, beta: -1, gamma: 2)])
    func blocks(activation: Activation) throws {
        var rng = SplitMix64(seed: 21)
        func matrix(_ r: Int, _ c: Int) -> Matrix { Matrix(rows: r, columns: c, entries: (0..<(r * c)).map { _ in rng.nextGaussian() }) }
        // l = (6, 40, 3, 2): skips from the input to layers 2 and 3 and from layer 1 to layer 3.
        let widths = [6, 40, 3, 2]
        let layers = (1...3).map { ResNet.Layer(weights: matrix(widths[$0], widths[$0 - 1]), bias: matrix(1, widths[$0]).entries) }
        let skips = [ResNet.Skip(from: 0, to: 2, weights: matrix(3, 6)), ResNet.Skip(from: 0, to: 3, weights: matrix(2, 6)),
                     ResNet.Skip(from: 1, to: 3, weights: matrix(2, 40))]
        let net = try ResNet(widths: widths, activation: activation, layers: layers, skips: skips)
        let block = ResNet.batchBlockRows(forWidest: 40)
        let count = 2 * block + 7
        let points = matrix(count, 6)
        let batch = try net.realization(batch: points)
        #expect(batch.rows == count && batch.columns == 2)
        for row in [0, 1, block - 1, block, block + 1, 2 * block - 1, 2 * block, count - 1] {
            let single = try net.realization(points.row(row))
            let values = try net.trace(points.row(row))
            let scale = values.joined().reduce(1) { max($0, abs($1)) }
            for j in 0..<2 {
                #expect(abs(batch[row, j] - single[j]) <= 1e-12 * scale, "row \(row), output \(j), \(activation)")
            }
        }
        // One output (a dgemv per block) and an empty batch.
        let scalar = try ResNet(widths: [6, 40, 1], activation: activation,
                                layers: [layers[0], ResNet.Layer(weights: matrix(1, 40), bias: [0.5])],
                                skips: [ResNet.Skip(from: 0, to: 2, weights: matrix(1, 6))])
        let values = try scalar.realization(batch: points)
        for row in [0, block, count - 1] {
            #expect(abs(values[row, 0] - (try scalar.realization(points.row(row)))[0]) <= 1e-12 * max(1, abs(values[row, 0])))
        }
        #expect(try scalar.realization(batch: Matrix(rows: 0, columns: 6)).rows == 0)
    }
}

/// The one BLAS product behind `multiply`: every transpose combination, one column (dgemv) or
/// several (dgemm), whole matrices or a block of rows, against a plain triple loop.
@Suite("Matrix products against a plain loop")
struct MatrixProductTests {
    @Test("op(S)·op(B) for all transposes, 1 or 3 columns, and blocks of rows")
    func products() {
        var rng = SplitMix64(seed: 8)
        func matrix(_ r: Int, _ c: Int) -> Matrix { Matrix(rows: r, columns: c, entries: (0..<(r * c)).map { _ in rng.nextGaussian() }) }
        func naive(_ a: Matrix, _ b: Matrix) -> Matrix {
            var c = Matrix(rows: a.rows, columns: b.columns)
            for i in 0..<a.rows { for j in 0..<b.columns { for l in 0..<a.columns { c[i, j] += a[i, l] * b[l, j] } } }
            return c
        }
        func close(_ x: Matrix, _ y: Matrix) -> Bool {
            x.rows == y.rows && x.columns == y.columns && zip(x.entries, y.entries).allSatisfy { abs($0 - $1) <= 1e-12 * (1 + abs($1)) }
        }
        let self5x4 = matrix(5, 4)
        for n in [1, 3] {
            for (transposeSelf, transposeOther) in [(false, false), (false, true), (true, false), (true, true)] {
                let k = transposeSelf ? 5 : 4
                let other = transposeOther ? matrix(n, k) : matrix(k, n)
                let expected = naive(transposeSelf ? self5x4.transposed : self5x4, transposeOther ? other.transposed : other)
                #expect(close(self5x4.multiply(other, transposeSelf: transposeSelf, transposeOther: transposeOther), expected),
                        "n = \(n), transposeSelf \(transposeSelf), transposeOther \(transposeOther)")
            }
            for transposeOther in [false, true] {
                let other = transposeOther ? matrix(n, 4) : matrix(4, n)
                let block = self5x4.multiply(rows: 1..<4, other, transposeOther: transposeOther)
                #expect(close(block, naive(self5x4.rows(1..<4), transposeOther ? other.transposed : other)), "rows 1..<4, n = \(n)")
            }
        }
        #expect(self5x4.multiply(rows: 2..<2, matrix(4, 3)).rows == 0)
    }
}
