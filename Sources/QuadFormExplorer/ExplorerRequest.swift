import QuadFormCore
import QuadFormReports
import Foundation

/// The JSON body of a request to the explorer's API (`quadform serve`, docs/serve.md), read
/// strictly: `{"expression": "…", "exact": false, "activation": null}`, or `"form"` (design.md §6
/// form JSON) instead of `"expression"`, or `"network"` (design.md §6 network JSON) for
/// `/api/eval` and `/api/figures`; `"at"` holds the point for `/api/eval`. Unknown fields, wrong
/// types and sizes past `Explorer`'s limits are refused with an `ExplorerError` (HTTP 400).
public struct ExplorerRequest: Sendable {
    /// Where the quadratic comes from.
    public enum Source: Sendable {
        /// A quadratic expression, as `synth EXPRESSION` takes it.
        case expression(String)
        /// A form in design.md §6 JSON, as `synth --input FILE` takes it (numbers keep their text).
        case form(JSONValue)
        /// A network in design.md §6 JSON, as `eval network.json` takes it.
        case network(JSONValue)
    }

    /// The quadratic or network.
    public var source: Source
    /// Exact rational synthesis (`synth --exact`, design.md §4).
    public var exact: Bool
    /// `quadratic:α,β,γ` (or `α,β,γ`): also the networks for s(z) = αz² + βz + γ (design.md §3, T3).
    public var activation: String?
    /// The point of `/api/eval`, as the numbers' literal texts (so exact mode reads 0.1 as 1/10).
    public var at: [String]?

    /// The fields a request may have.
    public static let fields = ["expression", "form", "network", "exact", "activation", "at"]

    /// A request for `expression` (floating, square activation, no point).
    public init(expression: String, exact: Bool = false, activation: String? = nil, at: [String]? = nil) {
        self.source = .expression(expression)
        self.exact = exact
        self.activation = activation
        self.at = at
    }

    /// Parses a request body. Errors: malformed JSON, not an object, an unknown field, a field of
    /// the wrong type, not exactly one of expression/form/network, an expression or point past the limits.
    public init(json text: String) throws {
        let value: JSONValue
        do { value = try JSONReader.parse(text, name: "request") } catch {
            throw ExplorerError("malformed JSON body: \(error)")
        }
        guard case .object(let members) = value else {
            throw ExplorerError("the body must be a JSON object such as {\"expression\": \"x^2 + y\"}, found \(value.typeName)")
        }
        var seen = Set<String>()
        for (key, _) in members {
            guard ExplorerRequest.fields.contains(key) else {
                throw ExplorerError("unknown field '\(key)': a request has \(ExplorerRequest.fields.map { "'\($0)'" }.joined(separator: ", "))")
            }
            guard seen.insert(key).inserted else { throw ExplorerError("field '\(key)' appears twice") }
        }
        var sources: [Source] = []
        if let e = value["expression"], e != .null {
            guard case .string(let text) = e else { throw ExplorerError("'expression' must be a string, found \(e.typeName)") }
            sources.append(.expression(text))
        }
        if let f = value["form"], f != .null {
            guard case .object = f else { throw ExplorerError("'form' must be an object (design.md §6 form JSON), found \(f.typeName)") }
            sources.append(.form(f))
        }
        if let n = value["network"], n != .null {
            guard case .object = n else { throw ExplorerError("'network' must be an object (design.md §6 network JSON), found \(n.typeName)") }
            sources.append(.network(n))
        }
        guard sources.count == 1 else {
            throw ExplorerError(sources.isEmpty ? "give the quadratic: {\"expression\": \"x^2 + y\"} (or \"form\", or \"network\" for eval)"
                                                : "give exactly one of 'expression', 'form' and 'network', not several")
        }
        source = sources[0]
        switch value["exact"] ?? .null {
        case .null: exact = false
        case .bool(let b): exact = b
        case let other: throw ExplorerError("'exact' must be true or false, found \(other.typeName)")
        }
        switch value["activation"] ?? .null {
        case .null: activation = nil
        case .string(let s): activation = s.trimmingCharacters(in: .whitespaces).isEmpty ? nil : s
        case let other: throw ExplorerError("'activation' must be a string \"quadratic:α,β,γ\" or null, found \(other.typeName)")
        }
        switch value["at"] ?? .null {
        case .null: at = nil
        case .string(let s):
            at = s.split(whereSeparator: { $0 == "," || $0 == " " || $0 == ";" }).map(String.init)
        case .array(let items):
            at = try items.enumerated().map { index, item in
                switch item {
                case .number(let text): return text
                case .string(let text): return text.trimmingCharacters(in: .whitespaces)
                default: throw ExplorerError("'at'[\(index)] must be a number, found \(item.typeName)")
                }
            }
        case .number(let text): at = [text]
        case let other: throw ExplorerError("'at' must be an array of numbers, found \(other.typeName)")
        }
        if let at, at.count > Explorer.maximumVariables {
            throw ExplorerError("'at' has \(at.count) numbers; the explorer takes at most \(Explorer.maximumVariables)")
        }
        if case .expression(let text) = source, text.count > Explorer.maximumExpressionLength {
            throw ExplorerError("the expression has \(text.count) characters; the explorer takes at most \(Explorer.maximumExpressionLength) (use `quadform synth` for larger forms)")
        }
    }
}
