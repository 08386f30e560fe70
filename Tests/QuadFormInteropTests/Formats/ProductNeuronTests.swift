import Foundation
import Testing
import QuadFormCore
@testable import QuadFormInterop

/// Product-neuron layers (Fan et al., QuadraLib's variants, Π-net blocks) read from ONNX as the
/// exact quadratic their weights compute (design.md §10), in float32 and float64.
@Suite("Interop: product neurons read from ONNX")
struct ProductNeuronTests {
    /// Small random integers (exact in float32, and their sums too).
    struct Integers {
        var random: SplitMix64
        init(seed: UInt64) { random = SplitMix64(seed: seed) }
        mutating func next(_ range: ClosedRange<Int>) -> Double {
            Double(range.lowerBound + Int(random.next() % UInt64(range.count)))
        }
        mutating func vector(_ count: Int, _ range: ClosedRange<Int> = -3...3) -> [Double] { (0..<count).map { _ in next(range) } }
        mutating func matrix(_ rows: Int, _ columns: Int, _ range: ClosedRange<Int> = -3...3) -> [[Double]] { (0..<rows).map { _ in vector(columns, range) } }
    }

    static func unit(_ i: Int, _ n: Int) -> [Double] { (0..<n).map { $0 == i ? 1 : 0 } }

    static func product(_ m: [[Double]], _ b: [[Double]]) -> [[Double]] {
        m.map { row in (0..<b[0].count).map { j in row.indices.reduce(0) { $0 + row[$1] * b[$1][j] } } }
    }

    /// Reads the model and checks its exact expansion against `expected`; returns what was read.
    static func read(_ data: Data, equals expected: ProductTerms) throws -> LoadedNetwork {
        let loaded = try ONNXModel.parse(data, path: "products.onnx", maximumDegree: 2)
        let form = try NetworkExtraction.exactForm(of: loaded.network)
        let reference = try expected.exactForm()
        #expect(form.constant == reference.constant)
        #expect(form.linear == reference.linear)
        #expect(form.symmetricMatrix == reference.symmetricMatrix)
        #expect(loaded.roundedProducts.isEmpty)
        return loaded
    }

    /// A Fan-style layer `l·((W_r x + b_r)∘(W_g x + b_g) + W_b(x∘x) + c) + d` whose rows lie in
    /// the span of `rank` integer directions and whose `lᵀW_b` is zero: f has rank ≤ `rank`.
    static func fan(inputs n: Int, neurons h: Int, rank: Int, float32: Bool, seed: UInt64) throws -> (Data, ProductTerms) {
        var r = Integers(seed: seed)
        let basis = r.matrix(rank, n)
        let wr = product(r.matrix(h, rank, -2...2), basis), wg = product(r.matrix(h, rank, -2...2), basis)
        let br = r.vector(h), bg = r.vector(h), c = r.vector(h)
        var l = r.vector(h, -2...2)
        l[h - 1] = 1
        var wb = r.matrix(h, n, -2...2)
        wb[h - 1] = (0..<n).map { i in -(0..<(h - 1)).reduce(0) { $0 + l[$1] * wb[$1][i] } }
        let d = r.next(-3...3)
        var g = ProductGraphBuilder(inputs: n, float32: float32)
        let gate = g.linear("x", wr, br), value = g.linear("x", wg, bg)
        let products = g.node("Mul", [gate, value], name: "/fan/Mul")
        let squares = g.node("Mul", ["x", "x"], name: "/fan/MulSquare")
        let bilinear = g.linear(squares, wb, c)
        let sum = g.node("Add", [products, bilinear])
        let y = g.linear(sum, [l], [d])
        var terms = ProductTerms(inputs: n)
        for j in 0..<h {
            terms.terms.append(.init(weight: l[j], u: wr[j], uShift: br[j], v: wg[j], vShift: bg[j]))
            for i in 0..<n where wb[j][i] != 0 {
                terms.terms.append(.init(weight: l[j] * wb[j][i], u: unit(i, n), uShift: 0, v: unit(i, n), vShift: 0))
            }
            terms.constant += l[j] * c[j]
        }
        terms.constant += d
        return (try g.model(output: y, columns: 1), terms)
    }

    @Test("A Fan-style product-neuron layer with a planted rank reads to its exact form and extracts to that rank", arguments: [false, true])
    func fanPlantedRank(float32: Bool) throws {
        let (n, h, rank) = (8, 16, 4)
        let (data, terms) = try Self.fan(inputs: n, neurons: h, rank: rank, float32: float32, seed: 26)
        let loaded = try Self.read(data, equals: terms)
        #expect(loaded.precision == (float32 ? .float32 : .float64))
        let exactRank = try ExactSynthesis(form: terms.exactForm()).rank
        #expect(exactRank == rank)
        let floating = try ExtractionReport(file: "fan.onnx", original: loaded)
        #expect(floating.synthesis?.synthesis.rank == rank)
        #expect(floating.status == .passed)
        let exact = try ExtractionReport(file: "fan.onnx", original: loaded, exact: true, factored: false)
        #expect(exact.exact?.synthesis.rank == rank)
        #expect(exact.exactAgreement == true)
    }

