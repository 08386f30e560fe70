import Foundation
import Testing
@testable import QuadFormCore
import QuadFormTestSupport

@Suite("Verification above the full-expansion limit (random probes, O(n²) each)")
struct ProbeVerificationTests {
    @Test("n = 300: probes verify the synthesized networks and catch a corrupted weight")
    func probes() throws {
        let n = Verifier.fullExpansionLimit + 44
        let form = try randomForm(n: n, k: 120, seed: 4, linear: .generic, nonSymmetric: true)
        let s = try Synthesis(form: form, options: SynthesisOptions(driver: .dsyevd))
        #expect(s.rank == 120)
        #expect(s.plain.hiddenNeurons == 122)
        let report = try s.verify()
        #expect(report.passed, "\(report.residual) \(report.plain)")
        var layers = s.residual.layers
        layers[0].weights[7, 123] += 1e-6
        let broken = try ResNet(widths: s.residual.widths, activation: .square, layers: layers, skips: s.residual.skips)
        let check = try Verifier(synthesis: s).check(broken, name: "broken", points: Verifier.samplePoints(dimension: n, radius: 1, random: 4, seed: 2))
        #expect(!check.coefficientsPassed)
    }
}

/// Verification computes the network side once when the plain network is the residual one
/// without its (zero) skip; the reuse must never leak into a different network.
@Suite("Verification: shared network products are reused only for the same function")
struct VerificationReuseTests {
    static func fields(_ c: NetworkCheck) -> [Double] {
        [c.coefficientError, c.coefficientTolerance, c.sampleError, c.sampleRelativeError, c.sampleTolerance, c.worstRatio, c.amplification]
    }

    @Test("run() gives the plain network the same figures as a check of its own", arguments: [20, Verifier.fullExpansionLimit + 20])
    func sameAsStandalone(n: Int) throws {
        for linear in [RandomFormSpec.LinearTerm.zero, .inRange, .generic] {
            let form = try RandomForm.make(RandomFormSpec(dimension: n, rank: n / 2, seed: UInt64(n), linearTerm: linear))
            let s = try Synthesis(form: form, options: SynthesisOptions(driver: .dsyevd))
            // With a = 0 the plain network is the residual one without its (zero) skip: the products are shared.
            #expect((s.plain.layers == s.residual.layers) == (linear == .zero))
            let report = try s.verify()
            #expect(report.passed)
            let points = Verifier.samplePoints(dimension: n, radius: 1, random: s.options.randomSamples, seed: s.options.seed)
            let alone = try Verifier(synthesis: s).check(s.plain, name: "plain", points: points)
            #expect(Self.fields(alone) == Self.fields(report.plain), "n = \(n), \(linear)")
            #expect(alone.passed == report.plain.passed)
        }
    }

    @Test("networks that share the residual's weights but differ in skip, bias or activation are checked afresh and fail; other shapes are refused", arguments: [12, Verifier.fullExpansionLimit + 12])
    func differentSkipNotReused(n: Int) throws {
        let form = try RandomForm.make(RandomFormSpec(dimension: n, rank: n / 3, seed: 5, linearTerm: .inRange))
        let s = try Synthesis(form: form, options: SynthesisOptions(driver: .dsyevd))
        #expect(!s.hasLinearNullPart)
        var skipWeights = Matrix(rows: 1, columns: n)
        skipWeights[0, n / 2] = 1e-3
        let wrong = try ResNet(widths: s.residual.widths, activation: .square, layers: s.residual.layers,
                               skips: [ResNet.Skip(from: 0, to: 2, weights: skipWeights)])
        let verifier = Verifier(synthesis: s)
        let points = Verifier.samplePoints(dimension: n, radius: 1, random: 8, seed: 3)
        let reference = Verifier.Reference(synthesis: s, points: points)
        var cache = Verifier.ProductCache()
        let first = try verifier.check(s.residual, name: "residual", points: points, reference: reference, cache: &cache)
        #expect(first.passed)
        let second = try verifier.check(wrong, name: "wrong", points: points, reference: reference, cache: &cache)
        #expect(!second.coefficientsPassed && !second.samplesPassed)
        #expect(second.coefficientError >= 0.5e-3)
        // Networks that differ from the residual one only in a hidden bias, the output bias or the
        // activation are checked afresh after it, and fail.
        var hiddenBias = s.residual.layers
        hiddenBias[0].bias[0] += 1e-3
        var outputBias = s.residual.layers
        outputBias[1].bias[0] += 1e-3
        let variants = [
            try ResNet(widths: s.residual.widths, activation: .square, layers: hiddenBias, skips: s.residual.skips),
            try ResNet(widths: s.residual.widths, activation: .square, layers: outputBias, skips: s.residual.skips),
            try ResNet(widths: s.residual.widths, activation: .quadratic(alpha: 1, beta: 1e-3, gamma: 0), layers: s.residual.layers, skips: s.residual.skips),
            try ResNet(widths: s.plain.widths, activation: .square, layers: outputBias),
        ]
        for (index, variant) in variants.enumerated() {
            var primed = Verifier.ProductCache()
            _ = try verifier.check(s.residual, name: "residual", points: points, reference: reference, cache: &primed)
            let check = try verifier.check(variant, name: "variant", points: points, reference: reference, cache: &primed)
            #expect(!check.coefficientsPassed && !check.samplesPassed, "variant \(index), n = \(n)")
        }
        // A network of another shape is refused with an error, not served from the cache.
        var primed = Verifier.ProductCache()
        _ = try verifier.check(s.residual, name: "residual", points: points, reference: reference, cache: &primed)
        let deeper = try ResNet(widths: s.residual.widths + [1], activation: .square,
                                layers: s.residual.layers + [ResNet.Layer(weights: Matrix(rows: 1, columns: 1, entries: [1]), bias: [0])])
        #expect(throws: NetworkError.self) { try verifier.check(deeper, name: "deeper", points: points, reference: reference, cache: &primed) }
        let innerSkip = try ResNet(widths: s.residual.widths, activation: .square, layers: s.residual.layers,
                                   skips: [ResNet.Skip(from: 0, to: 1, weights: Matrix(rows: s.rank, columns: n))])
        #expect(throws: NetworkError.self) { try verifier.check(innerSkip, name: "inner skip", points: points, reference: reference, cache: &primed) }

        // and the other order: the wrong network first, then the right one.
        var fresh = Verifier.ProductCache()
        _ = try verifier.check(wrong, name: "wrong", points: points, reference: reference, cache: &fresh)
        #expect(try verifier.check(s.plain, name: "plain", points: points, reference: reference, cache: &fresh).passed)
    }
}
