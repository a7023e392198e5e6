import Foundation
import Logging
import SlotClient
import SlotDomain
import SlotServer
import SlotTesting
import Testing

/// The smallest reproductions of what the whole-server simulation found, kept as regression tests.
@Suite struct SimulationFindingsTests {
    static let created = Instant(secondsSinceEpoch: 1_799_049_600)
    static let booking = BookingID(resource: ResourceID(trusted: "desk"), sequence: 1)

    static func moved(_ hours: Int64) -> Transition {
        Transition(
            from: .confirmed, to: .rescheduled, actor: "client", at: created.adding(seconds: hours * 3_600),
            previousRange: TimeRange(start: created, end: created.adding(seconds: hours * 900)))
    }

    /// A group `book` holds each resource, then confirms it in the same instant: the live booking recorded the
    /// confirmation as a later move, while a snapshot restore (the `history` setter) stores it as `book` does.
    /// The two compared unequal although their histories were the same, and once the history reached its
    /// maximum the live one dropped the confirmation and the restored one kept it: a restart from a snapshot
    /// changed `get_booking`. (Simulation seed 7, step 96, of the first version of the workload.)
    @Test func aHoldConfirmedAtOnceIsStoredAsABookedBookingIs() {
        let creation = Transition(from: nil, to: .pendingConfirmation, actor: "client", at: Self.created)
        let confirmation = Transition(from: .pendingConfirmation, to: .confirmed, actor: "client", at: Self.created)
        let range = TimeRange(start: Self.created.adding(seconds: 86_400), end: Self.created.adding(seconds: 90_000))
        var live = Booking(
            id: Self.booking, range: range, customer: "group", state: .pendingConfirmation, expiresAt: nil,
            history: [creation])
        live.state = .confirmed
        live.record(confirmation, entriesMax: 3)
        var restored = Booking(
            id: Self.booking, range: range, customer: "group", state: .confirmed, expiresAt: nil,
            history: live.history)
        #expect(live == restored)
        for hours: Int64 in 1...3 {
            live.record(Self.moved(hours), entriesMax: 3)
            restored.record(Self.moved(hours), entriesMax: 3)
        }
        #expect(live.history == restored.history)
        #expect(live.history.map(\.to) == [.pendingConfirmation, .confirmed, .rescheduled], "the confirmation stays")
        #expect(live.historyOmitted == 2)
    }

    /// Keys restored from a snapshot come in no order of expiry. Pruning walked them in that order and stopped at
    /// the first key still alive, so expired keys behind it stayed (counted against `too_many_keys`, and
    /// different from a server that never restarted). (Simulation seed 1, step 45, of the first version.)
    @Test func pruningForgetsEveryExpiredKeyWhateverOrderTheyWereRestoredIn() {
        var table = IdempotencyTable(retentionSeconds: 60)
        let reply = StoredReply.booking(
            BookingSummary(
                id: Self.booking, range: TimeRange(start: Self.created, end: Self.created.adding(seconds: 900)),
                customer: "c", state: .confirmed, expiresAt: nil))
        table.restore(.init(key: "late", fingerprint: "f", reply: reply, expiresAt: Self.created.adding(seconds: 100)))
        table.restore(.init(key: "early", fingerprint: "f", reply: reply, expiresAt: Self.created.adding(seconds: 10)))
        table.prune(now: Self.created.adding(seconds: 50))
        #expect(table.records().map(\.key) == ["late"])
        table.prune(now: Self.created.adding(seconds: 100))
        #expect(table.count == 0)
    }

