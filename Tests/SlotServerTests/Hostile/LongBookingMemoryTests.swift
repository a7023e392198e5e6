import Foundation
import SlotClient
import SlotDomain
import SlotTesting
import Testing

/// Memory a request creates must be freed again. Long bookings on one-minute resources, booked and
/// canceled over and over across the whole horizon, against the real binary: the server's memory follows what is
/// booked now, and a booking longer than `bookingLengthDaysMax` is refused with `booking_too_long`.
@Suite(.serialized) struct LongBookingMemoryTests {
    static let resources = 8
    static let rounds = 110
    static let bookingDays = Int64(DomainLimits.standard.bookingLengthDaysMax)

    /// A UTC midnight a few days from now: every one-minute slot boundary is a whole minute after it.
    static let origin: Int64 = {
        let now = Int64(Date().timeIntervalSince1970)
        return now - now % 86_400 + 2 * 86_400
    }()

    static func at(days: Int64) -> JSONValue {
        .string(RFC3339.format(Instant(secondsSinceEpoch: origin + days * 86_400)))
    }

    static func createResource(_ name: String) -> JSONValue {
        [
            "op": "create_resource", "resource": .string(name), "tz": "UTC", "slot_minutes": 1, "capacity": 300,
            "buffer_before_minutes": 60, "buffer_after_minutes": 60, "horizon_days": 3_660,
        ]
    }

    /// One round: on every resource, book a month-long stay at a place that moves through the ten-year horizon, then
    /// cancel it. Without freeing, each round would leave about 270 KB of counters per resource behind (one-minute
    /// granules, two bytes of core and four of padded count per granule, 31 days), 300 MB over the test.
    static func round(_ client: SlotConnection, _ round: Int) async throws {
        let startDay = Int64(round * 31 % 3_560)
        var books: [JSONValue] = []
        for resource in 0..<resources {
            books.append([
                "id": .number(Double(resource)), "op": "book", "resource": .string("long-\(resource)"),
                "start": at(days: startDay), "end": at(days: startDay + bookingDays), "customer": "guest",
            ])
        }
        let booked = try await client.pipeline(books)
        var cancels: [JSONValue] = []
        for reply in booked {
            #expect(reply.ok, "round \(round): \(reply)")
            guard let id = reply["booking"]?["id"] else { continue }
            cancels.append(["op": "cancel", "booking": id])
        }
        for reply in try await client.pipeline(cancels) { #expect(reply.ok, "round \(round): \(reply)") }
    }

    @Test func bookingAndCancelingMonthLongStaysForYearsKeepsMemoryFlat() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await SlotdProcess(dataDirectory: directory)
        try await SlotConnection.withConnection(port: server.port) { client in
            for resource in 0..<Self.resources {
                #expect(try await client.call(Self.createResource("long-\(resource)")).ok)
            }
            // A few rounds first, so the allocator and the journal have reached their working size.
            for round in 0..<10 { try await Self.round(client, round) }
        }
        let before = try #require(server.cost)
        let (_, probe) = try await PingProbe.whilePinging(port: server.port) {
            try await SlotConnection.withConnection(port: server.port) { client in
                for round in 10..<Self.rounds { try await Self.round(client, round) }
            }
        }
        let after = try #require(server.cost, "the server is still running")
        let grownMegabytes = Double(after.residentBytes - before.residentBytes) / 1_048_576
        // Generous: the journal's page cache and allocator slack may grow a little; never freeing would be ~270 MB.
        #expect(grownMegabytes < 48, "RSS grew by \(grownMegabytes) MB over \(Self.rounds - 10) rounds")
        // One second: each book touches 2 × 46,000 counters, a few milliseconds; a ping waits for no resource.
        await QueryCostTests.expectServed(probe)
        _ = try await server.terminate()
    }

    @Test func aBookingLongerThanTheLimitIsRefusedEverywhere() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await SlotdProcess(dataDirectory: directory)
        try await SlotConnection.withConnection(port: server.port) { client in
            #expect(try await client.call(Self.createResource("long-0")).ok)
            #expect(try await client.call(Self.createResource("long-1")).ok)
            let tooLong = (Self.at(days: 1), Self.at(days: 2 + Self.bookingDays))
            let limit = JSONValue.string(String(Self.bookingDays))
            for op in ["hold", "book"] {
                let reply = try await client.call([
                    "op": .string(op), "resource": "long-0", "start": tooLong.0, "end": tooLong.1, "customer": "c",
                ])
                #expect(reply["error"]?["code"] == "booking_too_long", "\(op): \(reply)")
                #expect(reply["error"]?["limit_days"] == limit)
            }
            let both = try await client.call([
                "op": "book", "resources": ["long-0", "long-1"], "start": tooLong.0, "end": tooLong.1,
                "customer": "c",
            ])
            #expect(both["error"]?["code"] == "booking_too_long", "\(both)")
            let series = try await client.call([
                "op": "book_series", "resource": "long-1", "start": tooLong.0, "end": tooLong.1, "customer": "c",
                "rule": ["freq": "weekly", "count": 2],
            ])
            #expect(series["error"]?["code"] == "booking_too_long", "refused whole: \(series)")
            let exactly = try await client.call([
                "op": "book", "resource": "long-0", "start": Self.at(days: 1),
                "end": Self.at(days: 1 + Self.bookingDays),
                "customer": "c",
            ])
            #expect(exactly.ok, "a booking of exactly the limit is accepted: \(exactly)")
            let moved = try await client.call([
                "op": "reschedule", "booking": exactly["booking"]?["id"] ?? "long-0/1", "start": tooLong.0,
                "end": tooLong.1,
            ])
            #expect(moved["error"]?["code"] == "booking_too_long", "\(moved)")
            let query = try await client.call([
                "op": "availability", "resource": "long-1", "from": Self.at(days: 1), "to": Self.at(days: 2),
                "duration_minutes": .number(Double(Self.bookingDays * 1_440 + 1)),
            ])
            #expect(query["error"]?["code"] == "invalid_request", "\(query)")
            #expect(query["error"]?["field"] == "duration_minutes")
            #expect(try await client.call(["op": "ping"]).ok)
        }
        _ = try await server.terminate()
    }
}
