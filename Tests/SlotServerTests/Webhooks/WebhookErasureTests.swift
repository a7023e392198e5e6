import Foundation
import SlotClient
import SlotTesting
import Testing

/// `erase_customer` with webhook deliveries waiting (decisions 0022 and 0028): the deliveries stay and are sent
/// later, every one, but without the customer's text, and no file under the data folder holds it any more.
@Suite(.timeLimit(.minutes(2))) struct WebhookErasureTests {
    static let alice = "Alice Webhook +49 170 7654321"

    @Test func waitingDeliveriesLoseTheTextAndAreStillSent() async throws {
        let receiver = try await WebhookReceiver(secret: WebhookTesting.secret, mode: "fail")
        defer { receiver.stop() }
        let data = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: data) }
        let server = try await SlotdProcess(dataDirectory: data, extraArguments: WebhookTesting.arguments)
        defer { server.kill9() }
        try await server.connect { client in
            _ = try await WebhookTesting.create(client, for: receiver)
            #expect(try await client.call(Requests.createResource("room")).ok)
            for (hour, customer) in [(12, Self.alice), (13, "Bob"), (14, Self.alice)] {
                let book = Requests.hold(
                    "room", "2027-01-05T\(hour):00:00Z", "2027-01-05T\(hour):30:00Z", op: "book", customer: customer)
                let booked = try await client.call(book)
                #expect(booked.ok, "\(booked)")
            }
            // The receiver fails every attempt: the deliveries wait, holding the text, until after the erasure.
            #expect(await WebhookTesting.eventually { receiver.received().count >= 3 })
            let erased = try await client.call(["op": "erase_customer", "customer": .string(Self.alice)])
            #expect(erased["erased"]?["bookings"] == 2, "\(erased)")
        }
        #expect(try CustomerErasureProtocolTests.files(under: data, containing: Self.alice).isEmpty)
        #expect(try CustomerErasureProtocolTests.files(under: data, containing: "Bob").isEmpty == false)

        // An attempt claimed before the erasure carries the body it read then; let any such reach the receiver (and
        // fail) before counting what comes after. Attempts time out after 1 s.
        try await Task.sleep(for: .seconds(2))
        let sentBefore = receiver.received().count
        try receiver.setMode("ok")
        let delivered = { () -> [JSONValue] in
            receiver.received().dropFirst(sentBefore).filter(\.verified).compactMap { try? JSONValue.parse($0.body) }
        }
        // resource.created and the three booking.confirmed events, each delivered after the erasure.
        #expect(
            await WebhookTesting.eventually(seconds: 30) { Set(delivered().compactMap { $0["seq"]?.int }).count == 4 })
        let customers = delivered().compactMap { $0["booking"]?["customer"]?.string }
        #expect(Set(customers) == ["", "Bob"], "\(customers)")
        #expect(!delivered().contains { $0.jsonText.contains("7654321") })
    }
}
