import Foundation
import SlotClient
import SlotDomain
import SlotServer
import SlotTesting
import SlotWire
import Testing

/// Decision 0019 over TCP: a waiting customer's hold lasts its full `hold_ttl_seconds` from the moment the server
/// gives it, whether the time was freed by a cancel (that instant) or by an expiry (the instant a request or the
/// sweeper notices it), and the hold survives a restart and kill -9 as it was given.
@Suite struct WaitlistPromotionProtocolTests {
    static let ttlSeconds: Int64 = 60
    static let start = "2027-01-05T10:00:00Z"
    static let end = "2027-01-05T11:00:00Z"

    static func join(_ customer: String) -> JSONValue {
        [
            "op": "waitlist_join", "resource": "court", "start": .string(start), "end": .string(end),
            "customer": .string(customer),
        ]
    }

    static func at(_ seconds: Int64) -> JSONValue {
        .string(RFC3339.format(TestServer.epoch.adding(seconds: seconds)))
    }

    /// `court` with a one-minute TTL, its time held by `owner` for `ownerTTLSeconds`, ann then bob waiting.
    static func contested(_ client: SlotConnection, ownerTTLSeconds: Int) async throws {
        _ = try await client.call(
            Requests.createResource("court", extra: ["hold_ttl_seconds": .number(Double(ttlSeconds))]))
        let owner = try await client.call(
            Requests.hold("court", start, end, extra: ["ttl_seconds": .number(Double(ownerTTLSeconds))]))
        #expect(owner.ok)
        #expect(try await client.call(join("ann"))["entry"]?["state"] == "waiting")
        #expect(try await client.call(join("bob"))["entry"]?["state"] == "waiting")
    }

    static func entry(_ client: SlotConnection, _ id: String) async throws -> JSONValue? {
        try await client.call(["op": "waitlist_status", "entry": .string(id)])["entry"]
    }

    @Test func aCancelGivesTheWaiterAHoldFromTheCancelsInstant() async throws {
        let clock = ManualClock(TestServer.epoch)
        try await TestServer.run(clock: clock) { server in
            try await server.connect { client in
                try await Self.contested(client, ownerTTLSeconds: 600)
                clock.advance(seconds: 100)
                #expect(try await client.call(Requests.move("cancel", "court/1")).ok)
                let ann = try await Self.entry(client, "court/w1")
                #expect(ann?["state"] == "promoted")
                #expect(ann?["settled_at"] == Self.at(100))
                #expect(ann?["booking"]?["expires_at"] == Self.at(100 + Self.ttlSeconds))
            }
        }
    }

    /// The owner's hold expires at +30 s; nobody asks until +500 s. Ann's hold then lasts a minute from +500 s
    /// (not from +30 s, which would have lapsed before anyone heard of it); when it lapses unconfirmed, bob's
    /// hold, noticed by the sweeper at +700 s, lasts a minute from then.
    @Test func anExpiryNoticedLaterAndAChainEachGiveAFullHold() async throws {
        let clock = ManualClock(TestServer.epoch)
        let configuration = TestServer.configuration { $0.expirySweepIntervalSeconds = 3_600 }
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let before = try await TestServer.run(dataDirectory: directory, clock: clock, configuration: configuration) {
            server in
            try await server.connect { client in
                try await Self.contested(client, ownerTTLSeconds: 30)
                clock.advance(seconds: 500)
                let ann = try await Self.entry(client, "court/w1")
                #expect(ann?["state"] == "promoted")
                #expect(ann?["settled_at"] == Self.at(500))
                #expect(ann?["booking"]?["id"] == "court/2")
                #expect(ann?["booking"]?["state"] == "pending_confirmation")
                #expect(ann?["booking"]?["expires_at"] == Self.at(500 + Self.ttlSeconds))
                let owner = try await client.call(["op": "get_booking", "booking": "court/1"])
                #expect(owner["booking"]?["history"]?.array?.last?["at"] == Self.at(30), "expired at its expires_at")

                clock.advance(seconds: 200)
                #expect(await ExpiryService.sweep(server.runtime.directory) == 1)
                clock.advance(seconds: 20)
                let bob = try await Self.entry(client, "court/w2")
                #expect(bob?["settled_at"] == Self.at(700), "the sweep's instant, not the request's")
                #expect(bob?["booking"]?["id"] == "court/3")
                #expect(bob?["booking"]?["expires_at"] == Self.at(700 + Self.ttlSeconds))
                return try await client.call(["op": "get_booking", "booking": "court/3"])
            }
        }
        try await TestServer.run(dataDirectory: directory, clock: clock, configuration: configuration) { server in
            try await server.connect { (client: SlotConnection) async throws in
                #expect(try await client.call(["op": "get_booking", "booking": "court/3"]) == before)
                #expect(try await Self.entry(client, "court/w2")?["settled_at"] == Self.at(700))
            }
        }
    }

    /// A real process and a real clock: the owner's three-second hold expires, a request or the sweeper notices
    /// it (in the same second at the earliest), and ann's hold runs a full TTL from then. Three seconds, not one:
    /// on a loaded machine the join must still find the owner's hold. After kill -9 the restarted server shows
    /// the same hold.
    @Test func aPromotionSurvivesKillNine() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try await SlotdProcess(dataDirectory: directory)
        let given = try await first.connect { client in
            _ = try await client.call(Requests.createResource("court", extra: ["hold_ttl_seconds": 600]))
            let owner = try await client.call(Requests.hold("court", Self.start, Self.end, extra: ["ttl_seconds": 3]))
            let ownerExpiry = try #require(owner["booking"]?["expires_at"]?.string.flatMap(RFC3339.parse)?.instant)
            #expect(try await client.call(Self.join("ann"))["entry"]?["state"] == "waiting")
            try await Task.sleep(for: .milliseconds(4_500))
            let ann = try #require(try await Self.entry(client, "court/w1"))
            #expect(ann["state"] == "promoted")
            let expiry = try #require(ann["booking"]?["expires_at"]?.string.flatMap(RFC3339.parse)?.instant)
            #expect(expiry >= ownerExpiry.adding(seconds: 600), "counted from the notice, not before the expiry")
            return ann
        }
        first.kill9()
        let second = try await SlotdProcess(dataDirectory: directory)
        let after = try await second.connect { client in try await Self.entry(client, "court/w1") }
        #expect(after == given)
        #expect(try await second.terminate() == 0)
    }
}
