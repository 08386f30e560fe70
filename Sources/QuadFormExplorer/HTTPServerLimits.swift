/// The limits of `HTTPConnectionServer`: everything a client controls is bounded.
public struct HTTPServerLimits: Sendable {
    /// Most connections open at once; past it the oldest idle (or, failing that, the oldest still
    /// sending its request) is closed to make room, and a new one is refused with 503 when every
    /// connection is waiting for an answer. Also capped below the process's descriptor limit.
    public var maximumConnections = 512
    /// Longest request line (bytes); longer is answered 414.
    public var maximumRequestLineBytes = 8_192
    /// Longest request head, request line and headers (bytes); longer is answered 431.
    public var maximumHeadBytes = 16_384
    /// Largest body (bytes, declared or chunked); larger is answered 413.
    public var maximumBodyBytes = 65_536
    /// Seconds a connection may stay open between requests (keep-alive) before it is closed.
    public var idleTimeout: Double = 15
    /// Seconds from a request's first byte to its last (head and body); then 408 and close.
    public var requestTimeout: Double = 10
    /// Seconds to write an answer to a client that does not read it; then the connection is closed.
    public var writeTimeout: Double = 30

    public init() {}
}
