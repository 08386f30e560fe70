import Foundation

/// The markdown notebooks of `notebooks/`: fenced ```sh blocks of commands, each followed by a
/// fenced ```output block with what the commands print (stdout and stderr together). The format and
/// the comparison rules are stated for readers in notebooks/README.md.
struct Notebook {
    /// One command block with its expected output.
    struct Cell {
        /// 1-based line of the ```sh fence.
        let line: Int
        /// The shell text, run with `/bin/sh -c`.
        let command: String
        /// The expected output lines.
        let expected: [String]
        /// The expected exit status (`output exit=N`, default 0).
        let exitStatus: Int32
        /// Relative tolerance for numbers (`output tolerance=r`, default `Notebook.relativeTolerance`).
        let relativeTolerance: Double
        /// Absolute tolerance for numbers (`output absolute=a`, default `Notebook.absoluteTolerance`):
        /// the rounding-noise floor of the values the block prints.
        let absoluteTolerance: Double
    }

    /// Numbers a and b agree when |a − b| ≤ relativeTolerance·max(|a|, |b|) + absoluteTolerance.
    /// The reports print six significant digits, so the last printed digit may flip: 1e-5 allows that.
    static let relativeTolerance = 1e-5
    /// Values at the level of rounding noise (below 1e-12) all agree. A block whose numbers carry
    /// a larger noise floor states it with `output absolute=a`.
    static let absoluteTolerance = 1e-12
    /// A line of expected output that is exactly this matches any number of lines (also none);
    /// inside a line it matches any text.
    static let wildcard = "[...]"

    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    let path: String
    let cells: [Cell]

