import Foundation
import SlotClient
import SlotDomain
import SlotServer
import SlotTesting
import Testing

/// The change stream over TCP: one subscriber sees every committed change as an event line, numbered without a
/// gap, while another connection makes the changes.
@Suite(.serialized, .timeLimit(.minutes(1))) struct ChangeStreamTests {
    static let day = "2027-01-05"

    static func at(_ time: String) -> JSONValue { .string("\(day)T\(time):00Z") }

    /// A day that makes every kind of event, each asserted with the fields a consumer reads.
    @Test func everyEventTypeArrivesWithItsPayload() async throws {
        let clock = ManualClock(TestServer.epoch)
        try await TestServer.run(clock: clock) { server in
            try await SlotConnection.withConnection(port: server.port) { subscriber in
                try await SlotConnection.withConnection(port: server.port) { client in
                    let stream = StreamClient(connection: subscriber)
                    let subscribed = try await stream.subscribe()
                    #expect(subscribed["subscription"]?["from_seq"] == 0, "\(subscribed)")
                    #expect(subscribed["subscription"]?["head_seq"] == 0)

                    #expect(try await client.call(Requests.createResource("room-a", tz: "Europe/Berlin")).ok)
                    let created = try await stream.nextEvent()
                    #expect(created["type"] == "resource.created")
                    #expect(created["seq"] == 1)
                    #expect(created["resource"] == "room-a")
                    #expect(created["settings"]?["tz"] == "Europe/Berlin")

                    // The clock stands at 2027-01-04 08:00 UTC: a booking that day ends before the next ones.
                    let held = try await client.call(
                        Requests.hold("room-a", "2027-01-04T10:00:00Z", "2027-01-04T10:30:00Z"))
                    let id = try #require(held["booking"]?["id"]?.string)
                    let heldEvent = try await stream.nextEvent()
                    #expect(heldEvent["type"] == "booking.held")
                    #expect(heldEvent["booking"]?["id"] == .string(id))
                    #expect(heldEvent["booking"]?["start_local"] == "2027-01-04T11:00:00+01:00")
                    #expect(heldEvent["previous"] == nil)

                    #expect(try await client.call(Requests.move("confirm", id)).ok)
                    let confirmed = try await stream.nextEvent()
                    #expect(confirmed["type"] == "booking.confirmed")
                    #expect(confirmed["previous"]?["state"] == "pending_confirmation")

                    let moved = try await client.call(
                        Requests.move(
                            "reschedule", id,
                            extra: ["start": "2027-01-04T12:00:00Z", "end": "2027-01-04T12:30:00Z"]))
                    #expect(moved.ok, "\(moved)")
                    let rescheduled = try await stream.nextEvent()
                    #expect(rescheduled["type"] == "booking.rescheduled")
                    #expect(rescheduled["previous"]?["start"] == "2027-01-04T10:00:00Z")
                    #expect(rescheduled["booking"]?["start"] == "2027-01-04T12:00:00Z")

                    let second = try await client.call(
                        Requests.hold("room-a", "2027-01-04T14:00:00Z", "2027-01-04T14:30:00Z", op: "book"))
                    let secondID = try #require(second["booking"]?["id"]?.string)
                    #expect(try await stream.nextEvent()["type"] == "booking.confirmed")
                    clock.advance(seconds: 7 * 3_600)  // 15:00: both have ended
                    #expect(try await client.call(Requests.move("complete", id)).ok)
                    #expect(try await stream.nextEvent()["type"] == "booking.completed")
                    #expect(try await client.call(Requests.move("no_show", secondID)).ok)
                    #expect(try await stream.nextEvent()["type"] == "booking.no_show")

                    // A hold that lapses while bob waits: the expiry, then bob's promotion.
                    let third = try await client.call(
                        Requests.hold("room-a", "\(Self.day)T16:00:00Z", "\(Self.day)T16:30:00Z"))
                    let thirdID = try #require(third["booking"]?["id"]?.string)
                    #expect(try await stream.nextEvent()["type"] == "booking.held")
                    let joined = try await client.call([
                        "op": "waitlist_join", "resource": "room-a", "start": Self.at("16:00"),
                        "end": Self.at("16:30"), "customer": "bob",
                    ])
                    #expect(joined.ok, "\(joined)")
                    clock.advance(seconds: 301)
                    _ = try await client.call(["op": "get_booking", "booking": .string(thirdID)])
                    let expired = try await stream.nextEvent()
                    #expect(expired["type"] == "booking.expired")
                    #expect(expired["previous"]?["state"] == "pending_confirmation")
                    let promoted = try await stream.nextEvent()
                    #expect(promoted["type"] == "waitlist.promoted")
                    #expect(promoted["booking"]?["customer"] == "bob")
                    #expect(promoted["waitlist_entry"] != nil)
                    let promotedID = try #require(promoted["booking"]?["id"]?.string)
                    #expect(try await client.call(Requests.move("cancel", promotedID)).ok)
                    #expect(try await stream.nextEvent()["type"] == "booking.canceled")

                    let blocked = try await client.call([
                        "op": "add_block", "resource": "room-a", "start": Self.at("18:00"), "end": Self.at("19:00"),
                    ])
                    #expect(blocked.ok, "\(blocked)")
                    let rules = try await stream.nextEvent()
                    #expect(rules["type"] == "resource.rules_changed")

                    try await Self.groupEvents(client, stream)
                }
            }
        }
    }

    /// A group hold, confirm, reschedule and cancel: each member's event, then the group's.
    static func groupEvents(_ client: SlotConnection, _ stream: StreamClient) async throws {
        #expect(try await client.call(Requests.createResource("room-b")).ok)
        #expect(try await stream.nextEvent()["type"] == "resource.created")
        let held = try await client.call([
            "op": "hold", "resources": ["room-a", "room-b"], "start": at("09:00"), "end": at("09:30"),
            "customer": "pat",
        ])
        let group = try #require(held["group"]?["id"]?.string, "\(held)")
        let heldEvents = try await stream.events(3)
        #expect(heldEvents.map { $0["type"] } == ["booking.held", "booking.held", "group.held"])
        #expect(heldEvents[2]["group"] == .string(group))
        #expect(heldEvents[2]["members"]?.array?.count == 2)
        for (op, kind) in [("confirm_group", "group.confirmed"), ("cancel_group", "group.canceled")] {
            #expect(try await client.call(["op": .string(op), "group": .string(group)]).ok)
            #expect(try await stream.events(3).last?["type"] == .string(kind))
        }
    }

    /// Every event of one subscriber numbered one after another, starting after the cursor.
    @Test func eventsAreNumberedWithoutAGapFromTheCursor() async throws {
        try await TestServer.run { server in
            try await SlotConnection.withConnection(port: server.port) { (client: SlotConnection) async throws in
                #expect(try await client.call(Requests.createResource("r")).ok)
                for hour in 10..<14 {
                    let hold = Requests.hold("r", "\(Self.day)T\(hour):00:00Z", "\(Self.day)T\(hour):30:00Z")
                    #expect(try await client.call(hold).ok)
                }
            }
            try await SlotConnection.withConnection(port: server.port) { subscriber in
                let stream = StreamClient(connection: subscriber)
                let reply = try await stream.subscribe(["all": true, "from_seq": 2])
                #expect(reply["subscription"]?["from_seq"] == 2)
                #expect(reply["subscription"]?["head_seq"] == 5)
                #expect(try await stream.events(3).map(\.seq) == [3, 4, 5])
            }
        }
    }

    /// `booking.reminder` on the stream: its booking, `minutes_before` and `late`.
    @Test func aReminderArrivesAsAnEvent() async throws {
        let clock = ManualClock(TestServer.epoch)
        try await TestServer.run(clock: clock) { server in
            try await SlotConnection.withConnection(port: server.port) { subscriber in
                try await SlotConnection.withConnection(port: server.port) { client in
                    let created = try await client.call(
                        Requests.createResource("room", extra: ["reminders_minutes_before": [60]]))
                    #expect(created.ok, "\(created)")
                    // The clock stands at 08:00; the booking starts at 10:00, its reminder is due at 09:00.
                    let booked = try await client.call(
                        Requests.hold("room", "2027-01-04T10:00:00Z", "2027-01-04T10:30:00Z", op: "book"))
                    let id = try #require(booked["booking"]?["id"]?.string)
                    let stream = StreamClient(connection: subscriber)
                    _ = try await stream.subscribe()
                    clock.advance(seconds: 3_600)
                    _ = try await client.call(["op": "get_booking", "booking": .string(id)])
                    let reminder = try await stream.nextEvent()
                    #expect(reminder["type"] == "booking.reminder", "\(reminder)")
                    #expect(reminder["minutes_before"] == 60)
                    #expect(reminder["late"] == false)
                    #expect(reminder["booking"]?["id"] == .string(id))
                }
            }
        }
    }
}
