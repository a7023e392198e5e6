import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// Who keeps a stream: a subscriber sends no request, so a revoked token must end its stream at the next event;
/// and an `unsubscribe` that comes while the subscription is still catching up ends it for good.
@Suite(.serialized, .timeLimit(.minutes(1))) struct ChangeStreamAccessTests {
    @Test func aRevokedTokensStreamEndsAtTheNextEvent() async throws {
        try await AuthFixture.run { fixture in
            let secret = try await fixture.token("watcher", role: "client")
            try await fixture.connect { admin in
                #expect(try await admin.call(Requests.createResource("room")).ok)
                let listed = try await admin.call(["op": "list_tokens"])
                let id = try #require(
                    listed["tokens"]?.array?.first { $0["name"] == "watcher" }?["token"], "\(listed)")
                try await fixture.connect(as: secret) { (watcher: SlotConnection) async throws in
                    let stream = StreamClient(connection: watcher)
                    #expect(try await stream.subscribe()["ok"] == true)
                    let booked = Requests.hold("room", "2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z", op: "book")
                    #expect(try await admin.call(booked).ok)
                    #expect(try await stream.nextEvent()["type"] == "booking.confirmed")
                    #expect(try await admin.call(["op": "revoke_token", "token": id]).ok)
                    let next = Requests.hold("room", "2027-01-05T11:00:00Z", "2027-01-05T11:30:00Z", op: "book")
                    #expect(try await admin.call(next).ok)
                    await #expect(throws: SlotClientError.self) { _ = try await watcher.receiveEvent() }
                }
            }
        }
    }

    @Test func anUnsubscribeDuringCatchUpEndsTheSubscription() async throws {
        try await TestServer.run { server in
            try await SlotConnection.withConnection(port: server.port) { client in
                #expect(try await client.call(Requests.createResource("r")).ok)
                // More than two catch-up chunks (512 events each) behind.
                try await ChangeStreamResumeTests.book(1_200, on: "r", client)
                try await SlotConnection.withConnection(port: server.port) { subscriber in
                    let replies = try await subscriber.pipeline([
                        ["op": "subscribe", "all": true, "from_seq": 0], ["op": "unsubscribe"],
                    ])
                    #expect(replies[1]["unsubscribed"] != nil, "\(replies)")
                    try await ChangeStreamResumeTests.book(5, on: "r", from: 1_200, client)
                    let metrics = try await HTTPProbe.get(port: try #require(server.httpPort), "/metrics")
                    #expect(metrics.value("slotd_subscribers") == 0, "nothing is left live")
                }
            }
        }
    }
}
