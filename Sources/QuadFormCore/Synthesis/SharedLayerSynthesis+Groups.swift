import Foundation

/// The grouped construction of design.md §9: the outputs split into groups, each group's own
/// narrowest layer (per output, or squares and pair sums in a basis of the group's Σ range(A_i)),
/// the groups' neurons side by side. Two generic outputs form a pencil that is usually
/// diagonalizable by congruence (width dim R of the pair), while all m together need pairs: for
/// three generic outputs of full rank d, one pencil and one output alone give 2d neurons against
/// the d(d + 1)/2 of one basis and the 3d of each output alone.
extension SharedLayerSynthesis {
    /// The narrowest layer of the outputs `indices` alone: its rows (K × n), its output weights
    /// (one row per index) and what it leaves out of each A_i.
    struct Group {
        let indices: [Int]
        let rows: Matrix
        let weights: Matrix
        let dropped: [Double]
        var width: Int { rows.rows }
    }

    /// Outputs taken in order, each joining the last group when that group's narrowest layer with
    /// it is narrower than without it plus the output alone (k_i); nil when this gives one group or
    /// every output alone (the other constructions already cover both).
    static func grouped(_ perOutput: [Synthesis], seed: UInt64) throws -> (network: ResNet, dropped: [Double])? {
        var groups: [Group] = []
        for i in perOutput.indices {
            if let last = groups.last {
                let merged = try narrowest(last.indices + [i], perOutput, seed: seed)
                if merged.width < last.width + perOutput[i].rank {
                    groups[groups.count - 1] = merged
                    continue
                }
            }
            groups.append(try narrowest([i], perOutput, seed: seed))
        }
        guard groups.count > 1, groups.contains(where: { $0.indices.count > 1 }) else { return nil }
        let n = perOutput[0].form.dimension, m = perOutput.count
        let k = groups.reduce(0) { $0 + $1.width }
        var rows = [Double](), weights = Matrix(rows: m, columns: k), dropped = [Double](repeating: 0, count: m)
        var column = 0
        for group in groups {
            rows += group.rows.entries
            for (t, i) in group.indices.enumerated() {
                for j in 0..<group.width { weights[i, column + j] = group.weights[t, j] }
                dropped[i] = group.dropped[t]
            }
            column += group.width
        }
        let net = try ResNet.sharedLayer(inputWeights: Matrix(rows: k, columns: n, entries: rows), hiddenBias: [Double](repeating: 0, count: k),
                                         outputWeights: weights, outputBias: perOutput.map(\.form.constant),
                                         skip: Matrix(rowArrays: perOutput.map(\.form.linear), columns: n))
        return (net, dropped)
    }

    /// The narrowest of the per-output and basis constructions for the outputs `indices` alone
    /// (unverified: the grouped network is verified as a whole).
    static func narrowest(_ indices: [Int], _ perOutput: [Synthesis], seed: UInt64) throws -> Group {
        let members = indices.map { perOutput[$0] }
        let own = try concatenated(members)
        var best = Group(indices: indices, rows: own.layers[0].weights, weights: own.layers[1].weights, dropped: members.map(\.droppedEigenvalueSum))
        guard indices.count > 1 else { return best }
        let geometry = try SharedLayerGeometry(perOutput: members)
        for construction in [Construction.jointEigenbasis, .orthonormalPairs, .congruence] {
            guard let built = try? geometry.pairNetwork(construction, seed: seed), built.network.hiddenNeurons < best.width else { continue }
            best = Group(indices: indices, rows: built.network.layers[0].weights, weights: built.network.layers[1].weights, dropped: built.dropped)
        }
        return best
    }
}
