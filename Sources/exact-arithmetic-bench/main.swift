// Times the two big-integer libraries quadform could build exact mode on, doing the same work:
// GMP (libgmp, through the CGMP system-library target; what exact mode uses) and attaswift/BigInt
// (pure Swift; what `Rational` stores). Prints one row per case with both times and their ratio.
//
//     swift run -c release exact-arithmetic-bench            # all cases
//     swift run -c release exact-arithmetic-bench --quick    # smaller sizes, a few seconds
//
// Cases: products of two random numbers of d decimal digits (and the exact quotient back), and
// the fraction-free (Bareiss) elimination of the integer forms of bench/exact_vs_sympy.py
// (A = U·diag(d)·Uᵀ, U n × n/2 with entries in −5…5), the inner loop of `synth --exact`
// (docs/exact-and-proofs.md). Both sides run the same algorithm; only the arithmetic differs.
import BigInt
import CGMP
import Foundation

/// A reproducible generator (SplitMix64).
struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(in range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
}

/// Seconds taken by `body`, best of `repeats`.
func seconds(repeats: Int, _ body: () -> Void) -> Double {
    var best = Double.infinity
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return best
}

/// A random decimal string of `digits` digits.
func randomDigits(_ digits: Int, _ g: inout Generator) -> String {
    String((0..<digits).map { i in Character(String(i == 0 ? g.int(in: 1...9) : g.int(in: 0...9))) })
}

/// The bench matrix: A = U·diag(d)·Uᵀ with U n × n/2, entries −5…5, d in ±1…±3.
func benchMatrix(_ n: Int, seed: UInt64) -> [[Int]] {
    var g = Generator(state: seed)
    let r = n / 2
    let u = (0..<n).map { _ in (0..<r).map { _ in g.int(in: -5...5) } }
    let d = (0..<r).map { _ in [-3, -2, -1, 1, 2, 3][g.int(in: 0...5)] }
    return (0..<n).map { i in (0..<n).map { j in (0..<r).reduce(0) { $0 + u[i][$1] * d[$1] * u[j][$1] } } }
}

/// Symmetric fraction-free elimination with diagonal pivots on BigInt; returns the rank.
func bareissBigInt(_ a: [[Int]]) -> Int {
    let n = a.count
    var b = a.map { $0.map { BigInt($0) } }
    var p = BigInt(1)
    var active = Array(0..<n)
    var rank = 0
    while let r = active.first(where: { !b[$0][$0].isZero }) {
        active.removeAll { $0 == r }
        let q = b[r][r]
        for i in active {
            for j in active where j >= i {
                b[i][j] = (q * b[i][j] - b[r][i] * b[r][j]) / p
                b[j][i] = b[i][j]
            }
        }
        p = q
        rank += 1
    }
    return rank
}

/// The same elimination on GMP integers.
func bareissGMP(_ a: [[Int]]) -> Int {
    let n = a.count
    let b = UnsafeMutablePointer<__mpz_struct>.allocate(capacity: n * n + 2)
    for i in 0..<(n * n + 2) { qf_mpz_init(b + i) }
    defer {
        for i in 0..<(n * n + 2) { qf_mpz_clear(b + i) }
        b.deallocate()
    }
    for i in 0..<n { for j in 0..<n { qf_mpz_set_si(b + i * n + j, a[i][j]) } }
    let p = b + n * n, q = b + n * n + 1
    qf_mpz_set_si(p, 1)
    var active = Array(0..<n)
    var rank = 0
    while let r = active.first(where: { qf_mpz_sgn(b + $0 * n + $0) != 0 }) {
        active.removeAll { $0 == r }
        qf_mpz_set(q, b + r * n + r)
        for i in active {
            for j in active where j >= i {
                let bij = b + i * n + j
                qf_mpz_mul(bij, bij, q)
                qf_mpz_submul(bij, b + r * n + i, b + r * n + j)
                qf_mpz_divexact(bij, bij, p)
                qf_mpz_set(b + j * n + i, bij)
            }
        }
        qf_mpz_set(p, q)
        rank += 1
    }
    return rank
}

let usage = """
usage: exact-arithmetic-bench [--quick]

Times GMP against attaswift/BigInt on the arithmetic of exact mode (products and quotients of
d-digit numbers, fraction-free elimination of n × n integer forms), best of 3, and prints one row
per case with both times and their ratio (docs/performance.md).

  --quick     smaller sizes, a few seconds (the full run takes about 15 s)
  -h, --help  print this help and exit
"""

/// The benchmark's options: `--quick`, or `--help` (usage, exit 0); anything else is a usage
/// error (exit 2), before any case runs.
func parseArguments(_ arguments: [String]) -> Bool {
    var quick = false
    for argument in arguments {
        switch argument {
        case "--quick": quick = true
        case "-h", "--help":
            print(usage)
            exit(0)
        default:
            FileHandle.standardError.write(Data("exact-arithmetic-bench: error: unknown argument '\(argument)'\n\n\(usage)\n".utf8))
            exit(2)
        }
    }
    return quick
}

let quick = parseArguments(Array(CommandLine.arguments.dropFirst()))
print("exact-arithmetic-bench: GMP \(String(cString: qf_gmp_version())) against attaswift/BigInt, best of 3, same algorithm on both")
print("case                                        BigInt s      GMP s   BigInt/GMP")
func row(_ name: String, _ big: Double, _ gmp: Double) {
    print(name.padding(toLength: 40, withPad: " ", startingAt: 0)
          + String(format: "%12.5f %10.5f %10.1f×", big, gmp, big / gmp))
    fflush(nil)
}

var g = Generator(state: 2026)
for digits in quick ? [100, 1000, 10_000] : [100, 1000, 10_000, 100_000] {
    let x = randomDigits(digits, &g), y = randomDigits(digits, &g)
    let count = max(1, 2_000_000 / (digits * 10))
    let bx = BigInt(x)!, by = BigInt(y)!
    var sink = BigInt(0)
    let big = seconds(repeats: 3) { for _ in 0..<count { sink = (bx * by) / by } }
    precondition(sink == bx)
    let z = UnsafeMutablePointer<__mpz_struct>.allocate(capacity: 3)
    for i in 0..<3 { qf_mpz_init(z + i) }
    _ = qf_mpz_set_str(z, x, 10)
    _ = qf_mpz_set_str(z + 1, y, 10)
    let gmp = seconds(repeats: 3) {
        for _ in 0..<count {
            qf_mpz_mul(z + 2, z, z + 1)
            qf_mpz_divexact(z + 2, z + 2, z + 1)
        }
    }
    precondition(qf_mpz_cmp(z + 2, z) == 0)
    for i in 0..<3 { qf_mpz_clear(z + i) }
    z.deallocate()
    row("(x·y)/y, \(digits) digits, ×\(count)", big, gmp)
}
for n in quick ? [20, 40] : [20, 40, 60, 80, 120] {
    let a = benchMatrix(n, seed: UInt64(n))
    var ranks = (0, 0)
    let big = seconds(repeats: 3) { ranks.0 = bareissBigInt(a) }
    let gmp = seconds(repeats: 3) { ranks.1 = bareissGMP(a) }
    precondition(ranks.0 == n / 2 && ranks.1 == n / 2, "ranks \(ranks), expected \(n / 2)")
    row("Bareiss elimination, n = \(n), rank \(n / 2)", big, gmp)
}
