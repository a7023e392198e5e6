import Foundation
import SlotClient
import SlotDomain
import SlotJournal
import SlotServer
import SlotTesting
import Testing

/// The committed demo snapshot (`snapshots/golden/clinic-demo-v1.slotsnap`) must keep restoring, to the state
/// written down here, in every later version of slotd. Regenerate it only on purpose:
/// `SLOTD_WRITE_GOLDEN=1 swift test --filter GoldenSnapshotTests`.
@Suite(.serialized) struct GoldenSnapshotTests {
    static let goldenFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("snapshots/golden/clinic-demo-v1.slotsnap")
    /// 2026-11-20T09:00:00Z: when the demo clinic was "taken".
    static let takenAt = Instant(secondsSinceEpoch: 1_795_683_600)

    static let resources: [(id: String, tz: String, extra: [String: JSONValue])] = [
        ("dr-berg", "Europe/Berlin", ["slot_minutes": 30, "buffer_after_minutes": 30]),
        ("dr-silva", "America/Sao_Paulo", ["slot_minutes": 15]),
        ("dr-ng", "Asia/Singapore", ["slot_minutes": 30, "buffer_before_minutes": 30]),
        ("room-1", "Europe/Berlin", ["slot_minutes": 15, "buffer_after_minutes": 15]),
        ("imaging", "America/New_York", ["slot_minutes": 60, "capacity": 2]),
    ]

