import QuadFormCore
import QuadFormReports

/// The text and JSON of `extract --exact` when it ran in the neurons' factor space
/// (`FactoredExactExtraction`, design.md §4 "Factored extraction"): the modular lower bound with
/// its prime and minor, the exact coordinates (upper bound), g's reduction, the networks, and how
/// long each phase took.
extension ExtractionReport {
    /// Up to `limit` integers, then "… (N in all)".
    static func list(_ values: [Int], limit: Int = 12) -> String {
        let shown = values.prefix(limit).map(String.init).joined(separator: ", ")
        return values.count > limit ? shown + ", … (\(values.count) in all)" : shown
    }

    /// The factored report for people.
    static func factoredText(_ f: FactoredExactExtraction, variables: [String]?) -> String {
        var out = ""
        func line(_ label: String, _ value: String) {
            out += label.padding(toLength: 20, withPad: " ", startingAt: 0) + value + "\n"
        }
        let n = f.dimension, r = f.factorDimension, k = f.rank
        let mod = f.modular
        line("mode", "exact rational arithmetic in the neurons' factor space (design.md §4): no rounding anywhere")
        line("factor space", "f(x) = g(Yx): Y = \(r) independent rows of span{u_j, a} (\(f.basisNeurons.count) neuron rows\(f.linearInBasis ? " and a" : "")), g in \(r) variables instead of \(n)")
        line("rank ≥ \(mod.rank) of Y", "the \(mod.rank)×\(mod.rank) minor of the integer-scaled rows on rows {\(list(mod.rows))} (neurons, then a), columns {\(list(mod.columns))} is non-zero mod p = \(mod.prime)\(f.primesTried > 1 ? " (prime \(f.primesTried) tried)" : "")")
        line("rank ≤ \(r) of Y", "the other \(f.candidateRows - r) rows equal their exact coordinates times Y on all \(n) columns: \(f.coordinatesCheck ? "checked" : "FAILED")")
        let certificate = f.factorSynthesis.certificate
        line("rank", "k = rank A = rank B = \(k) exactly (Y has full row rank; B's principal minor on \(k) of the z-variables has determinant \(certificate.minorDeterminant.description.count > 40 ? "≠ 0 (\(certificate.minorDeterminant.description.count) characters)" : certificate.minorDeterminant.description))")
        line("linear term", f.hasLinearNullPart
             ? (f.linearInBasis ? "a ∉ span{u_j} ⊇ range(A): a_N ≠ 0 (a is a row of Y, independent mod p)" : "e ∉ range(B) (null vector of B with zᵀe ≠ 0), so a ∉ range(A): a_N ≠ 0")
             : "a = Yᵀe with e ∈ range(B), so a ∈ range(A)")
        out += "\n"
        line("residual network", "\(f.residual.hiddenNeurons) square neuron\(f.residual.hiddenNeurons == 1 ? "" : "s") + linear skip   l = (\(n), \(f.residual.hiddenNeurons), 1), S = {(0,2)}")
        line("plain network", "\(f.plain.hiddenNeurons) square neuron\(f.plain.hiddenNeurons == 1 ? "" : "s")   l = (\(n), \(f.plain.hiddenNeurons), 1), S = ∅   "
             + (f.hasLinearNullPart ? "k + 2 = \(k + 2) (theorem T2)" : "k = \(k)"))
        if n <= 12, let names = variables ?? Optional((1...n).map { "x\($0)" }) {
            line("", "residual g(x) = " + f.residual.formula(variables: names))
            line("", "plain g(x) = " + f.plain.formula(variables: names))
        } else {
            line("", "(the networks' rational weights are in --format json and --save-networks)")
        }
        out += "\n"
        line("verification", f.passed ? "PASSED (exact)" : "FAILED")
        line("  coordinates", "u_j = Yᵀ C_j and a = Yᵀe on every column, in integers: \(f.coordinatesCheck ? "equal" : "NOT EQUAL")")
        line("  in factor space", "g's residual and plain networks expanded back into (c, e, B): \(f.factorVerified ? "equal" : "NOT EQUAL")")
        line("  probes", "original, residual and plain evaluated exactly at \(f.probes) random integer points: \(f.probesAgree ? "equal" : "NOT EQUAL")")
        line("timings", f.timings.map { "\($0.phase) \(NumberFormat.short($0.seconds)) s" }.joined(separator: "; ") + "; 1 prime per try, \(f.primesTried) tried")
        out += "\noriginal network    its exact function is g(Yx); the minimal networks equal it exactly: \(f.passed ? "equal" : "NOT EQUAL")\n"
        return out
    }

    /// The factored report's JSON members (synth --exact's keys where they apply).
    static func factoredJSON(_ f: FactoredExactExtraction) -> [(String, JSONValue)] {
        let ints: ([Int]) -> JSONValue = { .array($0.map { .number(String($0)) }) }
        let certificate = f.factorSynthesis.certificate
        return [
            ("exact", .bool(true)),
            ("method", .string("factored: f = g(Yx), Y a row basis of span{u_j, a} (design.md §4)")),
            ("rank", .number(String(f.rank))),
            ("linear_in_range", .bool(!f.hasLinearNullPart)),
            ("residual", .object([("neurons", .number(String(f.residual.hiddenNeurons))), ("network", f.residual.json)])),
            ("plain", .object([("neurons", .number(String(f.plain.hiddenNeurons))), ("network", f.plain.json)])),
            ("verification", .object([
                ("passed", .bool(f.passed)),
                ("method", .string("coordinates u_j = Y^T C_j and a = Y^T e checked on every column in integers; g's networks expanded back into (c, e, B); exact probes of original, residual and plain")),
                ("coordinates_equal", .bool(f.coordinatesCheck)),
                ("factor_networks_equal", .bool(f.factorVerified)),
                ("probes", .number(String(f.probes))),
                ("probes_equal", .bool(f.probesAgree)),
            ])),
            ("factored", .object([
                ("factor_dimension", .number(String(f.factorDimension))),
                ("basis_neurons", ints(f.basisNeurons)),
                ("linear_in_basis", .bool(f.linearInBasis)),
                ("modular_rank", .object([
                    ("prime", .number(String(f.modular.prime))),
                    ("rank", .number(String(f.modular.rank))),
                    ("minor_rows", ints(f.modular.rows)),
                    ("minor_rows_are", .string("indices into the quadratic neurons' rows in order, then a")),
                    ("minor_columns", ints(f.modular.columns)),
                ])),
                ("primes_tried", .number(String(f.primesTried))),
                ("factor_minor_indices", ints(certificate.minorIndices)),
                ("factor_minor_determinant", ExactJSON.number(certificate.minorDeterminant)),
                ("quadratic_neurons", .number(String(f.quadraticNeurons.count))),
                ("timings", .object(f.timings.map { ($0.phase, JSONWriter.number($0.seconds)) })),
            ])),
        ]
    }
}
