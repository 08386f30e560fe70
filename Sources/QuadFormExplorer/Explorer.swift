import QuadFormCore
import QuadFormReports
import QuadFormInterop
import Foundation

/// An answer of the explorer's API: HTTP status, content type and body.
public struct ExplorerResponse: Sendable {
    /// The HTTP status code.
    public let status: Int
    /// The Content-Type header.
    public let contentType: String
    /// The body.
    public let body: Data

    /// An answer with this status, content type and body.
    public init(status: Int, contentType: String, body: Data) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// A JSON answer.
    public static func json(_ value: JSONValue, status: Int = 200) -> ExplorerResponse {
        ExplorerResponse(status: status, contentType: "application/json; charset=utf-8", body: Data(JSONWriter.write(value).utf8))
    }

    /// The JSON error answer `{"error", "column", "length"}` with the error's status.
    public static func error(_ error: ExplorerError) -> ExplorerResponse { json(error.json, status: error.status) }
}

/// The mathematics behind `quadform serve` (docs/serve.md): each API route turns a request into
/// the library's own reports, so the page shows exactly what the command line prints.
/// - `POST /api/synth`: `synth --format json`'s report (`SynthesisReport.json`, design.md §2–§3, or
///   `ExactSynthesisReport.json` with `"exact": true`, design.md §4);
/// - `POST /api/figures`: both networks as Graphviz SVG (`Diagrams`) and the spectrum plot (§5);
/// - `POST /api/eval`: f, the residual and the plain network at a point (design.md §1 realization);
/// - `POST /api/prove`: `prove`'s argument (`NeuronCountProof`, design.md §3);
/// - `POST /api/onnx`: a `"network"` (design.md §6 JSON) as an ONNX model (`quadform convert`'s bytes);
/// - `GET /api/spectrum.svg?expression=…`: the spectrum plot alone.
/// Inputs are bounded (the limits below) so that every request finishes in well under a second.
public enum Explorer {
    /// Largest request body accepted (bytes); a larger one is answered 413.
    public static let maximumBodyBytes = 65_536
    /// Longest expression accepted (characters).
    public static let maximumExpressionLength = 4_000
    /// Most variables of a floating-point form.
    public static let maximumVariables = 40
    /// Most variables of a form in exact mode (rational arithmetic grows with n).
    public static let maximumExactVariables = 12
    /// Most variables of a form whose networks are drawn (Graphviz time grows with the edges).
    public static let maximumDrawnVariables = 20
    /// Most neurons of a network given to `/api/eval` or `/api/figures`.
    public static let maximumNetworkNeurons = 400

    /// The synthesis options of `quadform synth` with no option given: the library's defaults,
    /// which the command line's option defaults repeat (tested: the API's report equals the CLI's).
    public static let options = SynthesisOptions()

    // MARK: Routing

    /// The answer to `method path?query` with `body`: the routes of the type's description; any
    /// error becomes a JSON error answer (400, 404, 405, 413).
    public static func respond(method: String, path: String, query: [String: String] = [:], body: Data = Data()) -> ExplorerResponse {
        do {
            if body.count > maximumBodyBytes {
                throw ExplorerError(status: 413, "the body has \(body.count) bytes; the explorer takes at most \(maximumBodyBytes)")
            }
            if path == "/api/onnx" {
                guard method == "POST" else { throw ExplorerError(status: 405, "\(path) takes POST with a JSON body") }
                guard let text = String(data: body, encoding: .utf8) else { throw ExplorerError("the body is not UTF-8 text") }
                return try onnx(ExplorerRequest(json: text))
            }
            let routes = ["/api/synth", "/api/figures", "/api/eval", "/api/prove"]
            if routes.contains(path) {
                guard method == "POST" else { throw ExplorerError(status: 405, "\(path) takes POST with a JSON body") }
                guard let text = String(data: body, encoding: .utf8) else { throw ExplorerError("the body is not UTF-8 text") }
                let request = try ExplorerRequest(json: text)
                switch path {
                case "/api/synth": return .json(try synth(request))
                case "/api/figures": return .json(try figures(request))
                case "/api/eval": return .json(try evaluate(request))
                default: return .json(try proof(request))
                }
            }
            if path == "/api/spectrum.svg" {
                guard method == "GET" || method == "HEAD" else { throw ExplorerError(status: 405, "\(path) takes GET") }
                let unknown = query.keys.filter { !["expression", "exact"].contains($0) }.sorted()
                if let key = unknown.first { throw ExplorerError("unknown query parameter '\(key)': \(path) takes 'expression'") }
                guard let expression = query["expression"] else { throw ExplorerError("give the form: \(path)?expression=x%5E2%2By") }
                if expression.count > maximumExpressionLength {
                    throw ExplorerError("the expression has \(expression.count) characters; the explorer takes at most \(maximumExpressionLength)")
                }
                let svg = spectrumSVG(try synthesis(floatingForm(.expression(expression))))
                return ExplorerResponse(status: 200, contentType: "image/svg+xml; charset=utf-8", body: Data(svg.utf8))
            }
            throw ExplorerError(status: 404, "no such route: \(path) (the API has POST \(routes.joined(separator: ", ")) and GET /api/spectrum.svg)")
        } catch {
            return .error(ExplorerError(error))
        }
    }

