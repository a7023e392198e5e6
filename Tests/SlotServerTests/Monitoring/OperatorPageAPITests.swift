import Foundation
import SlotClient
import SlotDomain
import SlotTesting
import Testing

@testable import SlotServer

/// The operator page's JSON (`/api/overview`, `/api/day`) and its access rules, read over HTTP by Python's
/// `urllib` (`PageProbe`). The page itself is tested in a browser by `OperatorPageBrowserTests`.
@Suite struct OperatorPageAPITests {
    /// The manual clock's start, 2027-01-04T08:00Z, is 09:00 in Paris: "today" there is 2027-01-04.
    static func book(_ resource: String, _ start: String, _ end: String, hold: Bool = false) -> JSONValue {
        Requests.hold(resource, start, end, op: hold ? "hold" : "book", customer: "ann")
    }

    @Test func theOverviewListsTheBusiestResourcesAndTheSamples() async throws {
        let configuration = TestServer.configuration { $0.http.busiestResourcesMax = 2 }
        try await TestServer.run(configuration: configuration) { server in
            let httpPort = try #require(server.httpPort)
            try await server.connect { client async throws in
                for (name, count) in [("quiet", 1), ("busy", 3), ("middle", 2), ("idle", 0)] {
                    #expect(try await client.call(Requests.createResource(name, tz: "Europe/Paris")).ok)
                    for hour in 0..<count {
                        let start = "2027-01-05T1\(hour):00:00Z"
                        let end = "2027-01-05T1\(hour):30:00Z"
                        #expect(try await client.call(Self.book(name, start, end, hold: hour == 0)).ok)
                    }
                }
            }
            let overview = try await PageProbe.get(port: httpPort, "/api/overview")
            #expect(overview.status == 200, "\(overview.body)")
            #expect(overview.contentType == "application/json")
            let json = try overview.json()
            #expect(json["stats"]?["resources"] == 4)
            #expect(json["stats"]?["active_bookings"] == 6)
            #expect(json["stats"]?["uptime_seconds"] == 0)
            #expect(json["tenant"] == .null)
            #expect(json["busiest_max"] == 2)
            let busiest = try #require(json["busiest"]?.array)
            #expect(busiest.map { $0["resource"]?.string } == ["busy", "middle"])
            #expect(busiest.first?["active_bookings"] == 3)
            #expect(busiest.first?["active_holds"] == 1)
            #expect(busiest.first?["time_zone"] == "Europe/Paris")
            #expect(json["samples"]?.array != nil)
        }
    }

    @Test func theDayViewListsOneLocalDayInTheResourcesZone() async throws {
        try await TestServer.run { server in
            let httpPort = try #require(server.httpPort)
            try await server.connect { client async throws in
                #expect(try await client.call(Requests.createResource("desk:1", tz: "Europe/Paris")).ok)
                // 23:30 on the 4th to 00:30 on the 5th, Paris time: it overlaps both days.
                #expect(try await client.call(Self.book("desk:1", "2027-01-04T22:30:00Z", "2027-01-04T23:30:00Z")).ok)
                let hold = Self.book("desk:1", "2027-01-05T09:00:00Z", "2027-01-05T09:30:00Z", hold: true)
                #expect(try await client.call(hold).ok)
                // 00:00 on the 6th in Paris: the next day, not this one.
                #expect(try await client.call(Self.book("desk:1", "2027-01-05T23:00:00Z", "2027-01-05T23:30:00Z")).ok)
            }
            // `:` as a browser's form encodes it.
            let day = try await PageProbe.get(port: httpPort, "/api/day?resource=desk%3A1&date=2027-01-05")
            #expect(day.status == 200, "\(day.body)")
            let json = try day.json()
            #expect(json["resource"] == "desk:1")
            #expect(json["time_zone"] == "Europe/Paris")
            #expect(json["date"] == "2027-01-05")
            #expect(json["from"] == "2027-01-04T23:00:00Z")
            #expect(json["to"] == "2027-01-05T23:00:00Z")
            #expect(json["from_local"] == "2027-01-05T00:00:00+01:00")
            let bookings = try #require(json["bookings"]?.array)
            let starts = bookings.map { $0["start_local"]?.string }
            #expect(starts == ["2027-01-04T23:30:00+01:00", "2027-01-05T10:00:00+01:00"])
            #expect(bookings.map { $0["state"]?.string } == ["confirmed", "pending_confirmation"])
            // The hold was made at 08:00Z, the manual clock's start, for the default 300 s.
            #expect(bookings.last?["expires_at_local"] == "2027-01-04T09:05:00+01:00")
            #expect(json["truncated"] == false)
            // Without a date: the day it is now in the resource's zone, the 4th, which the first booking ends.
            let today = try await PageProbe.get(port: httpPort, "/api/day?resource=desk:1")
            #expect(try today.json()["date"] == "2027-01-04")
            #expect(try today.json()["bookings"]?.array?.count == 1)
        }
    }

