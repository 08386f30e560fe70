import ArgumentParser
import Foundation
import QuadFormCore
import QuadFormReports
import QuadFormInterop

extension Synth {
    /// `synth --exact`: parse exactly, synthesize in rational arithmetic, print the exact report.
    func runExact() throws {
        var clock = PhaseClock()
        let spec = try activation.map { try QuadraticActivationSpec(parsing: $0) }
        stage("read")
        let exactForm = try form.loadExact()
        clock.mark("read")
        // The reduction reports its rows itself (ProgressContext).
        stage("synthesize (exact, n = \(exactForm.dimension))")
        let synthesis = try ExactSynthesis(form: exactForm)
        clock.mark("synthesize (fraction-free, GMP)")
        stage("verify (exact, on integers)")
        let report = try ExactSynthesisReport(synthesis: synthesis, activation: spec)
        clock.mark("verify (exact, on integers)", excluding: report.modularSeconds)
        clock.mark("modular rank (1 prime)", seconds: report.modularSeconds)
        let text: String
        switch format {
        case .text: text = report.text
        case .json: text = JSONWriter.write(report.json)
        case .dot: text = try Diagrams.dot(report.synthesis)
        case .svg: text = String(decoding: try Graphviz.render(Diagrams.dot(report.synthesis), format: "svg"), as: UTF8.self)
        }
        clock.mark("report (\(format.rawValue))")
        if output == nil { finishProgress() } else { stage("write \(output!)") }
        try emit(text, to: output)
        clock.mark("write report")
        var roundedFailures: [(name: String, check: NetworkCheck)] = []
        let status = report.passed ? "PASSED (exact)" : "FAILED"
        if let output { try announceWritten(output, reportDescription(status), reportOnStandardOutput: false, quiet: quiet) }
        if let saveNetworks {
            stage("write \(saveNetworks)")
            try SavedNetworks.write(report, to: saveNetworks)
            if !SavedNetworks.isJSON(saveNetworks) {
                roundedFailures = try SavedNetworks.roundedChecks(of: SavedNetworks.networks(of: report), form: report.synthesis.form)
            }
            clock.mark("write \(saveNetworks)")
            try announceWritten(saveNetworks, "the residual and plain networks (exact)", reportOnStandardOutput: output == nil, quiet: quiet)
        }
        finishProgress()
        if timings { printDiagnostic(clock.summary) }
        if !report.passed {
            throw CheckFailed(message: "exact verification failed: a network does not equal the form (see the report)")
        }
        if let saveNetworks, !roundedFailures.isEmpty {
            throw CheckFailed(message: SavedNetworks.roundedCheckMessage(roundedFailures, path: saveNetworks))
        }
    }
}
