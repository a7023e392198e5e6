import Foundation
import SlotClient
import SlotTesting
import Testing

/// A crash from one line must be impossible: requests whose instants, read as wall times in some zone, fall
/// outside the calendar slotd writes (years 0001 to 9999). Each must be refused with its documented code while
/// the server keeps serving everyone else.
@Suite struct LocalDateCrashTests {
    /// A request, the code it must get, and the field the refusal must name (nil: no field detail).
    struct Variant: Sendable, CustomStringConvertible {
        var name: String
        var request: JSONValue
        var code: String
        var field: String?
        var description: String { name }
    }

    static func series(
        _ resource: String, start: String? = nil, end: String? = nil, local: (String, String)? = nil,
        tz: String? = nil, rule: JSONValue = ["freq": "daily", "count": 2]
    ) -> JSONValue {
        var object: [String: JSONValue] = [
            "op": "book_series", "resource": .string(resource), "customer": "mallory", "rule": rule,
        ]
        if let start { object["start"] = .string(start) }
        if let end { object["end"] = .string(end) }
        if let (startLocal, endLocal) = local {
            object["start_local"] = .string(startLocal)
            object["end_local"] = .string(endLocal)
        }
        if let tz { object["tz"] = .string(tz) }
        return .object(object)
    }

    /// Every variant found: the first occurrence read in a zone west of UTC in year 1 (year 0 there), east of UTC
    /// in 9999 (year 10000 there), through the request's `tz` or the resource's own zone, on either end of the
    /// first occurrence; and wall times whose instant falls outside 0001–9999 UTC.
    static let variants: [Variant] = [
        Variant(
            name: "year 1 read in New York (request tz)",
            request: series("utc", start: "0001-01-01T00:00:00Z", end: "0001-01-01T01:00:00Z", tz: "America/New_York"),
            code: "in_past", field: "start"),
        Variant(
            name: "year 9999 read in Tokyo (request tz)",
            request: series("utc", start: "9999-12-31T22:00:00Z", end: "9999-12-31T23:00:00Z", tz: "Asia/Tokyo"),
            code: "beyond_horizon", field: "end"),
        Variant(
            name: "year 9999 read in the resource's own zone (+14:00)",
            request: series("kiritimati", start: "9999-12-31T12:00:00Z", end: "9999-12-31T13:00:00Z"),
            code: "beyond_horizon", field: "end"),
        Variant(
            name: "year 1 read in the resource's own zone (-10:00)",
            request: series("honolulu", start: "0001-01-01T00:00:00Z", end: "0001-01-01T01:00:00Z"),
            code: "in_past", field: "start"),
        Variant(
            name: "a first occurrence from now to year 9999, its end read in Tokyo",
            request: series("utc", start: "2027-01-05T10:00:00Z", end: "9999-12-31T23:00:00Z", tz: "Asia/Tokyo"),
            code: "beyond_horizon", field: "end"),
        Variant(
            name: "a wall time in year 1 east of UTC: its instant is in year 0",
            request: series("utc", local: ("0001-01-01T00:00", "0001-01-01T01:00"), tz: "Asia/Tokyo"),
            code: "invalid_request", field: "start_local"),
        Variant(
            name: "a wall time in 9999 west of UTC: its instant is in year 10000",
            request: series("utc", local: ("9999-12-31T22:00", "9999-12-31T23:00"), tz: "America/New_York"),
            code: "invalid_request", field: "start_local"),
        Variant(
            name: "a hold whose end wall time is in year 10000 UTC",
            request: [
                "op": "hold", "resource": "utc", "customer": "mallory", "tz": "Pacific/Honolulu",
                "start": "2027-01-05T10:00:00Z", "end_local": "9999-12-31T23:00",
            ],
            code: "invalid_request", field: "end_local"),
        Variant(
            name: "availability from a wall time in year 0 UTC",
            request: [
                "op": "availability", "resource": "utc", "tz": "Asia/Tokyo", "from_local": "0001-01-01T00:00",
                "to": "0001-01-02T00:00:00Z", "duration_minutes": 60,
            ],
            code: "invalid_request", field: "from_local"),
    ]

    @Test func everyVariantIsRefusedAndTheServerKeepsServing() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await SlotdProcess(dataDirectory: directory)
        try await SlotConnection.withConnection(port: server.port) { (client: SlotConnection) async throws in
            for (resource, tz) in [
                ("utc", "UTC"), ("kiritimati", "Pacific/Kiritimati"), ("honolulu", "Pacific/Honolulu"),
            ] {
                #expect(try await client.call(Requests.createResource(resource, tz: tz))["ok"] == true)
            }
        }
        let before = try #require(server.cost)
        let (replies, probe) = try await PingProbe.whilePinging(port: server.port) {
            try await SlotConnection.withConnection(port: server.port) { client in
                var replies: [JSONValue] = []
                for variant in Self.variants { replies.append(try await client.call(variant.request)) }
                return replies
            }
        }
        for (variant, reply) in zip(Self.variants, replies) {
            #expect(reply.errorCode == variant.code, "\(variant): \(reply)")
            if let field = variant.field { #expect(reply["error"]?["field"]?.string == field, "\(variant): \(reply)") }
        }
        #expect(server.process.isRunning)
        let after = try #require(server.cost)
        // Nine refusals decided before any booking is made: well under a second of CPU even on a busy 2-core box.
        // Nothing is kept for a refused request: RSS stays within a few MiB of where it was (64 MiB is generous).
        after.expectGrowth(since: before, cpuSecondsMax: 2, residentBytesGrowthMax: 64 << 20)
        // An unrelated ping waits behind at most one small refusal.
        await probe.expectServed()
        try await SlotConnection.withConnection(port: server.port) { (client: SlotConnection) async throws in
            #expect(try await client.call(["id": "after", "op": "ping"]) == ["id": "after", "ok": true])
        }
        #expect(try await server.terminate() == 0)
    }
}
