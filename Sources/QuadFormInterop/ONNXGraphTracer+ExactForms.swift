import QuadFormCore
import Foundation
import ONNXProto

/// The exact forms of a traced degree-2 graph (design.md §10): read from the trace itself, each
/// product node with its two factors, so the Double sums a ± b of its two square neurons never
/// enter (they may round; the factors' weights are the stored ones).
extension GraphTracer {
    /// The exact quadratic form of each of `output`'s rows, every stored weight taken as the
    /// rational it is: square and s-neurons `w·(αz² + βz)` from their pre-activations, a product
    /// pair `w·(¼(a + b)² − ¼(a − b)²)` as `w·a·b`. nil when the trace is not one layer of such
    /// neurons on the input (a ReLU, a neuron reading another neuron, a product half used alone).
    func exactForms(of output: Affine) throws -> [ExactForm]? {
        func q(_ d: Double) -> Rational { Rational(exactly: d) ?? .zero }
        let n = inputWidth
        // Affine rows of the input: (row j of the term on the input, bias j).
        func row(_ a: Affine, _ j: Int) -> (weights: [Rational], shift: Rational)? {
            guard a.terms.keys.allSatisfy({ $0 == 0 }) else { return nil }
            let weights = a.terms[0].map { term in (0..<n).map { q(term[j, $0]) } } ?? [Rational](repeating: .zero, count: n)
            return (weights, q(a.bias[j]))
        }
        let partners = Set(productFactors.values.map(\.partner))
        var forms: [ExactForm] = []
        for i in 0..<output.width {
            var constant = q(output.bias[i])
            var linear = [Rational](repeating: .zero, count: n)
            var quadratic = RationalMatrix(rows: n, columns: n)
            func add(_ w: Rational, _ u: (weights: [Rational], shift: Rational), _ v: (weights: [Rational], shift: Rational)) {
                constant = constant + w * u.shift * v.shift
                for p in 0..<n {
                    linear[p] = linear[p] + w * (v.shift * u.weights[p] + u.shift * v.weights[p])
                    guard !u.weights[p].isZero else { continue }
                    let scaled = w * u.weights[p]
                    for k in 0..<n where !v.weights[k].isZero { quadratic[p, k] = quadratic[p, k] + scaled * v.weights[k] }
                }
            }
            for (r, term) in output.terms {
                let width = r == 0 ? n : nodes[r - 1].preActivation.width
                if r == 0 {
                    for p in 0..<n { linear[p] = linear[p] + q(term[i, p]) }
                } else if let pair = productFactors[r] {
                    guard let other = output.terms[pair.partner] else { return nil }
                    for j in 0..<width where term[i, j] != 0 || other[i, j] != 0 {
                        guard other[i, j] == -term[i, j], let u = row(pair.a, j), let v = row(pair.b, j) else { return nil }
                        add(q(term[i, j]) * Rational(4), u, v)
                    }
                } else if partners.contains(r) {
                    continue
                } else {
                    let node = nodes[r - 1]
                    let (alpha, beta): (Rational, Rational)
                    switch node.activation {
                    case .square: (alpha, beta) = (.one, .zero)
                    case let .quadratic(a, b, 0): (alpha, beta) = (q(a), q(b))
                    default: return nil
                    }
                    for j in 0..<width where term[i, j] != 0 {
                        guard let z = row(node.preActivation, j) else { return nil }
                        let w = q(term[i, j])
                        add(w * alpha, z, z)
                        if !beta.isZero {
                            constant = constant + w * beta * z.shift
                            for p in 0..<n { linear[p] = linear[p] + w * beta * z.weights[p] }
                        }
                    }
                }
            }
            forms.append(try ExactForm(constant: constant, linear: linear, quadratic: quadratic))
        }
        return forms
    }
}