    @Test(.enabled(if: ProcessInfo.processInfo.environment["SLOTD_WRITE_GOLDEN"] == "1"))
    func writeGolden() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await TestServer.run(dataDirectory: directory, clock: ManualClock(Self.takenAt)) { server in
            try await server.connect { client in
                for resource in Self.resources {
                    let reply = try await client.call(
                        Requests.createResource(resource.id, tz: resource.tz, extra: resource.extra))
                    #expect(reply.ok)
                }
                // Monday 2027-01-04 to Friday 2027-01-08: one appointment an hour, 09:00–12:00 local, per practitioner.
                let offsets = [
                    "dr-berg": "+01:00", "dr-silva": "-03:00", "dr-ng": "+08:00", "room-1": "+01:00",
                    "imaging": "-05:00",
                ]
                var customer = 0
                for day in 4...8 {
                    for resource in Self.resources.map(\.id) {
                        for hour in 9..<12 {
                            customer += 1
                            let start = String(format: "2027-01-%02dT%02d:00:00%@", day, hour, offsets[resource]!)
                            let end =
                                resource == "imaging"
                                ? String(format: "2027-01-%02dT%02d:00:00%@", day, hour + 1, offsets[resource]!)
                                : String(format: "2027-01-%02dT%02d:30:00%@", day, hour, offsets[resource]!)
                            let op = customer % 7 == 0 ? "hold" : "book"
                            let extra: [String: JSONValue] =
                                customer % 5 == 0
                                ? ["idempotency_key": .string("demo-\(customer)"), "actor": "front-desk"] : [:]
                            let reply = try await client.call(
                                Requests.hold(
                                    resource, start, end, op: op, customer: "patient-\(customer)", extra: extra))
                            #expect(reply.ok, "\(resource) \(start): \(reply)")
                        }
                    }
                }
                _ = try await client.call(
                    Requests.move("cancel", "dr-berg/2", extra: ["reason": "patient called in sick"]))
                _ = try await client.call(
                    Requests.move(
                        "reschedule", "dr-silva/1",
                        extra: ["start": "2027-01-04T14:00:00-03:00", "end": "2027-01-04T14:30:00-03:00"]))
                _ = try await client.call(Requests.move("confirm", "imaging/2", extra: ["actor": "radiology"]))
                let snapshot = try await client.call(["op": "snapshot"])
                let path = try #require(snapshot["snapshot"]?["path"]?.string)
                try? FileManager.default.removeItem(at: Self.goldenFile)
                try FileManager.default.copyItem(at: URL(fileURLWithPath: path), to: Self.goldenFile)
            }
        }
    }

    @Test func goldenDemoStillRestores() async throws {
        let header = try SnapshotStore.inspect(Self.goldenFile)
        #expect(header.version == 1)
        #expect(header.resourceCount == 5)
        #expect(header.bookingCount == 75)
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let restore = TestServer.configuration { $0.restoreSnapshot = Self.goldenFile }
        let clock = ManualClock(Self.takenAt.adding(seconds: 3_600))  // within the keys' 24-hour retention
        try await TestServer.run(dataDirectory: directory, clock: clock, configuration: restore) { server in
            try await server.connect { client in
                let listed = try await client.call(["op": "list_resources"])
                #expect(
                    listed["resources"]?.array?.map { $0["id"] } == [
                        "dr-berg", "dr-ng", "dr-silva", "imaging", "room-1",
                    ])
                #expect(listed["resources"]?[3]?["capacity"] == 2)
                #expect(listed["resources"]?[0]?["buffer_after_minutes"] == 30)
                let stats = try await client.call(["op": "stats"])["stats"]
                #expect(stats?["bookings"] == 75)
                // Every seventh request was a hold (10 of them); imaging/2 was then confirmed, the other 9 expired.
                #expect(stats?["active_bookings"] == 65, "75, less 1 canceled, less 9 expired holds")
                let canceled = try await client.call(["op": "get_booking", "booking": "dr-berg/2"])["booking"]
                #expect(canceled?["state"] == "canceled")
                #expect(canceled?["start"] == "2027-01-04T09:00:00Z")
                #expect(canceled?["history"]?.array?.last?["reason"] == "patient called in sick")
                let moved = try await client.call(["op": "get_booking", "booking": "dr-silva/1"])["booking"]
                #expect(moved?["state"] == "rescheduled")
                #expect(moved?["start"] == "2027-01-04T17:00:00Z")
                #expect(moved?["history"]?.array?.last?["previous_start"] == "2027-01-04T12:00:00Z")
                let singapore = try await client.call(["op": "get_booking", "booking": "dr-ng/2"])["booking"]
                #expect(singapore?["start"] == "2027-01-04T02:00:00Z", "10:00 in Singapore (+08:00)")
                let confirmedHold = try await client.call(["op": "get_booking", "booking": "imaging/2"])["booking"]
                #expect(confirmedHold?["history"]?.array?.last?["actor"] == "radiology")
                let expired = try await client.call(["op": "get_booking", "booking": "dr-ng/1"])["booking"]
                #expect(expired?["state"] == "expired")
                #expect(expired?["history"]?.array?.last?["actor"] == "system")
                // An idempotency key from the demo (customer 5: dr-silva, Monday 10:00 local) replays its first reply;
                // the same key with another request is a conflict.
                let request = Requests.hold(
                    "dr-silva", "2027-01-04T10:00:00-03:00", "2027-01-04T10:30:00-03:00", op: "book",
                    customer: "patient-5",
                    extra: ["idempotency_key": "demo-5", "actor": "front-desk"])
                let replayed = try await client.call(request)
                #expect(replayed["booking"]?["id"] == "dr-silva/2")
                #expect(replayed["booking"]?["state"] == "confirmed")
                var changed = request
                if case .object(var object) = changed {
                    object["customer"] = "someone else"
                    changed = .object(object)
                }
                #expect(try await client.call(changed).errorCode == "idempotency_conflict")
                // The restored clinic takes new bookings around the old ones.
                let free = try await client.call(
                    Requests.hold("dr-berg", "2027-01-04T12:00:00+01:00", "2027-01-04T12:30:00+01:00", op: "book"))
                #expect(free["booking"]?["id"] == "dr-berg/16")
                let taken = try await client.call(
                    Requests.hold("dr-berg", "2027-01-04T10:30:00+01:00", "2027-01-04T11:00:00+01:00", op: "book"))
                #expect(taken.errorCode == "slot_unavailable", "10:30 lies in the 10:00 booking's 30-minute buffer")
            }
        }
    }
}
