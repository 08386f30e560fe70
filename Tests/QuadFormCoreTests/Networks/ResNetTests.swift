import Foundation
import Testing
@testable import QuadFormCore

@Suite("Lecture notes: Definition 1.5.4 reference values")
struct LectureNotesTests {
    @Test("Example 1.5.6: realization(5) = 28")
    func example156() throws {
        let net = try ResNet(
            widths: [1, 1, 2, 2, 1], activation: .relu,
            layers: [
                .init(weights: Matrix(rowArrays: [[1]]), bias: [0]),
                .init(weights: Matrix(rowArrays: [[1], [2]]), bias: [0, 1]),
                .init(weights: Matrix.identity(2), bias: [0, 0]),
                .init(weights: Matrix(rowArrays: [[2, 2]]), bias: [1]),
            ],
            skips: [.init(from: 0, to: 4, weights: Matrix(rowArrays: [[-1]]))])
        #expect(try net.realization([5]) == [28])
        let trace = try net.trace([5])
        #expect(trace[1] == [5])
        #expect(trace[2] == [5, 11])
        #expect(try net.realization(batch: Matrix(rowArrays: [[5]]))[0, 0] == 28)
    }

    @Test("Exercise 1.5.1: realization(−1) = −7, not 0")
    func exercise151() throws {
        let net = try ResNet(
            widths: [1, 2, 3, 1], activation: .relu,
            layers: [
                .init(weights: Matrix(rowArrays: [[1], [2]]), bias: [3, 4]),
                .init(weights: Matrix(rowArrays: [[-1, 2], [3, -4], [-5, 6]]), bias: [0, 0, 0]),
                .init(weights: Matrix(rowArrays: [[-1, 1, -1]]), bias: [-4]),
            ],
            skips: [.init(from: 0, to: 3, weights: Matrix(rowArrays: [[1]])),
                    .init(from: 1, to: 3, weights: Matrix(rowArrays: [[3, -2]]))])
        let value = try net.realization([-1])
        #expect(value == [-7])
        #expect(value != [0])
    }

    @Test("Network shapes are validated")
    func shapes() throws {
        #expect(throws: NetworkError.self) {
            try ResNet(widths: [2, 1], activation: .square, layers: [.init(weights: Matrix(rows: 1, columns: 3), bias: [0])])
        }
        #expect(throws: NetworkError.self) {
            try ResNet(widths: [1, 1, 1], activation: .square,
                       layers: [.init(weights: Matrix(rows: 1, columns: 1), bias: [0]), .init(weights: Matrix(rows: 1, columns: 1), bias: [0])],
                       skips: [.init(from: 2, to: 1, weights: Matrix(rows: 1, columns: 1))])
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
