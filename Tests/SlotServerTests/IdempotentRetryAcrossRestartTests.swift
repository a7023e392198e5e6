import Foundation
import SlotClient
import SlotDomain
import SlotServer
import SlotTesting
import Testing

/// Every mutation of `IdempotentMutationTests.allCases` sent under a key to a real slotd, which is then killed
/// with SIGKILL and restarted on the same folder: the same line sent again gets the first reply line again, byte
/// for byte, with no second effect (the journal's sequence and what the reads show are unchanged); the key with
/// another payload is `idempotency_conflict`, and changes nothing either.
@Suite struct IdempotentRetryAcrossRestartTests {
    typealias Case = IdempotentMutationTests.Case

    /// Reads that show every effect the table's ops can have: the resources, `r`'s rules and waitlist, the
    /// bookings of both resources, the first bookings with their history, and the group the setups make.
    static let probes: [JSONValue] = [
        ["op": "list_resources"], ["op": "get_rules", "resource": "r"], ["op": "waitlist_status", "resource": "r"],
        ["op": "list_bookings", "resource": "r", "from": "2027-01-04T00:00:00Z", "to": "2027-01-12T00:00:00Z"],
        ["op": "list_bookings", "resource": "r2", "from": "2027-01-04T00:00:00Z", "to": "2027-01-12T00:00:00Z"],
        ["op": "get_booking", "booking": "r/1"], ["op": "get_booking", "booking": "r/2"],
        ["op": "get_booking", "booking": "r/3"], ["op": "get_booking", "booking": "r2/1"],
        ["op": "get_group", "group": "r/g1"],
    ]

    /// With `snapshot`, a snapshot taken after the keyed request holds its key; else the journal alone does.
    @Test(arguments: IdempotentMutationTests.allCases, [false, true])
    func aRetryAfterKillNineGetsTheFirstReplyLineWithoutASecondEffect(_ example: Case, snapshot: Bool) async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        if let setupAt = example.setupAt {
            // A setup in the past runs on a server whose clock stands then; the real process starts on its journal.
            try await TestServer.run(dataDirectory: directory, clock: ManualClock(setupAt)) { server in
                try await server.connect { try await Self.setUp(example, $0) }
            }
        }
        let first = try await SlotdProcess(dataDirectory: directory)
        let (line, sequence, seen) = try await first.connect { client in
            if example.setupAt == nil { try await Self.setUp(example, client) }
            let line = try await IdempotentMutationTests.call(client, example.keyed)
            #expect(try JSONValue.parse(line)["ok"] == true, "\(line)")
            if snapshot { #expect(try await client.call(["op": "snapshot"])["ok"] == true) }
            return (
                line, try await IdempotentMutationTests.journalSequence(client), try await client.pipeline(Self.probes)
            )
        }
        first.kill9()
        let second = try await SlotdProcess(dataDirectory: directory)
        try await second.connect { client in
            #expect(try await IdempotentMutationTests.call(client, example.keyed) == line)
            #expect(
                try await IdempotentMutationTests.journalSequence(client) == sequence, "the retry journaled nothing")
            let probed = try await client.pipeline(Self.probes)
            for (probe, (before, after)) in zip(Self.probes, zip(seen, probed)) {
                #expect(before == after, "\(probe) answered \(before) before the kill, \(after) after the retry")
            }
            let conflict = try JSONValue.parse(try await IdempotentMutationTests.call(client, example.different))
            #expect(conflict.errorCode == "idempotency_conflict", "\(conflict)")
            #expect(try await IdempotentMutationTests.call(client, example.keyed) == line)
            #expect(try await IdempotentMutationTests.journalSequence(client) == sequence)
        }
        #expect(try await second.terminate() == 0)
    }

    /// A batch that is not atomic carries no key of its own, but each of its ops may: the same line after kill -9
    /// gets the same reply line, each op replayed under its key, and an op whose key comes with another payload
    /// is refused alone with `idempotency_conflict` while the others still replay.
    @Test func aBatchThatIsNotAtomicReplaysEachKeyedOpAfterKillNine() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func batch(_ customer: String) -> JSONValue {
            [
                "id": "each", "op": "batch", "atomic": false,
                "ops": [
                    Requests.hold(
                        "r", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z", op: "book", customer: customer,
                        extra: ["id": 1, "idempotency_key": "e-1"]),
                    ["id": 2, "op": "set_limits", "resource": "r", "min_notice_minutes": 30, "idempotency_key": "e-2"],
                    Requests.hold(
                        "r", "2027-01-05T12:00:00Z", "2027-01-05T13:00:00Z",
                        extra: ["id": 3, "idempotency_key": "e-3", "ttl_seconds": 3_600]),
                ],
            ]
        }
        let first = try await SlotdProcess(dataDirectory: directory)
        let (line, sequence) = try await first.connect { client in
            #expect(try await client.call(Requests.createResource("r"))["ok"] == true)
            let line = try await IdempotentMutationTests.call(client, batch("ann"))
            let results = try JSONValue.parse(line)["results"]?.array ?? []
            #expect(results.count == 3 && results.allSatisfy(\.ok), "\(line)")
            return (line, try await IdempotentMutationTests.journalSequence(client))
        }
        first.kill9()
        let second = try await SlotdProcess(dataDirectory: directory)
        try await second.connect { client in
            #expect(try await IdempotentMutationTests.call(client, batch("ann")) == line)
            #expect(
                try await IdempotentMutationTests.journalSequence(client) == sequence, "the retry journaled nothing")
            let other = try JSONValue.parse(try await IdempotentMutationTests.call(client, batch("bob")))
            let codes = (other["results"]?.array ?? []).map { $0.errorCode ?? "ok" }
            #expect(codes == ["idempotency_conflict", "ok", "ok"], "\(other)")
            #expect(try await IdempotentMutationTests.journalSequence(client) == sequence)
        }
        #expect(try await second.terminate() == 0)
    }

    static func setUp(_ example: Case, _ client: SlotConnection) async throws {
        #expect(try await client.call(Requests.createResource("r"))["ok"] == true)
        for request in example.setup { #expect(try await client.call(request)["ok"] == true, "\(request)") }
    }
}
