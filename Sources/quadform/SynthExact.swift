import ArgumentParser
import Foundation
import QuadForm

extension Synth {
    /// `synth --exact`: parse exactly, synthesize in rational arithmetic, print the exact report.
    func runExact() throws {
        let report: ExactSynthesisReport
        do {
            let form = try loadExactForm()
            let spec = try activation.map { try QuadraticActivationSpec(parsing: $0) }
            report = try ExactSynthesisReport(synthesis: ExactSynthesis(form: form), activation: spec)
        } catch {
            printError(describe(error))
            throw ExitCode(2)
        }
        let text: String
        do {
            switch format {
            case .text: text = report.text
            case .json: text = JSONWriter.write(report.json)
            case .dot: text = try Diagrams.dot(report.synthesis)
            case .svg: text = String(decoding: try Graphviz.render(Diagrams.dot(report.synthesis), format: "svg"), as: UTF8.self)
            }
        } catch {
            printError(describe(error))
            throw ExitCode(2)
        }
        try quadform.emit(text, to: output)
        if let saveNetworks {
            do { try SavedNetworks.write(report, to: saveNetworks) } catch {
                printError(describe(error))
                throw ExitCode(2)
            }
        }
        if !report.passed {
            printError("exact verification failed: a network does not equal the form (see the report)")
            throw ExitCode(1)
        }
    }

    /// The form read exactly from the EXPRESSION or `--input`.
    func loadExactForm() throws -> ExactForm {
        if let expression = form.expression { return try ExactForm.parse(expression, variables: variableNames) }
        guard let input = form.input else { throw ValidationError("--exact needs an EXPRESSION or --input FILE") }
        return try ExactForm.readJSON(input)
    }
}