    /// Whether `body` asks for exact mode (`"exact": true`), which `quadform serve` runs in a
    /// child process it can stop; false for anything that does not parse (answered 400 anyway).
    public static func wantsExact(_ body: Data) -> Bool {
        guard body.count <= maximumBodyBytes, let text = String(data: body, encoding: .utf8),
              let request = try? ExplorerRequest(json: text) else { return false }
        return request.exact
    }

    // MARK: Forms

    /// The floating-point form of a request's source (an expression or design.md §6 form JSON),
    /// refused past `maximumVariables`.
    public static func floatingForm(_ source: ExplorerRequest.Source) throws -> QuadraticForm {
        let form: QuadraticForm
        switch source {
        case .expression(let text): form = try ExpressionParser.form(text)
        case .form(let value): form = try Formats.form(from: value, name: "form")
        case .network: throw ExplorerError("this route takes a quadratic ('expression' or 'form'), not a 'network'")
        }
        guard form.dimension <= maximumVariables else {
            throw ExplorerError("the form has \(form.dimension) variables; the explorer takes at most \(maximumVariables) (use `quadform synth` for larger forms)")
        }
        return form
    }

    /// The exact form of a request's source, refused past `maximumExactVariables`.
    public static func exactForm(_ source: ExplorerRequest.Source) throws -> ExactForm {
        let form: ExactForm
        switch source {
        case .expression(let text): form = try ExactForm.parse(text)
        case .form(let value): form = try ExactForm.from(json: value, name: "form")
        case .network: throw ExplorerError("this route takes a quadratic ('expression' or 'form'), not a 'network'")
        }
        guard form.dimension <= maximumExactVariables else {
            throw ExplorerError("exact mode takes at most \(maximumExactVariables) variables here, the form has \(form.dimension) (use `quadform synth --exact` for larger forms)")
        }
        return form
    }

    /// The floating synthesis of `form` with `synth`'s default options.
    public static func synthesis(_ form: QuadraticForm) throws -> Synthesis {
        try Synthesis(form: form, options: options)
    }

    /// The activation spec of a request, if any.
    static func activation(_ request: ExplorerRequest) throws -> QuadraticActivationSpec? {
        try request.activation.map { try QuadraticActivationSpec(parsing: $0) }
    }

    /// The network of a `"network"` request, refused past `maximumNetworkNeurons`.
    static func network(_ value: JSONValue) throws -> ResNet {
        let net = try Formats.network(from: value, name: "network")
        guard net.hiddenNeurons <= maximumNetworkNeurons else {
            throw ExplorerError("the network has \(net.hiddenNeurons) hidden neurons; the explorer takes at most \(maximumNetworkNeurons)")
        }
        return net
    }

    // MARK: Routes

    /// `/api/synth`: the report of `synth --format json` (with `--exact`, `--activation`) for the request.
    public static func synth(_ request: ExplorerRequest) throws -> JSONValue {
        let spec = try activation(request)
        if request.exact {
            return try ExactSynthesisReport(synthesis: ExactSynthesis(form: exactForm(request.source)), activation: spec).json
        }
        return try SynthesisReport(synthesis: synthesis(floatingForm(request.source)), activation: spec).json
    }

