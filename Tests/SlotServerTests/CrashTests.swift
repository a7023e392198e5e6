import Foundation
import SlotClient
import Testing

/// What the clients were told, kept on the client side to check the server against after a crash.
actor Ledger {
    struct Acknowledged {
        var resource: String
        var start: String
        var state: String
    }

    var acknowledged: [String: Acknowledged] = [:]
    /// Requests sent whose reply never came: retried with the same idempotency key after the restart.
    var unanswered: [String: JSONValue] = [:]
    var acknowledgedCount = 0

    func sent(key: String, request: JSONValue) { unanswered[key] = request }

    func answered(key: String, reply: JSONValue) {
        unanswered[key] = nil
        guard reply.ok, let booking = reply["booking"], let id = booking["id"]?.string else { return }
        acknowledgedCount += 1
        acknowledged[id] = Acknowledged(
            resource: booking["resource"]?.string ?? "", start: booking["start"]?.string ?? "",
            state: booking["state"]?.string ?? "")
    }

    var confirmedIDs: [String] {
        acknowledged.filter { $0.value.state == "confirmed" }.map(\.key)
    }
}

/// `kill -9` in the middle of concurrent bookings, restart on the same data folder, and check every
/// acknowledged booking against the server; repeat. The acknowledged state must be there, nothing over
/// capacity, and nothing unacknowledged unless its idempotent retry then claims it.
@Suite(.serialized) struct CrashTests {
    static let resources = ["crash-a", "crash-b", "crash-c"]
    static let capacity = 2

    @Test func killNineMidLoadLosesNothingAcknowledged() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "slotd-crash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let ledger = Ledger()
        var server = try await SlotdProcess(dataDirectory: directory)
        try await SlotConnection.withConnection(port: server.port) { client in
            for resource in Self.resources {
                let reply = try await client.call(
                    Requests.createResource(resource, extra: ["capacity": .number(Double(Self.capacity))]))
                #expect(reply.ok)
            }
        }
        for cycle in 0..<3 {
            let running = server
            try await drive(port: running.port, ledger: ledger, cycle: cycle) {
                try await Task.sleep(for: .milliseconds(300 + cycle * 150))
                running.kill9()
            }
            server = try await SlotdProcess(dataDirectory: directory)
            try await verify(port: server.port, ledger: ledger, cycle: cycle)
        }
        #expect(await ledger.acknowledgedCount > 50, "the load should have acknowledged a fair number of requests")
        #expect(try await server.terminate() == 0, "SIGTERM is a clean exit")
    }

    /// Eight clients book and cancel until `crash` has killed the server.
    private func drive(port: Int, ledger: Ledger, cycle: Int, crash: @escaping @Sendable () async throws -> Void)
        async throws
    {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for clientIndex in 0..<8 {
                group.addTask {
                    try? await SlotConnection.withConnection(port: port) { client in
                        for step in 0..<100_000 {
                            let key = "c\(cycle)-\(clientIndex)-\(step)"
                            let mine = await ledger.confirmedIDs
                            var request: JSONValue
                            if step % 5 == 4, let victim = mine.randomElement() {
                                request = Requests.move("cancel", victim, extra: ["idempotency_key": .string(key)])
                            } else {
                                let resource = Self.resources.randomElement()!
                                let day = 5 + Int.random(in: 0..<3)
                                let hour = 10 + Int.random(in: 0..<8)
                                let minute = [0, 15, 30, 45].randomElement()!
                                let start = String(format: "2027-01-%02dT%02d:%02d:00Z", day, hour, minute)
                                let end = String(format: "2027-01-%02dT%02d:%02d:00Z", day, hour + 1, minute)
                                request = Requests.hold(
                                    resource, start, end, op: "book", customer: key,
                                    extra: ["idempotency_key": .string(key)])
                            }
                            await ledger.sent(key: key, request: request)
                            let reply = try await client.call(request)
                            await ledger.answered(key: key, reply: reply)
                        }
                    }
                }
            }
            group.addTask { try await crash() }
            try await group.waitForAll()
        }
    }

    private func verify(port: Int, ledger: Ledger, cycle: Int) async throws {
        try await SlotConnection.withConnection(port: port) { client in
            // Retry what never got an answer; a retry that succeeds claims its booking.
            for (key, request) in await ledger.unanswered {
                let reply = try await client.call(request)
                await ledger.answered(key: key, reply: reply)
            }
            let acknowledged = await ledger.acknowledged
            for (id, expected) in acknowledged {
                let reply = try await client.call(["op": "get_booking", "booking": .string(id)])
                let state = reply["booking"]?["state"]?.string
                #expect(state != nil, "cycle \(cycle): acknowledged booking \(id) is missing")
                if expected.state == "canceled" {
                    #expect(state == "canceled", "cycle \(cycle): \(id) was acknowledged canceled, is \(state ?? "-")")
                } else {
                    #expect(state == "confirmed" || state == "canceled", "cycle \(cycle): \(id) is \(state ?? "-")")
                }
            }
            for resource in Self.resources {
                let listed = try await client.call([
                    "op": "list_bookings", "resource": .string(resource), "from": "2027-01-05T00:00:00Z",
                    "to": "2027-01-09T00:00:00Z", "limit": 10_000,
                ])
                let bookings = listed["bookings"]?.array ?? []
                for booking in bookings {
                    let id = booking["id"]?.string ?? ""
                    #expect(acknowledged[id] != nil, "cycle \(cycle): \(id) exists but was never acknowledged")
                }
                // No instant over capacity: count overlaps at every start.
                let ranges = bookings.compactMap { booking -> (String, String)? in
                    guard let start = booking["start"]?.string, let end = booking["end"]?.string else { return nil }
                    return (start, end)
                }
                for (start, _) in ranges {
                    let overlapping = ranges.filter { $0.0 <= start && start < $0.1 }.count
                    #expect(
                        overlapping <= Self.capacity,
                        "cycle \(cycle): \(resource) has \(overlapping) bookings at \(start)")
                }
            }
        }
    }
}
