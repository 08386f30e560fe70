import ArgumentParser
import Foundation
import QuadFormCore
import QuadFormReports
import QuadFormInterop

/// The eigendecomposition options of `synth`, `spectrum` and `prove` (design.md §3): the LAPACKE
/// driver and the rank tolerance.
struct EigenOptions: ParsableArguments {
    @Option(name: .customLong("rank-tolerance"), parsing: .unconditional,
            help: ArgumentHelp("Absolute eigenvalue tolerance for the rank (default \(RankTolerance.defaultRuleHelp)); the report then says \"(given)\".", valueName: "t"))
    var rankTolerance: Double?

    @Option(help: ArgumentHelp("LAPACKE driver: auto (the default: dsyev for n ≤ 200, dsyevd above), dsyev, dsyevd, dsyevr, or selected (dsytrd + dsterf + dstemr + dormtr: eigenvectors only for |λ| above the rank tolerance; faster for low rank)."))
    var driver: EigenDriver = .auto

    @Option(parsing: .unconditional,
            help: ArgumentHelp("The accuracy τ a verified network must reach, relative to f's scale (default \(Verifier.defaultAccuracy) for float64 input, \(Verifier.defaultFloat32Accuracy) for float32; design.md §5).", valueName: "τ"))
    var accuracy: Double?

    func validate() throws {
        if let t = rankTolerance, !(t >= 0 && t.isFinite) { throw ValidationError("--rank-tolerance must be a finite number ≥ 0, got \(t)") }
        try EigenOptions.validate(accuracy: accuracy)
    }

    /// Checks a `--accuracy` value: a finite number in (0, 1].
    static func validate(accuracy: Double?) throws {
        if let t = accuracy, !(t > 0 && t <= 1) { throw ValidationError("--accuracy must be a number in (0, 1], got \(t)") }
    }

    /// Checks that no tolerance is given where the rank is computed exactly (`--exact`).
    func validateExact() throws {
        if rankTolerance != nil { throw ValidationError("--exact computes the rank exactly; --rank-tolerance does not apply") }
    }

    /// The synthesis options with these eigen options.
    func synthesisOptions(boxRadius: Double = 1, randomSamples: Int = 32) -> SynthesisOptions {
        SynthesisOptions(rankTolerance: rankTolerance, driver: driver, boxRadius: boxRadius, randomSamples: randomSamples, accuracy: accuracy)
    }
}

extension EigenDriver: ExpressibleByArgument {}
