import Foundation
@testable import QuadFormCore
@testable import QuadFormReports
import Testing

@Suite("Experiments: training square networks")
struct TrainingExperimentTests {
    /// Random points in [−1, 1]ⁿ and targets of a form.
    static func data(_ form: QuadraticForm, count: Int, seed: UInt64) -> (Matrix, [Double]) {
        var rng = SplitMix64(seed: seed)
        let n = form.dimension
        let points = Matrix(rows: count, columns: n, entries: (0..<(count * n)).map { _ in 2 * rng.nextUnit() - 1 })
        return (points, (0..<count).map { form.evaluate(points.row($0)) })
    }

    @Test("closed-form gradient agrees with central finite differences", arguments: NetworkKind.allCases, [1, 3])
    func gradientMatchesFiniteDifferences(kind: NetworkKind, neurons: Int) throws {
        let form = try ExpressionParser.form("x1^2 - 2*x1*x2 + 0.5*x3^2 + x2 - 1")
        let (points, targets) = Self.data(form, count: 20, seed: 7)
        var rng = SplitMix64(seed: 99)
        let parameters = SquareNetworkParameters.random(kind: kind, inputs: 3, neurons: neurons, using: &rng)
        var perturbed = parameters
        // Nonzero B2 and V so that their derivatives are exercised away from the initial zeros.
        for i in (3 * neurons + 2 * neurons)..<parameters.values.count { perturbed.values[i] = 0.3 * (2 * rng.nextUnit() - 1) }
        let (loss, gradient) = perturbed.lossAndGradient(points: points, targets: targets)
        #expect(gradient.count == perturbed.values.count)
        let largest = gradient.reduce(0) { max($0, abs($1)) }
        for i in 0..<perturbed.values.count {
            let h = 1e-5 * max(1, abs(perturbed.values[i]))
            var plus = perturbed, minus = perturbed
            plus.values[i] += h
            minus.values[i] -= h
            let difference = (plus.lossAndGradient(points: points, targets: targets).loss
                - minus.lossAndGradient(points: points, targets: targets).loss) / (2 * h)
            // Central differences: truncation O(h²) and rounding O(ε·L/h), both far below 1e-6 of the scale.
            let tolerance = 1e-6 * (abs(gradient[i]) + largest + loss)
            #expect(abs(difference - gradient[i]) <= tolerance, "θ[\(i)]: closed form \(gradient[i]), finite difference \(difference)")
        }
    }

    @Test("the synthesized networks are zero-loss critical points of the training loss")
    func synthesizedNetworkIsCriticalPoint() throws {
        let form = try ExpressionParser.form("x1^2 + 3*x1*x2 + x2^2 + x3 - 5")
        let synthesis = try Synthesis(form: form)
        let (points, targets) = Self.data(form, count: 40, seed: 3)
        for (kind, net) in [(NetworkKind.residual, synthesis.residual), (.plain, synthesis.plain)] {
            let m = net.widths[1]
            var values = net.layers[0].weights.entries + net.layers[0].bias + net.layers[1].weights.entries + net.layers[1].bias
            if kind == .residual { values += net.skips[0].weights.entries }
            let parameters = try SquareNetworkParameters(kind: kind, inputs: 3, neurons: m, values: values)
            let rebuilt = try parameters.network
            #expect(rebuilt == net)
            let (loss, gradient) = parameters.lossAndGradient(points: points, targets: targets)
            let scale = targets.reduce(0) { max($0, abs($1)) }
            #expect(loss <= pow(1e3 * Double.ulpOfOne * scale, 2))
            #expect(gradient.allSatisfy { abs($0) <= 1e3 * Double.ulpOfOne * scale * scale })
        }
    }

    @Test("wrong parameter count is a typed error")
    func wrongCount() {
        #expect(throws: ExperimentError.self) { try SquareNetworkParameters(kind: .plain, inputs: 2, neurons: 1, values: [1, 2, 3]) }
    }

    @Test("quick run on x1^2 + x2: the picture of design.md §3")
    func quickRun() throws {
        let form = try ExpressionParser.form("x1^2 + x2")
        let experiment = try TrainingExperiment(form: form, options: .quick())
        #expect(experiment.architectures.map(\.label) == ["plain k", "plain k+1", "plain k+2", "residual k-1", "residual k"])
        #expect(experiment.architectures.map(\.neurons) == [1, 2, 3, 0, 1])
        let result = try experiment.run()
        #expect(result.runs.count == 5 * TrainingOptions.quick().starts)
        let tolerance = experiment.options.tolerance * result.scale
        for summary in result.summaries {
            let runs = result.runs.filter { $0.architecture == summary.architecture }
            if !summary.architecture.exactExists {
                // T1/T2: no network of this width computes f, so no start may be judged exact, and
                // the loss stays above what an exact network leaves.
                #expect(summary.exactFraction == 0, "\(summary.architecture.label)")
                #expect(summary.minimumLoss > tolerance * tolerance, "\(summary.architecture.label)")
                #expect(runs.allSatisfy { $0.relativeCoefficientError > experiment.options.tolerance })
            } else {
                #expect(summary.exactFraction > 0, "\(summary.architecture.label): no start reached the exact network")
            }
            for run in runs where run.reachedExact {
                // Exact on held-out points must mean the expanded coefficients match as well.
                #expect(run.relativeCoefficientError <= 1e3 * experiment.options.tolerance)
                #expect(run.network.hiddenNeurons == summary.architecture.neurons)
                #expect(run.network.isPlain == (summary.architecture.kind == .plain))
            }
        }
    }

    @Test("CSV has one row per run and the SVG one marker per run")
    func outputs() throws {
        let form = try ExpressionParser.form("x*y")
        var options = TrainingOptions.quick()
        options.starts = 3
        options.steps = 50
        let result = try TrainingExperiment(form: form, options: options).run()
        let lines = result.csv.split(separator: "\n")
        #expect(lines.count == 1 + result.runs.count)
        #expect(lines.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 11 })
        let svg = result.svg
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        let legend = result.experiment.architectures.count
        #expect(svg.components(separatedBy: "<circle").count - 1 == result.runs.count + legend)
    }

    @Test("invalid options are typed errors")
    func invalidOptions() throws {
        let form = try ExpressionParser.form("x^2")
        var options = TrainingOptions()
        options.starts = 0
        #expect(throws: ExperimentError.self) { try TrainingExperiment(form: form, options: options) }
        let constant = try ExpressionParser.form("3")
        #expect(throws: ExperimentError.self) { try TrainingExperiment(form: constant) }
    }
}
