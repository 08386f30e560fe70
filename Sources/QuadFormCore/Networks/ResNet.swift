import Foundation

/// A fully-connected ResNet, Definition 1.5.4 of the lecture notes (design.md §1):
///
///     x_k = act_k( W_k x_{k-1} + B_k + Σ_{(r,k) ∈ S} V_{r,k} x_r ),   realization(x_0) = x_L,
///
/// with σ on layers 1…L−1 and the identity on layer L. A plain network has S = ∅. Every network
/// the toolkit builds or reads is a value of this one type.
public struct ResNet: Equatable, Sendable {
    /// One affine layer: `W_k` (l_k × l_{k−1}) and `B_k` (l_k).
    public struct Layer: Equatable, Sendable {
        /// W_k.
        public var weights: Matrix
        /// B_k.
        public var bias: [Double]
        /// A layer from its weights and bias.
        public init(weights: Matrix, bias: [Double]) {
            self.weights = weights
            self.bias = bias
        }
    }

    /// One skip connection (r, k) ∈ S with its matrix V_{r,k} (l_k × l_r).
    public struct Skip: Equatable, Sendable {
        /// r, the layer whose output is carried forward.
        public var from: Int
        /// k, the layer that receives it.
        public var to: Int
        /// V_{r,k}.
        public var weights: Matrix
        /// A skip from layer `from` to layer `to`.
        public init(from: Int, to: Int, weights: Matrix) {
            self.from = from
            self.to = to
            self.weights = weights
        }
    }

    /// Widths l_0, …, l_L.
    public let widths: [Int]
    /// σ, applied on layers 1…L−1.
    public let activation: Activation
    /// Layers 1…L (index k−1 holds layer k).
    public let layers: [Layer]
    /// The skip set S with its matrices.
    public let skips: [Skip]

    /// Builds and validates a network; every shape must match `widths`.
    public init(widths: [Int], activation: Activation, layers: [Layer], skips: [Skip] = []) throws {
        guard widths.count >= 2 else { throw NetworkError.badWidths("need at least an input and an output width, found \(widths.count) entr\(widths.count == 1 ? "y" : "ies")") }
        if let i = widths.firstIndex(where: { $0 < 0 }) { throw NetworkError.badWidths("l_\(i) = \(widths[i]) is negative") }
        let depth = widths.count - 1
        guard layers.count == depth else {
            throw NetworkError.layerShape(layer: layers.count + 1, "widths describe \(depth) layer\(depth == 1 ? "" : "s"), found \(layers.count)")
        }
        for (index, layer) in layers.enumerated() {
            let k = index + 1
            guard layer.weights.rows == widths[k], layer.weights.columns == widths[k - 1] else {
                throw NetworkError.layerShape(layer: k, "weights are \(layer.weights.rows)×\(layer.weights.columns), widths say \(widths[k])×\(widths[k - 1])")
            }
            guard layer.bias.count == widths[k] else {
                throw NetworkError.layerShape(layer: k, "bias has \(layer.bias.count) entries, widths say \(widths[k])")
            }
            if !layer.weights.isFinite || !layer.bias.allSatisfy({ $0.isFinite }) {
                throw NetworkError.nonFinite("layer \(k): parameters must be finite")
            }
        }
        let parameters = ResNet.parameterCount(widths: widths, skips: skips.map { ($0.from, $0.to) })
        guard parameters <= ResNet.maximumParameters else {
            throw NetworkError.badWidths("the network has \(parameters == Int.max ? "more than \(Int.max)" : "\(parameters)") weights and biases; at most \(ResNet.maximumParameters) are accepted")
        }
        var seen = Set<[Int]>()
        for (i, skip) in skips.enumerated() {
            guard skip.from >= 0, skip.from < skip.to, skip.to <= depth else {
                throw NetworkError.badSkip(index: i, "(\(skip.from), \(skip.to)) must satisfy 0 ≤ from < to ≤ \(depth)")
            }
            guard seen.insert([skip.from, skip.to]).inserted else {
                throw NetworkError.badSkip(index: i, "(\(skip.from), \(skip.to)) appears twice in S")
            }
            guard skip.weights.rows == widths[skip.to], skip.weights.columns == widths[skip.from] else {
                throw NetworkError.badSkip(index: i, "weights are \(skip.weights.rows)×\(skip.weights.columns), widths say \(widths[skip.to])×\(widths[skip.from])")
            }
            if !skip.weights.isFinite { throw NetworkError.nonFinite("skips[\(i)]: weights must be finite") }
        }
        self.widths = widths
        self.activation = activation
        self.layers = layers
        self.skips = skips
    }