    /// A day is not always 24 hours: 23 when clocks spring forward, and where they skip midnight it begins at the
    /// moment they jump.
    @Test(arguments: [
        ("Europe/Paris", "2027-03-28", "2027-03-27T23:00:00Z", "2027-03-28T22:00:00Z"),
        ("Europe/Paris", "2027-10-31", "2027-10-30T22:00:00Z", "2027-10-31T23:00:00Z"),
        ("America/Havana", "2027-03-14", "2027-03-14T05:00:00Z", "2027-03-15T04:00:00Z"),
    ])
    func theDayFollowsTheZonesClockChanges(zone: String, date: String, from: String, to: String) async throws {
        try await TestServer.run { server in
            let httpPort = try #require(server.httpPort)
            try await server.connect { client async throws in
                #expect(try await client.call(Requests.createResource("room", tz: zone)).ok)
            }
            let day = try await PageProbe.get(port: httpPort, "/api/day?resource=room&date=\(date)")
            #expect(day.status == 200, "\(day.body)")
            #expect(try day.json()["from"]?.string == from)
            #expect(try day.json()["to"]?.string == to)
        }
    }

    @Test func badQueriesGetA400NamingTheParameter() async throws {
        try await TestServer.run { server in
            let httpPort = try #require(server.httpPort)
            try await server.connect { client async throws in
                #expect(try await client.call(Requests.createResource("room")).ok)
            }
            let cases: [(path: String, status: Int, code: String, field: String?)] = [
                ("/api/day", 400, "invalid_request", "resource"),
                ("/api/day?resource=a%7Cb", 400, "invalid_request", "resource"),
                ("/api/day?resource=room&date=2027-02-30", 400, "invalid_request", "date"),
                ("/api/day?resource=room&date=tomorrow", 400, "invalid_request", "date"),
                ("/api/day?resource=room&resource=room", 400, "invalid_request", "resource"),
                ("/api/day?resource=room&limit=5", 400, "invalid_request", "limit"),
                ("/api/day?resource=room&tenant=a%3Ab", 400, "invalid_request", "tenant"),
                ("/api/day?resource=%ZZ", 400, "invalid_request", nil),
                ("/api/overview?resource=room", 400, "invalid_request", "resource"),
                ("/api/day?resource=nowhere", 404, "not_found", "resource"),
                ("/api/nothing", 404, "not_found", nil),
            ]
            for (path, status, code, field) in cases {
                let probe = try await PageProbe.get(port: httpPort, path)
                #expect(probe.status == status, "\(path): \(probe.body)")
                let json = try probe.json()
                #expect(json["error"]?.string == code, "\(path)")
                #expect(json["field"]?.string == field, "\(path)")
                #expect(json["message"]?.string?.isEmpty == false, "\(path)")
            }
        }
    }
}

/// The busiest list keeps the top `countMax` whatever order the resources come in: most active bookings first,
/// ties by id, none for resources without any.
@Suite struct BusiestResourcesTests {
    @Test func theListKeepsTheBusiestInOrderWithTiesById() throws {
        let counts = [("e", 1), ("b", 4), ("z", 0), ("a", 2), ("d", 4), ("c", 2), ("f", 9)]
        for order in [counts, counts.reversed(), counts.shuffled()] {
            var busiest = BusiestResources(countMax: 4)
            for (name, active) in order {
                let id = try #require(ResourceID(name))
                busiest.offer(BusyResource(id: id, timeZoneIdentifier: "UTC", activeBookings: active, activeHolds: 0))
            }
            #expect(busiest.ranked.map(\.id.name) == ["f", "b", "d", "a"])
        }
        var none = BusiestResources(countMax: 4)
        none.offer(
            BusyResource(
                id: try #require(ResourceID("idle")), timeZoneIdentifier: "UTC", activeBookings: 0, activeHolds: 0))
        #expect(none.ranked.isEmpty)
    }
}
