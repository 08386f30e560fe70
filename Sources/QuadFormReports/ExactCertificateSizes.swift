import QuadFormCore
import BigInt
import CGMP
import Foundation

/// How large the exact networks' numbers are, next to the bound the fraction-free reduction
/// promises (design.md §4): every numerator it builds is a minor of the integer matrix s·A (s the
/// common denominator of A, 1 for integer A), so its digits stay within Hadamard's bound of s·A's
/// k×k minors, the product of the k largest row norms.
public struct ExactCertificateSizes: Sendable, Equatable {
    /// Most decimal digits of a numerator among both networks' parameters.
    public let largestNumeratorDigits: Int
    /// Most decimal digits of a denominator among both networks' parameters.
    public let largestDenominatorDigits: Int
    /// Digits of Hadamard's bound of the k×k minors of s·A (⌈log10 Π of the k largest row norms⌉).
    public let hadamardDigits: Int

    /// Measures the networks of `synthesis`.
    public init(synthesis s: ExactSynthesis) {
        var numerators: [BigInt] = [], denominators: [BigInt] = []
        for network in [s.residual, s.plain] {
            var values = network.firstWeights.entries + network.firstBias + network.outputWeights + [network.outputBias]
            values += network.skip ?? []
            var bestNumerator = 0, bestDenominator = 0
            for v in values where !v.isZero {
                bestNumerator = max(bestNumerator, v.numerator.magnitude.bitWidth)
                bestDenominator = max(bestDenominator, v.denominator.magnitude.bitWidth)
            }
            for v in values where !v.isZero {
                if v.numerator.magnitude.bitWidth >= bestNumerator - 4 { numerators.append(v.numerator) }
                if v.denominator.magnitude.bitWidth >= bestDenominator - 4 { denominators.append(v.denominator) }
            }
        }
        func digits(_ x: BigInt) -> Int { x.isZero ? 0 : x.magnitude.description.count }
        largestNumeratorDigits = numerators.map(digits).max() ?? 0
        largestDenominatorDigits = denominators.map(digits).max() ?? 0
        hadamardDigits = ExactCertificateSizes.hadamardDigits(s.symmetricMatrix, order: s.rank)
    }

    /// ⌈log10 Π_{k largest} ‖row_i(s·A)‖⌉ (0 for k = 0).
    static func hadamardDigits(_ a: RationalMatrix, order k: Int) -> Int {
        guard k > 0 else { return 0 }
        let n = a.rows
        let (entries, _) = GMP.commonDenominator(a.entries)
        let norm = IntegerMatrix(rows: 1, columns: 1)
        var logs: [Double] = []
        for i in 0..<n {
            qf_mpz_set_si(norm[0], 0)
            for j in 0..<n where qf_mpz_sgn(entries[i * n + j]) != 0 { qf_mpz_addmul(norm[0], entries[i * n + j], entries[i * n + j]) }
            logs.append(log10Magnitude(norm[0]) / 2)
        }
        let total = logs.sorted(by: >).prefix(k).reduce(0, +)
        return max(1, Int(total.rounded(.up)))
    }

    /// log10 |x| for x ≠ 0 (−∞ for 0), from its leading digits.
    static func log10Magnitude(_ x: UnsafePointer<__mpz_struct>) -> Double {
        guard qf_mpz_sgn(x) != 0 else { return -.infinity }
        let text = GMP.decimalString(x).filter(\.isNumber)
        let lead = Double(String(text.prefix(17))) ?? 1
        return log10(lead) + Double(text.count - min(text.count, 17))
    }
}

