import Foundation
@testable import QuadFormCore
@testable import QuadFormReports
import Testing

@Suite("Experiments: Taylor model of real activations")
struct TaylorExperimentTests {
    @Test("closed-form s' and s'' agree with finite differences of s", arguments: SmoothActivation.allCases)
    func derivatives(activation s: SmoothActivation) {
        for z in [-2.0, -0.7, 0, 0.5, 1.3, 3] {
            let (_, first, second) = s.derivatives(at: z)
            let h = 1e-4
            let d1 = (s(z + h) - s(z - h)) / (2 * h)
            let d2 = (s(z + h) - 2 * s(z) + s(z - h)) / (h * h)
            // Truncation h²·|s'''|/6 ≲ 1e-8; rounding ε·|s|/h² ≲ 1e-7 for |s| ≤ 3.
            #expect(abs(d1 - first) <= 1e-7, "\(s.rawValue)'(\(z))")
            #expect(abs(d2 - second) <= 1e-6, "\(s.rawValue)''(\(z))")
        }
    }

    @Test("the Taylor polynomial matches s to second order at z0")
    func taylorPolynomial() {
        for s in SmoothActivation.allCases {
            let z0 = 0.5
            let t = s.taylorPolynomial(at: z0)
            let (s0, s1, _) = s.derivatives(at: z0)
            #expect(abs(t(z0) - s0) <= 1e-14)
            #expect(abs((t(z0 + 1e-6) - t(z0 - 1e-6)) / 2e-6 - s1) <= 1e-8)
            // The remainder is cubic: halving h divides it by about 8.
            let r1 = abs(s(z0 + 0.02) - t(z0 + 0.02)), r2 = abs(s(z0 + 0.01) - t(z0 + 0.01))
            #expect(r1 / r2 > 7 && r1 / r2 < 9, "\(s.rawValue): remainder ratio \(r1 / r2)")
        }
    }

    @Test("default sweep: T-networks exact; single order δ, paired order δ², eq. (7) shift diverges")
    func defaultSweep() throws {
        let form = try ExpressionParser.form("x1^2 + 3*x1*x2 + x2^2 + x3 - 5")
        let result = try TaylorExperiment(form: form).run()
        #expect(result.measurements.count == 5 * 3 * TaylorOptions.defaultDeltas.count)
        #expect(result.measurements.allSatisfy { $0.taylorModelExact })
        for s in SmoothActivation.allCases {
            #expect(abs(result.slope(s, .single) - 1) < 0.2, "\(s.rawValue) single: \(result.slope(s, .single))")
            #expect(abs(result.slope(s, .paired) - 2) < 0.2, "\(s.rawValue) paired: \(result.slope(s, .paired))")
            #expect(result.slope(s, .vertexShift) < 0, "\(s.rawValue) eq7-shift: \(result.slope(s, .vertexShift))")
        }
        let k = result.experiment.synthesis.rank
        #expect(result.measurements.filter { $0.construction == .single }.allSatisfy { $0.neurons == k })
        #expect(result.measurements.filter { $0.construction == .paired }.allSatisfy { $0.neurons == 2 * result.experiment.synthesis.plain.widths[1] })
    }

    @Test("at z0 = 0 softplus, GELU and SiLU have s'''(0) = 0, so single neurons reach order δ²")
    func vanishingCubicTerm() throws {
        let form = try ExpressionParser.form("x1*x2 + x1")
        let options = TaylorOptions(activations: [.softplus, .gelu, .silu], center: 0)
        let result = try TaylorExperiment(form: form, options: options).run()
        for s in options.activations {
            #expect(abs(result.slope(s, .single) - 2) < 0.2, "\(s.rawValue): \(result.slope(s, .single))")
        }
    }

    @Test("s''(z0) = 0 is refused with a typed error", arguments: [SmoothActivation.tanh, .sigmoid])
    func flatCurvature(activation s: SmoothActivation) throws {
        let form = try ExpressionParser.form("x^2")
        #expect(throws: ExperimentError.self) { try TaylorExperiment(form: form, options: TaylorOptions(activations: [s], center: 0)) }
    }

    @Test("log-log slope of exact powers")
    func slopeOfPowers() {
        let x = [1.0, 0.5, 0.25, 0.125]
        #expect(abs(TaylorExperiment.logLogSlope(x, x.map { 3 * $0 * $0 }) - 2) < 1e-12)
        #expect(abs(TaylorExperiment.logLogSlope(x, x.map { 1 / $0 }) + 1) < 1e-12)
    }

    @Test("CSV and SVG outputs")
    func outputs() throws {
        let form = try ExpressionParser.form("x^2 + y")
        let options = TaylorOptions(activations: [.tanh], center: 1, deltas: [0.1, 0.01])
        let result = try TaylorExperiment(form: form, options: options).run()
        #expect(result.csv.split(separator: "\n").count == 1 + 3 * 2)
        #expect(result.svg.components(separatedBy: "<polyline").count - 1 == 2)  // single and paired are joined
        #expect(result.text.contains("tanh"))
    }
}

@Suite("Review: the Taylor δ sweep lives in the library")
struct TaylorSweepTests {
    @Test("geometricDeltas: endpoints, constant ratio, and typed errors for bad sweeps")
    func sweep() throws {
        let deltas = try TaylorOptions.geometricDeltas(largest: 0.25, smallest: 1.0 / 1024, count: 9)
        #expect(deltas.count == 9)
        #expect(deltas.first == 0.25 && deltas.last == 1.0 / 1024)
        for i in 1..<deltas.count { #expect(abs(deltas[i] / deltas[i - 1] - 0.5) < 1e-14) }
        #expect(throws: ExperimentError.self) { try TaylorOptions.geometricDeltas(largest: 1, smallest: 1, count: 3) }
        #expect(throws: ExperimentError.self) { try TaylorOptions.geometricDeltas(largest: 1, smallest: 0.1, count: 1) }
        #expect(throws: ExperimentError.self) { try TaylorOptions.geometricDeltas(largest: .infinity, smallest: 0.1, count: 3) }
    }
}
