import Foundation
import Testing
@testable import QuadFormCore
import QuadFormTestSupport

/// `quadform eval` and the evaluation helpers: the lecture notes' two reference networks
/// (design.md §1) through the library and through the built executable.
@Suite("Eval")
struct EvalTests {

    @Test("Example 1.5.6 file matches the notes' parameters and gives 28 at x = 5")
    func example156Library() throws {
        let net = try Formats.readNetwork(ExampleFiles.example156)
        #expect(net.widths == [1, 1, 2, 2, 1])
        #expect(net.activation == .relu)
        #expect(net.skips.map { [$0.from, $0.to] } == [[0, 4]])
        #expect(try net.realization([5]) == [28])
        // The intermediate values of the notes' proof, (1.153)–(1.156).
        let steps = try NetworkEvaluation.trace(net, at: [5])
        #expect(steps.map(\.output) == [[5], [5, 11], [5, 11], [28]])
        #expect(steps[3].skipSources == [0])
    }

    @Test("Exercise 1.5.1 gives −7 at x = −1, so the claimed value 0 is false")
    func exercise151Library() throws {
        let net = try Formats.readNetwork(ExampleFiles.exercise151)
        #expect(net.widths == [1, 2, 3, 1])
        #expect(Set(net.skips.map { [$0.from, $0.to] }) == [[0, 3], [1, 3]])
        let steps = try NetworkEvaluation.trace(net, at: [-1])
        // x1 = relu((2, 2)), z2 = (2, −2, 2), x2 = (2, 0, 2), x3 = −2 − 2 − 4 + (−1) + (6 − 4).
        #expect(steps[0].output == [2, 2])
        #expect(steps[1].preActivation == [2, -2, 2])
        #expect(steps[1].output == [2, 0, 2])
        #expect(steps[2].output == [-7])
        #expect(try net.realization([-1]) != [0])
    }

    @Test("Pre-activations reproduce the outputs: x_k = σ(z_k) on hidden layers, z_L on the last")
    func traceConsistency() throws {
        let net = try ResNet(widths: [2, 3, 2, 1], activation: .quadratic(alpha: 2, beta: -1, gamma: 0.5),
                             layers: [.init(weights: Matrix(rowArrays: [[1, -2], [0.5, 3], [-1, 1]]), bias: [0.25, -1, 2]),
                                      .init(weights: Matrix(rowArrays: [[1, 0, -1], [2, 1, 0.5]]), bias: [0, 1]),
                                      .init(weights: Matrix(rowArrays: [[1, -3]]), bias: [4])],
                             skips: [.init(from: 0, to: 2, weights: Matrix(rowArrays: [[1, 1], [0, -2]])),
                                     .init(from: 0, to: 3, weights: Matrix(rowArrays: [[0.5, -0.5]]))])
        let x = [0.3, -1.7]
        let steps = try NetworkEvaluation.trace(net, at: x)
        for step in steps.dropLast() {
            #expect(step.output == step.preActivation.map { net.activation($0) })
        }
        #expect(steps.last!.output == steps.last!.preActivation)
        #expect(steps.last!.output == (try net.realization(x)))
        // By hand: layer 1, then layer 2 with the skip from x_0, then the output with its skip.
        let s = { (z: Double) in 2 * z * z - z + 0.5 }
        let x1 = [s(0.3 + 3.4 + 0.25), s(0.15 - 5.1 - 1), s(-0.3 - 1.7 + 2)]
        let x2 = [s(x1[0] - x1[2] + (0.3 - 1.7)), s(2 * x1[0] + x1[1] + 0.5 * x1[2] + 1 + 3.4)]
        let y = x2[0] - 3 * x2[1] + 4 + 0.5 * 0.3 + 0.5 * 1.7
        #expect(abs(steps.last!.output[0] - y) <= 1e-12 * max(1, abs(y)))
    }

    @Test("Numbers print exactly: integers bare, others round-trip")
    func numberFormat() {
        #expect(NetworkEvaluation.format(28) == "28")
        #expect(NetworkEvaluation.format(-0.0) == "0")
        #expect(NetworkEvaluation.format(0.1 + 0.2) == "0.30000000000000004")
        #expect(Double(NetworkEvaluation.format(1.0 / 3)) == 1.0 / 3)
    }

    // MARK: The built executable

}
