import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// `atomic: true`: each op sees what the earlier ones did; all are applied in one journal entry, or none.
extension BatchProtocolTests {
    @Test func anAtomicBatchAppliesEveryOpInOneEntryAndLaterOpsSeeEarlierOnes() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                try await Self.setUp(client)
                let sequence = try await Self.journalSequence(client)
                // Booking numbers are each resource's next: r/1 and r/2, then s/1.
                let ops: [JSONValue] = [
                    Self.with(Self.hold("r", hour: 10), ["id": "h"]),
                    Self.with(Requests.move("confirm", "r/1"), ["tz": "Europe/Paris"]),
                    Self.hold("r", hour: 11),
                    ["op": "get_booking", "booking": "r/2"],
                    Self.hold("s", hour: 10, op: "book"),
                    ["op": "set_limits", "resource": "s", "max_bookings_per_day": 5],
                ]
                let reply = try await client.call(Self.batch(ops, atomic: true))
                let results = Self.results(reply)
                #expect(reply["id"] == "b" && results.count == 6 && results.allSatisfy(\.ok), "\(reply)")
                #expect(results.first?["id"] == "h" && results.dropFirst().allSatisfy { $0["id"] == nil })
                #expect(results.map { $0["booking"]?["id"] } == ["r/1", "r/1", "r/2", "r/2", "s/1", nil])
                #expect(results[1]["booking"]?["state"] == "confirmed")
                #expect(results[1]["booking"]?["start_local"] == "2027-01-05T11:00:00+01:00", "its own tz")
                #expect(results[3]["booking"]?["state"] == "pending_confirmation")
                #expect(results[5]["rules"] != nil, "\(results[5])")
                #expect(try await Self.journalSequence(client) == sequence.map { $0 + 1 }, "one atomic entry")
                let first = try await client.call(["op": "get_booking", "booking": "r/1"])["booking"]
                #expect(first?["state"] == "confirmed")
                #expect(
                    try await client.call(["op": "get_booking", "booking": "s/1"])["booking"]?["state"] == "confirmed")
            }
        }
    }

    /// Any op refused: `batch_refused` names it and its error, and nothing of the batch is applied anywhere,
    /// not even its booking numbers.
    @Test func anAtomicBatchWithARefusedOpAppliesNothing() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                try await Self.setUp(client)
                let sequence = try await Self.journalSequence(client)
                let refusals: [([JSONValue], index: Int, code: String)] = [
                    (
                        [
                            Self.hold("r", hour: 10), Requests.move("confirm", "r/1"), Self.hold("s", hour: 10),
                            Requests.move("confirm", "s/9"),
                        ], 3, "not_found"
                    ),
                    (
                        [Self.hold("s", hour: 12), Self.hold("r", hour: 10), Self.hold("r", hour: 10)], 2,
                        "slot_unavailable"
                    ),
                    (
                        [Self.hold("r", hour: 10), Requests.move("cancel", "r/1"), Requests.move("confirm", "r/1")], 2,
                        "invalid_transition"
                    ),
                    (
                        [Self.hold("r", hour: 10), Self.hold("s", hour: 10, extra: ["start": "2027-01-05T10:07:00Z"])],
                        1, "misaligned"
                    ),
                ]
                for (ops, index, code) in refusals {
                    let reply = try await client.call(Self.batch(ops, atomic: true))
                    #expect(reply["id"] == "b" && reply.errorCode == "batch_refused", "\(reply)")
                    #expect(reply["error"]?["index"] == .number(Double(index)), "\(reply)")
                    #expect(reply["error"]?["cause"]?["code"] == .string(code), "\(reply)")
                    #expect(reply["error"]?["message"]?.string?.hasPrefix("op \(index) (") == true, "\(reply)")
                }
                let notFound = try await client.call(Self.batch([Requests.move("confirm", "r/9")], atomic: true))
                #expect(notFound["error"]?["cause"]?["field"] == "booking", "\(notFound)")
                #expect(try await Self.journalSequence(client) == sequence)
                for booking in ["r/1", "s/1"] {
                    #expect(
                        try await client.call(["op": "get_booking", "booking": .string(booking)]).errorCode
                            == "not_found")
                }
                for resource in ["r", "s"] {
                    let listed = try await client.call([
                        "op": "list_bookings", "resource": .string(resource), "from": "2027-01-05T00:00:00Z",
                        "to": "2027-01-06T00:00:00Z",
                    ])
                    #expect(listed["bookings"]?.array?.isEmpty == true, "\(listed)")
                }
                let next = try await client.call(Self.hold("r", hour: 10))
                #expect(next["booking"]?["id"] == "r/1", "no booking number was used: \(next)")
            }
        }
    }

    /// A group hold inside an atomic batch: the group is made with the batch, its members are refused on their
    /// own, and a group refused inside a batch refuses the batch with the busy member's resource.
    @Test func aGroupHoldInsideAnAtomicBatch() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                try await Self.setUp(client)
                let group: JSONValue = [
                    "op": "hold", "resources": ["s", "r"], "start": "2027-01-05T10:00:00Z",
                    "end": "2027-01-05T10:30:00Z", "customer": "pat",
                ]
                let reply = try await client.call(
                    Self.batch([Self.hold("r", hour: 9), group, Requests.move("confirm", "r/2")], atomic: true))
                #expect(reply.errorCode == "batch_refused" && reply["error"]?["index"] == 2, "\(reply)")
                #expect(reply["error"]?["cause"]?["code"] == "group_member")
                #expect(reply["error"]?["cause"]?["group"] == "r/g2")
                let made = try await client.call(Self.batch([Self.hold("r", hour: 9), group], atomic: true))
                let results = Self.results(made)
                #expect(results.count == 2 && results.allSatisfy(\.ok), "\(made)")
                #expect(results.last?["group"]?["id"] == "r/g2")
                #expect(results.last?["group"]?["bookings"]?.array?.map { $0["id"] } == ["r/2", "s/1"])
                #expect(
                    try await client.call(["op": "get_group", "group": "r/g2"])["group"]?["state"]
                        == "pending_confirmation")
                let busy = try await client.call(
                    Self.batch(
                        [Self.hold("s", hour: 11), Self.with(group, ["start": "2027-01-05T09:00:00Z"])], atomic: true))
                #expect(busy["error"]?["cause"]?["code"] == "slot_unavailable", "\(busy)")
                #expect(busy["error"]?["cause"]?["resource"] == "r", "\(busy)")
                #expect(try await client.call(["op": "get_booking", "booking": "s/2"]).errorCode == "not_found")
            }
        }
    }

    /// Group ops inside an atomic batch and single ops after them on the same resources: each sees what the
    /// earlier ones did; two groups made in one batch get distinct ids.
    @Test func groupOpsAndSingleOpsInOneAtomicBatchSeeEachOther() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                try await Self.setUp(client)
                let group: JSONValue = [
                    "op": "book", "resources": ["r", "s"], "start": "2027-01-05T10:00:00Z",
                    "end": "2027-01-05T10:30:00Z", "customer": "pat",
                ]
                _ = try await client.call(group)
                let moved = try await client.call(
                    Self.batch(
                        [
                            [
                                "op": "reschedule_group", "group": "r/g1", "start": "2027-01-05T12:00:00Z",
                                "end": "2027-01-05T12:30:00Z",
                            ],
                            Self.hold("r", hour: 10), Self.hold("s", hour: 10),
                            Self.with(group, ["start": "2027-01-05T14:00:00Z", "end": "2027-01-05T14:30:00Z"]),
                        ], atomic: true))
                let results = Self.results(moved)
                #expect(results.count == 4 && results.allSatisfy(\.ok), "the slots the group left are free: \(moved)")
                #expect(results.last?["group"]?["id"] == "r/g3", "\(moved)")
                let taken = try await client.call(
                    Self.batch(
                        [
                            ["op": "cancel_group", "group": "r/g3"],
                            Self.with(group, ["start": "2027-01-05T12:00:00Z", "end": "2027-01-05T12:30:00Z"]),
                        ],
                        atomic: true))
                #expect(taken.errorCode == "batch_refused" && taken["error"]?["index"] == 1, "\(taken)")
                #expect(taken["error"]?["cause"]?["code"] == "slot_unavailable")
                let group3 = try await client.call(["op": "get_group", "group": "r/g3"])["group"]
                #expect(group3?["state"] == "confirmed", "the refused batch canceled nothing")
                let freed = try await client.call(
                    Self.batch(
                        [
                            ["op": "cancel_group", "group": "r/g3"],
                            Self.with(group, ["start": "2027-01-05T14:00:00Z", "end": "2027-01-05T14:30:00Z"]),
                        ], atomic: true))
                #expect(Self.results(freed).last?["group"]?["id"] == "r/g4", "\(freed)")
            }
        }
    }

    /// The contract decides each op of an atomic batch against the state the earlier ones left, so a group made
    /// by the batch can be confirmed, read or canceled by a later op of the same batch; a group op naming a group
    /// that neither exists nor is made earlier in the batch refuses the batch.
    @Test func aGroupMadeInAnAtomicBatchCanBeChangedLaterInIt() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                try await Self.setUp(client)
                let group: JSONValue = [
                    "op": "hold", "resources": ["r", "s"], "start": "2027-01-05T10:00:00Z",
                    "end": "2027-01-05T10:30:00Z", "customer": "pat",
                ]
                let cases = [
                    ("confirm_group", "r/g1", "confirmed"), ("get_group", "r/g2", "pending_confirmation"),
                    ("cancel_group", "r/g3", "canceled"),
                ]
                for (op, id, state) in cases {
                    let reply = try await client.call(
                        Self.batch([group, ["op": .string(op), "group": .string(id)]], atomic: true))
                    #expect(Self.results(reply).last?["group"]?["state"] == .string(state), "\(reply)")
                    #expect(Self.results(reply).last?["group"]?["id"] == .string(id), "\(reply)")
                    let stored = try await client.call(["op": "get_group", "group": .string(id)])
                    #expect(stored["group"]?["state"] == .string(state))
                    if state != "canceled" { _ = try await client.call(["op": "cancel_group", "group": .string(id)]) }
                }
                // r/g9 is neither there nor made by the batch (it makes r/g4).
                let unknown = try await client.call(
                    Self.batch([group, ["op": "confirm_group", "group": "r/g9"]], atomic: true))
                #expect(unknown.errorCode == "batch_refused")
                #expect(unknown["error"]?["index"] == 1)
                #expect(unknown["error"]?["cause"]?["code"] == "not_found")
                #expect(try await client.call(["op": "get_booking", "booking": "r/4"]).errorCode == "not_found")
            }
        }
    }
}
