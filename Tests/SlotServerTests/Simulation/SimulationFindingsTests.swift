import SlotDomain
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
}
