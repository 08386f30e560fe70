import ArgumentParser
import Foundation
import QuadForm

/// The words a command uses for its form options: the help texts and the messages for no form or
/// several forms, which differ slightly between commands.
protocol FormSourceWording {
    static var expressionHelp: String { get }
    static var randomHelp: String { get }
    /// How `--random` and `--rank` parse their value (`.unconditional` lets a negative number reach validation).
    static var numberParsing: SingleValueParsingStrategy { get }
    static var noFormMessage: String { get }
    static var severalFormsMessage: String { get }
}

/// The ways to give a floating-point form (design.md §6): an EXPRESSION, `--input FILE`,
/// `--quadratic A.npy`, or `--random N --rank K --seed S`, with their validation and loading.
struct FormSource<Wording: FormSourceWording>: ParsableArguments {
    @Argument(help: ArgumentHelp(Wording.expressionHelp))
    var expression: String?

    @Option(help: ArgumentHelp("Read the form from a JSON file (design.md §6 format).", valueName: "file"))
    var input: String?

    @Option(help: ArgumentHelp("Read the quadratic matrix M from a .npy file.", valueName: "file"))
    var quadratic: String?

    @Option(parsing: Wording.numberParsing, help: ArgumentHelp(Wording.randomHelp, valueName: "N"))
    var random: Int?

    @Option(parsing: Wording.numberParsing, help: ArgumentHelp("Rank of the random form's matrix (with --random; default N/2).", valueName: "K"))
    var rank: Int?

    @Option(help: "Seed of the random form (with --random).")
    var seed: UInt64 = 42

    /// Checks that exactly one form is given and that the random form's size and rank make sense.
    func validate() throws {
        let sources = [expression != nil, input != nil, quadratic != nil, random != nil].filter { $0 }.count
        if sources == 0 { throw ValidationError(Wording.noFormMessage) }
        if sources > 1 { throw ValidationError(Wording.severalFormsMessage) }
        if rank != nil && random == nil { throw ValidationError("--rank goes with --random") }
        if let r = random, r < 0 { throw ValidationError("--random: the number of variables must be ≥ 0, got \(r)") }
        if let r = random, let k = rank, k < 0 || k > r { throw ValidationError("--rank must be between 0 and \(r), got \(k)") }
    }

    /// Reads or generates the form. `variables` orders an EXPRESSION's variables; `linear` (a .npy
    /// vector) and `constant` complete a `--quadratic` matrix; `linearTerm` shapes a random form.
    func load(variables: [String]? = nil, linear: String? = nil, constant: Double? = nil,
              linearTerm: RandomFormSpec.LinearTerm = .generic) throws -> QuadraticForm {
        if let expression { return try ExpressionParser.form(expression, variables: variables) }
        if let input { return try Formats.readForm(input) }
        if let quadratic { return try Npy.readForm(quadratic: quadratic, linear: linear, constant: constant ?? 0) }
        let n = random ?? 0
        return try RandomForm.make(RandomFormSpec(dimension: n, rank: rank ?? n / 2, seed: seed, linearTerm: linearTerm))
    }
}

/// Help of the eigendecomposition options that `synth` and `spectrum` share.
enum EigenOptionHelp {
    static let rankTolerance = ArgumentHelp("Absolute eigenvalue tolerance for the rank (default max(n,1)·ε·max|λ|; with non-symmetric M, max(n,1)·ε·max(max|λ|, ‖(M−Mᵀ)/2‖_F)).", valueName: "t")
    static let driver = ArgumentHelp("LAPACKE driver: auto (the default: dsyev for n ≤ 200, dsyevd above), dsyev, dsyevd, dsyevr, or selected (dsytrd + dsterf + dstemr + dormtr: eigenvectors only for |λ| above the rank tolerance; faster for low rank).")
}
