import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Collects the elements of an XML document; parsing fails on malformed XML.
public final class XMLElements: NSObject, XMLParserDelegate {
    public var elements: [(name: String, attributes: [String: String])] = []
    public var text = ""

    public func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        elements.append((name, attributes))
    }

    public func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    /// The elements of `data`, or an error naming where the XML is malformed.
    public static func parse(_ data: Data) throws -> XMLElements {
        let collector = XMLElements()
        let parser = XMLParser(data: data)
        parser.delegate = collector
        guard parser.parse() else {
            throw MalformedXML(description: "malformed XML at line \(parser.lineNumber), column \(parser.columnNumber): \(parser.parserError.map { String(describing: $0) } ?? "unknown error")")
        }
        return collector
    }
}

/// XML that does not parse, with the line and column where the parser stopped.
public struct MalformedXML: Error, CustomStringConvertible {
    public let description: String
}
