import ArgumentParser
import Foundation
import QuadFormCore
import QuadFormReports
import QuadFormInterop

/// The ways to give a form (design.md §6), shared by `synth`, `spectrum` and `prove`: an
/// EXPRESSION, `--input FILE`, `--quadratic A.npy`, or `--random N --rank K --seed S`, with the
/// variable order of an expression, their validation and loading (floating or exact).
struct FormSource: ParsableArguments {
    @Argument(help: "The quadratic expression, e.g. \"x*y + 2*x - 1\".")
    var expression: String?

    @Option(help: ArgumentHelp("Read the form from a JSON file (design.md §6 format).", valueName: "file"))
    var input: String?

    @Option(help: ArgumentHelp("Read the quadratic matrix M from a .npy file.", valueName: "file"))
    var quadratic: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Generate a random form with N variables.", valueName: "N"))
    var random: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Rank of the random form's matrix (with --random; default N/2).", valueName: "K"))
    var rank: Int?

    @Option(help: "Seed of the random form (with --random).")
    var seed: UInt64 = 42

    @Option(help: ArgumentHelp("Variable order of an EXPRESSION, comma-separated (default: natural order, x2 before x10).", valueName: "x,y,z"))
    var variables: String?

    /// Checks that exactly one form is given and that the random form's size and rank make sense.
    func validate() throws {
        let sources = [expression != nil, input != nil, quadratic != nil, random != nil].filter { $0 }.count
        if sources == 0 { throw ValidationError("give a form: an EXPRESSION, --input FILE, --quadratic FILE or --random N") }
        if sources > 1 { throw ValidationError("give exactly one form: an EXPRESSION, --input, --quadratic or --random, not several") }
        if rank != nil && random == nil { throw ValidationError("--rank goes with --random") }
        if let r = random, r < 0 { throw ValidationError("--random: the number of variables must be ≥ 0, got \(r)") }
        if let r = random, let k = rank, k < 0 || k > r { throw ValidationError("--rank must be between 0 and \(r), got \(k)") }
        if variables != nil && expression == nil { throw ValidationError("--variables goes with an EXPRESSION") }
    }

    /// Checks that the form can be read exactly (`--exact`): an EXPRESSION or `--input`.
    func validateExact() throws {
        if quadratic != nil || random != nil { throw ValidationError("--exact works with an EXPRESSION or --input (exact numbers), not --quadratic or --random") }
    }

    /// The names given with `--variables`, in order.
    var variableNames: [String]? {
        variables.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
    }

    /// Reads or generates the form. `linear` (a .npy vector) and `constant` complete a
    /// `--quadratic` matrix; `linearTerm` shapes a random form.
    func load(linear: String? = nil, constant: Double? = nil, linearTerm: RandomFormSpec.LinearTerm = .generic) throws -> QuadraticForm {
        if let expression { return try ExpressionParser.form(expression, variables: variableNames) }
        if let input { return try Formats.readForm(input) }
        if let quadratic { return try Npy.readForm(quadratic: quadratic, linear: linear, constant: constant ?? 0) }
        let n = random ?? 0
        return try RandomForm.make(RandomFormSpec(dimension: n, rank: rank ?? n / 2, seed: seed, linearTerm: linearTerm))
    }

    /// The form read exactly from the EXPRESSION or `--input` (after `validateExact()`).
    func loadExact() throws -> ExactForm {
        if let expression { return try ExactForm.parse(expression, variables: variableNames) }
        guard let input else { throw ValidationError("--exact needs an EXPRESSION or --input FILE") }
        return try ExactForm.readJSON(input)
    }
}
