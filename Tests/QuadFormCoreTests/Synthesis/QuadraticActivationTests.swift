import Foundation
import Testing
@testable import QuadFormCore

@Suite("Review: coefficient tolerances of s-networks")
struct ActivationToleranceTests {
    /// For s(z) = 1e-10·z² + z + 1 each neuron's linear coefficient is w(2αb + β) with 2αb ≈ −β:
    /// the terms cancel, so their rounding is set by |w|(2|α||b| + |β|), not by the tiny result.
    /// The samples passed while the coefficient check failed on rounding of 1e-6 against a
    /// tolerance computed from the cancelled value.
    @Test("s(z) = 1e-10·z² + z + 1: both s-networks verify; so does a large β")
    func cancellingLinearCoefficient() throws {
        let synthesis = try Synthesis(form: ExpressionParser.form("x^2 + y"))
        for spec in ["quadratic:1e-10,1,1", "quadratic:1,1e6,0"] {
            let networks = try QuadraticActivationNetworks(synthesis: synthesis, spec: QuadraticActivationSpec(parsing: spec))
            #expect(networks.residualCheck.coefficientsPassed, "\(spec)")
            #expect(networks.plainCheck.coefficientsPassed, "\(spec)")
            #expect(networks.passed, "\(spec)")
        }
    }

    /// A real error in the linear coefficient is still caught: shift one s-neuron's bias by 1e-6.
    @Test("A perturbed s-network bias still fails the coefficient check")
    func perturbedStillFails() throws {
        let synthesis = try Synthesis(form: ExpressionParser.form("x^2 + y"))
        let spec = try QuadraticActivationSpec(parsing: "quadratic:1e-10,1,1")
        let net = try QuadraticActivationRewrite.rewrite(synthesis.residual, to: spec)
        var bias = net.layers[0].bias
        bias[0] += 1e-3
        let bad = try ResNet(widths: net.widths, activation: net.activation,
                             layers: [ResNet.Layer(weights: net.layers[0].weights, bias: bias), net.layers[1]], skips: net.skips)
        let check = try Verifier(synthesis: synthesis).check(bad, name: "residual", points: Verifier.samplePoints(dimension: 2, radius: 1, random: 8, seed: 1))
        #expect(!check.passed)
    }
}
