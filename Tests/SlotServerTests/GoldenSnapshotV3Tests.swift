import Foundation
import SlotClient
import SlotDomain
import SlotJournal
import SlotServer
import SlotTesting
import Testing

/// `snapshots/golden/studio-v3.slotsnap`, written by the last slotd that wrote format 3, must keep restoring now
/// that slotd writes format 4 (a history-omitted count per booking): the bookings, their histories, the series,
/// the block and the waitlist come back, and the next snapshot is written in the new format.
@Suite(.serialized) struct GoldenSnapshotV3Tests {
    static let goldenFile = GoldenSnapshotTests.goldenFile.deletingLastPathComponent()
        .appendingPathComponent("studio-v3.slotsnap")
    /// 2026-12-07T07:19:09Z: when the snapshot was taken.
    static let takenAt = Instant(secondsSinceEpoch: 1_796_627_949)

    @Test func aVersion3SnapshotStillRestores() async throws {
        let header = try SnapshotStore.inspect(Self.goldenFile)
        #expect(header.version == 3)
        #expect(header.bookingCount == 4)
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let restore = TestServer.configuration { $0.restoreSnapshot = Self.goldenFile }
        let clock = ManualClock(Self.takenAt.adding(seconds: 60))
        try await TestServer.run(dataDirectory: directory, clock: clock, configuration: restore) { server in
            try await server.connect { client in
                let moved = try await client.call(["op": "get_booking", "booking": "studio/1"])["booking"]
                #expect(moved?["start"] == "2027-02-01T12:00:00Z")
                #expect(
                    moved?["history"]?.array?.map { $0["to"] } == [
                        "pending_confirmation", "confirmed", "rescheduled", "rescheduled",
                    ])
                #expect(moved?["history"]?.array?.last?["actor"] == "front-desk")
                #expect(moved?["history_omitted"] == nil, "format 3 knew of no omitted entries")
                let occurrence = try await client.call(["op": "get_booking", "booking": "studio/3"])["booking"]
                #expect(occurrence?["series"] == "studio/2")
                #expect(occurrence?["start"] == "2027-02-09T08:00:00Z")
                let rules = try await client.call(["op": "get_rules", "resource": "studio"])["rules"]
                #expect(rules?["blocks"]?[0]?["label"] == "cleaning")
                // The waitlist came back: a second join for the same time returns the first entry.
                let again = try await client.call([
                    "op": "waitlist_join", "resource": "studio", "start": "2027-02-01T12:00:00Z",
                    "end": "2027-02-01T13:00:00Z", "customer": "cy",
                ])
                #expect(again["entry"]?["id"] == "studio/w1", "\(again)")
                let snapshot = try await client.call(["op": "snapshot"])
                let path = try #require(snapshot["snapshot"]?["path"]?.string)
                #expect(try SnapshotStore.inspect(URL(fileURLWithPath: path)).version == 4, "no key needs version 5")
            }
        }
    }
}