    /// `/api/prove`: the argument of `prove` (`--exact`), `{"holds": Bool, "text": String}`.
    public static func proof(_ request: ExplorerRequest) throws -> JSONValue {
        let proof: NeuronCountProof
        if request.exact {
            proof = NeuronCountProof(exact: try ExactSynthesisReport(synthesis: ExactSynthesis(form: exactForm(request.source))))
        } else {
            proof = NeuronCountProof(report: try SynthesisReport(synthesis: synthesis(floatingForm(request.source))))
        }
        return .object([("holds", .bool(proof.holds)), ("text", .string(proof.text))])
    }

    /// `/api/onnx`: the request's `"network"` as an ONNX model (`application/octet-stream`), the
    /// bytes `quadform convert network.json net.onnx` writes (one output `y`, DOUBLE tensors). The
    /// network is bounded by `maximumNetworkNeurons` and the body limit, so encoding takes milliseconds.
    public static func onnx(_ request: ExplorerRequest) throws -> ExplorerResponse {
        guard case .network(let value) = request.source else {
            throw ExplorerError("/api/onnx takes a 'network' (design.md §6 JSON), such as the report's residual.network")
        }
        let data = try ONNXModel.encode([("y", try network(value))])
        return ExplorerResponse(status: 200, contentType: "application/octet-stream", body: data)
    }

    /// `/api/figures`: `{"residual_svg", "plain_svg", "spectrum_svg"}` for a quadratic (the
    /// networks drawn by Graphviz up to `maximumDrawnVariables`, else null), `{"network_svg"}` for a network.
    public static func figures(_ request: ExplorerRequest) throws -> JSONValue {
        if case .network(let value) = request.source {
            let net = try network(value)
            return .object([("network_svg", .string(try draw([("network: widths \(net.widths.map(String.init).joined(separator: ", ")), \(net.activation.kind)", net)], variables: nil)))])
        }
        let floating: Synthesis
        var drawings: [(title: String, network: ResNet)]
        if request.exact {
            let exact = try ExactSynthesis(form: exactForm(request.source))
            floating = try synthesis(exact.form.doubleForm())
            let k = exact.rank
            let residual = try exact.residual.resNet(), plain = try exact.plain.resNet()
            drawings = [
                ("exact residual network: \(residual.hiddenNeurons) square neuron\(residual.hiddenNeurons == 1 ? "" : "s") + linear skip (k = \(k))", residual),
                ("exact plain network: \(plain.hiddenNeurons) square neuron\(plain.hiddenNeurons == 1 ? "" : "s") (" + (exact.hasLinearNullPart ? "k + 2" : "k") + ")", plain),
            ]
        } else {
            floating = try synthesis(floatingForm(request.source))
            drawings = Diagrams.squareClusters(floating)
        }
        if let spec = try activation(request) {
            let q = try QuadraticActivationNetworks(synthesis: floating, spec: spec)
            drawings += [("residual network with \(spec.formula)", q.residual), ("plain network with \(spec.formula)", q.plain)]
        }
        let variables = floating.form.variables
        let drawable = variables.count <= maximumDrawnVariables
        let svgs: [JSONValue] = try drawings.map { drawable ? .string(try draw([$0], variables: variables)) : .null }
        var members: [(String, JSONValue)] = [
            ("residual_svg", svgs[0]), ("plain_svg", svgs[1]),
            ("spectrum_svg", .string(inline(spectrumSVG(floating)))),
        ]
        if svgs.count == 4 { members += [("activation_residual_svg", svgs[2]), ("activation_plain_svg", svgs[3])] }
        return .object(members)
    }

    /// The Graphviz SVG of networks (design.md §1 drawing), without the XML prologue so it can be
    /// placed inline in a page.
    static func draw(_ networks: [(title: String, network: ResNet)], variables: [String]?) throws -> String {
        inline(String(decoding: try Graphviz.render(Diagrams.dot(networks, variables: variables), format: "svg"), as: UTF8.self))
    }

    /// An SVG document without what precedes its `<svg` element (XML prologue, DOCTYPE, comments).
    static func inline(_ svg: String) -> String {
        guard let start = svg.range(of: "<svg") else { return svg }
        return String(svg[start.lowerBound...])
    }