    /// A hold past its expiry is expired for every reply from then on, but nothing is journaled when it expires:
    /// expiry follows from the entries and the clock. A schedule's clock never runs backwards, yet how far reads
    /// moved it is not journaled either, so a server recovered while the wall clock is behind (set back by NTP, or
    /// a restart on another machine) starts from the journal's latest instant and shows the hold held again until
    /// the clock catches up; a waiting customer's hold promoted at the expiry disappears meanwhile. Found by the
    /// simulation, which sets its clock back now and then (and so compares states once the clock has caught up). Not fixed
    /// here: the fix (journaling the clock's high-water mark, or refusing to start behind it) belongs to recovery.
    @Test func aHoldSeenExpiredIsHeldAgainAfterACrashWhileTheWallClockIsBehind() async throws {
        var configuration = ServerConfiguration()
        configuration.dataDirectory = TestServer.temporaryDirectory()
        configuration.snapshotDirectory = configuration.dataDirectory.appendingPathComponent("snapshots")
        configuration.journal.writer = .manual
        defer { try? FileManager.default.removeItem(at: configuration.dataDirectory) }
        let logger = Logger(label: "finding") { _ in SwiftLogNoOpLogHandler() }
        let clock = ManualClock(TestServer.epoch)
        func call(_ connection: InProcessConnection, _ request: JSONValue) async throws -> JSONValue {
            try JSONValue.parse(bytes: Array(await connection.decide(Array(request.jsonText.utf8)).bytes.dropLast()))
        }
        let first = try SlotRuntime(configuration: configuration, clock: clock, logger: logger)
        let connection = InProcessConnection(runtime: first)
        #expect(try await call(connection, Requests.createResource("desk", extra: ["hold_ttl_seconds": 60])).ok)
        let start = RFC3339.format(TestServer.epoch.adding(seconds: 86_400))
        let end = RFC3339.format(TestServer.epoch.adding(seconds: 87_300))
        #expect(try await call(connection, Requests.hold("desk", start, end))["booking"]?["id"] == "desk/1")
        _ = try first.journal.commitQueued()
        clock.advance(seconds: 120)
        let seen = try await call(connection, ["op": "get_booking", "booking": "desk/1"])
        #expect(seen["booking"]?["state"] == "expired", "acknowledged: nothing it depends on is uncommitted")
        first.journal.crash()
        clock.advance(seconds: -90)
        let second = try SlotRuntime(configuration: configuration, clock: clock, logger: logger)
        defer { second.journal.stop() }
        let after = try await call(InProcessConnection(runtime: second), ["op": "get_booking", "booking": "desk/1"])
        withKnownIssue("how far reads moved a schedule's clock is not journaled") {
            #expect(after["booking"]?["state"] == "expired")
        }
    }

    /// Restore re-admitted active bookings in booking-number order with the rule a new booking must pass, which
    /// depends on order once there are buffers and room for two: here booking 3 was admitted while booking 1 was
    /// elsewhere, and booking 1 was then rescheduled next to it, so the state is valid, but restored in number
    /// order booking 3 met two buffers and the snapshot was refused (`overCapacity`); once compaction passed the
    /// last snapshot that restored, the server could not start. (Simulation seed 100595, step 538, with its newest
    /// good snapshot damaged.) Restore now checks the order-free rule `CapacityCheck` states; a state that breaks
    /// it is still refused.
    @Test func aValidStateWithBuffersRestoresFromASnapshot() throws {
        let settings = ResourceSettings(
            id: ResourceID(trusted: "room"), timeZoneIdentifier: "UTC", capacity: 2, bufferAfterMinutes: 15)
        let day = Instant(secondsSinceEpoch: 1_799_020_800)
        func booking(_ sequence: UInt64, _ from: Int64, _ to: Int64) -> Booking {
            Booking(
                id: BookingID(resource: settings.id, sequence: sequence),
                range: TimeRange(start: day.adding(seconds: from * 60), end: day.adding(seconds: to * 60)),
                customer: "c", state: .confirmed, expiresAt: nil,
                history: [Transition(from: nil, to: .pendingConfirmation, actor: "client", at: day)])
        }
        func restore(_ bookings: [Booking]) throws -> ResourceSchedule {
            try ResourceSchedule(
                restoring: settings, clock: day, lastSequence: UInt64(bookings.count), bookings: bookings,
                rules: AvailabilityRules(), waitlist: [], lastWaitlistNumber: 0, limits: .standard)
        }
        let valid = [booking(1, 600, 630), booking(2, 600, 630), booking(3, 630, 645)]
        #expect(CapacityCheck.violations(settings: settings, bookings: valid).isEmpty)
        let restored = try restore(valid)
        #expect(restored.bookings.count == 3)
        // Two cores fill 10:30-10:45 and the buffers of two others cover it: no order of arrival allows that.
        let invalid = [booking(1, 600, 630), booking(2, 600, 630), booking(3, 630, 645), booking(4, 630, 645)]
        #expect(!CapacityCheck.violations(settings: settings, bookings: invalid).isEmpty)
        #expect(throws: ResourceSchedule.RestoreFailure.overCapacity(booking: 3)) { try restore(invalid) }
        let three = [booking(1, 600, 630), booking(2, 600, 630), booking(3, 610, 620)]
        #expect(throws: ResourceSchedule.RestoreFailure.overCapacity(booking: 3)) { try restore(three) }
    }
}
