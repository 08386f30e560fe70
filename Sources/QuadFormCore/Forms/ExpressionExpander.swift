import Foundation

/// Expands a syntax tree into a polynomial, refusing anything of degree > 2.
struct ExpressionExpander<F: FieldScalar> {
    let source: String
    let chars: [Character]

    init(source: String) {
        self.source = source
        self.chars = Array(source)
    }

    func text(_ node: ExpressionNode) -> String {
        let s = String(chars[node.start..<min(node.end, chars.count)])
        return s.count > 40 ? String(s.prefix(37)) + "..." : s
    }

    func error(_ message: String, _ node: ExpressionNode) -> ExpressionError {
        ExpressionError(message, source: source, offset: node.start, length: node.end - node.start)
    }

    func expand(_ node: ExpressionNode) throws -> QuadraticPolynomial<F> {
        switch node.kind {
        case .number(let literal):
            return try number(literal, node)
        case .variable(let name):
            var p = QuadraticPolynomial<F>()
            p.linear[name] = .one
            p.mentionedVariables = [name]
            return p
        case .negate(let operand):
            return try expand(operand).scaled(by: -F.one)
        case .sum(let terms):
            return try sum(terms, node)
        case .product(let factors):
            return try product(factors, node)
        case .power(let base, let exponent):
            return try power(base, exponent, node)
        }
    }

    /// A number literal, refused when it does not fit `F`.
    func number(_ literal: String, _ node: ExpressionNode) throws -> QuadraticPolynomial<F> {
        guard let value = F(decimalLiteral: literal) else {
            if F.one.exactSizeInBits > 0 {  // an exact scalar type
                throw error("number \(text(node)) is too large for exact arithmetic (at most \(Rational.maximumDecimalDigits) digits and exponents up to ±\(Rational.maximumDecimalExponent))", node)
            }
            if let d = Double(literal), d == 0 {
                throw error("number \(text(node)) is out of range (it underflows to zero in a Double)", node)
            }
            throw error("number \(text(node)) is out of range (it overflows a Double)", node)
        }
        return QuadraticPolynomial(constant: value)
    }

    /// A sum of terms, each added or subtracted.
    func sum(_ terms: [(negated: Bool, term: ExpressionNode)], _ node: ExpressionNode) throws -> QuadraticPolynomial<F> {
        var total = QuadraticPolynomial<F>()
        for (negated, term) in terms {
            let p = try expand(term)
            total.add(p, negated: negated)
            // Exact sums grow their denominators; check the coefficients this term touched.
            if F.one.exactSizeInBits > 0 {
                let touched = CollectionOfOne(total.constant) + p.linear.keys.compactMap { total.linear[$0] }
                    + p.quadratic.keys.compactMap { total.quadratic[$0] }
                try checkExactSize(touched, node)
            }
        }
        try checkRepresentable(total, node)
        return total
    }

    /// A product of factors, each multiplied or divided by (division by constants only), refused
    /// past degree 2.
    func product(_ factors: [(divides: Bool, factor: ExpressionNode)], _ node: ExpressionNode) throws -> QuadraticPolynomial<F> {
        // Constant factors multiply one scalar; at most two factors have degree 1 (or one has
        // degree 2), multiplied once at the end: linear in the terms of the result.
        var scalar = F.one
        var mentioned = Set<String>()
        var polynomials: [QuadraticPolynomial<F>] = []
        var degree = 0
        for (divides, factor) in factors {
            let p = try expand(factor)
            mentioned.formUnion(p.mentionedVariables)
            // Refuse before multiplying: an exact product has about the sum of the sizes.
            if F.one.exactSizeInBits > 0, scalar.exactSizeInBits + p.largestExactSize > ExpressionParser.maximumExactBits {
                throw error("'\(text(node))' has a coefficient too large for exact arithmetic (about \(scalar.exactSizeInBits + p.largestExactSize) bits; at most \(ExpressionParser.maximumExactBits))", node)
            }
            if divides {
                guard p.degree == 0 else {
                    throw error("division by an expression that contains \(p.variables.sorted(by: ExpressionParser.naturalOrder).joined(separator: ", ")): only division by constants keeps the form quadratic", factor)
                }
                guard !p.constant.isZero else { throw error("division by zero", factor) }
                scalar = scalar / p.constant
            } else if p.degree == 0 {
                scalar = scalar * p.constant
            } else {
                if degree + p.degree > 2 && !scalar.isZero {
                    let span = ExpressionNode(.number(""), start: factors[0].factor.start, end: factor.end)
                    throw error("term '\(text(span))' has degree \(degree + p.degree); a quadratic form allows degree ≤ 2", span)
                }
                if !scalar.isZero {
                    degree += p.degree
                    polynomials.append(p)
                }
            }
            if !scalar.isFiniteValue { throw error("'\(text(node))' overflows a Double", node) }
            try checkExactSize(CollectionOfOne(scalar), node)
        }
        var result: QuadraticPolynomial<F>
        if scalar.isZero || polynomials.isEmpty {
            result = QuadraticPolynomial(constant: scalar.isZero ? .zero : scalar)
        } else if polynomials.count == 1 {
            result = polynomials[0].scaled(by: scalar)
        } else {
            try checkProductSize(polynomials[0], polynomials[1], square: false, node)
            result = polynomials[0].scaled(by: scalar) * polynomials[1]
        }
        result.mentionedVariables = mentioned
        try checkRepresentable(result, node)
        return result
    }

