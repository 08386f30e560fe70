import Foundation
@testable import QuadFormCore
@testable import QuadFormReports
import Testing

@Suite("Experiments: the public API")
struct ExperimentAPITests {
    @Test("the docs/experiments.md snippet runs and gives what it says")
    func docsSnippet() throws {
        let form = try ExpressionParser.form("x1^2 + x2")
        let training = try TrainingExperiment(form: form, options: .quick()).run()
        #expect(training.text.contains("plain") && training.text.contains("residual"))
        #expect(training.summaries.count == 5)
        let taylor = try TaylorExperiment(form: form).run()
        #expect(abs(taylor.slope(.tanh, .paired) - 2) < 0.2)
        for activation in SmoothActivation.allCases { #expect(taylor.text.contains(activation.rawValue)) }
    }
}
