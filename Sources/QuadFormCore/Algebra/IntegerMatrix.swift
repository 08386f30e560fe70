import BigInt
import CGMP

/// A dense matrix of arbitrary-size integers on GMP (`mpz_t`, libgmp), row-major and stored in
/// one block: the arithmetic of fraction-free exact synthesis and exact verification
/// (design.md §4). Entries are reached by pointer (`self[i, j]`) and changed in place with the
/// `qf_mpz_*` operations of the CGMP target, so the inner loops allocate nothing but the limbs
/// the numbers need. GMP is 10–100× faster than `attaswift/BigInt` on numbers of hundreds of
/// digits and more (docs/performance.md).
package final class IntegerMatrix: @unchecked Sendable {
    /// Number of rows.
    let rows: Int
    /// Number of columns.
    let columns: Int
    private let base: UnsafeMutablePointer<__mpz_struct>

    /// The `rows × columns` zero matrix (GMP allocates no limbs for zeros).
    package init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        let count = max(rows * columns, 1)
        base = .allocate(capacity: count)
        for i in 0..<count { qf_mpz_init(base + i) }
    }

    deinit {
        for i in 0..<max(rows * columns, 1) { qf_mpz_clear(base + i) }
        base.deallocate()
    }

    /// Entry (i, j), to read or change in place.
    @inline(__always) package subscript(i: Int, j: Int) -> UnsafeMutablePointer<__mpz_struct> {
        base + (i * columns + j)
    }

    /// Entry i of a one-row or one-column matrix.
    @inline(__always) package subscript(i: Int) -> UnsafeMutablePointer<__mpz_struct> { base + i }
}

/// Conversions between GMP integers, `attaswift/BigInt` and `Rational`, and the size measures the
/// exact report gives (design.md §4).
package enum GMP {
    /// Sets `r` to `x`.
    static func set(_ r: UnsafeMutablePointer<__mpz_struct>, _ x: BigInt) {
        if x.isZero { qf_mpz_set_si(r, 0); return }
        let words = Array(x.magnitude.words)
        words.withUnsafeBufferPointer { qf_mpz_import(r, words.count, $0.baseAddress) }
        if x.sign == .minus { qf_mpz_neg(r, r) }
    }

    /// The value of `x` as a BigInt.
    static func bigInt(_ x: UnsafePointer<__mpz_struct>) -> BigInt {
        let limbs = qf_mpz_limbs(x)
        if limbs == 0 { return 0 }
        var words = [UInt](repeating: 0, count: limbs)
        var count = 0
        words.withUnsafeMutableBufferPointer { qf_mpz_export($0.baseAddress, &count, x) }
        return BigInt(sign: qf_mpz_sgn(x) < 0 ? .minus : .plus, magnitude: BigUInt(words: Array(words.prefix(count))))
    }

    /// `p / q` as a Rational in lowest terms (q ≠ 0); the gcd is GMP's.
    static func rational(_ p: UnsafePointer<__mpz_struct>, _ q: UnsafePointer<__mpz_struct>) -> Rational {
        let t = IntegerMatrix(rows: 1, columns: 3)
        qf_mpz_gcd(t[0], p, q)
        if qf_mpz_sgn(q) < 0 { qf_mpz_neg(t[0], t[0]) }
        if qf_mpz_sgn(t[0]) == 0 { qf_mpz_set_si(t[0], 1) }
        qf_mpz_divexact(t[1], p, t[0])
        qf_mpz_divexact(t[2], q, t[0])
        return Rational(reducedNumerator: bigInt(t[1]), denominator: bigInt(t[2]))
    }

    /// The decimal text of a BigInt: machine-size values by the standard library, larger ones by
    /// GMP's subquadratic conversion (the exact reports print tens of thousands of them).
    package static func decimalString(_ x: BigInt) -> String {
        if x.magnitude.bitWidth < 64 { return String(Int(x)) }
        var z = __mpz_struct()
        qf_mpz_init(&z)
        defer { qf_mpz_clear(&z) }
        set(&z, x)
        return decimalString(&z)
    }

    /// Decimal digits of |x| (0 for 0).
    static func digits(_ x: UnsafePointer<__mpz_struct>) -> Int {
        qf_mpz_sgn(x) == 0 ? 0 : decimalString(x).utf8.count - (qf_mpz_sgn(x) < 0 ? 1 : 0)
    }

    /// Bits of |x| (0 for 0).
    static func bits(_ x: UnsafePointer<__mpz_struct>) -> Int {
        qf_mpz_sgn(x) == 0 ? 0 : Int(qf_mpz_sizeinbase(x, 2))
    }

    /// The decimal text of x.
    package static func decimalString(_ x: UnsafePointer<__mpz_struct>) -> String {
        guard let s = qf_mpz_get_str(nil, 10, x) else { return "?" }
        let text = String(cString: s)
        qf_free_string(s, text.utf8.count + 1)
        return text
    }

    /// Reads Rationals as integer numerators over one common denominator: `values[i] =
    /// numerators[i] / denominator`, the denominator the lcm of the values' denominators.
    package static func commonDenominator(_ values: [Rational]) -> (numerators: IntegerMatrix, denominator: IntegerMatrix) {
        let numerators = IntegerMatrix(rows: 1, columns: values.count)
        let d = IntegerMatrix(rows: 1, columns: 2)
        qf_mpz_set_si(d[0], 1)
        for v in values where v.denominator != 1 {
            set(d[1], v.denominator)
            qf_mpz_lcm(d[0], d[0], d[1])
        }
        let common = qf_mpz_cmp_si(d[0], 1) != 0
        for (i, v) in values.enumerated() where !v.isZero {
            set(numerators[i], v.numerator)
            guard common else { continue }
            if v.denominator == 1 {
                qf_mpz_mul(numerators[i], numerators[i], d[0])
            } else {
                set(d[1], v.denominator)
                qf_mpz_divexact(d[1], d[0], d[1])
                qf_mpz_mul(numerators[i], numerators[i], d[1])
            }
        }
        let denominator = IntegerMatrix(rows: 1, columns: 1)
        qf_mpz_set(denominator[0], d[0])
        return (numerators, denominator)
    }
}
