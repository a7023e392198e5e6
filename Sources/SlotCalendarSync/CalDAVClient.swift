import AsyncHTTPClient
import Foundation
import NIOCore
import SlotDomain

/// A CalDAV (RFC 4791) and plain ICS client over async-http-client. Everything a server sends is untrusted: every
/// request has a deadline, every answer body a size limit (read as a stream and dropped past it), every multistatus
/// a count limit and a depth limit, and every failure is a thrown `CalDAVError` with a stable code. The client never
/// retries; the sync service decides what a failure means.
///
/// Redirects are not followed: a calendar server answering 3xx would send the request, credentials included, to a
/// URL the operator never gave and slotd's URL policy never checked. Build the `HTTPClient` with
/// `CalDAVClient.httpClientConfiguration(connectTimeoutSeconds:)`, which disallows them; a 3xx that reaches the
/// client is then an `http_status` failure.
public struct CalDAVClient: Sendable {
    public struct Configuration: Hashable, Sendable {
        /// The whole request: connecting, sending, the answer's head and its body. A server that holds a request
        /// longer is treated as down.
        public var requestTimeoutSeconds: Int
        /// The largest answer body read; a larger one fails with `too_large` once that many bytes have arrived (or
        /// at once, when Content-Length says so).
        public var responseBodyBytesMax: Int
        /// The most `response` elements read from one multistatus; more fail with `too_large`.
        public var multistatusResponsesMax: Int
        /// The deepest element nesting read from one XML answer; deeper fails with `malformed_response`. CalDAV's
        /// answers nest about eight deep (`supported-report-set`).
        public var xmlDepthMax: Int
        /// The most hrefs asked for in one calendar-multiget REPORT; `fetch` splits longer lists into batches.
        public var multigetHrefsMax: Int

        public init(
            requestTimeoutSeconds: Int = 15, responseBodyBytesMax: Int = 8 * 1024 * 1024,
            multistatusResponsesMax: Int = 10_000, xmlDepthMax: Int = 32, multigetHrefsMax: Int = 200
        ) {
            self.requestTimeoutSeconds = requestTimeoutSeconds
            self.responseBodyBytesMax = responseBodyBytesMax
            self.multistatusResponsesMax = multistatusResponsesMax
            self.xmlDepthMax = xmlDepthMax
            self.multigetHrefsMax = multigetHrefsMax
        }
    }

    public let configuration: Configuration
    let httpClient: HTTPClient

    public init(httpClient: HTTPClient, configuration: Configuration) {
        precondition(configuration.requestTimeoutSeconds > 0 && configuration.responseBodyBytesMax > 0)
        precondition(configuration.multistatusResponsesMax > 0 && configuration.xmlDepthMax > 0)
        precondition(configuration.multigetHrefsMax > 0)
        self.httpClient = httpClient
        self.configuration = configuration
    }

    /// The `HTTPClient` settings this client relies on: no redirects (see above), no retrying a refused connection
    /// (a refusal is an answer, and the sync service's backoff decides when to try again), no decompression (the
    /// body limit counts the bytes that arrive), and no tracing (a span would carry the calendar's URL, which often
    /// holds a secret token).
    public static func httpClientConfiguration(connectTimeoutSeconds: Int) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(Int64(connectTimeoutSeconds)))
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.decompression = .disabled
        configuration.tracing.tracer = nil
        return configuration
    }

    /// The URL of an href the server sent, resolved against the collection's URL; nil unless it is on the same
    /// scheme, host and port. Credentials go only to the server the operator named, whatever hrefs it sends back.
    public static func url(ofHref href: String, in collection: URL) -> URL? {
        guard let url = URL(string: href, relativeTo: collection)?.absoluteURL,
            url.scheme?.lowercased() == collection.scheme?.lowercased(),
            url.host?.lowercased() == collection.host?.lowercased(), url.port == collection.port
        else { return nil }
        return url
    }
}
