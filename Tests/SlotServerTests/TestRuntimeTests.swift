import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// SlotTesting's socketless runtime answers as the server does over TCP, and keeps what it acknowledged across a
/// restart on the same folder: a simulation built on it tests the server, not a copy of it.
@Suite struct TestRuntimeTests {
    /// Requests touching every kind of reply: success, refusal, idempotent retry, a line that is not JSON.
    static let requests: [JSONValue] = [
        Requests.createResource("r", tz: "Europe/Paris", extra: ["hold_ttl_seconds": 60]),
        Requests.hold("r", "2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z", extra: ["id": 7]),
        Requests.hold("r", "2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z", op: "book", customer: "bob"),
        Requests.hold(
            "r", "2027-01-05T11:00:00Z", "2027-01-05T11:30:00Z", op: "book", extra: ["idempotency_key": "k-1"]),
        Requests.hold(
            "r", "2027-01-05T11:00:00Z", "2027-01-05T11:30:00Z", op: "book", extra: ["idempotency_key": "k-1"]),
        Requests.move("confirm", "r/1", extra: ["tz": "Asia/Tokyo"]),
        ["op": "list_bookings", "resource": "r", "from": "2027-01-05T00:00:00Z", "to": "2027-01-06T00:00:00Z"],
        ["op": "get_booking", "booking": "r/99"],
        ["op": "no_such_op"],
    ]

    @Test func repliesAreTheOnesTheWireGives() async throws {
        let overTCP = try await TestServer.run { server in
            try await server.connect { client in
                var replies: [JSONValue] = []
                for request in Self.requests { replies.append(try await client.call(request)) }
                try await client.send("{\"op\":")
                replies.append(try await client.receive())
                return replies
            }
        }
        let withoutSockets = try await TestRuntime.run { runtime in
            var replies: [JSONValue] = []
            for request in Self.requests { replies.append(try await runtime.call(request)) }
            replies.append(try JSONValue.parse(bytes: try await runtime.reply(to: Array("{\"op\":".utf8))))
            return replies
        }
        #expect(withoutSockets.count == Self.requests.count + 1)
        for (index, (wire, direct)) in zip(overTCP, withoutSockets).enumerated() {
            #expect(wire == direct, "reply \(index)")
        }
        #expect(withoutSockets[2].errorCode == "slot_unavailable")
        #expect(withoutSockets[3] == withoutSockets[4], "the retry gets the original reply")
    }

    @Test func acknowledgedChangesAndExpiryComeBackAfterRestart() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = ManualClock(TestServer.epoch)
        let keyed = Self.requests[3]
        let first = try await TestRuntime.run(dataDirectory: directory, clock: clock) { runtime in
            for request in Self.requests.prefix(3) { _ = try await runtime.call(request) }
            return try await runtime.call(keyed)
        }
        #expect(first.ok)

        clock.advance(seconds: 120)  // r/1, a 60-second hold, lapses while the runtime is down
        try await TestRuntime.run(dataDirectory: directory, clock: clock) { runtime in
            #expect(runtime.runtime.recoveredEntries == 3)
            // Before any request to r: each one expires what is due first.
            #expect(await ExpiryService.sweep(runtime.runtime.directory) == 1)
            #expect(try await runtime.call(keyed) == first)
            let expired = try await runtime.call(["op": "get_booking", "booking": "r/1"])
            #expect(expired["booking"]?["state"] == "expired")
        }
    }
}