    /// L, the number of affine layers.
    public var depth: Int { layers.count }
    /// l_0.
    public var inputWidth: Int { widths[0] }
    /// l_L.
    public var outputWidth: Int { widths[depth] }
    /// Number of neurons with activation: l_1 + … + l_{L−1}.
    public var hiddenNeurons: Int { widths.dropFirst().dropLast().reduce(0, +) }
    /// Whether S = ∅.
    public var isPlain: Bool { skips.isEmpty }

    /// Every layer's output x_0, …, x_L for the input `x` (the trace of Definition 1.5.4).
    public func trace(_ x: [Double]) throws -> [[Double]] {
        try layerValues(x).outputs
    }

    /// Every layer's pre-activation `z_k = W_k x_{k−1} + B_k + Σ_{(r,k) ∈ S} V_{r,k} x_r`
    /// (k = 1…L, index k−1) and output x_0, …, x_L (index k), as Definition 1.5.4 computes them.
    public func layerValues(_ x: [Double]) throws -> (preActivations: [[Double]], outputs: [[Double]]) {
        guard x.count == inputWidth else { throw NetworkError.inputLength(expected: inputWidth, found: x.count) }
        var outputs: [[Double]] = [x]
        var preActivations: [[Double]] = []
        let entering = skipsByTarget
        for k in 1...depth {
            let layer = layers[k - 1]
            var z = layer.weights.multiply(outputs[k - 1])
            for i in 0..<z.count { z[i] += layer.bias[i] }
            for index in entering[k] {
                let skip = skips[index]
                let v = skip.weights.multiply(outputs[skip.from])
                for i in 0..<z.count { z[i] += v[i] }
            }
            preActivations.append(z)
            outputs.append(k < depth ? z.map { activation($0) } : z)
        }
        return (preActivations, outputs)
    }

    /// realization(x) = x_L.
    public func realization(_ x: [Double]) throws -> [Double] {
        try trace(x).last!
    }

    /// The realization of many inputs at once: `points` holds one input per row, the result one
    /// output per row. Each layer is a CBLAS `dgemm` (`dgemv` for one output). Large batches go
    /// through in blocks of `batchBlockRows(forWidest:)` rows, so a layer's values stay in cache
    /// between its product, its activation and the next layer, and no full-size intermediate
    /// matrix is allocated; every row's arithmetic is the same as in one block.
    public func realization(batch points: Matrix) throws -> Matrix {
        guard points.columns == inputWidth else { throw NetworkError.inputLength(expected: inputWidth, found: points.columns) }
        let (results, overflow) = points.rows.multipliedReportingOverflow(by: outputWidth)
        guard !overflow, results <= Npy.maximumElements, points.rows <= Npy.maximumElements else {
            throw NetworkError.tooLarge("\(points.rows) points of \(outputWidth) outputs exceed \(Npy.maximumElements) results")
        }
        let block = batchBlockRows
        if points.rows <= block { return realization(rowsOf: points, 0..<points.rows) }
        let width = outputWidth
        let entries = [Double].largeUninitialized(count: points.rows * width) { result in
            for start in stride(from: 0, to: points.rows, by: block) {
                let rows = start..<min(start + block, points.rows)
                let part = realization(rowsOf: points, rows)
                part.entries.withUnsafeBufferPointer { values in
                    _ = UnsafeMutableBufferPointer(rebasing: result[(start * width)..<(rows.upperBound * width)]).initialize(from: values)
                }
            }
        }
        return Matrix(rows: points.rows, columns: width, entries: entries)
    }

    /// Most bytes of layer values that one block of `realization(batch:)` holds at a time (64 MiB):
    /// the layer being computed, the one it reads and the outputs that skips still need.
    public static let batchWorkingBytes = 64 << 20

    /// Most parameters (weights and biases, skips included) of a network: 2²⁶, 512 MiB as Doubles.
    /// Larger networks are refused when read, before their layers are (`Formats.network(from:name:)`).
    public static let maximumParameters = 1 << 26

    /// The number of weights and biases of a network with `widths` and skips (r, k), without
    /// overflow (saturating at Int.max).
    public static func parameterCount(widths: [Int], skips: [(from: Int, to: Int)] = []) -> Int {
        var total = 0
        func add(_ a: Int, _ b: Int) {
            let (p, o1) = a.multipliedReportingOverflow(by: b)
            let (t, o2) = total.addingReportingOverflow(p)
            total = o1 || o2 ? Int.max : t
        }
        for k in widths.indices.dropFirst() {
            let (inputs, overflow) = widths[k - 1].addingReportingOverflow(1)
            if overflow { return Int.max }
            add(widths[k], inputs)
        }
        for skip in skips where skip.from >= 0 && skip.to < widths.count { add(widths[skip.to], widths[skip.from]) }
        return total
    }

