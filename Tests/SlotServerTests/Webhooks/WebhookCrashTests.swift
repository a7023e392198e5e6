import Foundation
import SlotClient
import SlotTesting
import Testing

/// Webhook deliveries survive `kill -9`: slotd is killed while its receiver holds every request, and after the
/// restart every event is delivered, each once; only those in flight at the crash were also sent before it.
@Suite(.serialized, .timeLimit(.minutes(2))) struct WebhookCrashTests {
    @Test func killNineDuringDeliveryLosesNothing() async throws {
        let receiver = try await WebhookReceiver(secret: WebhookTesting.secret, mode: "hang")
        defer { receiver.stop() }
        let folder = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try await SlotdProcess(dataDirectory: folder, extraArguments: WebhookTesting.arguments)
        let events = 12
        try await SlotConnection.withConnection(port: first.port) { client in
            _ = try await WebhookTesting.create(client, for: receiver)
            #expect(try await client.call(Requests.createResource("room")).ok)
            for hour in 10..<(10 + events - 1) {
                let hold = Requests.hold("room", "2027-01-05T\(hour):00:00Z", "2027-01-05T\(hour):30:00Z")
                #expect(try await client.call(hold).ok)
            }
        }
        // Deliveries are in flight (the receiver holds them): the crash comes now.
        #expect(await WebhookTesting.eventually { receiver.received().count >= 1 })
        first.kill9()
        _ = try await first.exitStatus(withinSeconds: 10)
        let beforeRestart = receiver.received().count
        try receiver.setMode("ok")

        let second = try await SlotdProcess(dataDirectory: folder, extraArguments: WebhookTesting.arguments)
        defer { second.kill9() }
        let afterRestart = { () -> [Int] in
            receiver.received().dropFirst(beforeRestart).compactMap { (try? JSONValue.parse($0.body))?["seq"]?.int }
        }
        let all = await WebhookTesting.eventually(seconds: 30) { Set(afterRestart()) == Set(1...events) }
        #expect(all, "every event delivered after the restart: \(afterRestart())")
        #expect(afterRestart().count == events, "each once after the restart: \(afterRestart())")
        #expect(receiver.received().allSatisfy { $0.verified })
    }
}
