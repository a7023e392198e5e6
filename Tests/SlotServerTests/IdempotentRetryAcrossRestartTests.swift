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

    @Test(arguments: IdempotentMutationTests.allCases)
    func aRetryAfterKillNineGetsTheFirstReplyLineWithoutASecondEffect(_ example: Case) async throws {
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

    static func setUp(_ example: Case, _ client: SlotConnection) async throws {
        #expect(try await client.call(Requests.createResource("r"))["ok"] == true)
        for request in example.setup { #expect(try await client.call(request)["ok"] == true, "\(request)") }
    }
}