    /// `base ^ exponent`, refused past degree 2; a constant base is raised by repeated squaring.
    func power(_ base: ExpressionNode, _ exponent: Int, _ node: ExpressionNode) throws -> QuadraticPolynomial<F> {
        let p = try expand(base)
        if exponent == 0 {
            var one = QuadraticPolynomial<F>(constant: .one)
            one.mentionedVariables = p.mentionedVariables
            return one
        }
        if p.degree * exponent > 2 {
            throw error("term '\(text(node))' has degree \(p.degree * exponent); a quadratic form allows degree ≤ 2", node)
        }
        if p.degree == 0 {
            let bits = p.constant.exactSizeInBits
            if bits > 0, bits > ExpressionParser.maximumExactBits / exponent {
                throw error("'\(text(node))' is too large for exact arithmetic (about \(bits) × \(exponent) bits; at most \(ExpressionParser.maximumExactBits))", node)
            }
            var result = F.one
            var square = p.constant
            var e = exponent
            while e > 0 {
                if e & 1 == 1 { result = result * square }
                e >>= 1
                if e > 0 { square = square * square }
                guard result.isFiniteValue, square.isFiniteValue || e == 0 else {
                    throw error("'\(text(node))' overflows a Double", node)
                }
            }
            return QuadraticPolynomial(constant: result)
        }
        if exponent == 1 { return p }
        try checkProductSize(p, p, square: true, node)
        return p.squared()
    }

    /// Refuses a product that would create more than `ExpressionParser.maximumProductTerms`
    /// quadratic terms, before any is created.
    func checkProductSize(_ p: QuadraticPolynomial<F>, _ q: QuadraticPolynomial<F>, square: Bool, _ node: ExpressionNode) throws {
        let terms = QuadraticPolynomial<F>.productTermCount(p, q, square: square)
        if terms > ExpressionParser.maximumProductTerms {
            throw error("'\(text(node))' expands into \(terms) quadratic terms, more than the limit of \(ExpressionParser.maximumProductTerms) for expressions; give large forms as JSON (--input) or .npy (--quadratic)", node)
        }
    }

    /// Refuses coefficients that overflowed a Double or grew beyond the exact size limit.
    func checkRepresentable(_ p: QuadraticPolynomial<F>, _ node: ExpressionNode) throws {
        let values = CollectionOfOne(p.constant) + Array(p.linear.values) + Array(p.quadratic.values)
        if values.contains(where: { !$0.isFiniteValue }) {
            throw error("'\(text(node))' overflows a Double", node)
        }
        try checkExactSize(values, node)
    }

    /// Refuses exact coefficients larger than `ExpressionParser.maximumExactBits`.
    func checkExactSize<C: Collection>(_ values: C, _ node: ExpressionNode) throws where C.Element == F {
        if let big = values.first(where: { $0.exactSizeInBits > ExpressionParser.maximumExactBits }) {
            throw error("'\(text(node))' has a coefficient too large for exact arithmetic (\(big.exactSizeInBits) bits; at most \(ExpressionParser.maximumExactBits))", node)
        }
    }
}
