import Foundation
import QuadFormCore
import QuadFormReports
import QuadFormInterop

extension Extract {
    /// `extract` on a network with several outputs (design.md §9): the report of
    /// `MultiOutputExtractionReport`, and with `--save-networks` the shared residual network.
    func runSeveralOutputs(_ loaded: LoadedNetwork, options: SynthesisOptions) throws {
        let m = loaded.network.outputWidth
        stage("extract \(m) outputs, decompose, share a layer and verify\(exact ? " (exact)" : "")")
        let extraction: MultiOutputExtractionReport
        do {
            extraction = try MultiOutputExtractionReport(file: network, original: loaded, options: options, exact: exact)
        } catch let error as ExtractionError {
            throw NetworkFileError(path: network, message: error.description)
        }
        let data: Data
        switch report.format {
        case .text: data = Data(extraction.text.utf8)
        case .json: data = Data(JSONWriter.write(extraction.json).utf8)
        }
        var roundedFailures: [(name: String, check: NetworkCheck)] = []
        if let saveNetworks {
            stage("write \(saveNetworks)")
            let shared = try extraction.sharedLayer.sharedNetwork()
            if let exactShared = extraction.sharedLayer.exactShared {
                for i in 0..<m {
                    roundedFailures += try SavedNetworks.roundedChecks(of: [("residual output \(i + 1)", try exactShared.network.output(i))], form: exactShared.forms[i])
                }
            }
            try NetworkFile.write(networks: [("residual", shared)], to: saveNetworks,
                                  options: NetworkWriteOptions(float32: float32, variables: loaded.variables,
                                                               source: "quadform extract \(URL(fileURLWithPath: network).lastPathComponent): shared layer of \(m) outputs"))
        }
        try finish(report: data, status: extraction.status, saved: "the shared residual network (\(m) outputs)", roundedFailures: roundedFailures)
    }
}
