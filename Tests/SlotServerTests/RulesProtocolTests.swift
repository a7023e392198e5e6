import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// The availability layers through the real server, and their survival across restarts (journal and snapshot).
@Suite struct RulesProtocolTests {
    static func hold(_ client: SlotConnection, _ start: String, _ end: String) async throws -> JSONValue {
        try await client.call(Requests.hold("clinic", "2027-01-\(start):00Z", "2027-01-\(end):00Z", op: "book"))
    }

    @Test func layersThroughTheServerAndAcrossRestarts() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let rules = try await TestServer.run(dataDirectory: directory) { server in
            try await server.connect { client in
                _ = try await client.call(
                    Requests.createResource("clinic", tz: "Europe/Berlin", extra: ["slot_minutes": 30]))
                // Monday 2027-01-18, 07:00 local, is booked before the hours are set: it stays valid, and is reported.
                #expect(try await Self.hold(client, "18T06:00", "18T07:00").ok)
                let hours = try await client.call([
                    "op": "set_weekly_hours", "resource": "clinic",
                    "weekly_hours": ["mon": [["09:00", "12:00"], ["13:00", "17:00"]], "tue": [["09:00", "17:00"]]],
                ])
                #expect(hours["rules"]?["weekly_hours"]?["mon"] == [["09:00", "12:00"], ["13:00", "17:00"]])
                #expect(hours["affected_bookings"] == ["clinic/1"])
                // 12:30–13:30 local crosses the lunch break.
                #expect(try await Self.hold(client, "04T11:30", "04T12:30").errorCode == "outside_hours")
                #expect(try await Self.hold(client, "06T09:00", "06T10:00").errorCode == "outside_hours")  // Wednesday
                #expect(try await Self.hold(client, "05T08:00", "05T09:00").ok)  // Tuesday 09:00 local
                let closed = try await client.call([
                    "op": "set_override", "resource": "clinic", "date": "2027-01-11", "closed": true,
                ])
                #expect(closed["rules"]?["overrides"] == [["date": "2027-01-11", "closed": true]])
                #expect(try await Self.hold(client, "11T09:00", "11T10:00").errorCode == "closed_by_override")
                let block = try await client.call([
                    "op": "add_block", "resource": "clinic", "label": "staff meeting", "tz": "Europe/Berlin",
                    "start_local": "2027-01-12T14:00", "end_local": "2027-01-12T15:00",
                ])
                #expect(block["block"]?["id"] == 1)
                #expect(block["block"]?["start"] == "2027-01-12T13:00:00Z")
                let blocked = try await Self.hold(client, "12T13:30", "12T14:30")
                #expect(blocked.errorCode == "blocked")
                #expect(blocked["error"]?["label"] == "staff meeting")
                let limits = try await client.call([
                    "op": "set_limits", "resource": "clinic", "max_bookings_per_day": 1,
                ])
                #expect(limits["rules"]?["max_bookings_per_day"] == 1)
                #expect(try await Self.hold(client, "05T10:00", "05T11:00").errorCode == "daily_limit_reached")
                let offered = try await client.call([
                    "op": "availability", "resource": "clinic", "from": "2027-01-12T00:00:00Z",
                    "to": "2027-01-13T00:00:00Z",
                    "duration_minutes": 60,
                ])
                #expect(offered["slots"]?.array?.contains("2027-01-12T13:00:00Z") == false, "the block is not offered")
                #expect(offered["slots"]?.array?.contains("2027-01-12T08:00:00Z") == true)
                #expect(
                    try await client.call(["op": "remove_block", "resource": "clinic", "block": 7]).errorCode
                        == "not_found")
                #expect(
                    try await client.call([
                        "op": "set_override", "resource": "clinic", "date": "2027-02-30", "closed": true,
                    ])["error"]?["field"] == "date")
                #expect(
                    try await client.call([
                        "op": "set_weekly_hours", "resource": "clinic", "weekly_hours": ["mon": [["17:00", "09:00"]]],
                    ])["error"]?["field"] == "weekly_hours.mon")
                return try await client.call(["op": "get_rules", "resource": "clinic"])["rules"]
            }
        }
        // Replayed from the journal …
        try await TestServer.run(dataDirectory: directory) { server in
            try await server.connect { (client: SlotConnection) async throws in
                #expect(try await client.call(["op": "get_rules", "resource": "clinic"])["rules"] == rules)
                #expect(try await client.call(["op": "snapshot"]).ok)
            }
        }
        // … and loaded from a snapshot.
        try await TestServer.run(dataDirectory: directory) { server in
            #expect(server.runtime.recoveredSnapshot != nil)
            try await server.connect { (client: SlotConnection) async throws in
                #expect(try await client.call(["op": "get_rules", "resource": "clinic"])["rules"] == rules)
                #expect(try await Self.hold(client, "11T09:00", "11T10:00").errorCode == "closed_by_override")
            }
        }
    }
}

@Suite struct CreateWithRulesTests {
    @Test func createResourceTakesItsRulesAtOnce() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                let created = try await client.call(
                    Requests.createResource(
                        "desk", tz: "Asia/Kolkata",
                        extra: [
                            "slot_minutes": 30,
                            "weekly_hours": ["mon": [["10:00", "18:00"]], "tue": [["10:00", "18:00"]]],
                            "min_notice_minutes": 60, "max_bookings_per_day": 3, "idempotency_key": "desk-1",
                        ]))
                #expect(created.ok)
                let rules = try await client.call(["op": "get_rules", "resource": "desk"])["rules"]
                #expect(rules?["weekly_hours"]?["mon"] == [["10:00", "18:00"]])
                #expect(rules?["min_notice_minutes"] == 60)
                #expect(rules?["max_bookings_per_day"] == 3)
                // Tuesday 2027-01-05 09:30 in Kolkata is 04:00Z: before opening.
                let early = try await client.call(Requests.hold("desk", "2027-01-05T04:00:00Z", "2027-01-05T04:30:00Z"))
                #expect(early.errorCode == "outside_hours")
                // 10:30 Kolkata (05:00Z) is open, but 08:00Z now plus an hour's notice is later than that.
                let soon = try await client.call(Requests.hold("desk", "2027-01-04T08:30:00Z", "2027-01-04T09:00:00Z"))
                #expect(soon.errorCode == "too_soon")
                #expect(try await client.call(Requests.hold("desk", "2027-01-04T09:30:00Z", "2027-01-04T10:00:00Z")).ok)
            }
        }
    }
}
