/// Why a request to a calendar server failed, with a stable snake_case `code` for replies, logs and metrics. The
/// message is for people; it never holds credentials or calendar contents.
public struct CalDAVError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable, CaseIterable {
        /// The request did not finish within `Configuration.requestTimeoutSeconds` (answer head and body alike).
        case timeout
        /// No connection: refused, unreachable, name not found, or connecting timed out.
        case connectFailed = "connect_failed"
        /// The connection broke before the answer was complete.
        case connectionLost = "connection_lost"
        /// The server answered with a status this request does not expect; `status` holds it.
        case httpStatus = "http_status"
        /// 401: the credentials are wrong or missing.
        case unauthorized
        /// The answer is over `Configuration.responseBodyBytesMax`, or a multistatus holds more than
        /// `Configuration.multistatusResponsesMax` responses.
        case tooLarge = "too_large"
        /// The answer is not what the protocol says: bad XML, a missing element, text that is not UTF-8.
        case malformedResponse = "malformed_response"
        /// RFC 6578: the server no longer knows the sync token; start again without one.
        case invalidSyncToken = "invalid_sync_token"
        /// Any other failure of the HTTP exchange.
        case transportFailed = "transport_failed"
        /// The request itself cannot be made (a URL the HTTP client refuses).
        case invalidRequest = "invalid_request"
    }

    public var code: Code
    /// The HTTP status, when the server sent one.
    public var status: Int?
    public var message: String

    public init(_ code: Code, status: Int? = nil, _ message: String) {
        self.code = code
        self.status = status
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