    @Test("QuadraLib's layers read exactly: (W₁x)∘(W₂x) + W₃x, (w·x)², w·x²", arguments: [false, true])
    func quadraLib(float32: Bool) throws {
        let (n, h) = (5, 4)
        var r = Integers(seed: float32 ? 3 : 4)
        let w1 = r.matrix(h, n), w2 = r.matrix(h, n), w3 = r.matrix(h, n), l = r.vector(h), d = r.next(-3...3)
        let bias = r.vector(h)

        // (W₁x)∘(W₂x) + W₃x, then a Linear to one output (MatMul with the transposed weights).
        var g = ProductGraphBuilder(inputs: n, float32: float32)
        let transposed = { (m: [[Double]]) in (0..<m[0].count).map { j in m.map { $0[j] } } }
        let a = g.node("MatMul", ["x", g.tensor([n, h], transposed(w1).flatMap { $0 })])
        let b = g.node("MatMul", ["x", g.tensor([n, h], transposed(w2).flatMap { $0 })])
        let p = g.node("Mul", [a, b])
        let s = g.node("Add", [p, g.node("MatMul", ["x", g.tensor([n, h], transposed(w3).flatMap { $0 })])])
        var terms = ProductTerms(inputs: n)
        for j in 0..<h {
            terms.terms.append(.init(weight: l[j], u: w1[j], uShift: 0, v: w2[j], vShift: 0))
            for i in 0..<n { terms.linear[i] += l[j] * w3[j][i] }
        }
        terms.constant = d
        let y1 = g.linear(s, [l], [d])
        _ = try Self.read(try g.model(output: y1, columns: 1), equals: terms)

        // (w·x + b)², with Pow and a Constant exponent.
        g = ProductGraphBuilder(inputs: n, float32: float32)
        let z = g.linear("x", w1, bias)
        let square = g.node("Pow", [z, g.tensor([], [2])])
        terms = ProductTerms(inputs: n)
        for j in 0..<h { terms.terms.append(.init(weight: l[j], u: w1[j], uShift: bias[j], v: w1[j], vShift: bias[j])) }
        terms.constant = d
        let y2 = g.linear(square, [l], [d])
        _ = try Self.read(try g.model(output: y2, columns: 1), equals: terms)

        // w·x²: a Linear of the squared inputs.
        g = ProductGraphBuilder(inputs: n, float32: float32)
        let x2 = g.node("Pow", ["x", g.tensor([], [2])])
        let hidden = g.linear(x2, w2, bias)
        terms = ProductTerms(inputs: n)
        for j in 0..<h {
            for i in 0..<n { terms.terms.append(.init(weight: l[j] * w2[j][i], u: Self.unit(i, n), uShift: 0, v: Self.unit(i, n), vShift: 0)) }
            terms.constant += l[j] * bias[j]
        }
        terms.constant += d
        let y3 = g.linear(hidden, [l], [d])
        _ = try Self.read(try g.model(output: y3, columns: 1), equals: terms)
    }

    @Test("A Π-net block (U₂x)∘(U₁x) + U₁x → C, with Neg, Sub, Div, Sum and ReduceSum around it, reads exactly", arguments: [false, true])
    func piNet(float32: Bool) throws {
        let (n, h) = (4, 3)
        var r = Integers(seed: 11)
        let u1 = r.matrix(h, n), u2 = r.matrix(h, n), c = r.vector(h), beta = r.next(-3...3)
        var g = ProductGraphBuilder(inputs: n, float32: float32)
        let first = g.linear("x", u1, nil), second = g.linear("x", u2, nil)
        let x2 = g.node("Add", [g.node("Mul", [second, first]), first])
        let y = g.linear(x2, [c], [beta])
        var terms = ProductTerms(inputs: n)
        for j in 0..<h {
            terms.terms.append(.init(weight: c[j], u: u2[j], uShift: 0, v: u1[j], vShift: 0))
            for i in 0..<n { terms.linear[i] += c[j] * u1[j][i] }
        }
        terms.constant = beta
        _ = try Self.read(try g.model(output: y, columns: 1), equals: terms)

        // ReduceSum(Div(Sum(first∘second, −first, first − second), 4)): the same products, other operators.
        g = ProductGraphBuilder(inputs: n, float32: float32)
        let f = g.linear("x", u1, nil), s = g.linear("x", u2, nil)
        let total = g.node("Sum", [g.node("Mul", [f, s]), g.node("Neg", [f]), g.node("Sub", [f, s])])
        let quarter = g.node("Div", [total, g.tensor([], [4])])
        let reduced = g.node("ReduceSum", [quarter, g.tensor([1], [1])])
        terms = ProductTerms(inputs: n)
        for j in 0..<h {
            terms.terms.append(.init(weight: 0.25, u: u1[j], uShift: 0, v: u2[j], vShift: 0))
            for i in 0..<n { terms.linear[i] -= 0.25 * u2[j][i] }
        }
        _ = try Self.read(try g.model(output: reduced, columns: 1), equals: terms)
    }

