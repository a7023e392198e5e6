import Foundation
import SlotClient
import SlotDomain
import SlotServer
import SlotTesting
import Testing

/// Stopping and starting on the same data folder serves exactly the acknowledged state.
@Suite struct RestartTests {
    /// A port already taken stops the start with status 1 and a log line that says why, before any client is served.
    @Test func aPortInUseStopsTheStartWithALogLineThatSaysWhy() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try await SlotdProcess(dataDirectory: directory.appendingPathComponent("first"))
        let second = directory.appendingPathComponent("second")
        let run = try await ToolProcess.run(
            "slotd",
            [
                "--port", "\(first.port)", "--http-port", "0", "--data-dir", second.appendingPathComponent("data").path,
                "--snapshot-dir", second.appendingPathComponent("snapshots").path,
            ])
        #expect(run.status == 1)
        #expect(!run.stdout.contains("listening"))
        let lines = run.stderr.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
        let line = try #require(lines.first { $0["message"] == "cannot listen" }, "\(run.stderr)")
        #expect(line["level"] == "critical")
        #expect(line["port"] == .string("\(first.port)"))
        #expect(line["error"]?.string?.contains("Address already in use") == true)
        #expect(try await first.terminate() == 0)
    }

    /// A confirm that changed nothing leaves no key (else a flood of them would grow the table without end): a
    /// retry under its key is decided again, also after the booking moved on and after a restart, and the key may
    /// then serve another request.
    @Test func aNoOpConfirmUnderAKeyIsDecidedAgainAfterCancelAndRestart() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let confirm = Requests.move("confirm", "r/1", extra: ["idempotency_key": "confirm-again"])
        try await TestServer.run(dataDirectory: directory) { server in
            try await server.connect { client in
                _ = try await client.call(Requests.createResource("r"))
                _ = try await client.call(
                    Requests.hold("r", "2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z", op: "book"))
                let first = try await client.call(confirm)
                #expect(first["booking"]?["state"] == "confirmed")
                _ = try await client.call(Requests.move("cancel", "r/1"))
                #expect(try await client.call(confirm).errorCode == "invalid_transition")
            }
        }
        try await TestServer.run(dataDirectory: directory) { server in
            try await server.connect { (client: SlotConnection) async throws in
                #expect(try await client.call(confirm).errorCode == "invalid_transition")
                let other = Requests.hold(
                    "r", "2027-01-05T11:00:00Z", "2027-01-05T11:30:00Z", extra: ["idempotency_key": "confirm-again"])
                #expect(try await client.call(other)["ok"] == true)
            }
        }
    }

    @Test func stateIdempotencyAndExpiryComeBackAfterRestart() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = ManualClock(TestServer.epoch)
        let keyed = Requests.hold(
            "r", "2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z", op: "book", extra: ["idempotency_key": "order-1"])
        let (firstReply, listedBefore) = try await TestServer.run(dataDirectory: directory, clock: clock) { server in
            try await server.connect { client in
                _ = try await client.call(
                    Requests.createResource("r", tz: "Europe/Paris", extra: ["hold_ttl_seconds": 60, "capacity": 2]))
                let first = try await client.call(keyed)
                #expect(try await client.call(keyed) == first)
                // r/2: a hold that lapses while the server is down.
                _ = try await client.call(Requests.hold("r", "2027-01-05T11:00:00Z", "2027-01-05T11:30:00Z"))
                _ = try await client.call(
                    Requests.hold("r", "2027-01-05T12:00:00Z", "2027-01-05T12:30:00Z", op: "book"))
                _ = try await client.call(Requests.move("cancel", "r/3", extra: ["reason": "moved away"]))
                let listed = try await client.call([
                    "op": "list_bookings", "resource": "r", "from": "2027-01-05T00:00:00Z",
                    "to": "2027-01-06T00:00:00Z",
                ])
                return (first, listed)
            }
        }
        #expect(listedBefore["bookings"]?.array?.count == 2)

        clock.advance(seconds: 120)  // the hold lapses while the server is down
        try await TestServer.run(dataDirectory: directory, clock: clock) { server in
            #expect(server.runtime.recoveredEntries == 5)
            try await server.connect { client in
                #expect(try await client.call(keyed) == firstReply)
                var other = keyed
                if case .object(var object) = other {
                    object["customer"] = "somebody else"
                    other = .object(object)
                }
                #expect(try await client.call(other).errorCode == "idempotency_conflict")
                let expired = try await client.call(["op": "get_booking", "booking": "r/2"])
                #expect(expired["booking"]?["state"] == "expired")
                #expect(expired["booking"]?["history"]?.array?.last?["actor"] == "system")
                let canceled = try await client.call(["op": "get_booking", "booking": "r/3"])
                #expect(canceled["booking"]?["history"]?.array?.last?["reason"] == "moved away")
                let listed = try await client.call([
                    "op": "list_bookings", "resource": "r", "from": "2027-01-05T00:00:00Z",
                    "to": "2027-01-06T00:00:00Z",
                ])
                #expect(listed["bookings"]?.array?.map { $0["id"] } == ["r/1"])
                // Sequence numbers continue after the replayed ones.
                let next = try await client.call(Requests.hold("r", "2027-01-05T13:00:00Z", "2027-01-05T13:30:00Z"))
                #expect(next["booking"]?["id"] == "r/4")
            }
        }
    }
}
