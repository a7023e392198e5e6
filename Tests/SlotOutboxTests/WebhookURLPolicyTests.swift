import NIOCore
import SlotOutbox
import Testing

@Suite struct WebhookURLPolicyTests {
    static func code(_ text: String, allowPrivate: Bool = false) -> WebhookURLRefusal.Code? {
        if case .failure(let refusal) = WebhookURLPolicy.check(text, allowPrivate: allowPrivate) { return refusal.code }
        return nil
    }

    @Test(arguments: [
        ("https://hooks.example.com/slotd", "hooks.example.com", 443, true),
        ("http://example.com:8080/a/b?c=d&e=f", "example.com", 8080, false),
        ("HTTPS://Hooks.Example.COM./x", "hooks.example.com", 443, true),
        ("https://93.184.216.34/x", "93.184.216.34", 443, true),
        ("http://[2606:2800:220:1:248:1893:25c8:1946]:81/", "2606:2800:220:1:248:1893:25c8:1946", 81, false),
        ("https://xn--bcher-kva.example/", "xn--bcher-kva.example", 443, true),
    ])
    func acceptsPublicHTTPAndHTTPSURLs(text: String, host: String, port: Int, isHTTPS: Bool) throws {
        let url = try WebhookURLPolicy.check(text, allowPrivate: false).get()
        #expect(url.text == text)
        #expect(url.host == host)
        #expect(url.port == port)
        #expect(url.isHTTPS == isHTTPS)
    }

    @Test(arguments: [
        "", "ftp://example.com/", "example.com/hooks", "http://", "http:///path", "http://:80/",
        "http://user:secret@example.com/", "http://example.com@evil.example/", "http://example.com\\@127.0.0.1/",
        "http://exa mple.com/", "http://example.com:0/", "http://example.com:65536/", "http://example.com:8o/",
        "http://example.com:/", "http://[::1/", "http://[::1]x/", "http://[zz::1]/", "http://ex_ample.com/",
        "http://-example.com/", "http://example-.com/", "http://a..b/", "http://1.2.3.256/",
        "http://example.com/#fragment", "http://ex%61mple.com/", "http://bücher.example/", "javascript:alert(1)",
        "http://example.com:80:81/", "http://\u{7f}example.com/",
    ])
    func refusesWhatIsNotAPlainHTTPURL(text: String) {
        #expect(Self.code(text) == .invalidWebhookURL)
        #expect(Self.code(text, allowPrivate: true) == .invalidWebhookURL)
    }

    @Test func refusesAURLOverTheLengthLimit() {
        let prefix = "https://example.com/"
        let atTheLimit = prefix + String(repeating: "a", count: WebhookURLPolicy.urlBytesMax - prefix.utf8.count)
        #expect(Self.code(atTheLimit) == nil)
        #expect(Self.code(atTheLimit + "a") == .invalidWebhookURL)
    }

    /// One address at each edge of every refused range, and the forms the system resolver reads as IPv4.
    static let privateHosts = [
        "127.0.0.1", "127.255.255.254", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255",
        "192.168.0.1", "192.168.255.255", "169.254.0.1", "169.254.169.254", "100.64.0.1", "100.127.255.255",
        "0.0.0.0", "0.1.2.3", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
        "127.1", "2130706433", "0x7f.0.0.1", "0177.0.0.1", "10.1",
        "[::1]", "[::]", "[fe80::1]", "[febf:ffff::1]", "[fec0::1]", "[fc00::1]", "[fdff:ffff::1]", "[ff02::1]",
        "[::ffff:127.0.0.1]", "[::ffff:10.0.0.1]", "[::ffff:7f00:1]", "[::ffff:169.254.169.254]", "[::127.0.0.1]",
        "[64:ff9b::10.0.0.1]", "[64:ff9b:1::1]", "[2002:c0a8:101::1]", "[2002:7f00:1::1]",
        "localhost", "LOCALHOST", "localhost.", "api.localhost",
    ]

    @Test(arguments: privateHosts)
    func refusesLocalAddressesUnlessAllowed(host: String) throws {
        let text = "http://\(host):8080/hooks"
        guard case .failure(let refusal) = WebhookURLPolicy.check(text, allowPrivate: false) else {
            Issue.record("\(host) accepted")
            return
        }
        #expect(refusal.code == .privateWebhookURL)
        #expect(refusal.message.contains("--allow-private-webhooks"))
        #expect(try WebhookURLPolicy.check(text, allowPrivate: true).get().port == 8080)
    }

    /// The first addresses past each refused range's edges.
    @Test(arguments: [
        "11.0.0.1", "9.255.255.255", "126.255.255.255", "128.0.0.1", "172.15.255.255", "172.32.0.0",
        "192.167.255.255", "192.169.0.0", "169.253.255.255", "169.255.0.0", "100.63.255.255", "100.128.0.0",
        "1.0.0.0", "223.255.255.255", "8.8.8.8",
        "[2001:4860:4860::8888]", "[fe7f::1]", "[fb00::1]", "[fe00::1]", "[::ffff:8.8.8.8]", "[64:ff9b::8.8.8.8]",
        "[2002:808:808::1]", "[::1:0:0:1]",
    ])
    func acceptsPublicAddresses(host: String) {
        #expect(Self.code("https://\(host)/hooks") == nil)
    }

    @Test func checksResolvedSocketAddresses() throws {
        #expect(WebhookURLPolicy.isPrivate(try SocketAddress(ipAddress: "127.0.0.1", port: 443)))
        #expect(WebhookURLPolicy.isPrivate(try SocketAddress(ipAddress: "192.168.1.20", port: 443)))
        #expect(WebhookURLPolicy.isPrivate(try SocketAddress(ipAddress: "::1", port: 443)))
        #expect(WebhookURLPolicy.isPrivate(try SocketAddress(ipAddress: "::ffff:10.1.2.3", port: 443)))
        #expect(WebhookURLPolicy.isPrivate(try SocketAddress(ipAddress: "fd00::5", port: 443)))
        #expect(!WebhookURLPolicy.isPrivate(try SocketAddress(ipAddress: "93.184.216.34", port: 443)))
        #expect(!WebhookURLPolicy.isPrivate(try SocketAddress(ipAddress: "2606:4700::1111", port: 443)))
        #expect(WebhookURLPolicy.isPrivate(addressBytes: [127, 0, 0]))
    }
}