    @Test("A graph of degree 3 or 4 is refused, naming the node and the degree")
    func degreeAboveTwo() throws {
        let n = 3
        var g = ProductGraphBuilder(inputs: n, float32: false)
        let z = g.linear("x", [[1, 2, 0], [0, 1, -1]], [1, 0])
        let square = g.node("Mul", [z, z], name: "/square")
        let cube = g.node("Mul", [square, z], name: "/cubic/Mul")
        let out = g.linear(cube, [[1, 1]], nil)
        var data = try g.model(output: out, columns: 1)
        #expect(throws: NetworkFileError(path: "d.onnx", message: "node 2 '/cubic/Mul' (Mul): computes a polynomial of degree 3 in the graph's input (a product of values of degree 2 and 1); only graphs of degree ≤ 2 (a quadratic) are read here")) {
            try ONNXModel.parse(data, path: "d.onnx", maximumDegree: 2)
        }
        g = ProductGraphBuilder(inputs: n, float32: false)
        let cubed = g.node("Pow", [g.linear("x", [[1, 2, 0]], [1]), g.tensor([], [3])], name: "/pow3")
        data = try g.model(output: cubed, columns: 1)
        do {
            _ = try ONNXModel.parse(data, path: "d.onnx", maximumDegree: 2)
            Issue.record("a cube was read")
        } catch let error as NetworkFileError {
            #expect(error.message.contains("'/pow3' (Pow): computes a polynomial of degree 3"), "\(error)")
        }
        g = ProductGraphBuilder(inputs: n, float32: false)
        let s = g.node("Mul", ["x", "x"])
        let fourth = g.node("Mul", [s, s], name: "/fourth")
        let out4 = g.linear(fourth, [[1, 1, 1]], nil)
        data = try g.model(output: out4, columns: 1)
        do {
            _ = try ONNXModel.parse(data, path: "d.onnx", maximumDegree: 2)
            Issue.record("a quartic was read")
        } catch let error as NetworkFileError {
            #expect(error.message.contains("'/fourth' (Mul): computes a polynomial of degree 4 in the graph's input (the square of a value of degree 2)"), "\(error)")
        }
        // Without a maximum degree (convert, eval) the same graph is a two-hidden-layer network.
        #expect(try ONNXModel.parse(data, path: "d.onnx").network.depth == 3)
    }

    @Test("A product whose a ± b is not exact in Double: --exact expands the stored factors, not the rounded sums")
    func roundedProduct() throws {
        var g = ProductGraphBuilder(inputs: 2, float32: false)
        let (u, v) = ([1.0, 0], [1e-30, 1.0])
        let a = g.linear("x", [u], [0.5]), b = g.linear("x", [v], nil)
        let gate = g.node("Mul", [a, b], name: "/gate")
        let data = try g.model(output: gate, columns: 1)
        let loaded = try ONNXModel.parse(data, path: "r.onnx", maximumDegree: 2)
        #expect(loaded.roundedProducts == ["node 2 '/gate' (Mul)"])
        var terms = ProductTerms(inputs: 2)
        terms.terms = [.init(weight: 1, u: u, uShift: 0.5, v: v, vShift: 0)]
        let expected = try terms.exactForm()
        // The rounded network's own expansion is not the stored weights' form; the trace's is.
        #expect(try NetworkExtraction.exactForm(of: loaded.network).symmetricMatrix != expected.symmetricMatrix)
        let forms = try #require(loaded.exactForms)
        #expect(forms.map(\.symmetricMatrix) == [expected.symmetricMatrix])
        #expect(forms.map(\.linear) == [expected.linear] && forms.map(\.constant) == [expected.constant])
        #expect(try ExtractionReport(file: "r.onnx", original: loaded).status == .passed)
        let exact = try ExtractionReport(file: "r.onnx", original: loaded, exact: true)
        #expect(exact.exact?.synthesis.form.symmetricMatrix == expected.symmetricMatrix)
        #expect(exact.exact?.synthesis.rank == 2)
        #expect(exact.exactAgreement == true)
    }
}
