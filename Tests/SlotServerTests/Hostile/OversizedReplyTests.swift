import Foundation
import SlotClient
import SlotTesting
import Testing

/// A 3.5 KB multi-resource `availability` over 50 one-minute resources asks for a reply of hundreds of MB. Every
/// reply has a maximum size (`replyBytesMax`, `--max-reply-bytes`), checked while it is built, so such a reply is
/// never built whole: the client gets `reply_too_large` with `limit_bytes`, and the server keeps serving
/// (docs/decisions/0001-bounded-requests.md).
@Suite(.serialized) struct OversizedReplyTests {
    static let resources = (0..<50).map { String(format: "r%02d", $0) }

    /// From the day after tomorrow (UTC) for the longest range a query may ask, 92 days.
    static func range() -> (from: JSONValue, to: JSONValue) {
        let format = ISO8601DateFormatter()
        let day = (Int(Date().timeIntervalSince1970) / 86_400 + 2) * 86_400
        func instant(_ seconds: Int) -> JSONValue {
            .string(format.string(from: Date(timeIntervalSince1970: Double(seconds))))
        }
        return (instant(day), instant(day + 92 * 86_400))
    }

    @Test func fiftyOneMinuteResourcesOverNinetyTwoDaysAreRefusedWithoutBuildingTheReply() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await SlotdProcess(dataDirectory: directory)
        try await SlotConnection.withConnection(port: server.port) { client in
            for resource in Self.resources {
                let created = try await client.call(Requests.createResource(resource, extra: ["slot_minutes": 1]))
                #expect(created.ok)
            }
        }
        let before = try #require(server.cost)
        let (from, to) = Self.range()
        let query: JSONValue = [
            "op": "availability", "resources": .array(Self.resources.map { .string($0) }), "mode": "any",
            "from": from, "to": to, "duration_minutes": 1, "tz": "Europe/Berlin",
        ]
        // 3.3 KB asking for every minute of 92 days on 50 resources: about 480 MB of JSON if it were written.
        #expect(query.jsonText.utf8.count < 4_096)
        let (reply, probe) = try await PingProbe.whilePinging(port: server.port) {
            try await SlotConnection.withConnection(port: server.port) { client in
                try await client.call(query)
            }
        }
        #expect(reply["error"]?["code"] == "reply_too_large")
        #expect(reply["error"]?["limit_bytes"] == "8388608")
        let after = try #require(server.cost, "the server is still running")
        // Building the reply whole would take about 1 GB; the bounded writer stays near the idle size. Generous
        // for a debug build on a busy box.
        #expect(after.peakResidentBytes < 200 * 1_048_576, "peak RSS \(after.peakResidentBytes)")
        // A few seconds of CPU in a debug build: it stops asking resources once the answers cannot fit.
        #expect(after.cpuSeconds - before.cpuSeconds < 30)
        // An unrelated client is still served: pings meanwhile go through between two resources' answers.
        #expect(await probe.failures.isEmpty)
        let slowest = await probe.slowestMilliseconds
        #expect(slowest < PingProbe.slowestMillisecondsBound, "slowest ping \(slowest) ms")
        let pinged = try await SlotConnection.withConnection(port: server.port) { try await $0.call(["op": "ping"]) }
        #expect(pinged.ok)
        #expect(try await server.terminate() == 0)
    }

    /// The bound applies to every reply, and the connection goes on: here a single-resource `availability` and a
    /// `list_bookings`, with the limit set low.
    @Test func everyReplyIsBoundedAndTheConnectionGoesOn() async throws {
        let configuration = TestServer.configuration { $0.replyBytesMax = 4_096 }
        try await TestServer.run(configuration: configuration) { server in
            try await server.connect { client in
                #expect(try await client.call(Requests.createResource("r", extra: ["slot_minutes": 5])).ok)
                func availability(to: String) -> JSONValue {
                    [
                        "op": "availability", "resource": "r", "from": "2027-01-05T10:00:00Z", "to": .string(to),
                        "duration_minutes": 5,
                    ]
                }
                #expect(try await client.call(availability(to: "2027-01-05T11:00:00Z"))["slots"]?.array?.count == 12)
                let refused = try await client.call(availability(to: "2027-01-06T10:00:00Z"))
                #expect(refused["error"]?["code"] == "reply_too_large")
                #expect(refused["error"]?["limit_bytes"] == "4096")
                for minute in stride(from: 0, to: 600, by: 5) {
                    let start = 1_799_143_200 + minute * 60  // 2027-01-05T10:00:00Z onwards
                    let format = ISO8601DateFormatter()
                    let booked = try await client.call(
                        Requests.hold(
                            "r", format.string(from: Date(timeIntervalSince1970: Double(start))),
                            format.string(from: Date(timeIntervalSince1970: Double(start + 300))), op: "book"))
                    #expect(booked.ok)
                }
                let listed = try await client.call([
                    "op": "list_bookings", "resource": "r", "from": "2027-01-05T00:00:00Z",
                    "to": "2027-01-06T00:00:00Z",
                ])
                #expect(listed["error"]?["code"] == "reply_too_large")
                #expect(try await client.call(["op": "ping"]).ok)
            }
        }
    }
}
