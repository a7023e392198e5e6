import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// `idempotency_key` on a multi-resource `hold`/`book`, a pool's `hold` and each group op: a retry gets the first
/// reply line again, byte for byte, and journals nothing, live, after a restart and after a snapshot and a
/// restart; the key with another payload is `idempotency_conflict`.
extension GroupProtocolTests {
    struct KeyedCase: Sendable, CustomTestStringConvertible {
        var name: String
        var setup: [JSONValue]
        var keyed: JSONValue
        var different: JSONValue
        var testDescription: String { name }
    }

    static func keyed(_ request: JSONValue, _ changes: [String: JSONValue] = [:]) -> JSONValue {
        guard case .object(var fields) = request else { preconditionFailure("a request is an object") }
        fields["id"] = "retry"
        fields["idempotency_key"] = "g-1"
        fields.merge(changes) { _, new in new }
        return .object(fields)
    }

    static let keyedCases: [KeyedCase] = {
        let pool: JSONValue = [
            "op": "hold", "pool": ["room-a", "room-b"], "start": "2027-01-05T10:00:00Z",
            "end": "2027-01-05T10:30:00Z", "customer": "pat",
        ]
        let confirm: JSONValue = ["op": "confirm_group", "group": "room-a/g1"]
        let cancel: JSONValue = ["op": "cancel_group", "group": "room-a/g1", "reason": "ill"]
        let reschedule: JSONValue = [
            "op": "reschedule_group", "group": "room-a/g1", "start": "2027-01-05T12:00:00Z",
            "end": "2027-01-05T12:30:00Z",
        ]
        let group = groupHold(["room-a", "room-b"])
        return [
            KeyedCase(
                name: "hold resources", setup: [], keyed: keyed(group), different: keyed(group, ["customer": "bob"])),
            KeyedCase(
                name: "book resources", setup: [], keyed: keyed(groupHold(resources, op: "book")),
                different: keyed(groupHold(resources, op: "book"), ["end": "2027-01-05T11:00:00Z"])),
            // room-a has a booking already, so the pool picks room-b.
            KeyedCase(
                name: "hold pool", setup: [Requests.hold("room-a", "2027-01-05T08:00:00Z", "2027-01-05T08:30:00Z")],
                keyed: keyed(pool), different: keyed(pool, ["pool": ["room-a", "room-c"]])),
            KeyedCase(
                name: "confirm_group", setup: [group], keyed: keyed(confirm),
                different: keyed(confirm, ["actor": "desk"])),
            KeyedCase(
                name: "cancel_group", setup: [group], keyed: keyed(cancel),
                different: keyed(cancel, ["reason": "well again"])),
            KeyedCase(
                name: "reschedule_group", setup: [groupHold(["room-a", "room-b"], op: "book")],
                keyed: keyed(reschedule), different: keyed(reschedule, ["end": "2027-01-05T13:00:00Z"])),
        ]
    }()

    static func line(_ client: SlotConnection, _ request: JSONValue) async throws -> String {
        try await client.send(request)
        return try await client.receiveLine()
    }

    static func journalSequence(_ client: SlotConnection) async throws -> Int? {
        try await client.call(["op": "stats"])["stats"]?["journal_sequence"]?.int
    }

    @Test(arguments: keyedCases, IdempotentMutationTests.Restart.allCases)
    func aKeyedGroupRequestRepliesTheSameWithoutASecondEffect(
        _ example: KeyedCase, restart: IdempotentMutationTests.Restart
    ) async throws {
        try await restart.check { client in
            try await Self.setUp(client)
            for request in example.setup { #expect(try await client.call(request).ok, "\(request)") }
            let first = try await Self.line(client, example.keyed)
            #expect(try JSONValue.parse(first).ok, "\(first)")
            return (first, try await Self.journalSequence(client))
        } retry: { client, state in
            try await Self.checkRetries(client, example, first: state.0, sequence: state.1)
        }
    }

    static func checkRetries(_ client: SlotConnection, _ example: KeyedCase, first: String, sequence: Int?)
        async throws
    {
        #expect(try await line(client, example.keyed) == first)
        #expect(try await journalSequence(client) == sequence, "the retry journaled nothing")
        let conflict = try JSONValue.parse(try await line(client, example.different))
        #expect(conflict.errorCode == "idempotency_conflict", "\(conflict)")
        #expect(try await line(client, example.keyed) == first)
        #expect(try await journalSequence(client) == sequence)
    }

    /// The group a keyed hold made is the one its retry names, and after a restart (from the journal, or from a
    /// snapshot) the group and its members are all still there, with their group.
    @Test(arguments: [IdempotentMutationTests.Restart.journal, .snapshot])
    func aKeyedGroupHoldMakesOneGroupAcrossARestart(restart: IdempotentMutationTests.Restart) async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = ManualClock(TestServer.epoch)
        let request = Self.keyed(Self.groupHold(Self.resources))
        let group = try await TestServer.run(dataDirectory: directory, clock: clock) { server in
            try await server.connect { client in
                try await Self.setUp(client)
                let first = try await client.call(request)
                _ = try await client.call(["op": "confirm_group", "group": first["group"]?["id"] ?? .null])
                if restart == .snapshot { #expect(try await client.call(["op": "snapshot"]).ok) }
                return try await client.call(["op": "get_group", "group": "room-a/g1"])
            }
        }
        try await TestServer.run(dataDirectory: directory, clock: clock) { server in
            try await server.connect { client in
                #expect(try await client.call(["op": "get_group", "group": "room-a/g1"]) == group)
                // The retry replays the hold's reply (pending), not a second group.
                let retry = try await client.call(request)
                #expect(retry["group"]?["id"] == "room-a/g1" && retry["group"]?["state"] == "pending_confirmation")
                for resource in Self.resources {
                    let listed = try await Self.listed(client, resource)
                    #expect(listed.map { $0["group"] } == ["room-a/g1"], "\(resource)")
                    #expect(listed.map { $0["state"] } == ["confirmed"])
                }
                let member = try await client.call(Requests.move("cancel", "room-c/1"))
                #expect(member.errorCode == "group_member" && member["error"]?["group"] == "room-a/g1")
            }
        }
    }

    /// Members that lapsed together are still lapsed together after a restart, and their slots are free.
    @Test func aLapsedGroupIsStillLapsedAfterARestart() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = ManualClock(TestServer.epoch)
        let group = try await TestServer.run(dataDirectory: directory, clock: clock) { server in
            try await server.connect { client in
                try await Self.setUp(client)
                let held = try await client.call(Self.groupHold(["room-b", "room-c"], extra: ["ttl_seconds": 1]))
                clock.advance(seconds: 2)
                return held["group"]?["id"] ?? .null
            }
        }
        try await TestServer.run(dataDirectory: directory, clock: clock) { server in
            try await server.connect { client in
                let lapsed = try await client.call(["op": "get_group", "group": group])["group"]
                #expect(lapsed?["state"] == "expired", "\(String(describing: lapsed))")
                for member in ["room-b/1", "room-c/1"] {
                    let booking = try await client.call(["op": "get_booking", "booking": .string(member)])["booking"]
                    #expect(booking?["state"] == "expired" && booking?["group"] == group, "\(member)")
                }
                let late = try await client.call(["op": "confirm_group", "group": group])
                #expect(late.errorCode == "hold_expired", "\(late)")
                let again = try await client.call(Self.groupHold(["room-b", "room-c"], op: "book"))
                #expect(again["group"]?["id"] == "room-b/g2", "\(again)")
            }
        }
    }
}
