import Foundation

/// One HTTP/1.1 request as read by `HTTPConnectionServer`: the request line, the headers and the
/// body (exactly as declared: Content-Length bytes, or a chunked body decoded).
public struct HTTPServerRequest: Sendable {
    /// The method, as sent (`GET`, `POST`, …).
    public let method: String
    /// The path, percent-decoded, without the query.
    public let path: String
    /// The query parameters, percent-decoded (the last of repeated names wins).
    public let query: [String: String]
    /// The headers, names lower-cased (the last of repeated names wins).
    public let headers: [String: String]
    /// The body.
    public let body: Data
    /// The client's address (IP literal), for per-client limits.
    public let client: String
}

/// Why an HTTP request could not be read: the status and message of the JSON error answered
/// before the connection is closed.
struct HTTPReadError: Error {
    let status: Int
    let message: String
    init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }
}
