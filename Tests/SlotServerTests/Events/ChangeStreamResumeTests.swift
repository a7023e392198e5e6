import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// Resuming the change stream: from the last `seq` seen, after a disconnect or a restart, every later event comes
/// once and in order; a cursor older than what the journal keeps is refused with the oldest it has; a subscriber
/// that does not read is cut off without slowing anyone.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ChangeStreamResumeTests {
    static let day = "2027-01-05"

    /// `count` confirmed bookings on `resource`, one per quarter hour from 00:00 of `day` on, pipelined.
    static func book(
        _ count: Int, on resource: String, from first: Int = 0, customer: String = "ann", _ client: SlotConnection
    ) async throws {
        let format = ISO8601DateFormatter()
        let requests = (first..<first + count).map { index -> JSONValue in
            let start = TestServer.epoch.adding(seconds: 86_400 + Int64(index) * 900).secondsSinceEpoch
            let text = { (seconds: Int64) in format.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))) }
            return Requests.hold(resource, text(start), text(start + 900), op: "book", customer: customer)
        }
        // 50 at a time: one commit's events stay well under a test's small subscriber buffer.
        for chunk in stride(from: 0, to: requests.count, by: 50) {
            let replies = try await client.pipeline(Array(requests[chunk..<min(chunk + 50, requests.count)]))
            for reply in replies { #expect(reply.ok, "\(reply)") }
        }
    }

    @Test func reconnectingWithTheLastSeqSeenGetsEveryLaterEventOnce() async throws {
        try await TestServer.run { server in
            try await SlotConnection.withConnection(port: server.port) { client in
                #expect(try await client.call(Requests.createResource("r")).ok)
                let lastSeen = try await SlotConnection.withConnection(port: server.port) { subscriber in
                    let stream = StreamClient(connection: subscriber)
                    _ = try await stream.subscribe(["resources": ["r"]])
                    try await Self.book(10, on: "r", client)
                    let events = try await stream.events(4)
                    return try #require(events.last?.seq)
                }
                // Gone after 4 of 10; 10 more meanwhile.
                try await Self.book(10, on: "r", from: 10, client)
                try await SlotConnection.withConnection(port: server.port) { subscriber in
                    let stream = StreamClient(connection: subscriber)
                    let reply = try await stream.subscribe(["resources": ["r"], "from_seq": .number(Double(lastSeen))])
                    #expect(reply["subscription"]?["from_seq"] == .number(Double(lastSeen)), "\(reply)")
                    let rest = try await stream.events(16)
                    #expect(rest.map(\.seq) == Array(lastSeen + 1...lastSeen + 16))
                    #expect(rest.allSatisfy { $0["type"] == "booking.confirmed" })
                    // Then live: the next change comes as it commits, and nothing before it was repeated.
                    try await Self.book(1, on: "r", from: 20, client)
                    #expect(try await stream.nextEvent().seq == lastSeen + 17)
                    let metrics = try await HTTPProbe.get(port: try #require(server.httpPort), "/metrics")
                    #expect(metrics.value("slotd_subscribers") == 1, "the live subscriber is counted")
                }
            }
        }
    }

    /// A cursor carries the journal it was counted in: one from another journal (a server since restored from a
    /// snapshot numbers its events anew) is refused as expired, naming the current one.
    @Test func aCursorFromAnotherJournalIsRefusedAsExpired() async throws {
        try await TestServer.run { server in
            try await SlotConnection.withConnection(port: server.port) { client in
                #expect(try await client.call(Requests.createResource("r")).ok)
                let first = try await client.call(["op": "subscribe", "all": true, "from_seq": 0])
                let journal = try #require(first["subscription"]?["journal"]?.string, "\(first)")
                #expect(journal.count == 36, "a UUID")
                let same = try await client.call([
                    "op": "subscribe", "all": true, "from_seq": 1, "journal": .string(journal),
                ])
                #expect(same.ok, "\(same)")
                let other = try await client.call([
                    "op": "subscribe", "all": true, "from_seq": 1, "journal": "73f331b3-ae54-44c1-a8bf-904b110d77a5",
                ])
                #expect(other.errorCode == "cursor_expired", "\(other)")
                #expect(other["error"]?["journal"] == .string(journal))
            }
        }
    }

    @Test func numberingGoesOnAcrossARestart() async throws {
        let folder = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await TestServer.run(dataDirectory: folder) { server in
            try await SlotConnection.withConnection(port: server.port) { client in
                #expect(try await client.call(Requests.createResource("r")).ok)
                try await Self.book(3, on: "r", client)
            }
        }
        try await TestServer.run(dataDirectory: folder) { server in
            try await SlotConnection.withConnection(port: server.port) { subscriber in
                try await SlotConnection.withConnection(port: server.port) { client in
                    let stream = StreamClient(connection: subscriber)
                    let reply = try await stream.subscribe(["all": true, "from_seq": 0])
                    #expect(reply["subscription"]?["head_seq"] == 4, "\(reply)")
                    #expect(try await stream.events(4).map(\.seq) == [1, 2, 3, 4])
                    try await Self.book(1, on: "r", from: 3, client)
                    #expect(try await stream.nextEvent().seq == 5)
                }
            }
        }
    }

    @Test func aCursorOlderThanTheJournalKeepsIsRefusedWithTheOldestKept() async throws {
        try await TestServer.run { server in
            try await SlotConnection.withConnection(port: server.port) { client in
                #expect(try await client.call(Requests.createResource("r")).ok)
                try await Self.book(5, on: "r", client)
                // Two snapshots: the journal is compacted up to the older one, and the events with it.
                #expect(try await client.call(["op": "snapshot"]).ok)
                try await Self.book(5, on: "r", from: 5, client)
                #expect(try await client.call(["op": "snapshot"]).ok)
                try await Self.book(5, on: "r", from: 10, client)
                #expect(try await client.call(["op": "snapshot"]).ok)
                let refused = try await client.call(["op": "subscribe", "all": true, "from_seq": 0])
                #expect(refused["error"]?["code"] == "cursor_expired", "\(refused)")
                let oldest = try #require(refused["error"]?["oldest_seq"]?.string.flatMap { Int($0) })
                #expect(oldest > 1)
                let resumed = try await client.call([
                    "op": "subscribe", "all": true, "from_seq": .number(Double(oldest - 1)),
                ])
                #expect(resumed.ok, "\(resumed)")
            }
        }
    }

    @Test func aSubscriberThatDoesNotReadIsCutOffWhileAnotherGetsEverything() async throws {
        let configuration = TestServer.configuration {
            $0.events.subscriberBufferedBytesMax = 65_536
            $0.events.lagGraceSeconds = 1
        }
        try await TestServer.run(configuration: configuration) { server in
            try await SlotConnection.withConnection(port: server.port) { client in
                #expect(try await client.call(Requests.createResource("r")).ok)
                let silent = try UnreadRepliesTests.NonReader(port: server.port)
                defer { silent.disconnect() }
                #expect(silent.send("{\"op\":\"subscribe\",\"all\":true}\n"))
                // Long names make long events: enough of them to fill the kernel's buffers on the way to the
                // silent client (a few MB on loopback) and then its buffer in slotd.
                let count = 12_000
                let customer = String(repeating: "x", count: 250)
                let (subscribed, subscribedNow) = AsyncStream<Void>.makeStream()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        try await SlotConnection.withConnection(port: server.port) { subscriber in
                            let stream = StreamClient(connection: subscriber)
                            _ = try await stream.subscribe()
                            subscribedNow.finish()
                            let seqs = try await stream.events(count).map(\.seq)
                            #expect(seqs == Array(2...count + 1), "the reading subscriber gets every event once")
                        }
                    }
                    for await _ in subscribed {}
                    try await Self.book(count, on: "r", customer: customer, client)
                    try await group.waitForAll()
                }
                #expect(await silent.closedByServer(withinSeconds: 20), "the silent subscriber is cut off")
            }
        }
    }
}
