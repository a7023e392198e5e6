import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// The waitlist through the real server, with a manual clock: first come first served, a hold given on cancel
/// and on expiry, statuses, and survival across a restart.
@Suite struct WaitlistProtocolTests {
    static func join(_ customer: String, start: String = "2027-01-05T10:00:00Z") -> JSONValue {
        [
            "op": "waitlist_join", "resource": "court", "start": .string(start), "end": "2027-01-05T11:00:00Z",
            "customer": .string(customer),
        ]
    }

    @Test func firstWaitingCustomerGetsTheFreedTime() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = ManualClock(TestServer.epoch)
        try await TestServer.run(dataDirectory: directory, clock: clock) { server in
            try await server.connect { client in
                _ = try await client.call(Requests.createResource("court", extra: ["hold_ttl_seconds": 60]))
                let taken = try await client.call(
                    Requests.hold("court", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z", op: "book", customer: "o"))
                #expect(taken.ok)
                let ann = try await client.call(Self.join("ann"))
                #expect(ann["entry"]?["id"] == "court/w1")
                #expect(ann["entry"]?["state"] == "waiting")
                #expect(ann["entry"]?["position"] == 1)
                let bob = try await client.call(Self.join("bob"))
                #expect(bob["entry"]?["position"] == 2)
                #expect(try await client.call(Self.join("ann"))["entry"]?["id"] == "court/w1", "joining twice")
                let queue = try await client.call(["op": "waitlist_status", "resource": "court"])
                #expect(queue["entries"]?.array?.map { $0["customer"] } == ["ann", "bob"])

                #expect(try await client.call(Requests.move("cancel", "court/1")).ok)
                let promoted = try await client.call(["op": "waitlist_status", "entry": "court/w1"])
                #expect(promoted["entry"]?["state"] == "promoted")
                #expect(promoted["entry"]?["booking"]?["id"] == "court/2")
                #expect(promoted["entry"]?["booking"]?["state"] == "pending_confirmation")
                #expect(promoted["entry"]?["booking"]?["expires_at"] == "2027-01-04T08:01:00Z")
                let hold = try await client.call(["op": "get_booking", "booking": "court/2"])
                #expect(hold["booking"]?["history"]?[0]?["actor"] == "waitlist")
                // The time is Ann's for now: a walk-in is refused.
                let walkIn = try await client.call(
                    Requests.hold("court", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z", customer: "cy"))
                #expect(walkIn.errorCode == "slot_unavailable")

                // Ann lets her hold lapse: Bob is next.
                clock.advance(seconds: 61)
                let next = try await client.call(["op": "waitlist_status", "entry": "court/w2"])
                #expect(next["entry"]?["state"] == "promoted")
                #expect(next["entry"]?["booking"]?["id"] == "court/3")
                #expect(try await client.call(Requests.move("confirm", "court/3")).ok)
                let leave = try await client.call(["op": "waitlist_leave", "entry": "court/w2"])
                #expect(leave.errorCode == "invalid_transition")

                // Leaving, and the bad inputs.
                let cy = try await client.call(Self.join("cy"))
                #expect(cy["entry"]?["id"] == "court/w3")
                #expect(
                    try await client.call(["op": "waitlist_leave", "entry": "court/w3"])["entry"]?["state"] == "left")
                #expect(
                    try await client.call(["op": "waitlist_status", "entry": "court/3"])["error"]?["field"] == "entry")
                #expect(try await client.call(["op": "waitlist_status", "entry": "court/w9"]).errorCode == "not_found")
                #expect(
                    try await client.call(["op": "waitlist_status", "resource": "court", "entry": "court/w1"])
                        .errorCode == "invalid_request")
                #expect(
                    try await client.call(Self.join("dee", start: "2027-01-05T10:07:00Z")).errorCode == "misaligned")
            }
        }
        try await TestServer.run(dataDirectory: directory, clock: clock) { server in
            try await server.connect { (client: SlotConnection) async throws in
                let bob = try await client.call(["op": "waitlist_status", "entry": "court/w2"])
                #expect(bob["entry"]?["state"] == "promoted")
                #expect(bob["entry"]?["booking"]?["state"] == "confirmed")
                #expect(
                    try await client.call(["op": "waitlist_status", "entry": "court/w3"])["entry"]?["state"] == "left")
                #expect(try await client.call(Self.join("eve"))["entry"]?["id"] == "court/w4", "numbering goes on")
            }
        }
    }
}
