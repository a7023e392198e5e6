import Foundation
import SlotClient
import SlotDomain
import SlotServer
import SlotTesting
import SlotWire
import Testing

/// The business and plumbing series of `/metrics` after a known mix over TCP, scraped over HTTP and read by
/// `prometheus_client`'s parser (`HTTPProbe`): booking changes, expiries, promotions, the gauges, the journal's
/// commits and the snapshots.
@Suite struct BookingMetricsTests {
    static let day = "2027-01-05T"

    static func hold(_ hour: Int, op: String = "hold", customer: String = "ann", ttlSeconds: Int? = nil) -> JSONValue {
        var extra: [String: JSONValue] = [:]
        if let ttlSeconds { extra["ttl_seconds"] = .number(Double(ttlSeconds)) }
        return Requests.hold(
            "court", "\(day)\(hour):00:00Z", "\(day)\(hour):30:00Z", op: op, customer: customer, extra: extra)
    }

    static func transitions(_ scrape: HTTPProbe, _ from: String, _ to: String) -> Double? {
        scrape.value("slotd_booking_transitions_total", ["from": from, "to": to])
    }

    /// Six bookings made (one by `book`, one given from the waitlist), two confirmed, three canceled, one expired:
    /// each change counted once under its (from, to), and the gauges left at what is still active.
    @Test func bookingChangesAreCountedExactly() async throws {
        let clock = ManualClock(TestServer.epoch)
        try await TestServer.run(clock: clock) { server in
            let httpPort = try #require(server.httpPort)
            try await server.connect { (client: SlotConnection) async throws in
                #expect(
                    try await client.call(Requests.createResource("court", extra: ["hold_ttl_seconds": .number(60)])).ok
                )
                #expect(try await client.call(Self.hold(10, ttlSeconds: 30)).ok)  // court/1: expires
                #expect(try await client.call(Self.hold(11)).ok)  // court/2: confirmed, then canceled
                #expect(try await client.call(Requests.move("confirm", "court/2")).ok)
                #expect(try await client.call(Requests.move("cancel", "court/2")).ok)
                #expect(try await client.call(Self.hold(12, op: "book")).ok)  // court/3: stays confirmed
                #expect(try await client.call(Self.hold(13)).ok)  // court/4: canceled
                #expect(try await client.call(Requests.move("cancel", "court/4")).ok)
                #expect(try await client.call(Self.hold(14)).ok)  // court/5: canceled for bob, waiting
                let join = Self.hold(14, op: "waitlist_join", customer: "bob")
                #expect(try await client.call(join)["entry"]?["state"] == "waiting")
                #expect(try await client.call(Requests.move("cancel", "court/5")).ok)  // court/6: bob's hold
                clock.advance(seconds: 31)
                let expired = try await client.call(["op": "get_booking", "booking": "court/1"])
                #expect(expired["booking"]?["state"] == "expired", "\(expired)")
                // A confirm of a confirmed booking changes nothing, and a refused one neither.
                #expect(try await client.call(Requests.move("confirm", "court/3")).ok)
                #expect(try await client.call(Requests.move("confirm", "court/1"))["error"] != nil)

                let scrape = try await HTTPProbe.get(port: httpPort, "/metrics")
                #expect(scrape.status == 200)
                #expect(Self.transitions(scrape, "none", "pending_confirmation") == 6)
                #expect(Self.transitions(scrape, "pending_confirmation", "confirmed") == 2)
                #expect(Self.transitions(scrape, "pending_confirmation", "canceled") == 2)
                #expect(Self.transitions(scrape, "pending_confirmation", "expired") == 1)
                #expect(Self.transitions(scrape, "confirmed", "canceled") == 1)
                #expect(Self.transitions(scrape, "confirmed", "completed") == 0)
                #expect(Self.transitions(scrape, "rescheduled", "no_show") == 0)
                let series = scrape.samples.filter { $0.name == "slotd_booking_transitions_total" }
                #expect(series.count == TransitionTally.changes.count)
                #expect(series.reduce(0) { $0 + $1.value } == 12)
                #expect(scrape.value("slotd_hold_expirations_total") == 1)
                #expect(scrape.value("slotd_waitlist_promotions_total") == 1)
                #expect(scrape.value("slotd_resources") == 1)
                #expect(scrape.value("slotd_active_bookings") == 2)  // court/3 and bob's court/6
                #expect(scrape.value("slotd_active_holds") == 1)  // court/6
            }
        }
    }

    /// What a restart replays is not counted again; the gauges start from what it left active, and live changes
    /// count from there.
    @Test func replayAtStartIsNotCounted() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await TestServer.run(dataDirectory: directory) { server in
            try await server.connect { (client: SlotConnection) async throws in
                #expect(try await client.call(Requests.createResource("court")).ok)
                #expect(try await client.call(Self.hold(10)).ok)
                #expect(try await client.call(Self.hold(11, op: "book")).ok)
                #expect(try await client.call(Self.hold(12)).ok)
                #expect(try await client.call(Requests.move("cancel", "court/3")).ok)
            }
        }
        try await TestServer.run(dataDirectory: directory) { server in
            let httpPort = try #require(server.httpPort)
            let restarted = try await HTTPProbe.get(port: httpPort, "/metrics")
            #expect(Self.transitions(restarted, "none", "pending_confirmation") == 0)
            #expect(Self.transitions(restarted, "pending_confirmation", "canceled") == 0)
            #expect(restarted.value("slotd_resources") == 1)
            #expect(restarted.value("slotd_active_bookings") == 2)
            #expect(restarted.value("slotd_active_holds") == 1)
            try await server.connect { (client: SlotConnection) async throws in
                #expect(try await client.call(Requests.move("confirm", "court/1")).ok)
            }
            let live = try await HTTPProbe.get(port: httpPort, "/metrics")
            #expect(Self.transitions(live, "pending_confirmation", "confirmed") == 1)
            #expect(live.value("slotd_active_bookings") == 2)
            #expect(live.value("slotd_active_holds") == 0)
        }
    }

    /// Every commit is observed once, with its entries; a snapshot (the `snapshot` op) is timed and stamped with
    /// the server's clock.
    @Test func journalCommitsAndSnapshotsAreObserved() async throws {
        let clock = ManualClock(TestServer.epoch)
        try await TestServer.run(clock: clock) { server in
            let httpPort = try #require(server.httpPort)
            let before = try await HTTPProbe.get(port: httpPort, "/metrics")
            #expect(before.value("slotd_snapshot_duration_seconds_count") == 0)
            #expect(before.value("slotd_snapshot_last_success_timestamp_seconds") == 0)
            try await server.connect { (client: SlotConnection) async throws in
                #expect(try await client.call(Requests.createResource("court")).ok)
                for hour in 10..<15 { #expect(try await client.call(Self.hold(hour)).ok) }
                clock.advance(seconds: 90)
                #expect(try await client.call(["op": "snapshot"]).ok)
            }
            let scrape = try await HTTPProbe.get(port: httpPort, "/metrics")
            let journal = server.runtime.journal
            let commits = try #require(scrape.value("slotd_journal_entries_per_commit_count"))
            #expect(commits >= 1)
            #expect(commits == Double(journal.commitCount))
            #expect(scrape.value("slotd_journal_entries_per_commit_sum") == Double(journal.durableSequence))
            #expect(scrape.value("slotd_journal_commit_duration_seconds_count") == commits)
            #expect(scrape.value("slotd_journal_commit_duration_seconds_bucket", ["le": "+Inf"]) == commits)
            #expect(scrape.value("slotd_snapshot_duration_seconds_count") == 1)
            #expect(
                scrape.value("slotd_snapshot_last_success_timestamp_seconds")
                    == Double(TestServer.epoch.secondsSinceEpoch + 90))
        }
    }

    /// Without the HTTP port nothing could read metrics, so the server keeps none, and serves as before.
    @Test func withoutTheHTTPPortNoMetricsAreKept() async throws {
        let configuration = TestServer.configuration { $0.http.port = nil }
        try await TestServer.run(configuration: configuration) { server in
            #expect(server.runtime.metrics == nil)
            try await server.connect { (client: SlotConnection) async throws in
                #expect(try await client.call(Requests.createResource("court")).ok)
                #expect(try await client.call(Self.hold(10)).ok)
                #expect(try await client.call(["op": "snapshot"]).ok)
            }
        }
    }
}