    /// For each layer k = 0…L, the indices in `skips` of the skips (r, k) that enter it, in the order
    /// of `skips`: one pass over S, so evaluation costs O(L + |S|) bookkeeping, not O(L·|S|).
    var skipsByTarget: [[Int]] {
        var entering = [[Int]](repeating: [], count: depth + 1)
        for (index, skip) in skips.enumerated() { entering[skip.to].append(index) }
        return entering
    }

    /// For each layer r = 0…L, the last layer that reads x_r: r + 1, or the target of a later skip.
    private var lastReader: [Int] {
        var last = (0...depth).map { $0 + 1 }
        for skip in skips { last[skip.from] = max(last[skip.from], skip.to) }
        return last
    }

    /// Rows per block of `realization(batch:)`: `batchBlockRows(forWidest:)`, but at most as many as
    /// keep the values held at once within `batchWorkingBytes` (at least one row). A network with
    /// layers of width 10⁶ goes one or a few rows at a time instead of 256.
    var batchBlockRows: Int {
        let last = lastReader
        let entering = skipsByTarget
        // Widths held while layer k is computed: z_k, and every x_r with 0 < r < k still read at k
        // or later. `live` keeps that sum as k grows: x_{k−1} joins it, and x_r leaves after last[r].
        var leaving = [Int](repeating: 0, count: depth + 2)
        for r in 1..<max(depth, 1) where r < last.count { leaving[last[r] + 1] += widths[r] }
        var held = 1
        var live = 0
        for k in 1...depth {
            if k >= 2 { live += widths[k - 1] }
            live -= leaving[k]
            held = max(held, widths[k] * (entering[k].isEmpty ? 1 : 2) + live)
        }
        let bound = max(1, ResNet.batchWorkingBytes / (MemoryLayout<Double>.stride * held))
        return min(ResNet.batchBlockRows(forWidest: widths.max() ?? 1), bound)
    }

    /// Rows per block of `realization(batch:)`: about 2 MiB of the widest layer's values, at least 256.
    static func batchBlockRows(forWidest width: Int) -> Int {
        max(256, (2 << 20) / (MemoryLayout<Double>.stride * max(width, 1)))
    }

    /// `realization(batch:)` of the rows `rows` of `points`.
    private func realization(rowsOf points: Matrix, _ rows: Range<Int>) -> Matrix {
        // outputs[r] is x_r of the block; x_0 (the input rows) is read in place from `points`.
        var outputs: [Matrix] = [Matrix(rows: 0, columns: inputWidth)]
        let last = lastReader
        let entering = skipsByTarget
        // For each layer k, the layers r ≥ 1 whose output k reads last (freed once k is computed).
        var freedAfter = [[Int]](repeating: [], count: depth + 1)
        for r in 1..<max(depth, 1) { freedAfter[last[r]].append(r) }
        func product(from r: Int, _ weights: Matrix) -> Matrix {
            r == 0 ? points.multiply(rows: rows, weights, transposeOther: true) : outputs[r].multiply(weights, transposeOther: true)
        }
        for k in 1...depth {
            let layer = layers[k - 1]
            var z = product(from: k - 1, layer.weights)
            for index in entering[k] {
                let skip = skips[index]
                let v = product(from: skip.from, skip.weights)
                for i in 0..<z.entries.count { z.entries[i] += v.entries[i] }
            }
            let width = widths[k]
            let applyActivation = k < depth
            let activation = self.activation
            let count = rows.count
            z.entries.withUnsafeMutableBufferPointer { buffer in
                layer.bias.withUnsafeBufferPointer { bias in
                    // One loop per activation, so the inner loop has no branch and vectorizes.
                    func apply(_ σ: (Double) -> Double) {
                        for row in 0..<count {
                            let base = row * width
                            for j in 0..<width { buffer[base + j] = σ(buffer[base + j] + bias[j]) }
                        }
                    }
                    switch (applyActivation, activation) {
                    case (false, _), (true, .identity): apply { $0 }
                    case (true, .square): apply { $0 * $0 }
                    case (true, .relu): apply { max($0, 0) }
                    case let (true, .quadratic(a, b, c)): apply { (a * $0 + b) * $0 + c }
                    }
                }
            }
            outputs.append(z)
            // Drop the outputs no later layer or skip reads (their storage is freed here).
            for r in freedAfter[k] { outputs[r] = Matrix(rows: 0, columns: 0) }
        }
        return outputs[depth]
    }
}
