import Foundation

/// Why a network cannot be extracted into a quadratic form.
public enum ExtractionError: Error, Equatable, CustomStringConvertible {
    /// The network is not `l = (n, m, 1)` with a quadratic activation and skips ⊆ {(0, 2)}.
    case notQuadratic(String)

    public var description: String {
        switch self {
        case .notQuadratic(let why): return "not a one-hidden-layer quadratic network: \(why)"
        }
    }
}

/// `quadform extract`: the quadratic `f(x) = c + aᵀx + xᵀAx` that a one-hidden-layer network of
/// quadratic neurons computes, read off its weights by design.md §3's coefficient matching
/// (`ExpandedNetwork`), and then the minimal networks of design.md §2 for that f.
public enum NetworkExtraction {
    /// Checks that `net` computes a quadratic form: one hidden layer, one output, σ = z² or
    /// αz² + βz + γ, skips only from the input to the output. The error says why not.
    public static func checkShape(_ net: ResNet) throws {
        let l = "l = (" + net.widths.map(String.init).joined(separator: ", ") + ")"
        if net.depth != 2 {
            if net.depth == 1 { throw ExtractionError.notQuadratic("\(l) has no hidden layer; it is affine") }
            switch net.activation {
            case .square, .quadratic:
                throw ExtractionError.notQuadratic("\(l) has \(net.depth - 1) hidden layers; stacked square layers compute polynomials of degree up to \(1 << min(net.depth - 1, 62)), not a quadratic")
            default:
                throw ExtractionError.notQuadratic("\(l) has \(net.depth - 1) hidden \(net.activation.kind) layers")
            }
        }
        switch net.activation {
        case .square, .quadratic: break
        case .relu: throw ExtractionError.notQuadratic("the activation is ReLU, which is piecewise linear, not quadratic")
        case .identity: throw ExtractionError.notQuadratic("the activation is the identity: the network is affine, with no square neurons")
        }
        if net.outputWidth != 1 { throw ExtractionError.notQuadratic("\(l) has \(net.outputWidth) outputs; a quadratic form has one") }
        if let skip = net.skips.first(where: { $0.from != 0 || $0.to != 2 }) {
            throw ExtractionError.notQuadratic("skip (\(skip.from), \(skip.to)) is not a linear skip from the input to the output")
        }
    }

    /// The form the network computes, in floating point (c', a', A' of `ExpandedNetwork`).
    public static func form(of net: ResNet, variables: [String]? = nil) throws -> (form: QuadraticForm, expansion: ExpandedNetwork) {
        try checkShape(net)
        let expanded = try ExpandedNetwork(net)
        let form = try QuadraticForm(variables: variables, constant: expanded.constant, linear: expanded.linear, quadratic: expanded.quadratic)
        return (form, expanded)
    }

    /// The form the network computes, exactly: every stored weight is taken as the rational it
    /// is (a Double is a dyadic rational), and the coefficients are summed without rounding:
    /// `A = Σ w_jα u_ju_jᵀ`, `a = V + Σ w_j(2αb_j + β)u_j`, `c = B2 + Σ w_j(αb_j² + βb_j + γ)`.
    public static func exactForm(of net: ResNet, variables: [String]? = nil) throws -> ExactForm {
        try checkShape(net)
        func q(_ d: Double) -> Rational { Rational(exactly: d)! }  // weights are finite (ResNet checks)
        let (alpha, beta, gamma): (Rational, Rational, Rational)
        switch net.activation {
        case let .quadratic(a, b, c): (alpha, beta, gamma) = (q(a), q(b), q(c))
        default: (alpha, beta, gamma) = (.one, .zero, .zero)
        }
        let n = net.inputWidth, m = net.widths[1]
        let u = net.layers[0].weights, b = net.layers[0].bias, w = net.layers[1].weights
        var constant = q(net.layers[1].bias[0])
        var linear = [Rational](repeating: .zero, count: n)
        for skip in net.skips { for i in 0..<n { linear[i] = linear[i] + q(skip.weights[0, i]) } }
        var quadratic = RationalMatrix(rows: n, columns: n)
        for j in 0..<m {
            let wj = q(w[0, j]), bj = q(b[j])
            guard !wj.isZero else { continue }
            let row = u.row(j).map(q)
            constant = constant + wj * ((alpha * bj + beta) * bj + gamma)
            let lin = wj * (Rational(2) * alpha * bj + beta)
            let quad = wj * alpha
            for i in 0..<n where !row[i].isZero {
                linear[i] = linear[i] + lin * row[i]
                let scaled = quad * row[i]
                for p in 0..<n where !row[p].isZero { quadratic[i, p] = quadratic[i, p] + scaled * row[p] }
            }
        }
        return try ExactForm(variables: variables, constant: constant, linear: linear, quadratic: quadratic)
    }

    /// The rank tolerance for weights stored in `precision` (design.md §5's rule with that
    /// precision's ε): `max(n,1)·ε·max(‖A‖_F, max_ij Σ_j |w_jα||u_j||u_j|ᵀ)` — the second term is
    /// the scale of A's entries before cancellation, which the weights' rounding perturbs. nil for
    /// float64, where synthesis's default rule applies.
    public static func rankTolerance(for precision: WeightPrecision, form: QuadraticForm, expansion: ExpandedNetwork) -> Double? {
        guard precision == .float32 else { return nil }
        let n = Double(max(form.dimension, 1))
        return n * precision.epsilon * max(form.quadratic.frobeniusNorm, expansion.quadraticMagnitude)
    }
}
