import Foundation
import SlotClient
import SlotTesting
import Testing

/// The suites that send `ReplyBurst`s, run one test at a time: each burst costs seconds of CPU in a debug build,
/// and several at once starve the other tests' servers.
@Suite(.serialized) struct ReplyBurstSuites {}

/// A pipelined burst with far more reply bytes than the socket buffers hold: 200 pairs of an availability query
/// over 30 days of 5-minute slots (~207 KB a reply) and a booking of the next slot of the first day. The server
/// stops reading from a client that does not read these replies (the reply byte limit); the bookings show,
/// through `stats`, how far it got.
struct ReplyBurst {
    static let pairs = 200
    static let slotsInRange = 30 * 288
    let text: String

    /// `dayStart`: the first day of the range, which must be in the server's future. `resource` must have been
    /// made with `createResource`.
    init(dayStart: Int, resource: String = "r") {
        let format = ISO8601DateFormatter()
        func instant(_ seconds: Int) -> JSONValue {
            .string(format.string(from: Date(timeIntervalSince1970: Double(seconds))))
        }
        let query: JSONValue = [
            "op": "availability", "resource": .string(resource), "from": instant(dayStart),
            "to": instant(dayStart + 30 * 86_400),
            "duration_minutes": 5,
        ]
        text = (0..<Self.pairs).map { pair in
            let start = dayStart + pair * 300
            let book: JSONValue = [
                "op": "book", "resource": .string(resource), "start": instant(start), "end": instant(start + 300),
                "customer": "ann",
            ]
            return query.jsonText + "\n" + book.jsonText + "\n"
        }.joined()
    }

    /// For a server on the wall clock: the range starts tomorrow (UTC).
    static func fromTomorrow(resource: String = "r") -> ReplyBurst {
        ReplyBurst(dayStart: dayAfter(Int(Date().timeIntervalSince1970)), resource: resource)
    }

    /// For a `TestServer` on its manual clock: the range starts the day after `TestServer.epoch`.
    static func afterManualClockStart() -> ReplyBurst {
        ReplyBurst(dayStart: dayAfter(Int(TestServer.epoch.secondsSinceEpoch)))
    }

    /// The start of the UTC day after the one containing `seconds`.
    private static func dayAfter(_ seconds: Int) -> Int { (seconds / 86_400 + 1) * 86_400 }

    static func createResource(_ id: String = "r") -> JSONValue {
        Requests.createResource(id, extra: ["slot_minutes": 5])
    }

    static func bookings(_ observer: SlotConnection) async throws -> Int {
        try await observer.call(["op": "stats"])["stats"]?["bookings"]?.int ?? -1
    }

    /// Waits (up to a minute: a debug server in a parallel test run is slow) until the server has stopped
    /// reading the burst: the bookings hold still for a second. Returns how many were made.
    static func awaitHeld(_ observer: SlotConnection) async throws -> Int {
        var held = -1
        var stillFor = 0
        for _ in 0..<3_000 where stillFor < 50 {
            let now = try await bookings(observer)
            stillFor = now == held ? stillFor + 1 : 0
            held = now
            try await Task.sleep(for: .milliseconds(20))
        }
        return held
    }

    /// The reply lines in what a raw socket received, checking that the last one is whole.
    static func lines(_ received: [UInt8]) -> [[UInt8]] {
        #expect(received.last == UInt8(ascii: "\n"), "the last reply is whole")
        return received.split(separator: UInt8(ascii: "\n")).map(Array.init)
    }

    /// Checks replies in the order the burst asked: each availability reply is whole and sees the bookings
    /// before it, and each booking is confirmed. `replies` may stop early (a prefix).
    static func check(_ replies: [[UInt8]]) throws {
        for (index, reply) in replies.enumerated() {
            if index % 2 == 0 {
                let slots = reply.count { $0 == UInt8(ascii: "Z") }
                #expect(slots == slotsInRange - index / 2, "availability \(index / 2) is whole")
            } else {
                let booked = try JSONValue.parse(String(decoding: reply, as: UTF8.self))
                #expect(booked["booking"]?["state"] == "confirmed", "booking \(index / 2)")
            }
        }
    }
}
