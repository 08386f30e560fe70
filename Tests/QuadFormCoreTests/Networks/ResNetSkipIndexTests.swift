import Foundation
import Testing
@testable import QuadFormCore

/// Evaluation is linear in layers + skips (issue 24): the skips are grouped by target once, and the
/// batch's working set is swept instead of rescanned. The bookkeeping must give what the direct
/// definitions give, on networks with skips of every kind.
@Suite("ResNet: skips by target, working set")
struct ResNetSkipIndexTests {
    /// A random network of depth L with random widths and a random skip set.
    static func network(depth: Int, seed: UInt64) throws -> ResNet {
        var rng = SplitMix64(seed: seed)
        let widths = (0...depth).map { _ in 1 + Int(rng.next() % 4) }
        func matrix(_ rows: Int, _ columns: Int) -> Matrix {
            Matrix(rows: rows, columns: columns, entries: (0..<(rows * columns)).map { _ in rng.nextGaussian() / 4 })
        }
        let layers = (1...depth).map { k in ResNet.Layer(weights: matrix(widths[k], widths[k - 1]), bias: (0..<widths[k]).map { _ in rng.nextGaussian() / 4 }) }
        var skips: [ResNet.Skip] = []
        for to in 2...max(depth, 2) where to <= depth {
            for from in 0..<(to - 1) where rng.next() % 3 == 0 { skips.append(ResNet.Skip(from: from, to: to, weights: matrix(widths[to], widths[from]))) }
        }
        skips.shuffle(using: &rng)
        return try ResNet(widths: widths, activation: .relu, layers: layers, skips: skips)
    }

    @Test("skipsByTarget lists exactly the skips (r, k) for each k, in S's order", arguments: [UInt64(1), 2, 3, 4, 5])
    func grouping(seed: UInt64) throws {
        let net = try Self.network(depth: 12, seed: seed)
        let entering = net.skipsByTarget
        #expect(entering.count == net.depth + 1)
        for k in 0...net.depth {
            #expect(entering[k] == net.skips.indices.filter { net.skips[$0].to == k })
        }
    }

    @Test("The batch working set equals its definition; batch and single evaluation agree", arguments: [UInt64(1), 2, 3, 4, 5])
    func workingSet(seed: UInt64) throws {
        let net = try Self.network(depth: 12, seed: seed)
        // The definition: widths held while layer k is computed — z_k (twice with skips entering
        // k), and every x_r, 0 < r < k, read at k or later.
        var last = (0...net.depth).map { $0 + 1 }
        for skip in net.skips { last[skip.from] = max(last[skip.from], skip.to) }
        var held = 1
        for k in 1...net.depth {
            var sum = net.widths[k] * (net.skips.contains { $0.to == k } ? 2 : 1)
            for r in 1..<k where last[r] >= k { sum += net.widths[r] }
            held = max(held, sum)
        }
        let bound = max(1, ResNet.batchWorkingBytes / (MemoryLayout<Double>.stride * held))
        #expect(net.batchBlockRows == min(ResNet.batchBlockRows(forWidest: net.widths.max() ?? 1), bound))
        var rng = SplitMix64(seed: seed &+ 99)
        let points = Matrix(rows: 7, columns: net.inputWidth, entries: (0..<(7 * net.inputWidth)).map { _ in rng.nextGaussian() })
        let batch = try net.realization(batch: points)
        for row in 0..<points.rows {
            let single = try net.realization(points.row(row))
            for j in 0..<net.outputWidth { #expect(abs(batch[row, j] - single[j]) <= 1e-12 * max(1, abs(single[j]))) }
        }
    }

    @Test("A deep network whose skips all reach the last layer: every skip is added once")
    func allToLast() throws {
        let depth = 2000
        let layers = (0..<depth).map { _ in ResNet.Layer(weights: Matrix(rows: 1, columns: 1, entries: [1]), bias: [0]) }
        let skips = (0..<depth).map { ResNet.Skip(from: $0, to: depth, weights: Matrix(rows: 1, columns: 1, entries: [1])) }
        let net = try ResNet(widths: [Int](repeating: 1, count: depth + 1), activation: .relu, layers: layers, skips: skips)
        // x_r = 1 for every r (relu of 1), z_L = x_{L−1} + Σ_r x_r = 1 + depth.
        #expect(try net.realization([1]) == [Double(1 + depth)])
        #expect(try net.realization(batch: Matrix(rows: 2, columns: 1, entries: [1, 2])).entries == [Double(1 + depth), Double(2 * (1 + depth))])
        let trace = try NetworkEvaluation.trace(net, at: [1])
        #expect(trace.last?.skipSources == Array(0..<depth))
    }
}
