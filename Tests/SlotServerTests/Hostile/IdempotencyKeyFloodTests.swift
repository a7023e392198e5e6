import Foundation
import SlotClient
import SlotDomain
import SlotServer
import SlotTesting
import Testing

/// State a client could otherwise grow without end: idempotency keys. A request that changed nothing
/// leaves no key and no journal entry; the table is bounded per server and per resource, and a new key past
/// either bound is refused with `too_many_keys` while the keys already stored keep replaying, across a restart.
@Suite struct IdempotencyKeyFloodTests {
    static func stats(_ client: SlotConnection) async throws -> (keys: Int?, journalSequence: Int?) {
        let stats = try await client.call(["op": "stats"])["stats"]
        return (stats?["idempotency_keys"]?.int, stats?["journal_sequence"]?.int)
    }

    /// A flood of no-op confirms under new keys, 50,000 against the real binary: none of them keeps anything.
    @Test func noOpConfirmsUnderNewKeysStoreNothing() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await SlotdProcess(dataDirectory: directory)
        let confirms = 50_000
        try await SlotConnection.withConnection(port: server.port) { (client: SlotConnection) async throws in
            #expect(try await client.call(Requests.createResource("r"))["ok"] == true)
            let start = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400 * 2)).prefix(11)
            #expect(
                try await client.call(Requests.hold("r", "\(start)10:00:00Z", "\(start)10:15:00Z", op: "book"))["ok"]
                    == true)
        }
        let before = try #require(server.cost)
        let (replies, probe) = try await PingProbe.whilePinging(port: server.port) {
            try await SlotConnection.withConnection(port: server.port) { client in
                let (_, sequenceBefore) = try await Self.stats(client)
                var confirmed = 0
                for batch in 0..<(confirms / 500) {
                    let requests = (0..<500).map { index in
                        Requests.move("confirm", "r/1", extra: ["idempotency_key": .string("flood-\(batch)-\(index)")])
                    }
                    for reply in try await client.pipeline(requests)
                    where reply["booking"]?["state"] == "confirmed" {
                        confirmed += 1
                    }
                }
                let (keys, sequenceAfter) = try await Self.stats(client)
                // A retry of one of them is decided again: the same reply.
                let retry = try await client.call(
                    Requests.move("confirm", "r/1", extra: ["idempotency_key": "flood-0-0"]))
                return (confirmed, keys, sequenceBefore, sequenceAfter, retry["booking"]?["state"])
            }
        }
        let (confirmed, keys, sequenceBefore, sequenceAfter, retried) = replies
        #expect(confirmed == confirms)
        #expect(keys == 0)
        #expect(sequenceBefore != nil && sequenceAfter == sequenceBefore, "no journal entry for a no-op")
        #expect(retried == "confirmed")
        #expect(server.process.isRunning)
        let after = try #require(server.cost)
        // A stored key costs about 780 bytes, 39 MB for 50,000; nothing is kept, and 8 MiB of slack covers
        // allocator noise. 50,000 small requests take a few seconds of CPU in a debug build; 20 s leaves room for a
        // busy machine.
        after.expectGrowth(since: before, cpuSecondsMax: 20, residentBytesGrowthMax: 8 << 20)
        // A ping waits behind at most one pipelined batch of 500 small requests.
        await probe.expectServed()
        #expect(try await server.terminate() == 0)
    }

    static let limited = TestServer.configuration {
        $0.domainLimits.idempotencyKeysMax = 6
        $0.domainLimits.idempotencyKeysPerResourceMax = 4
    }

    static func keyedHold(_ resource: String, hour: Int, key: String) -> JSONValue {
        Requests.hold(
            resource, "2027-01-05T\(hour):00:00Z", "2027-01-05T\(hour):15:00Z", extra: ["idempotency_key": .string(key)]
        )
    }

    @Test func aNewKeyPastEitherLimitIsRefusedAndStoredKeysStillReplay() async throws {
        let clock = ManualClock(TestServer.epoch)
        try await TestServer.run(clock: clock, configuration: Self.limited) { server in
            try await server.connect { client in
                for resource in ["a", "b", "c"] {
                    #expect(try await client.call(Requests.createResource(resource))["ok"] == true)
                }
                var first: [JSONValue] = []
                for hour in 10..<14 {
                    let reply = try await client.call(Self.keyedHold("a", hour: hour, key: "a-\(hour)"))
                    #expect(reply["ok"] == true, "\(reply)")
                    first.append(reply)
                }
                let perResource = try await client.call(Self.keyedHold("a", hour: 14, key: "a-14"))
                #expect(perResource.errorCode == "too_many_keys", "\(perResource)")
                #expect(perResource["error"]?["limit"] == "4")
                #expect(perResource["error"]?["scope"] == "resource")
                #expect(perResource["error"]?["field"] == "idempotency_key")
                for hour in 10..<12 {
                    #expect(try await client.call(Self.keyedHold("b", hour: hour, key: "b-\(hour)"))["ok"] == true)
                }
                let perServer = try await client.call(Self.keyedHold("c", hour: 10, key: "c-10"))
                #expect(perServer.errorCode == "too_many_keys", "\(perServer)")
                #expect(perServer["error"]?["limit"] == "6")
                #expect(perServer["error"]?["scope"] == "server")
                let create = try await client.call(
                    Requests.createResource("d", extra: ["idempotency_key": "create-d"]))
                #expect(create.errorCode == "too_many_keys", "\(create)")
                // Nothing was done for the refusals; a request without a key still goes through.
                #expect(try await client.call(Requests.createResource("d"))["ok"] == true)
                #expect(
                    try await client.call(Requests.hold("c", "2027-01-05T10:00:00Z", "2027-01-05T10:15:00Z"))["ok"]
                        == true)
                // Stored keys replay the first reply, byte for byte apart from id.
                for (index, hour) in (10..<14).enumerated() {
                    #expect(try await client.call(Self.keyedHold("a", hour: hour, key: "a-\(hour)")) == first[index])
                }
                #expect(try await Self.stats(client).keys == 6)
                // Once their retention has passed, expired keys make room.
                clock.advance(seconds: DomainLimits.standard.idempotencyRetentionSeconds + 1)
                let later = Requests.hold(
                    "c", "2027-01-06T10:00:00Z", "2027-01-06T10:15:00Z", extra: ["idempotency_key": "c-later"])
                #expect(try await client.call(later)["ok"] == true)
            }
        }
    }

    /// Keys come back from the snapshot and the journal after a restart, and count against the limits there.
    @Test func storedKeysSurviveARestartAndStillCount() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = TestServer.configuration { $0.domainLimits.idempotencyKeysPerResourceMax = 2 }
        let first = try await TestServer.run(dataDirectory: directory, configuration: configuration) { server in
            try await server.connect { client in
                #expect(try await client.call(Requests.createResource("a"))["ok"] == true)
                let snapshotted = try await client.call(Self.keyedHold("a", hour: 10, key: "k-10"))
                #expect(try await client.call(["op": "snapshot"])["ok"] == true)
                let journaled = try await client.call(Self.keyedHold("a", hour: 11, key: "k-11"))
                return [snapshotted, journaled]
            }
        }
        try await TestServer.run(dataDirectory: directory, configuration: configuration) { server in
            try await server.connect { (client: SlotConnection) async throws in
                #expect(try await client.call(Self.keyedHold("a", hour: 10, key: "k-10")) == first[0])
                #expect(try await client.call(Self.keyedHold("a", hour: 11, key: "k-11")) == first[1])
                #expect(try await client.call(Self.keyedHold("a", hour: 12, key: "k-12")).errorCode == "too_many_keys")
            }
        }
    }
}
