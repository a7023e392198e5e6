import Foundation
import SlotDomain

/// Which URLs slotd sends webhooks to. A webhook makes slotd send requests where an operator says, from inside
/// the operator's network: without this policy, anyone allowed to create a webhook could reach the machine's own
/// services or the cloud's metadata address. So only http and https, no user info (a `user@` in front of a host
/// is the classic way to make one parser read another host than the next), and no loopback, private or local
/// address unless the operator allows them (`--allow-private-webhooks`, for tests and single-network setups).
///
/// A host name passes here (except `localhost` and `*.localhost`): what it resolves to can change at any time,
/// so `WebhookSender` checks the addresses again each time it sends.
public enum WebhookURLPolicy {
    /// The longest URL accepted, in bytes: the request decoder's limit (`DomainLimits.webhookURLMaxBytes`), checked
    /// again here for URLs that reach the policy another way (stored ones, tests).
    public static let urlBytesMax = DomainLimits.standard.webhookURLMaxBytes

    public static func check(_ text: String, allowPrivate: Bool) -> Result<WebhookURL, WebhookURLRefusal> {
        do {
            let url = try parse(text)
            if !allowPrivate && isPrivateHost(url) { return .failure(.privateHost(url.host)) }
            return .success(url)
        } catch {
            return .failure(error)
        }
    }

    /// Whether the URL's host is refused without `--allow-private-webhooks`: a literal local address, or a name
    /// that always means this machine.
    static func isPrivateHost(_ url: WebhookURL) -> Bool {
        if let bytes = url.literalAddress { return Self.isPrivate(addressBytes: bytes) }
        return url.host == "localhost" || url.host.hasSuffix(".localhost")
    }

    static func parse(_ text: String) throws(WebhookURLRefusal) -> WebhookURL {
        guard !text.isEmpty else { throw .invalid("is empty") }
        guard text.utf8.count <= urlBytesMax else { throw .invalid("is longer than \(urlBytesMax) bytes") }
        guard text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw .invalid("must be printable ASCII without spaces (percent-encode the rest)")
        }
        guard let schemeEnd = text.range(of: "://") else { throw .invalid("must start with http:// or https://") }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { throw .invalid("must use http or https") }
        let isHTTPS = scheme == "https"
        let authority = text[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.contains("@") else { throw .invalid("must not carry a user name or password") }
        guard !text.contains("#") else { throw .invalid("must not have a fragment (it is never sent)") }
        let (written, port) = try split(authority: authority, defaultPort: isHTTPS ? 443 : 80)
        try requireSameReading(text, host: written, port: port, defaultPort: isHTTPS ? 443 : 80)
        var host = written.lowercased()
        if host.hasSuffix(".") && !host.contains(":") { host.removeLast() }
        return WebhookURL(
            text: text, host: host, port: port, isHTTPS: isHTTPS, literalAddress: try literalAddress(of: host))
    }

    /// The host as written (brackets removed) and the port.
    private static func split(
        authority: Substring, defaultPort: Int
    ) throws(WebhookURLRefusal) -> (host: String, port: Int) {
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .invalid("has an unclosed [ in its host") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalid("has something after its IPv6 address") }
                portText = after.dropFirst()
            }
        } else {
            let parts = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            host = parts[0]
            portText = parts.count > 1 ? parts[1] : nil
        }
        guard !host.isEmpty else { throw .invalid("has no host") }
        guard let portText else { return (String(host), defaultPort) }
        guard portText.count <= 5, portText.allSatisfy(\.isASCIIDigit), let port = Int(portText), (1...65535) ~= port
        else { throw .invalid("port must be a number from 1 to 65535") }
        return (String(host), port)
    }

    /// The HTTP client reads the URL with Foundation's parser: if that reading differs from ours in host or port,
    /// the host this policy checked would not be the one connected to.
    private static func requireSameReading(
        _ text: String, host: String, port: Int, defaultPort: Int
    ) throws(WebhookURLRefusal) {
        guard let url = URL(string: text), var theirs = url.host, url.user == nil, url.password == nil else {
            throw .invalid("is not a valid URL")
        }
        if theirs.hasPrefix("[") && theirs.hasSuffix("]") { theirs = String(theirs.dropFirst().dropLast()) }
        guard theirs.lowercased() == host.lowercased(), (url.port ?? defaultPort) == port else {
            throw .invalid("is read differently by different URL parsers")
        }
    }

    /// The bytes of an IP literal host: IPv6 in brackets, or IPv4 in any form the system resolver accepts
    /// (`127.1`, `0x7f.0.0.1`, `2130706433` all mean 127.0.0.1 to `getaddrinfo`). Nil for a valid host name.
    private static func literalAddress(of host: String) throws(WebhookURLRefusal) -> [UInt8]? {
        if host.contains(":") {
            guard let bytes = Self.ipv6Bytes(host) else { throw .invalid("has an invalid IPv6 host") }
            return bytes
        }
        if let bytes = Self.ipv4Bytes(host) { return bytes }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard host.utf8.count <= 253, labels.allSatisfy(isHostLabel) else {
            throw .invalid("host must be a host name, an IPv4 address or an IPv6 address in brackets")
        }
        guard let last = labels.last, !last.allSatisfy(\.isASCIIDigit) else {
            throw .invalid("host is neither a host name nor a valid IPv4 address")
        }
        return nil
    }

    private static func isHostLabel(_ label: Substring) -> Bool {
        (1...63) ~= label.count && label.first != "-" && label.last != "-"
            && label.allSatisfy { $0.isASCIIDigit || ("a"..."z") ~= $0 || $0 == "-" }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9") ~= self }
}
