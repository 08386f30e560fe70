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

    /// Most outputs for which every pair is tried (`pairedGroups`: m(m − 1)/2 narrowest layers).
    static let maximumPairedOutputs = 12

    /// The narrower of two groupings — outputs taken in order, each joining the last group when
    /// that group's narrowest layer with it is narrower than without it plus the output alone; and
    /// (up to `maximumPairedOutputs` outputs) disjoint pairs chosen greedily by the neurons they
    /// save — as one network; nil when neither differs from one group or every output alone (the
    /// other constructions already cover both).
    static func grouped(_ perOutput: [Synthesis], seed: UInt64) throws -> (network: ResNet, dropped: [Double])? {
        var sequential: [Group] = []
        for i in perOutput.indices {
            if let last = sequential.last {
                let merged = try narrowest(last.indices + [i], perOutput, seed: seed)
                if merged.width < last.width + perOutput[i].rank {
                    sequential[sequential.count - 1] = merged
                    continue
                }
            }
            sequential.append(try narrowest([i], perOutput, seed: seed))
        }
        var choices = [sequential]
        if perOutput.count <= maximumPairedOutputs { choices.append(try pairedGroups(perOutput, seed: seed)) }
        let useful = choices.filter { groups in groups.count > 1 && groups.contains { $0.indices.count > 1 } }
        guard let groups = useful.min(by: { $0.reduce(0) { $0 + $1.width } < $1.reduce(0) { $0 + $1.width } }) else { return nil }
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

    /// Disjoint pairs of outputs, the pair saving the most neurons (k_i + k_j − its narrowest
    /// width) first, and the outputs left alone.
    static func pairedGroups(_ perOutput: [Synthesis], seed: UInt64) throws -> [Group] {
        var pairs: [(saving: Int, group: Group)] = []
        for i in perOutput.indices {
            for j in (i + 1)..<max(i + 1, perOutput.count) {
                let group = try narrowest([i, j], perOutput, seed: seed)
                let saving = perOutput[i].rank + perOutput[j].rank - group.width
                if saving > 0 { pairs.append((saving, group)) }
            }
        }
        var taken = Set<Int>(), groups: [Group] = []
        for (_, group) in pairs.sorted(by: { $0.saving > $1.saving }) where taken.isDisjoint(with: group.indices) {
            groups.append(group)
            taken.formUnion(group.indices)
        }
        for i in perOutput.indices where !taken.contains(i) { groups.append(try narrowest([i], perOutput, seed: seed)) }
        return groups
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
