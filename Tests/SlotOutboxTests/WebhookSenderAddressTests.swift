import Foundation
import SlotOutbox
import Testing

/// The sender checks where a URL leads each time it sends: a name that resolves to a private address, or a URL
/// stored while private addresses were allowed, is refused without `--allow-private-webhooks`.
@Suite(.serialized, .timeLimit(.minutes(1))) struct WebhookSenderAddressTests {
    /// This machine's own host name: it resolves to one of the machine's addresses, which are loopback
    /// (`/etc/hosts` maps it to 127.0.0.1 on the project's machines, 127.0.1.1 on Debian's default) or on a
    /// private network, never a public address.
    static func ownHostName() throws -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        try #require(gethostname(&buffer, buffer.count) == 0)
        let name = String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self).lowercased()
        try #require(!name.isEmpty && name != "localhost")
        return name
    }

    @Test func aHostNameResolvingToLoopbackIsRefusedWithoutAllowPrivate() async throws {
        let host = try Self.ownHostName()
        try await WebhookSenderTests.withReceiver { receiver, allowing in
            // A name passes the URL policy: only its addresses, at send time, tell it is local.
            let url = try WebhookURLPolicy.check("http://\(host):\(receiver.port)/hooks", allowPrivate: false).get()
            let refusing = WebhookSender(configuration: .init())
            let outcome = try await refusing.send(WebhookSenderTests.delivery(to: url))
            try await refusing.shutdown()
            guard case .failed(status: .none, reason: let reason) = outcome else {
                Issue.record("\(outcome)")
                return
            }
            #expect(reason.hasPrefix("\(host) resolves to private address "), "\(reason)")
            #expect(reason.hasSuffix("refused (start slotd with --allow-private-webhooks to allow it)"))
            #expect(receiver.received().isEmpty)
            // The same URL reaches the receiver once private addresses are allowed: the refusal was the check's.
            let allowed = try await allowing.send(WebhookSenderTests.delivery(to: url))
            #expect(allowed == .delivered(status: 204))
            #expect(receiver.received().count == 1)
        }
    }

    /// An endpoint created while private addresses were allowed, sent after a restart without the flag.
    @Test func aStoredPrivateLiteralIsRefusedWithoutAllowPrivate() async throws {
        try await WebhookSenderTests.withReceiver { receiver, _ in
            let refusing = WebhookSender(configuration: .init())
            let outcome = try await refusing.send(WebhookSenderTests.delivery(to: WebhookSenderTests.url(receiver)))
            try await refusing.shutdown()
            #expect(
                outcome
                    == .failed(
                        status: nil,
                        reason:
                            "private address 127.0.0.1 refused (start slotd with --allow-private-webhooks to allow it)"
                    ))
            #expect(receiver.received().isEmpty)
        }
    }

    /// `.invalid` never resolves (RFC 6761).
    @Test func anUnknownHostNameFailsAsNotFound() async throws {
        let url = try WebhookURLPolicy.check("https://no-such-host.invalid/hooks", allowPrivate: false).get()
        let sender = WebhookSender(configuration: .init())
        let outcome = try await sender.send(WebhookSenderTests.delivery(to: url))
        try await sender.shutdown()
        guard case .failed(status: .none, reason: let reason) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(reason.hasPrefix("host name not found"), "\(reason)")
    }
}
