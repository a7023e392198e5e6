import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// Groups over TCP: a multi-resource `hold`/`book` makes one, every reply showing a member names it, and the group
/// ops change every member or none; a member alone is refused (`group_member`) for what would split the group.
@Suite struct GroupProtocolTests {
    static let resources = ["room-a", "room-b", "room-c"]

    static func groupHold(
        _ resources: [String], hour: Int = 10, op: String = "hold", extra: [String: JSONValue] = [:]
    ) -> JSONValue {
        var object: [String: JSONValue] = [
            "op": .string(op), "resources": .array(resources.map { .string($0) }),
            "start": .string("2027-01-05T\(hour):00:00Z"), "end": .string("2027-01-05T\(hour):30:00Z"),
            "customer": "pat",
        ]
        object.merge(extra) { _, new in new }
        return .object(object)
    }

    static func setUp(_ client: SlotConnection, extra: [String: [String: JSONValue]] = [:]) async throws {
        for resource in resources {
            let created = try await client.call(Requests.createResource(resource, extra: extra[resource] ?? [:]))
            #expect(created.ok, "\(created)")
        }
    }

    static func listed(_ client: SlotConnection, _ resource: String) async throws -> [JSONValue] {
        try await client.call([
            "op": "list_bookings", "resource": .string(resource), "from": "2027-01-05T00:00:00Z",
            "to": "2027-01-06T00:00:00Z",
        ])["bookings"]?.array ?? []
    }

    static func members(_ reply: JSONValue) -> [JSONValue] { reply["group"]?["bookings"]?.array ?? [] }

