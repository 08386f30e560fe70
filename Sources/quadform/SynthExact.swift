import ArgumentParser
import Foundation
import QuadForm

extension Synth {
    /// `synth --exact`: parse exactly, synthesize in rational arithmetic, print the exact report.
    func runExact() throws {
        let spec = try activation.map { try QuadraticActivationSpec(parsing: $0) }
        let report = try ExactSynthesisReport(synthesis: ExactSynthesis(form: form.loadExact()), activation: spec)
        let text: String
        switch format {
        case .text: text = report.text
        case .json: text = JSONWriter.write(report.json)
        case .dot: text = try Diagrams.dot(report.synthesis)
        case .svg: text = String(decoding: try Graphviz.render(Diagrams.dot(report.synthesis), format: "svg"), as: UTF8.self)
        }
        try emit(text, to: output)
        if let saveNetworks { try SavedNetworks.write(report, to: saveNetworks) }
        if !report.passed {
            throw CheckFailed(message: "exact verification failed: a network does not equal the form (see the report)")
        }
    }
}
