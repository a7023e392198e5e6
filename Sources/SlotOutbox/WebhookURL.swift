/// A webhook endpoint's URL that `WebhookURLPolicy.check` accepted: http or https, a host, no user info. Only the
/// policy makes one, so a value of this type has passed it.
public struct WebhookURL: Hashable, Sendable, CustomStringConvertible {
    /// The URL as the operator gave it; the HTTP client parses this same text, so the host checked is the host
    /// connected to.
    public let text: String
    /// Lowercased, without brackets (an IPv6 literal) or a trailing dot.
    public let host: String
    /// The explicit port, or the scheme's (80, 443).
    public let port: Int
    public let isHTTPS: Bool
    /// The address's bytes (4 or 16) when the host is an IP literal in any form the system resolver reads as one;
    /// nil for a host name.
    public let literalAddress: [UInt8]?

    init(text: String, host: String, port: Int, isHTTPS: Bool, literalAddress: [UInt8]?) {
        self.text = text
        self.host = host
        self.port = port
        self.isHTTPS = isHTTPS
        self.literalAddress = literalAddress
    }

    public var description: String { text }
}

/// Why a webhook URL is refused: a business rejection with a stable code, for `create_webhook`'s reply.
public struct WebhookURLRefusal: Error, Hashable, Sendable {
    public enum Code: String, Sendable, CaseIterable {
        /// Not an http or https URL with a host, or one slotd will not send to as written.
        case invalidWebhookURL = "invalid_webhook_url"
        /// A loopback, private, link-local or otherwise local address, refused unless `--allow-private-webhooks`.
        case privateWebhookURL = "private_webhook_url"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    static func invalid(_ message: String) -> WebhookURLRefusal {
        WebhookURLRefusal(.invalidWebhookURL, "url \(message)")
    }

    static func privateHost(_ host: String) -> WebhookURLRefusal {
        WebhookURLRefusal(
            .privateWebhookURL,
            "url host \(host) is a loopback, private or local address; start slotd with --allow-private-webhooks "
                + "to send webhooks to it")
    }
}