    /// Reads the cells of a markdown file; a ```sh block without an ```output block right after it
    /// (only blank lines between) is an error, so no command goes unchecked.
    init(path: String) throws {
        self.path = path
        let lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        struct Fence { let line: Int; let info: String; let body: [String]; let end: Int }
        var fences: [Fence] = []
        var i = 0
        while i < lines.count {
            let trimmed = lines[i].trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                let info = String(trimmed.dropFirst(3)).trimmingCharacters(in: .whitespaces)
                var body: [String] = []
                var j = i + 1
                while j < lines.count, lines[j].trimmingCharacters(in: .whitespaces) != "```" {
                    body.append(lines[j])
                    j += 1
                }
                guard j < lines.count else { throw ParseError(description: "\(path):\(i + 1): unclosed fence") }
                fences.append(Fence(line: i + 1, info: info, body: body, end: j + 1))
                i = j + 1
            } else {
                i += 1
            }
        }
        var cells: [Cell] = []
        var index = 0
        while index < fences.count {
            let fence = fences[index]
            let words = fence.info.split(separator: " ").map(String.init)
            guard words.first == "sh" else {
                if words.first == "output" { throw ParseError(description: "\(path):\(fence.line): an output block without a sh block before it") }
                index += 1
                continue
            }
            guard index + 1 < fences.count, fences[index + 1].info.split(separator: " ").first == "output" else {
                throw ParseError(description: "\(path):\(fence.line): a sh block must be followed by an ```output block")
            }
            let output = fences[index + 1]
            let between = lines[fence.end..<(output.line - 1)]
            guard between.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
                throw ParseError(description: "\(path):\(output.line): only blank lines may separate a sh block from its output block")
            }
            var exit: Int32 = 0
            var tolerance = Self.relativeTolerance
            var absolute = Self.absoluteTolerance
            for option in output.info.split(separator: " ").dropFirst() {
                let pair = option.split(separator: "=", maxSplits: 1).map(String.init)
                switch (pair.first, pair.count == 2 ? pair[1] : nil) {
                case ("exit", let value?): guard let v = Int32(value) else { throw ParseError(description: "\(path):\(output.line): bad exit=\(value)") }; exit = v
                case ("tolerance", let value?): guard let v = Double(value), v >= 0 else { throw ParseError(description: "\(path):\(output.line): bad tolerance=\(value)") }; tolerance = v
                case ("absolute", let value?): guard let v = Double(value), v >= 0 else { throw ParseError(description: "\(path):\(output.line): bad absolute=\(value)") }; absolute = v
                default: throw ParseError(description: "\(path):\(output.line): unknown output option '\(option)' (exit=N, tolerance=r, absolute=a)")
                }
            }
            cells.append(Cell(line: fence.line, command: fence.body.joined(separator: "\n"), expected: output.body,
                              exitStatus: exit, relativeTolerance: tolerance, absoluteTolerance: absolute))
            index += 2
        }
        self.cells = cells
    }

    // MARK: Comparison

    /// A line split into text and numbers.
    enum Token: Equatable {
        case text(String)
        case number(Double, String)
    }

    /// Splits a line into maximal runs of text and numbers (`-1.5e-09`, `28`, `.5`).
    static func tokens(_ line: String) -> [Token] {
        let chars = Array(line.unicodeScalars)
        var tokens: [Token] = []
        var text = ""
        var i = 0
        func isDigit(_ k: Int) -> Bool { k < chars.count && chars[k].properties.numericType != nil && chars[k].isASCII }
        while i < chars.count {
            var j = i
            if chars[j] == "-" || chars[j] == "+" { j += 1 }
            let mantissaStart = j
            while isDigit(j) { j += 1 }
            if j < chars.count, chars[j] == "." { j += 1; while isDigit(j) { j += 1 } }
            let mantissa = String(String.UnicodeScalarView(chars[mantissaStart..<j]))
            if mantissa.contains(where: { $0.isNumber }) {
                if j < chars.count, chars[j] == "e" || chars[j] == "E" {
                    var k = j + 1
                    if k < chars.count, chars[k] == "-" || chars[k] == "+" { k += 1 }
                    if isDigit(k) { while isDigit(k) { k += 1 }; j = k }
                }
                let literal = String(String.UnicodeScalarView(chars[i..<j]))
                if let value = Double(literal) {
                    if !text.isEmpty { tokens.append(.text(text)); text = "" }
                    tokens.append(.number(value, literal))
                    i = j
                    continue
                }
            }
            text.unicodeScalars.append(chars[i])
            i += 1
        }
        if !text.isEmpty { tokens.append(.text(text)) }
        return tokens
    }

    /// Whether two numbers agree within the tolerances.
    static func agree(_ a: Double, _ b: Double, relative: Double, absolute: Double = absoluteTolerance) -> Bool {
        abs(a - b) <= relative * max(abs(a), abs(b)) + absolute
    }

    /// The text with each run of blanks shortened to one: a table's padding follows the printed
    /// width of the number before it (`0.00022      0/4`, `0.000219     0/4`), so only whether
    /// there is a blank is compared, not how many.
    static func collapsingBlanks(_ text: String) -> String {
        var out = ""
        for c in text where !(c == " " && out.last == " ") { out.append(c) }
        return out
    }

    /// Whether `actual` matches the `expected` line: equal text, numbers within tolerance, and
    /// `[...]` standing for any text; runs of blanks compare equal to runs of blanks.
    static func lineMatches(_ expected: String, _ actual: String, relative: Double, absolute: Double = absoluteTolerance) -> Bool {
        if expected.contains(wildcard) {
            let pieces = expected.components(separatedBy: wildcard)
            // Each piece must match, in order; between pieces anything goes.
            return matchPieces(pieces[...], actual[...], relative: relative, absolute: absolute, anchoredStart: true)
        }
        let e = tokens(expected), a = tokens(actual)
        guard e.count == a.count else { return false }
        for (x, y) in zip(e, a) {
            switch (x, y) {
            case let (.text(s), .text(t)): if collapsingBlanks(s) != collapsingBlanks(t) { return false }
            case let (.number(u, _), .number(v, _)): if !agree(u, v, relative: relative, absolute: absolute) { return false }
            default: return false
            }
        }
        return true
    }

    static func matchPieces(_ pieces: ArraySlice<String>, _ actual: Substring, relative: Double, absolute: Double, anchoredStart: Bool) -> Bool {
        guard let piece = pieces.first else { return true }
        let rest = pieces.dropFirst()
        if rest.isEmpty {
            // The last piece must match a suffix of what is left (the whole of it when anchored).
            if anchoredStart { return lineMatches(piece, String(actual), relative: relative, absolute: absolute) }
            if piece.isEmpty { return true }
            var start = actual.startIndex
            while true {
                if lineMatches(piece, String(actual[start...]), relative: relative, absolute: absolute) { return true }
                if start == actual.endIndex { return false }
                start = actual.index(after: start)
            }
        }
        // Try every split of `actual` into a prefix matching `piece` and the remainder.
        var starts = [actual.startIndex]
        if !anchoredStart { starts = Array(actual.indices) + [actual.endIndex] }
        for start in starts {
            var end = start
            while true {
                if lineMatches(piece, String(actual[start..<end]), relative: relative, absolute: absolute),
                   matchPieces(rest, actual[end...], relative: relative, absolute: absolute, anchoredStart: false) { return true }
                if end == actual.endIndex { break }
                end = actual.index(after: end)
            }
        }
        return false
    }

    /// Whether the `actual` lines match the `expected` lines (trailing blanks ignored; a line that
    /// is only `[...]` matches any number of lines).
    static func outputMatches(_ expected: [String], _ actual: [String], relative: Double, absolute: Double = absoluteTolerance) -> Bool {
        func clean(_ lines: [String]) -> [String] {
            var out = lines.map { line -> String in
                var s = line
                while let last = s.last, last == " " || last == "\t" || last == "\r" { s.removeLast() }
                return s
            }
            while out.last?.isEmpty == true { out.removeLast() }
            return out
        }
        let e = clean(expected), a = clean(actual)
        func match(_ i: Int, _ j: Int) -> Bool {
            if i == e.count { return j == a.count }
            if e[i].trimmingCharacters(in: .whitespaces) == wildcard {
                for k in j...a.count where match(i + 1, k) { return true }
                return false
            }
            guard j < a.count, lineMatches(e[i], a[j], relative: relative, absolute: absolute) else { return false }
            return match(i + 1, j + 1)
        }
        return match(0, 0)
    }
}
