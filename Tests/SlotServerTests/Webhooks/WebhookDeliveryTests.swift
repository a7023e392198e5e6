import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// Webhooks against a real HTTP receiver (`scripts/webhook-receiver.py`) that checks every signature with the
/// `standardwebhooks` package: delivery, the ops that show it, a receiver that fails, hangs and recovers (retries,
/// breaker open → half-open → closed), a delivery that dies and is redelivered.
@Suite(.serialized, .timeLimit(.minutes(2))) struct WebhookDeliveryTests {
    @Test func eventsArriveSignedWithAStableIdAndTheOpsShowThem() async throws {
        let receiver = try await WebhookReceiver(secret: WebhookTesting.secret)
        defer { receiver.stop() }
        try await TestServer.run(configuration: WebhookTesting.configuration()) { server in
            try await SlotConnection.withConnection(port: server.port) { client in
                let webhook = try await WebhookTesting.create(client, for: receiver)
                #expect(try await client.call(Requests.createResource("room")).ok)
                let held = try await client.call(Requests.hold("room", "2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z"))
                #expect(held.ok, "\(held)")
                #expect(await WebhookTesting.eventually { WebhookTesting.seqs(receiver).count == 2 })
                // Up to four deliveries of one endpoint are in flight at once, so they may arrive in either order.
                let received = receiver.received().sorted { ($0.id ?? "") < ($1.id ?? "") }
                #expect(received.allSatisfy { $0.verified }, "\(received)")
                #expect(received.map(\.id) == ["msg_\(webhook)_1", "msg_\(webhook)_2"])
                #expect(received.allSatisfy { $0.contentType == "application/json" && $0.userAgent == "slotd" })
                let bodies = try received.map { try JSONValue.parse($0.body) }
                #expect(bodies.map { $0["type"] } == ["resource.created", "booking.held"])

                // The receiver logs a request before slotd has its answer: wait for slotd to record both.
                let get: JSONValue = ["op": "get_webhook", "webhook": .string(webhook)]
                #expect(
                    try await WebhookTesting.eventually {
                        try await client.call(get)["webhook"]?["deliveries"]?["delivered"] == 2
                    })
                let shown = try await client.call(get)
                #expect(shown["webhook"]?["breaker"]?["state"] == "closed")
                #expect(shown["webhook"]?["secret"] == nil, "the secret is shown once")
                // The metrics, as Prometheus's own parser reads them.
                let metrics = try await HTTPProbe.get(port: try #require(server.httpPort), "/metrics")
                #expect(metrics.value("slotd_webhook_deliveries_total", ["result": "delivered"]) == 2)
                #expect(metrics.value("slotd_webhook_pending") == 0)
                #expect(metrics.value("slotd_webhook_breaker_open") == 0)
                #expect(metrics.value("slotd_subscribers") == 0)
                let listed = try await client.call(["op": "list_deliveries", "webhook": .string(webhook)])
                #expect(listed["deliveries"]?.array?.count == 2, "\(listed)")
                let all = try await client.call(["op": "list_webhooks"])
                #expect(all["webhooks"]?.array?.count == 1)
                #expect(try await client.call(["op": "delete_webhook", "webhook": .string(webhook)]).ok)
                let gone = try await client.call(["op": "get_webhook", "webhook": .string(webhook)])
                #expect(gone["error"]?["code"] == "unknown_webhook")
            }
        }
    }

    @Test func aFailingThenHangingReceiverOpensTheBreakerWhichClosesOnceItRecovers() async throws {
        let receiver = try await WebhookReceiver(secret: WebhookTesting.secret, mode: "fail")
        defer { receiver.stop() }
        try await TestServer.run(configuration: WebhookTesting.configuration()) { server in
            try await SlotConnection.withConnection(port: server.port) { client in
                let webhook = try await WebhookTesting.create(client, for: receiver)
                let get: JSONValue = ["op": "get_webhook", "webhook": .string(webhook)]
                #expect(try await client.call(Requests.createResource("room")).ok)
                // Three failed attempts (500, then timeouts) open the breaker.
                #expect(await WebhookTesting.eventually { receiver.received().count >= 1 })
                try receiver.setMode("hang")
                let opened = try await WebhookTesting.eventually {
                    try await client.call(get)["webhook"]?["breaker"]?["state"] != "closed"
                }
                #expect(opened, "the breaker opens")
                let failed = try await client.call(["op": "list_deliveries", "webhook": .string(webhook)])
                #expect(failed["deliveries"]?[0]?["state"] == "failed", "\(failed)")
                #expect(failed["deliveries"]?[0]?["last_error"]?.string?.contains("timed out") == true)
                // It recovers: after the cool-down a probe goes through, succeeds, and the breaker closes.
                try receiver.setMode("ok")
                let delivered = try await WebhookTesting.eventually {
                    let shown = try await client.call(get)["webhook"]
                    return shown?["breaker"]?["state"] == "closed" && shown?["deliveries"]?["delivered"] == 1
                }
                #expect(delivered, "the breaker closes and the event is delivered")
                #expect(WebhookTesting.seqs(receiver).last == 1)
            }
        }
    }

    @Test func aDeliveryFailingPastItsMaximumAgeIsDeadUntilRedelivered() async throws {
        let receiver = try await WebhookReceiver(secret: WebhookTesting.secret, mode: "fail")
        defer { receiver.stop() }
        try await TestServer.run(configuration: WebhookTesting.configuration(maxAgeSeconds: 6)) { server in
            try await SlotConnection.withConnection(port: server.port) { client in
                let webhook = try await WebhookTesting.create(client, for: receiver)
                #expect(try await client.call(Requests.createResource("room")).ok)
                let list: JSONValue = ["op": "list_deliveries", "webhook": .string(webhook), "state": "dead"]
                let died = try await WebhookTesting.eventually(seconds: 30) {
                    try await client.call(list)["deliveries"]?.array?.count == 1
                }
                #expect(died, "the delivery dies at its maximum age")
                let dead = try await client.call(list)["deliveries"]?[0]
                let id = try #require(dead?["id"]?.int)
                #expect((dead?["attempts"]?.int ?? 0) >= 2, "retried before it died")
                try receiver.setMode("ok")
                let redelivered = try await client.call(["op": "redeliver", "delivery": .number(Double(id))])
                #expect(redelivered["delivery"]?["state"] == "pending", "\(redelivered)")
                let delivered: JSONValue = [
                    "op": "list_deliveries", "webhook": .string(webhook), "state": "delivered",
                ]
                #expect(
                    try await WebhookTesting.eventually {
                        try await client.call(delivered)["deliveries"]?.array?.count == 1
                    })
                #expect(receiver.received().last?.id == "msg_\(webhook)_1", "a redelivery keeps its webhook-id")
            }
        }
    }

    @Test func aPrivateURLIsRefusedUnlessAllowed() async throws {
        try await TestServer.run { server in
            try await SlotConnection.withConnection(port: server.port) { client in
                let refused = try await client.call(["op": "create_webhook", "url": "http://127.0.0.1:9/hook"])
                #expect(refused["error"]?["code"] == "private_webhook_url", "\(refused)")
                let bad = try await client.call(["op": "create_webhook", "url": "ftp://example.com/hook"])
                #expect(bad["ok"] == false, "\(bad)")
            }
        }
    }
}
