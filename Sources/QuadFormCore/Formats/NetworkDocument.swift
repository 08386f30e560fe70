import Foundation

/// A JSON document that holds one or more networks (design.md §6): a network JSON itself, or a
/// document with networks under named members — `synth`'s JSON report (floating or `--exact`),
/// the file `synth --save-networks FILE.json` writes, or any object with the same shape.
///
/// Networks of a report sit at `residual.network`, `plain.network`, `plain_approximate.network`,
/// `quadratic_activation.residual.network` and `quadratic_activation.plain.network`; a member is
/// named by its dotted path without the trailing `.network` (`residual`, `quadratic_activation.plain`).
/// Exact reports write weights as `"p/q"` strings, which the network reader accepts (rounded once).
public enum NetworkDocument {
    /// The member taken from a report when none is named.
    public static let defaultMember = "residual"

    /// What kind of document a JSON value is.
    public enum Kind: Equatable, Sendable {
        /// A network JSON (it has `widths`).
        case network
        /// A document with networks under the listed members (dotted paths, in document order).
        case report(members: [String])
        /// Neither.
        case unknown
    }

    /// Classifies `value`: a network JSON, a document with network members, or neither.
    public static func kind(of value: JSONValue) -> Kind {
        guard case .object = value else { return .unknown }
        if value["widths"] != nil { return .network }
        let members = networkMembers(of: value)
        return members.isEmpty ? .unknown : .report(members: members)
    }

    /// The dotted paths of every member `m` of `value` (up to two levels deep) that has an object
    /// `m.network`, in document order: `residual`, `plain`, `quadratic_activation.residual`, …
    public static func networkMembers(of value: JSONValue) -> [String] {
        guard case .object(let members) = value else { return [] }
        var found: [String] = []
        for (key, child) in members {
            guard case .object(let inner) = child else { continue }
            if case .object? = child["network"] { found.append(key) }
            for (innerKey, grandchild) in inner where innerKey != "network" {
                if case .object? = grandchild["network"] { found.append("\(key).\(innerKey)") }
            }
        }
        return found
    }

    /// The network JSON in `value`: `value` itself when it is a network JSON (then `member` must be
    /// nil), else the network under `member` (default `defaultMember`). Errors name the document,
    /// say when it is a report, and list the members it has.
    public static func networkJSON(in value: JSONValue, name: String, member: String? = nil) throws -> (json: JSONValue, path: String) {
        let content = JSONContent(name: name)
        switch kind(of: value) {
        case .network:
            if let member {
                throw content.error("", "is a network JSON (it has \"widths\"), not a report: there is no member \"\(member)\" to choose; leave out the network choice")
            }
            return (value, "")
        case .report(let members):
            let chosen = member ?? defaultMember
            guard members.contains(chosen) else {
                let given = member == nil ? "no network member was chosen and the default \"\(chosen)\" is absent" : "it has no network member \"\(chosen)\""
                throw content.error("", "is a report with networks (\(members.joined(separator: ", "))), but \(given); choose one of them (quadform: --network \(members.first ?? "residual"))")
            }
            var node = value
            for key in chosen.split(separator: ".").map(String.init) { node = node[key] ?? .null }
            return (node["network"] ?? .null, chosen + ".network")
        case .unknown:
            if case .object = value {
                throw content.error("", "is neither a network JSON (design.md §6: widths, activation, layers, skips) nor a report with networks (synth's JSON report: residual.network, plain.network): missing key \"widths\"")
            }
            throw content.error("", "expected a network JSON object or a synth report, found \(value.typeName)")
        }
    }

    /// Reads the network of `value` (see `networkJSON(in:name:member:)`); errors inside the network
    /// name the full JSON path (`residual.network.layers[0].weights[1]`).
    public static func network(from value: JSONValue, name: String, member: String? = nil) throws -> ResNet {
        let (json, path) = try networkJSON(in: value, name: name, member: member)
        do {
            return try Formats.network(from: json, name: name)
        } catch let error as JSONError {
            // An exact network (synth --exact, extract --exact) whose integer rows or rational
            // weights leave Double's range one by one: read it exactly and round it after
            // rescaling each neuron (`ExactNetwork.resNet()`); the first error stands otherwise.
            if let exact = try? ExactNetwork.from(json: json, name: name), let rounded = try? exact.resNet() { return rounded }
            if path.isEmpty { throw error }
            throw JSONError(location: prefixed(error.location, name: name, path: path), message: error.message)
        }
    }

    /// Reads a network from a file holding a network JSON or a report (see `network(from:name:member:)`).
    public static func readNetwork(_ path: String, member: String? = nil) throws -> ResNet {
        try network(from: JSONReader.parseFile(path), name: path, member: member)
    }

    /// Reads the exact network (rational weights) of `value`, for exact reports and exact network
    /// JSON (design.md §4, §6); see `networkJSON(in:name:member:)` for `member`.
    public static func exactNetwork(from value: JSONValue, name: String, member: String? = nil) throws -> ExactNetwork {
        let (json, path) = try networkJSON(in: value, name: name, member: member)
        do {
            return try ExactNetwork.from(json: json, name: name)
        } catch let error as JSONError where !path.isEmpty {
            throw JSONError(location: prefixed(error.location, name: name, path: path), message: error.message)
        }
    }

    /// A document with the named networks under `name.network` (nested for dotted names), the
    /// shape `networkMembers(of:)` finds and `synth --save-networks FILE.json` writes.
    public static func json(networks: [(name: String, network: JSONValue)]) -> JSONValue {
        var top: [(String, JSONValue)] = []
        for (name, network) in networks {
            let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
            if parts.count == 1 {
                top.append((name, .object([("network", network)])))
            } else if let i = top.firstIndex(where: { $0.0 == parts[0] }), case .object(var inner) = top[i].1 {
                inner.append((parts[1], .object([("network", network)])))
                top[i].1 = .object(inner)
            } else {
                top.append((parts[0], .object([(parts[1], .object([("network", network)]))])))
            }
        }
        return .object(top)
    }

    /// `FILE: PATH` of an error inside a member's network, with the member's path in front.
    static func prefixed(_ location: String, name: String, path: String) -> String {
        if location == name { return "\(name): \(path)" }
        let head = name + ": "
        guard location.hasPrefix(head) else { return location }
        let inner = String(location.dropFirst(head.count))
        return head + path + (inner.hasPrefix("[") ? "" : ".") + inner
    }
}
