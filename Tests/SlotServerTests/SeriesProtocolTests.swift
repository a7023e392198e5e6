import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// Recurring series through the real server: wall-time expansion across a DST change, all or nothing, skipping
/// conflicts, canceling the rest, and survival across a restart and a snapshot.
@Suite struct SeriesProtocolTests {
    /// Weekly on Mondays at 10:00 Berlin time from 2027-03-15, across the 2027-03-28 change to summer time.
    static func weekly(_ customer: String, count: Int, extra: [String: JSONValue] = [:]) -> JSONValue {
        var object: [String: JSONValue] = [
            "op": "book_series", "resource": "therapist", "tz": "Europe/Berlin", "customer": .string(customer),
            "start_local": "2027-03-15T10:00", "end_local": "2027-03-15T11:00",
            "rule": ["freq": "weekly", "count": .number(Double(count))],
        ]
        object.merge(extra) { _, new in new }
        return .object(object)
    }

    static func bookings(_ client: SlotConnection) async throws -> [JSONValue] {
        try await client.call([
            "op": "list_bookings", "resource": "therapist", "from": "2027-03-01T00:00:00Z",
            "to": "2027-05-31T00:00:00Z",
        ])["bookings"]?.array ?? []
    }

    @Test func seriesKeepsItsWallTimeIsAllOrNothingAndSurvivesRestarts() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let listed = try await TestServer.run(dataDirectory: directory) { server in
            try await server.connect { client in
                #expect(
                    try await client.call(
                        Requests.createResource("therapist", tz: "Europe/Berlin", extra: ["slot_minutes": 30])
                    ).ok)
                let series = try await client.call(Self.weekly("ann", count: 4))
                #expect(series["series"] == "therapist/1")
                let starts = series["bookings"]?.array?.compactMap { $0["start"]?.string }
                #expect(
                    starts == [
                        "2027-03-15T09:00:00Z", "2027-03-22T09:00:00Z", "2027-03-29T08:00:00Z", "2027-04-05T08:00:00Z",
                    ])
                let local = series["bookings"]?.array?.compactMap { $0["start_local"]?.string }
                #expect(local?.allSatisfy { $0.contains("T10:00:00+0") } == true, "\(local ?? [])")
                #expect(series["skipped"] == [])

                // Bob wants six Mondays from the same day: two are Ann's, so by default nothing is booked …
                let refused = try await client.call(Self.weekly("bob", count: 6, extra: ["customer": "bob"]))
                #expect(refused.errorCode == "series_conflict")
                #expect(refused["error"]?["conflicts"]?.array?.count == 4)
                #expect(refused["error"]?["conflicts"]?[0]?["code"] == "slot_unavailable")
                #expect(refused["error"]?["conflicts"]?[0]?["date"] == "2027-03-15")
                #expect(try await Self.bookings(client).count == 4)
                // … and with skip_conflicts the two free Mondays are.
                let skipping = try await client.call(Self.weekly("bob", count: 6, extra: ["skip_conflicts": true]))
                #expect(skipping["bookings"]?.array?.count == 2)
                #expect(skipping["skipped"]?.array?.count == 4)
                #expect(skipping["series"] == "therapist/5")

                // Ann cancels one occurrence, then the rest of her series from April on.
                #expect(try await client.call(Requests.move("cancel", "therapist/2")).ok)
                let rest = try await client.call([
                    "op": "cancel_series", "series": "therapist/1", "from": "2027-04-01T00:00:00Z", "reason": "moved",
                ])
                #expect(rest["bookings"]?.array?.map { $0["id"] } == ["therapist/4"])
                #expect(rest["bookings"]?[0]?["state"] == "canceled")
                let again = try await client.call([
                    "op": "cancel_series", "series": "therapist/1", "from": "2027-04-01T00:00:00Z",
                ])
                #expect(again["bookings"] == [])
                #expect(
                    try await client.call(["op": "cancel_series", "series": "therapist/2"]).errorCode == "not_found",
                    "an occurrence is not a series")
                let occurrence = try await client.call(["op": "get_booking", "booking": "therapist/3"])
                #expect(occurrence["booking"]?["series"] == "therapist/1")
                return try await Self.bookings(client)
            }
        }
        #expect(listed.count == 4)  // Ann's 1 and 3, Bob's 5 and 6
        try await TestServer.run(dataDirectory: directory) { server in
            try await server.connect { (client: SlotConnection) async throws in
                #expect(try await Self.bookings(client) == listed, "replayed from the journal")
                #expect(try await client.call(["op": "snapshot"]).ok)
            }
        }
        try await TestServer.run(dataDirectory: directory) { server in
            #expect(server.runtime.recoveredSnapshot != nil)
            try await server.connect { (client: SlotConnection) async throws in
                #expect(try await Self.bookings(client) == listed, "loaded from a snapshot")
                let booking = try await client.call(["op": "get_booking", "booking": "therapist/6"])
                #expect(booking["booking"]?["series"] == "therapist/5")
            }
        }
    }

    @Test func badSeriesRequestsAreRefusedByField() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                _ = try await client.call(Requests.createResource("therapist", tz: "Europe/Berlin"))
                let cases: [(JSONValue, String)] = [
                    (["freq": "monthly", "count": 3], "rule.freq"),
                    (["freq": "weekly"], "rule.count"),
                    (["freq": "weekly", "count": 3, "until": "2027-05-01"], "rule.count"),
                    (["freq": "daily", "count": 3, "weekdays": ["mon"]], "rule.weekdays"),
                    (["freq": "weekly", "count": 3, "weekdays": ["funday"]], "rule.weekdays"),
                    (["freq": "weekly", "count": 3, "every": 2], "rule.every"),
                    (["freq": "daily", "count": 100_000], "rule.count"),
                    ("weekly", "rule"),
                ]
                for (rule, field) in cases {
                    let reply = try await client.call(Self.weekly("ann", count: 1, extra: ["rule": rule]))
                    #expect(reply.errorCode == "invalid_request", "\(rule)")
                    #expect(reply["error"]?["field"]?.string == field, "\(rule)")
                }
                let tooLong = try await client.call(
                    Self.weekly("ann", count: 1, extra: ["rule": ["freq": "daily", "until": "2030-01-01"]]))
                #expect(tooLong.errorCode == "range_too_large")
                #expect(try await Self.bookings(client).isEmpty)
            }
        }
    }
}