    @Test func aGroupHoldRepliesWithTheGroupAndEveryReplyShowingAMemberNamesIt() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                try await Self.setUp(client)
                // room-b/1 on its own first: the group's members are room-a/1 and room-b/2, led by room-a.
                let single = try await client.call(
                    Requests.hold("room-b", "2027-01-05T09:00:00Z", "2027-01-05T09:30:00Z"))
                #expect(single["booking"]?["group"] == nil, "\(single)")
                let held = try await client.call(Self.groupHold(["room-b", "room-a"]))
                #expect(held["group"]?["id"] == "room-a/g1", "\(held)")
                #expect(held["group"]?["state"] == "pending_confirmation")
                let members = Self.members(held)
                #expect(members.map { $0["id"] } == ["room-a/1", "room-b/2"])
                #expect(members.allSatisfy { $0["group"] == "room-a/g1" && $0["state"] == "pending_confirmation" })
                #expect(members.allSatisfy { $0["start"] == "2027-01-05T10:00:00Z" && $0["customer"] == "pat" })
                #expect(held["booking"] == nil && held["bookings"] == nil)
                let shown = try await client.call(["op": "get_booking", "booking": "room-b/2"])["booking"]
                #expect(shown?["group"] == "room-a/g1")
                #expect(shown?["history"]?.array?.count == 1)
                #expect(
                    try await client.call(["op": "get_booking", "booking": "room-b/1"])["booking"]?["group"] == nil)
                let onB = try await Self.listed(client, "room-b")
                #expect(onB.map { $0["id"] } == ["room-b/1", "room-b/2"])
                #expect(onB.map { $0["group"] } == [nil, "room-a/g1"])
                // get_group shows the same group the hold made, nothing having changed since.
                let group = try await client.call(["id": 5, "op": "get_group", "group": "room-a/g1"])
                #expect(group["id"] == 5 && group["group"] == held["group"], "\(group)")
                // A second group gets the lead's next booking number.
                let second = try await client.call(Self.groupHold(["room-c", "room-b"], hour: 11))
                #expect(second["group"]?["id"] == "room-b/g3", "\(second)")
            }
        }
    }

    @Test func unknownAndMalformedGroupIds() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                try await Self.setUp(client)
                _ = try await client.call(Self.groupHold(["room-a", "room-b"]))
                for op in ["get_group", "confirm_group", "cancel_group"] {
                    // room-b/2 would be a member's group only if it led one; room-a/g2 and ghost/g1 do not exist.
                    for unknown in ["room-a/g2", "room-b/g1", "ghost/g1"] {
                        let reply = try await client.call(["op": .string(op), "group": .string(unknown)])
                        #expect(reply.errorCode == "not_found" && reply["error"]?["field"] == "group", "\(reply)")
                    }
                    for malformed in ["room-a/1", "room-a/g0", "room-a/g01", "room-a", "g1", ""] {
                        let reply = try await client.call(["op": .string(op), "group": .string(malformed)])
                        #expect(
                            reply.errorCode == "invalid_request" && reply["error"]?["field"] == "group",
                            "\(malformed): \(reply)")
                    }
                    let missing = try await client.call(["op": .string(op)])
                    #expect(missing.errorCode == "invalid_request" && missing["error"]?["field"] == "group")
                }
            }
        }
    }

    /// A group refused because one member is busy holds nothing on the others, not even for an instant, and
    /// names the busy member's resource.
    @Test func aRefusedGroupLeavesNoBookingOnTheOtherMembers() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                try await Self.setUp(client)
                _ = try await client.call(
                    Requests.hold("room-b", "2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z", op: "book"))
                for op in ["hold", "book"] {
                    let refused = try await client.call(Self.groupHold(Self.resources, op: op))
                    #expect(refused.errorCode == "slot_unavailable", "\(refused)")
                    #expect(refused["error"]?["resource"] == "room-b", "\(refused)")
                }
                for resource in ["room-a", "room-c"] {
                    #expect(try await Self.listed(client, resource).isEmpty)
                    let first = try await client.call(["op": "get_booking", "booking": .string("\(resource)/1")])
                    #expect(first.errorCode == "not_found", "\(first)")
                    let free = try await client.call([
                        "op": "availability", "resource": .string(resource), "from": "2027-01-05T10:00:00Z",
                        "to": "2027-01-05T11:00:00Z", "duration_minutes": 30,
                    ])
                    #expect(free["slots"]?.array?.contains("2027-01-05T10:00:00Z") == true, "\(free)")
                }
                // The next group on the free members takes their first booking numbers.
                let booked = try await client.call(Self.groupHold(["room-a", "room-c"], op: "book"))
                #expect(Self.members(booked).map { $0["id"] } == ["room-a/1", "room-c/1"], "\(booked)")
            }
        }
    }

    @Test func confirmCancelAndRescheduleOfAMemberAloneAreRefused() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                try await Self.setUp(client)
                _ = try await client.call(Self.groupHold(["room-a", "room-b"]))
                let moves: [JSONValue] = [
                    Requests.move("confirm", "room-b/1"), Requests.move("cancel", "room-a/1"),
                    Requests.move(
                        "reschedule", "room-b/1",
                        extra: ["start": "2027-01-05T12:00:00Z", "end": "2027-01-05T12:30:00Z"]),
                ]
                for move in moves {
                    let reply = try await client.call(move)
                    #expect(reply.errorCode == "group_member", "\(reply)")
                    #expect(reply["error"]?["group"] == "room-a/g1")
                    #expect(reply["error"]?["message"]?.string?.contains("room-a/g1") == true)
                }
                let group = try await client.call(["op": "get_group", "group": "room-a/g1"])["group"]
                #expect(group?["state"] == "pending_confirmation", "nothing changed: \(String(describing: group))")
                #expect(Self.members(["group": group ?? .null]).allSatisfy { $0["start"] == "2027-01-05T10:00:00Z" })
            }
        }
    }

    @Test func groupOpsChangeEveryMember() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                try await Self.setUp(client)
                _ = try await client.call(Self.groupHold(["room-a", "room-b", "room-c"]))
                let confirmed = try await client.call(["op": "confirm_group", "group": "room-a/g1", "actor": "desk"])
                #expect(confirmed["group"]?["state"] == "confirmed", "\(confirmed)")
                #expect(Self.members(confirmed).count == 3)
                #expect(Self.members(confirmed).allSatisfy { $0["state"] == "confirmed" && $0["expires_at"] == nil })
                let moved = try await client.call([
                    "op": "reschedule_group", "group": "room-a/g1", "start": "2027-01-05T12:00:00Z",
                    "end": "2027-01-05T13:00:00Z",
                ])
                #expect(moved["group"]?["state"] == "rescheduled", "\(moved)")
                #expect(
                    Self.members(moved).allSatisfy {
                        $0["start"] == "2027-01-05T12:00:00Z" && $0["end"] == "2027-01-05T13:00:00Z"
                    })
                // Local times in the request's zone: 15:00 in Paris is 14:00 UTC in January.
                let local = try await client.call([
                    "op": "reschedule_group", "group": "room-a/g1", "start_local": "2027-01-05T15:00:00",
                    "end_local": "2027-01-05T15:30:00", "tz": "Europe/Paris",
                ])
                #expect(local["group"]?["state"] == "rescheduled", "\(local)")
                #expect(
                    Self.members(local).allSatisfy {
                        $0["start"] == "2027-01-05T14:00:00Z" && $0["end"] == "2027-01-05T14:30:00Z"
                            && $0["start_local"] == "2027-01-05T15:00:00+01:00"
                    }, "\(local)")
                for resource in Self.resources {
                    #expect(try await Self.listed(client, resource).map { $0["start"] } == ["2027-01-05T14:00:00Z"])
                }
                let canceled = try await client.call([
                    "op": "cancel_group", "group": "room-a/g1", "reason": "event moved online",
                ])
                #expect(canceled["group"]?["state"] == "canceled", "\(canceled)")
                for member in ["room-a/1", "room-b/1", "room-c/1"] {
                    let booking = try await client.call(["op": "get_booking", "booking": .string(member)])["booking"]
                    #expect(booking?["state"] == "canceled")
                    let last = booking?["history"]?.array?.last
                    #expect(last?["reason"] == "event moved online" && last?["to"] == "canceled", "\(member)")
                    #expect(booking?["history"]?.array?.first(where: { $0["to"] == "confirmed" })?["actor"] == "desk")
                }
                let again = try await client.call(["op": "confirm_group", "group": "room-a/g1"])
                #expect(again.errorCode == "invalid_transition" && again["error"]?["resource"] == "room-a", "\(again)")
            }
        }
    }

    /// A reschedule that one member cannot take moves none, and names that member's resource.
    @Test func aGroupRescheduleOneMemberCannotTakeMovesNone() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                try await Self.setUp(client)
                _ = try await client.call(Self.groupHold(["room-a", "room-c"], op: "book"))
                _ = try await client.call(
                    Requests.hold("room-c", "2027-01-05T12:00:00Z", "2027-01-05T12:30:00Z", op: "book"))
                let refused = try await client.call([
                    "op": "reschedule_group", "group": "room-a/g1", "start": "2027-01-05T12:00:00Z",
                    "end": "2027-01-05T12:30:00Z",
                ])
                #expect(refused.errorCode == "slot_unavailable" && refused["error"]?["resource"] == "room-c")
                let group = try await client.call(["op": "get_group", "group": "room-a/g1"])["group"]
                #expect(group?["state"] == "confirmed")
                #expect(
                    Self.members(["group": group ?? .null]).allSatisfy { $0["start"] == "2027-01-05T10:00:00Z" })
            }
        }
    }

    /// Attendance is per member: once the booking has started, `complete` and `no_show` of one member are served,
    /// and the group is then `mixed`.
    @Test func completeAndNoShowOfAMemberAreAllowedOnceStarted() async throws {
        let clock = ManualClock(TestServer.epoch)
        try await TestServer.run(clock: clock) { server in
            try await server.connect { client in
                try await Self.setUp(client)
                _ = try await client.call(Self.groupHold(["room-a", "room-b"], op: "book"))
                #expect(try await client.call(Requests.move("complete", "room-a/1")).errorCode == "not_started")
                // From 2027-01-04T08:00Z to 2027-01-05T10:10Z.
                clock.advance(seconds: 26 * 3_600 + 600)
                #expect(
                    try await client.call(Requests.move("complete", "room-a/1"))["booking"]?["state"] == "completed")
                #expect(try await client.call(Requests.move("no_show", "room-b/1"))["booking"]?["state"] == "no_show")
                let group = try await client.call(["op": "get_group", "group": "room-a/g1"])["group"]
                #expect(group?["state"] == "mixed", "\(String(describing: group))")
            }
        }
    }

    /// Members share one expiry, the shortest time to live among their resources unless the request gives one,
    /// and lapse together; a group confirmed too late is `hold_expired`.
    @Test func membersShareOneExpiryAndLapseTogether() async throws {
        let clock = ManualClock(TestServer.epoch)
        try await TestServer.run(clock: clock) { server in
            try await server.connect { client in
                try await Self.setUp(
                    client, extra: ["room-a": ["hold_ttl_seconds": 600], "room-b": ["hold_ttl_seconds": 120]])
                let defaulted = try await client.call(Self.groupHold(["room-a", "room-b", "room-c"]))
                // room-b's 120 s is the shortest (room-c has the default 300 s): 08:02:00.
                #expect(
                    Self.members(defaulted).map { $0["expires_at"] }
                        == Array(repeating: "2027-01-04T08:02:00Z", count: 3),
                    "\(defaulted)")
                let short = try await client.call(
                    Self.groupHold(["room-a", "room-b"], hour: 11, extra: ["ttl_seconds": 2]))
                #expect(
                    Self.members(short).map { $0["expires_at"] } == Array(repeating: "2027-01-04T08:00:02Z", count: 2))
                let id = short["group"]?["id"] ?? .null
                clock.advance(seconds: 3)
                let lapsed = try await client.call(["op": "get_group", "group": id])["group"]
                #expect(lapsed?["state"] == "expired", "\(String(describing: lapsed))")
                let late = try await client.call(["op": "confirm_group", "group": id])
                #expect(late.errorCode == "hold_expired" && late["error"]?["resource"] == "room-a", "\(late)")
                // The first group, with 117 s left, still confirms; then the second minute ends nothing of it.
                #expect(
                    try await client.call(["op": "confirm_group", "group": "room-a/g1"])["group"]?["state"]
                        == "confirmed")
                clock.advance(seconds: 600)
                let kept = try await client.call(["op": "get_group", "group": "room-a/g1"])["group"]
                #expect(kept?["state"] == "confirmed")
            }
        }
    }
}