    /// The spectrum plot of a synthesis (design.md §5): |λ| with the rank tolerance line and k.
    public static func spectrumSVG(_ synthesis: Synthesis) -> String {
        Diagrams.spectrumSVG(synthesis)
    }

    /// `/api/eval`: for a quadratic, f and both networks (and the s-networks with an activation)
    /// at `at`, `{"variables", "at", "f", "residual", "plain", …}` (exact values as "p/q" strings
    /// with `"exact": true`); for a network, `{"at", "realization"}`.
    public static func evaluate(_ request: ExplorerRequest) throws -> JSONValue {
        guard let at = request.at else { throw ExplorerError("give the point: \"at\": [1, 2, …]") }
        if case .network(let value) = request.source {
            let net = try network(value)
            let x = try doubles(at, count: net.inputWidth)
            return .object([("at", JSONWriter.numbers(x)), ("realization", JSONWriter.numbers(try net.realization(x)))])
        }
        let spec = try activation(request)
        if request.exact {
            let exact = try ExactSynthesis(form: exactForm(request.source))
            let n = exact.form.dimension
            guard at.count == n else { throw countError(at.count, n, exact.form.variables) }
            let x: [Rational] = try at.enumerated().map { index, text in
                guard let r = Rational(exactText: text) else { throw ExplorerError("'at'[\(index)] = '\(text)' is not a number (write 2, -0.5, 1e-3 or 1/3)") }
                return r
            }
            var members: [(String, JSONValue)] = [
                ("exact", .bool(true)),
                ("variables", .array(exact.form.variables.map { .string($0) })),
                ("at", ExactJSON.numbers(x)),
                ("f", ExactJSON.number(exact.form.evaluate(x))),
                ("residual", ExactJSON.number(exact.residual.evaluate(x))),
                ("plain", ExactJSON.number(exact.plain.evaluate(x))),
            ]
            if let spec {
                let q = try ExactQuadraticActivationNetworks(synthesis: exact, spec: spec)
                members += [("activation_residual", ExactJSON.number(q.residual.evaluate(x))), ("activation_plain", ExactJSON.number(q.plain.evaluate(x)))]
            }
            return .object(members)
        }
        let s = try synthesis(floatingForm(request.source))
        let n = s.form.dimension
        guard at.count == n else { throw countError(at.count, n, s.form.variables) }
        let x = try doubles(at, count: n)
        var members: [(String, JSONValue)] = [
            ("exact", .bool(false)),
            ("variables", .array(s.form.variables.map { .string($0) })),
            ("at", JSONWriter.numbers(x)),
            ("f", JSONWriter.number(s.form.evaluate(x))),
            ("residual", JSONWriter.number(try s.residual.realization(x)[0])),
            ("plain", JSONWriter.number(try s.plain.realization(x)[0])),
        ]
        if let spec {
            let q = try QuadraticActivationNetworks(synthesis: s, spec: spec)
            members += [("activation_residual", JSONWriter.number(try q.residual.realization(x)[0])),
                        ("activation_plain", JSONWriter.number(try q.plain.realization(x)[0]))]
        }
        return .object(members)
    }

    static func countError(_ given: Int, _ n: Int, _ variables: [String]) -> ExplorerError {
        ExplorerError("'at' has \(given) number\(given == 1 ? "" : "s"); the form has \(n) variable\(n == 1 ? "" : "s") (\(variables.joined(separator: ", ")))")
    }

    /// The point `texts` as finite Doubles, `count` of them.
    static func doubles(_ texts: [String], count: Int) throws -> [Double] {
        guard texts.count == count else { throw ExplorerError("'at' has \(texts.count) number\(texts.count == 1 ? "" : "s"); the network has \(count) input\(count == 1 ? "" : "s")") }
        // The command line's rules (`eval --at`, JSON): finite, and a non-zero number does not
        // underflow to zero.
        return try texts.enumerated().map { index, text in
            if let d = Double.finiteLiteral(text) { return d }
            if Double(text) == nil, let r = Rational(exactText: text) {
                let d = r.doubleValue
                if d.isFinite && (d != 0 || r.isZero) { return d }
            }
            throw ExplorerError("'at'[\(index)] = '\(text.prefix(40))' is not a finite number a Double can hold (it overflows, underflows to zero or is not a number)")
        }
    }
}
