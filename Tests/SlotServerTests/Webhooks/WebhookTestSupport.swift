import Foundation
import SlotClient
import SlotOutbox
import SlotServer
import SlotTesting
import Testing

/// What the webhook tests share: a server configuration whose whole retry cycle takes seconds, a secret the
/// receiver knows before the webhook exists, and bounded waits.
enum WebhookTesting {
    static let secret = "whsec_" + Data("slotd-webhook-test-secret-32-bytes!".utf8).base64EncodedString()

    /// Retries after at most 1 s then 2 s, dead after `maxAgeSeconds`; breakers open after 3 failures for 1 s;
    /// attempts time out after 1 s; loopback receivers allowed. The maximum age is long unless a test waits for
    /// it: on a loaded machine a test's steps take seconds.
    static func configuration(maxAgeSeconds: Int64 = 120) -> ServerConfiguration {
        TestServer.configuration { configuration in
            configuration.webhooks.allowsPrivateURLs = true
            if let schedule = RetrySchedule(firstDelaySeconds: 1, capSeconds: 2, maxAgeSeconds: maxAgeSeconds) {
                configuration.webhooks.outbox.schedule = schedule
            }
            configuration.webhooks.outbox.breakerFailuresMax = 3
            configuration.webhooks.outbox.breakerCoolDownSeconds = 1
            configuration.webhooks.sender.requestTimeoutSeconds = 1
        }
    }

    /// The flags that give a `slotd` process the same cycle.
    static let arguments = [
        "--allow-private-webhooks", "--webhook-retry-first-seconds", "1", "--webhook-retry-cap-seconds", "2",
        "--webhook-max-age-seconds", "120", "--webhook-breaker-failures", "3", "--webhook-breaker-cooldown-seconds",
        "1", "--webhook-timeout-seconds", "1",
    ]

    /// `create_webhook` for `receiver`, with the shared secret; returns the webhook's id.
    static func create(
        _ client: SlotConnection, for receiver: WebhookReceiver, extra: [String: JSONValue] = [:]
    ) async throws -> String {
        var request: [String: JSONValue] = [
            "op": "create_webhook", "url": .string("http://127.0.0.1:\(receiver.port)/hook"), "secret": .string(secret),
        ]
        request.merge(extra) { _, new in new }
        let reply = try await client.call(.object(request))
        let id = try #require(reply["webhook"]?["id"]?.string, "\(reply)")
        #expect(reply["webhook"]?["secret"] == .string(secret))
        return id
    }

    /// Waits (polling, at most `seconds`) until `condition` holds; false if it never did.
    static func eventually(seconds: Int = 20, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    /// The `seq`s of the verified deliveries the receiver got, in arrival order.
    static func seqs(_ receiver: WebhookReceiver) -> [Int] {
        receiver.received().filter(\.verified).compactMap { received in
            (try? JSONValue.parse(received.body))?["seq"]?.int
        }
    }
}
