// libFuzzer entry point for the readers of untrusted input (docs/bad-input.md). Compiled together with the
// QuadForm sources by fuzz/build.sh; exactly one of FUZZ_EXPRESSION, FUZZ_NPY, FUZZ_JSON is defined.
// Every input must end in a value or a typed error: a trap, a sanitizer report or a timeout is a bug.
import Foundation

/// Synthesizes and verifies small forms, so values the readers accept also pass through LAPACKE
/// and the network code without trapping.
private func exercise(_ form: QuadraticForm) {
    guard form.dimension <= 6 else { return }
    if let synthesis = try? Synthesis(form: form, options: SynthesisOptions(randomSamples: 4)) {
        _ = try? synthesis.verify()
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Data(bytes: data, count: size)
    #if FUZZ_EXPRESSION
    let text = String(decoding: bytes, as: UTF8.self)
    do {
        exercise(try ExpressionParser.form(text))
    } catch {
        _ = String(describing: error)
    }
    do {
        let exact = try ExpressionParser.polynomial(text, as: Rational.self)
        _ = exact.constant.doubleValue
    } catch {
        _ = String(describing: error)
    }
    #elseif FUZZ_NPY
    do {
        let array = try Npy.parse(bytes, path: "fuzz.npy")
        if array.shape.count == 2, array.shape[0] == array.shape[1] {
            try Npy.checkFinite(array, path: "fuzz.npy")
            let m = Matrix(rows: array.shape[0], columns: array.shape[1], entries: array.values)
            exercise(try QuadraticForm(constant: 0, linear: [Double](repeating: 1, count: m.rows), quadratic: m))
        }
    } catch {
        _ = String(describing: error)
    }
    #elseif FUZZ_JSON
    guard let text = String(data: bytes, encoding: .utf8) else { return 0 }
    do {
        let value = try JSONReader.parse(text, name: "fuzz.json")
        _ = JSONWriter.write(value)
        if let form = try? Formats.form(from: value, name: "fuzz.json") {
            exercise(form)
        }
        do {
            let net = try Formats.network(from: value, name: "fuzz.json")
            if net.widths.reduce(0, +) <= 64 {
                let x = [Double](repeating: 0.5, count: net.inputWidth)
                _ = try net.realization(x)
                _ = try net.realization(batch: Matrix(rows: 2, columns: net.inputWidth, repeating: 1))
                _ = Formats.networkJSON(net)
            }
        } catch {
            _ = String(describing: error)
        }
    } catch {
        _ = String(describing: error)
    }
    #endif
    return 0
}
