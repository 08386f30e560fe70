import Foundation
import QuadFormCore
import QuadFormReports
import QuadFormInterop
import TerminalProgress

/// The progress line of this run (issue 24): drawn on standard error when it is a terminal and
/// `--quiet` is not given; nil otherwise. Run the work inside `ProgressLine.run(line) { … }` so
/// the library's stages (exact reduction rows, training starts) reach it too.
func progressLine(quiet: Bool) -> ProgressLine? {
    ProgressLine.standardError(program: "quadform", quiet: quiet)
}

/// Begins a stage of the current run's progress line, if any.
func stage(_ name: String, total: Int? = nil) {
    ProgressContext.begin(name, total: total)
}

/// Ends the progress line before something is written to the terminal it shares (the report on a
/// terminal standard output, or a `wrote` line).
func finishProgress() {
    (ProgressContext.reporter as? ProgressLine)?.finish()
}

/// The one convention for files a successful run wrote (`--output`, `--save-networks`, `--csv`,
/// `--svg`): a line `wrote FILE: what` for each — on standard output when the report went to a
/// file (standard output then holds only these lines, like `convert` and `eval --output`), on
/// standard error when the report itself is on standard output (so pipes such as `| jq` stay
/// clean). `--quiet` drops them.
func announceWritten(_ path: String, _ what: String, reportOnStandardOutput: Bool, quiet: Bool) throws {
    guard !quiet else { return }
    finishProgress()
    let line = "wrote \(path): \(what)\n"
    if reportOnStandardOutput { printDiagnostic(line) } else { try StandardOutput.write(line) }
}
