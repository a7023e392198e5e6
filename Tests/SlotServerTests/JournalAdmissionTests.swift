import SlotClient
import SlotServer
import SlotTesting
import SlotWire
import Testing

/// The journal queue's bound seen from the wire: each request reserves `Operation.journalEntriesMax` before it is
/// decided, so that count must cover what it appends, and a full queue makes requests wait, never fail.
@Suite struct JournalAdmissionTests {
    static let hoursAndLimits: [String: JSONValue] = [
        "weekly_hours": ["tue": [["08:00", "18:00"]]], "max_bookings_per_day": 20,
    ]

    /// Sends `request` alone and returns its reply and how many journal entries it appended, after checking
    /// that count against what the request reserved.
    static func appended(_ request: JSONValue, _ client: SlotConnection, _ server: TestServer) async throws
        -> (reply: JSONValue, entries: Int)
    {
        guard case .success(let decoded) = RequestDecoder().decode(Array(request.jsonText.utf8)) else {
            Issue.record("does not decode: \(request)")
            return (.null, 0)
        }
        let before = server.runtime.journal.appendedSequence
        let reply = try await client.call(request)
        let entries = Int(server.runtime.journal.appendedSequence - before)
        #expect(entries <= decoded.operation.journalEntriesMax, "\(request)")
        return (reply, entries)
    }

    static func book(_ resources: [String], hour: Int) -> JSONValue {
        [
            "op": "book", "resources": .array(resources.map { .string($0) }),
            "start": .string("2027-01-05T\(hour):00:00Z"), "end": .string("2027-01-05T\(hour):30:00Z"),
            "customer": "pat",
        ]
    }

    @Test func noRequestAppendsMoreThanItReserved() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                let created = try await Self.appended(
                    Requests.createResource("a", extra: Self.hoursAndLimits), client, server)
                #expect(created.entries == 3, "the resource and its two rule layers")
                for resource in ["b", "c"] {
                    _ = try await Self.appended(Requests.createResource(resource), client, server)
                }
                let held = try await Self.appended(
                    Requests.hold("c", "2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z"), client, server)
                #expect(held.entries == 1)
                let id = held.reply["booking"]?["id"]?.string ?? ""
                #expect(try await Self.appended(Requests.move("confirm", id), client, server).entries == 1)
                // c is taken at 10:00: every member is placed before any is held, so the refused group appends
                // nothing; a group booked, whatever its size, is one atomic entry.
                let refused = try await Self.appended(Self.book(["a", "b", "c"], hour: 10), client, server)
                #expect(refused.reply.errorCode == "slot_unavailable" && refused.entries == 0)
                let booked = try await Self.appended(Self.book(["a", "b", "c"], hour: 11), client, server)
                #expect(booked.reply.ok && booked.entries == 1)
                let pair = try await Self.appended(Self.book(["a", "b"], hour: 12), client, server)
                #expect(pair.reply.ok && pair.entries == 1)
                let read: JSONValue = [
                    "op": "availability", "resource": "a", "from": "2027-01-05T08:00:00Z",
                    "to": "2027-01-05T12:00:00Z", "duration_minutes": 30,
                ]
                #expect(try await Self.appended(read, client, server).entries == 0)
            }
        }
    }

    /// A bound of one entry, what one group booking appends: each request takes the whole bound and waits for
    /// the others' entries to be committed; every one is served, none refused for it.
    @Test func aTinyQueueMakesRequestsWaitAndServesThemAll() async throws {
        let configuration = TestServer.configuration { $0.journal.queuedEntriesMax = 1 }
        try await TestServer.run(configuration: configuration) { server in
            try await server.connect { client in
                for resource in ["a", "b", "c"] { _ = try await client.call(Requests.createResource(resource)) }
            }
            let served = try await withThrowingTaskGroup(of: Int.self) { group in
                for connection in 0..<4 {
                    group.addTask {
                        try await server.connect { client in
                            let requests = (0..<5).map {
                                Self.book(["a", "b", "c"], hour: 10 + connection * 2 + $0 / 3)
                            }
                            let replies = try await client.pipeline(requests)
                            // Per connection two hours of its own: the first request of each books, the rest find
                            // it taken.
                            #expect(replies.map(\.ok) == [true, false, false, true, false])
                            return replies.count { $0.errorCode == "slot_unavailable" }
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(served == 12)
            #expect(server.runtime.journal.outstandingEntries == 0)
        }
    }
}
