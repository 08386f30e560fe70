import QuadFormCore
import Foundation
import ONNXProto

/// Rebuilding the layers: the traced activation nodes grouped by depth into a `ResNet`.
extension GraphTracer {
    /// The network: activation nodes grouped into layers by depth (1 + the deepest node they
    /// read), the output an affine map of them.
    func network(output: Affine, outputName: String) throws -> ResNet {
        // Only the activation nodes the output depends on (a model with two outputs holds both
        // networks' nodes).
        var used = Set<Int>()
        var stack = Array(output.terms.keys)
        while let r = stack.popLast() {
            guard r > 0, used.insert(r).inserted else { continue }
            stack += nodes[r - 1].preActivation.terms.keys
        }
        let order = used.sorted()
        var level: [Int: Int] = [0: 0]  // level of node r (the input is node 0, level 0)
        for r in order {
            level[r] = 1 + (nodes[r - 1].preActivation.terms.keys.map { level[$0]! }.max() ?? 0)
        }
        let hiddenLevels = level.values.max() ?? 0
        let depth = hiddenLevels + 1
        // Nodes of each layer in order, and each node's column offset within its layer.
        var members = [[Int]](repeating: [], count: depth)
        members[0] = [0]
        var offset: [Int: Int] = [0: 0]
        var widths = [inputWidth] + [Int](repeating: 0, count: depth)
        for r in order {
            let l = level[r]!
            offset[r] = widths[l]
            widths[l] += nodes[r - 1].preActivation.width
            members[l].append(r)
        }
        widths[depth] = output.width
        // The network's size, checked before any of it is allocated.
        guard depth <= GraphTracer.maximumDepth else {
            throw fail("output '\(outputName)': the network would have \(depth) layers; at most \(GraphTracer.maximumDepth) are read")
        }
        var size = 0
        var skipPairs = Set<[Int]>()
        for k in 1...depth {
            let (e, o) = widths[k].multipliedReportingOverflow(by: widths[k - 1] + 1)
            size = o ? Int.max / 2 : min(Int.max / 2, size + e + 16)
            let affines: [Affine] = k == depth ? [output] : members[k].map { nodes[$0 - 1].preActivation }
            for affine in affines { for r in affine.terms.keys where level[r]! != k - 1 { skipPairs.insert([level[r]!, k]) } }
        }
        for pair in skipPairs {
            let (e, o) = widths[pair[1]].multipliedReportingOverflow(by: widths[pair[0]])
            size = o ? Int.max / 2 : min(Int.max / 2, size + e + 16)
        }
        guard size <= GraphTracer.maximumNetworkEntries else {
            throw fail("output '\(outputName)': the network would have widths \(GraphTracer.describe(widths)) and \(skipPairs.count) skip connection\(skipPairs.count == 1 ? "" : "s"), about \(size) weights (\(size / 131_072) MiB); at most \(GraphTracer.maximumNetworkEntries) are read")
        }
        var kinds = Set<String>()
        var activation = Activation.square
        for r in order {
            kinds.insert(nodes[r - 1].activation.description)
            activation = nodes[r - 1].activation
        }
        if kinds.count > 1 {
            throw fail("mixes activations (\(kinds.sorted().joined(separator: ", "))); a network of design.md §1 has one activation on every hidden layer")
        }
        // Layer k's rows come from its nodes' pre-activations (the output's for k = L).
        var layers: [ResNet.Layer] = []
        var skipMatrices: [Int: [Int: Matrix]] = [:]   // [to][from]
        for k in 1...depth {
            let rowsOf: [(Affine, Int)] = k == depth ? [(output, 0)] : members[k].map { (nodes[$0 - 1].preActivation, offset[$0]!) }
            let rows = widths[k]
            var w = Matrix(rows: rows, columns: widths[k - 1])
            var bias = [Double](repeating: 0, count: rows)
            var skips: [Int: Matrix] = [:]
            for (affine, rowOffset) in rowsOf {
                for i in 0..<affine.width { bias[rowOffset + i] = affine.bias[i] }
                for (r, term) in affine.terms {
                    let source = level[r]!
                    let column = offset[r]!
                    if source == k - 1 {
                        GraphTracer.place(term, into: &w, row: rowOffset, column: column)
                    } else {
                        var v = skips[source] ?? Matrix(rows: rows, columns: widths[source])
                        GraphTracer.place(term, into: &v, row: rowOffset, column: column)
                        skips[source] = v
                    }
                }
            }
            layers.append(ResNet.Layer(weights: w, bias: bias))
            skipMatrices[k] = skips
        }
        var skips: [ResNet.Skip] = []
        for k in 1...depth {
            for (from, v) in (skipMatrices[k] ?? [:]).sorted(by: { $0.key < $1.key }) {
                skips.append(ResNet.Skip(from: from, to: k, weights: v))
            }
        }
        do {
            return try ResNet(widths: widths, activation: activation, layers: layers, skips: skips)
        } catch let error as NetworkError {
            throw fail("output '\(outputName)': \(error.description)")
        }
    }

    /// Writes a term's entries into a block of `m` at (row, column).
    static func place(_ term: Term, into m: inout Matrix, row: Int, column: Int) {
        switch term {
        case .diagonal(let d):
            for i in d.indices { m[row + i, column + i] = d[i] }
        case .matrix(let t):
            for i in 0..<t.rows { for j in 0..<t.columns { m[row + i, column + j] = t[i, j] } }
        }
    }

    /// A network written by `ONNXModel.encode` with s(z) = αz² + βz + γ is traced as the
    /// activation (αz + β)·z with γ added by the next layer; its metadata gives γ back, and the
    /// next layer's bias loses W·γ1 again (up to rounding).
    func restoreQuadraticOffset(_ net: ResNet, model: Onnx_ModelProto, output: String) throws -> ResNet {
        guard case let .quadratic(alpha, beta, 0) = net.activation else { return net }
        let keys = ["quadform.activation", "quadform.\(output).activation"]
        guard let entry = model.metadataProps.first(where: { keys.contains($0.key) }),
              let value = try? JSONReader.parse(entry.value),
              case let .quadratic(a, b, gamma)? = try? Formats.activation(from: value, name: "metadata"),
              a == alpha, b == beta, gamma != 0 else { return net }
        var layers = net.layers
        for k in 2...net.depth {
            let w = layers[k - 1].weights
            let ones = [Double](repeating: gamma, count: w.columns)
            let shift = w.multiply(ones)
            layers[k - 1].bias = zip(layers[k - 1].bias, shift).map { $0 - $1 }
        }
        var skips = net.skips
        for i in skips.indices where skips[i].from >= 1 {
            let shift = skips[i].weights.multiply([Double](repeating: gamma, count: skips[i].weights.columns))
            layers[skips[i].to - 1].bias = zip(layers[skips[i].to - 1].bias, shift).map { $0 - $1 }
        }
        skips = net.skips
        return try ResNet(widths: net.widths, activation: .quadratic(alpha: alpha, beta: beta, gamma: gamma), layers: layers, skips: skips)
    }
}
