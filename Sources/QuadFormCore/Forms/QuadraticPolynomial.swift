import Foundation

/// A polynomial of degree ≤ 2 in named variables, with coefficients in `F`.
public struct QuadraticPolynomial<F: FieldScalar>: Sendable {
    /// The constant term.
    public var constant: F = .zero
    /// Coefficients of single variables.
    public var linear: [String: F] = [:]
    /// Coefficients of `x_i x_j`, keyed by the two names in sorted order.
    public var quadratic: [VariablePair: F] = [:]

    /// An unordered pair of variable names (`x*y` and `y*x` are the same monomial).
    public struct VariablePair: Hashable, Sendable {
        /// The smaller name.
        public let first: String
        /// The larger name.
        public let second: String
        /// The pair `{a, b}`.
        public init(_ a: String, _ b: String) {
            if a <= b { first = a; second = b } else { first = b; second = a }
        }
    }

    /// The polynomial with only a constant term.
    public init(constant: F = .zero) { self.constant = constant }

    /// The degree of the non-zero terms (0 for a constant, including the zero polynomial).
    public var degree: Int {
        if quadratic.values.contains(where: { !$0.isZero }) { return 2 }
        if linear.values.contains(where: { !$0.isZero }) { return 1 }
        return 0
    }

    /// Every variable that occurs with a non-zero coefficient.
    public var variables: Set<String> {
        var names = Set<String>()
        for (name, value) in linear where !value.isZero { names.insert(name) }
        for (pair, value) in quadratic where !value.isZero { names.insert(pair.first); names.insert(pair.second) }
        return names
    }

    /// The largest `exactSizeInBits` among the coefficients (0 for floating point).
    var largestExactSize: Int {
        var largest = constant.exactSizeInBits
        for v in linear.values { largest = max(largest, v.exactSizeInBits) }
        for v in quadratic.values { largest = max(largest, v.exactSizeInBits) }
        return largest
    }

    /// Every variable written in the expression, including those whose coefficients cancel
    /// (`x^2 + 0*y` is a form in x and y).
    public var mentionedVariables: Set<String> = []

    mutating func dropZeros() {
        linear = linear.filter { !$0.value.isZero }
        quadratic = quadratic.filter { !$0.value.isZero }
    }

    static func + (p: Self, q: Self) -> Self {
        var r = p
        r.add(q)
        return r
    }

    /// Adds `q` (or subtracts it) in place, touching only q's terms, so a long sum costs time
    /// linear in its length.
    mutating func add(_ q: Self, negated: Bool = false) {
        mentionedVariables.formUnion(q.mentionedVariables)
        constant = negated ? constant - q.constant : constant + q.constant
        for (k, v) in q.linear {
            let sum = negated ? (linear[k] ?? .zero) - v : (linear[k] ?? .zero) + v
            linear[k] = sum.isZero ? nil : sum
        }
        for (k, v) in q.quadratic {
            let sum = negated ? (quadratic[k] ?? .zero) - v : (quadratic[k] ?? .zero) + v
            quadratic[k] = sum.isZero ? nil : sum
        }
    }

    func scaled(by s: F) -> Self {
        var r = Self(constant: constant * s)
        r.mentionedVariables = mentionedVariables
        for (k, v) in linear { r.linear[k] = v * s }
        for (k, v) in quadratic { r.quadratic[k] = v * s }
        r.dropZeros()
        return r
    }

    /// The number of quadratic terms `p * q` can create: |p_lin|·|q_lin| pairs of linear terms,
    /// or |p_lin|(|p_lin| + 1)/2 for a square.
    static func productTermCount(_ p: Self, _ q: Self, square: Bool) -> Int {
        let m = p.linear.count, k = q.linear.count
        let (pairs, overflow) = m.multipliedReportingOverflow(by: square ? m + 1 : k)
        if overflow { return .max }
        return (square ? pairs / 2 : pairs) + p.quadratic.count + q.quadratic.count
    }

    /// The product, assuming the caller checked that the degrees add up to at most 2. Time and
    /// memory are linear in the terms it creates (`productTermCount`); a square visits each pair
    /// of linear terms once.
    static func * (p: Self, q: Self) -> Self { multiply(p, q, square: false) }

    /// `p * p`, visiting each unordered pair of linear terms once.
    func squared() -> Self { Self.multiply(self, self, square: true) }

    private static func multiply(_ p: Self, _ q: Self, square: Bool) -> Self {
        var r = q.scaled(by: p.constant) + p.scaled(by: q.constant)
        r.constant = p.constant * q.constant
        r.quadratic.reserveCapacity(r.quadratic.count + productTermCount(p, q, square: square))
        if square {
            let items = Array(p.linear)
            for i in items.indices {
                let (a, u) = items[i]
                let twice = u + u
                r.quadratic[VariablePair(a, a), default: .zero] = r.quadratic[VariablePair(a, a), default: .zero] + u * u
                for j in (i + 1)..<items.count {
                    let (b, v) = items[j]
                    let key = VariablePair(a, b)
                    r.quadratic[key, default: .zero] = r.quadratic[key, default: .zero] + twice * v
                }
            }
        } else {
            for (a, u) in p.linear {
                for (b, v) in q.linear {
                    let key = VariablePair(a, b)
                    r.quadratic[key, default: .zero] = r.quadratic[key, default: .zero] + u * v
                }
            }
        }
        r.dropZeros()
        return r
    }
}
