import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// `idempotency_key` on an atomic batch: the batch is the one mutation the key stands for. A retry gets the first
/// reply line again (the ops' own ids included) and journals nothing, live and after a restart; other ops under
/// the key are `idempotency_conflict`.
extension BatchProtocolTests {
    static let keyedOps: [JSONValue] = [
        with(hold("r", hour: 10), ["id": "hold-r"]),
        with(Requests.move("confirm", "r/1"), ["id": 2, "tz": "America/New_York"]),
        hold("s", hour: 10, op: "book"),
        [
            "op": "hold", "resources": ["r", "s"], "start": "2027-01-05T11:00:00Z", "end": "2027-01-05T11:30:00Z",
            "customer": "pat",
        ],
    ]

    static func line(_ client: SlotConnection, _ request: JSONValue) async throws -> String {
        try await client.send(request)
        return try await client.receiveLine()
    }

    static func checkRetries(_ client: SlotConnection, first: String, sequence: Int?) async throws {
        let keyed = batch(keyedOps, atomic: true, extra: ["idempotency_key": "batch-1"])
        #expect(try await line(client, keyed) == first)
        #expect(try await journalSequence(client) == sequence, "the retry journaled nothing")
        let other = batch(
            keyedOps.dropLast() + [hold("s", hour: 12)], atomic: true, extra: ["idempotency_key": "batch-1"])
        let conflict = try JSONValue.parse(try await line(client, other))
        #expect(conflict.errorCode == "idempotency_conflict", "\(conflict)")
        #expect(try await line(client, keyed) == first)
        #expect(try await journalSequence(client) == sequence)
        #expect(try await client.call(["op": "get_booking", "booking": "r/3"]).errorCode == "not_found")
        #expect(
            try await client.call(["op": "get_group", "group": "r/g2"])["group"]?["state"] == "pending_confirmation")
    }

    @Test(arguments: IdempotentMutationTests.Restart.allCases)
    func aKeyedAtomicBatchRepliesTheSameWithoutASecondEffect(restart: IdempotentMutationTests.Restart) async throws {
        try await restart.check { client in
            try await Self.setUp(client)
            let first = try await Self.line(
                client, Self.batch(Self.keyedOps, atomic: true, extra: ["idempotency_key": "batch-1"]))
            let reply = try JSONValue.parse(first)
            let results = Self.results(reply)
            #expect(results.count == 4 && results.allSatisfy(\.ok), "\(first)")
            #expect(results.map { $0["id"] } == ["hold-r", 2, nil, nil])
            #expect(results[1]["booking"]?["start_local"] == "2027-01-05T05:00:00-05:00", "\(first)")
            #expect(results[3]["group"]?["id"] == "r/g2", "\(first)")
            return (first, try await Self.journalSequence(client))
        } retry: { client, state in
            try await Self.checkRetries(client, first: state.0, sequence: state.1)
        }
    }

    /// A key goes on an atomic batch of changes: not on a batch that is not atomic, not on an atomic batch's ops,
    /// and not on a batch holding a read, whose reply is not kept.
    @Test func whereAKeyMayNotGo() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                try await Self.setUp(client)
                let independent = try await client.call(
                    Self.batch([Self.hold("r", hour: 10)], atomic: false, extra: ["idempotency_key": "k"]))
                #expect(independent.errorCode == "invalid_request", "\(independent)")
                #expect(independent["error"]?["field"] == "idempotency_key")
                let inner = try await client.call(
                    Self.batch([Self.hold("r", hour: 10, extra: ["idempotency_key": "k"])], atomic: true))
                #expect(inner.errorCode == "batch_refused" && inner["error"]?["index"] == 0, "\(inner)")
                #expect(inner["error"]?["cause"]?["field"] == "idempotency_key", "\(inner)")
                for read: JSONValue in [
                    ["op": "get_booking", "booking": "r/1"], ["op": "ping"], ["op": "get_group", "group": "r/g1"],
                ] {
                    let reply = try await client.call(
                        Self.batch([Self.hold("r", hour: 10), read], atomic: true, extra: ["idempotency_key": "k"]))
                    // An atomic batch refuses any op it cannot run as a whole: `batch_refused`, caused by the read.
                    #expect(reply.errorCode == "batch_refused" && reply["error"]?["index"] == 1, "\(reply)")
                    #expect(reply["error"]?["cause"]?["code"] == "invalid_request", "\(reply)")
                    #expect(reply["error"]?["cause"]?["field"] == "op", "\(reply)")
                }
                #expect(try await client.call(["op": "get_booking", "booking": "r/1"]).errorCode == "not_found")
                // The key was kept by none of them.
                let served = try await client.call(
                    Self.batch([Self.hold("r", hour: 10)], atomic: true, extra: ["idempotency_key": "k"]))
                #expect(Self.results(served).first?["booking"]?["id"] == "r/1", "\(served)")
            }
        }
    }
}
