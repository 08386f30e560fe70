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

    /// The form a network computes, with the scale of the terms that were summed into A.
    public struct ExtractedForm: Sendable {
        /// f, each coefficient the network's exact coefficient rounded once (to within about
        /// u·|coefficient| + m·u²·(magnitude of its terms)).
        public let form: QuadraticForm
        /// `max_ik Σ_j |w_jα||u_ji||u_jk|`: the size of A's entries before cancellation.
        public let quadraticMagnitude: Double
        /// The number of neurons with a non-zero quadratic term `w_jα u_j u_jᵀ`: A has rank at most this.
        public let rankOneTerms: Int

        /// A form together with how it was summed: `quadraticMagnitude` is the size of A's entries
        /// before cancellation, `rankOneTerms` how many rank-one terms were summed into A (a bound on
        /// its rank; a product of two different affine values counts two).
        public init(form: QuadraticForm, quadraticMagnitude: Double, rankOneTerms: Int) {
            self.form = form
            self.quadraticMagnitude = quadraticMagnitude
            self.rankOneTerms = rankOneTerms
        }

        /// A form given directly (not summed from terms): A's own largest entry as its magnitude,
        /// and n rank-one terms (no bound below n on its rank).
        public init(form: QuadraticForm) {
            self.init(form: form, quadraticMagnitude: form.quadratic.entries.reduce(0) { max($0, abs($1)) },
                      rankOneTerms: form.dimension)
        }
    }

    /// The form the network computes, `A = Σ w_jα u_ju_jᵀ`, `a = V + Σ w_j(2αb_j + β)u_j`,
    /// `c = B2 + Σ w_j(αb_j² + βb_j + γ)`, summed in double-double arithmetic (`DoubleDouble`) and
    /// rounded once: neurons whose terms cancel (two nearly equal directions with opposite output
    /// weights) leave f accurate to its own size, not to the size of the cancelled terms
    /// (design.md §5). O(n²m) operations, A's upper triangle mirrored.
    public static func form(of net: ResNet, variables: [String]? = nil) throws -> ExtractedForm {
        try checkShape(net)
        let (alpha, beta, gamma) = try ExpandedNetwork.activationCoefficients(of: net)
        let n = net.inputWidth, m = net.widths[1]
        let u = net.layers[0].weights.entries, b = net.layers[0].bias, w = net.layers[1].weights.entries
        var constant = DoubleDouble(net.layers[1].bias[0])
        var linear = [DoubleDouble](repeating: DoubleDouble(0), count: n)
        for skip in net.skips { for i in 0..<n { linear[i] = linear[i] + DoubleDouble(skip.weights[0, i]) } }
        // Per neuron: its quadratic coefficient w_jα, linear scale w_j(2αb_j + β) and constant, each in double-double.
        var quadraticScales: [DoubleDouble] = []
        var rows: [Int] = []
        for j in 0..<m where w[j] != 0 {
            let bj = b[j]
            let twoAlphaB = DoubleDouble.product(alpha, bj) * 2.0
            let linearScale = (twoAlphaB + DoubleDouble(beta)) * w[j]
            let inner = (DoubleDouble.product(alpha, bj) + DoubleDouble(beta)) * bj + DoubleDouble(gamma)
            constant = constant + inner * w[j]
            let row = j * n
            for i in 0..<n where u[row + i] != 0 { linear[i] = linear[i] + linearScale * u[row + i] }
            if alpha != 0, (0..<n).contains(where: { u[row + $0] != 0 }) {
                quadraticScales.append(DoubleDouble.product(w[j], alpha))
                rows.append(j)
            }
        }
        var quadratic = Matrix(rows: n, columns: n)
        var largestMagnitude = 0.0
        if !rows.isEmpty {
            // Row j scaled: s_ji = (w_jα)·u_ji in double-double, then A_ik = Σ_j s_ji·u_jk.
            var scaled = [DoubleDouble](repeating: DoubleDouble(0), count: rows.count * n)
            for (t, j) in rows.enumerated() {
                for i in 0..<n { scaled[t * n + i] = quadraticScales[t] * u[j * n + i] }
            }
            var sum = [DoubleDouble](repeating: DoubleDouble(0), count: n)
            var magnitude = [Double](repeating: 0, count: n)
            for i in 0..<n {
                for k in i..<n { sum[k] = DoubleDouble(0); magnitude[k] = 0 }
                for (t, j) in rows.enumerated() {
                    let s = scaled[t * n + i]
                    guard s.hi != 0 else { continue }
                    let absS = abs(s.hi)
                    let base = j * n
                    for k in i..<n {
                        let ujk = u[base + k]
                        guard ujk != 0 else { continue }
                        sum[k] = sum[k] + s * ujk
                        magnitude[k] += absS * abs(ujk)
                    }
                }
                for k in i..<n {
                    let v = sum[k].value
                    quadratic.entries[i * n + k] = v
                    quadratic.entries[k * n + i] = v
                    largestMagnitude = max(largestMagnitude, magnitude[k])
                }
            }
        }
        let form = try QuadraticForm(variables: variables, constant: constant.value, linear: linear.map(\.value), quadratic: quadratic)
        return ExtractedForm(form: form, quadraticMagnitude: largestMagnitude, rankOneTerms: rows.count)
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
    /// precision's ε): `max(n,1)·ε·max(‖A‖_F, max_ik Σ_j |w_jα||u_ji||u_jk|)` — the second term is
    /// the scale of A's entries before cancellation, which the weights' rounding to float32
    /// perturbs. nil for float64, whose weights are taken as they are: f is then summed accurately
    /// (`form(of:)`) and synthesis's default rule applies to it.
    public static func rankTolerance(for precision: WeightPrecision, extracted: ExtractedForm) -> Double? {
        guard precision == .float32 else { return nil }
        let n = Double(max(extracted.form.dimension, 1))
        return n * precision.epsilon * max(extracted.form.quadratic.frobeniusNorm, extracted.quadraticMagnitude)
    }
}
