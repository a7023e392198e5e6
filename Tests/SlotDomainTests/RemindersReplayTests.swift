import Testing

@testable import SlotDomain

/// Seeded random traffic on a resource with reminders (books, holds, confirmations, cancels, reschedules, the
/// clock jumping by up to three hours, sometimes past whole reminder times as a server that was down would),
/// decided and applied as a resource actor does: expiry notice, reminders due, then the request. Checked:
/// replaying the journal yields the same events for every entry; a schedule restored mid-run from what a
/// snapshot keeps decides the same reminders as the live one from then on; no booking is reminded twice of the
/// same time; every reminder is of a confirmed booking not yet begun, not before its time nor before the booking
/// took that time; and every booking still ahead at the end got every reminder due since it took its time.
@Suite struct RemindersReplayTests {
    static let start = Instant(secondsSinceEpoch: 1_800_000_000 - 1_800_000_000 % 86_400)
    static let room = ResourceID("room")!
    static let reminders = [1_440, 120, 15]

    struct Run {
        var state = ServerState(limits: .standard)
        var journal: [JournalEntry] = []
        var events: [ChangeEvents] = []
        var now = RemindersReplayTests.start

        mutating func commit(_ entry: JournalEntry) throws {
            journal.append(entry)
            events.append(try state.apply(entry, sequence: UInt64(journal.count)).events)
        }

        mutating func ready() throws -> ResourceSchedule {
            if let notice = state.resources[room]?.schedule.decideExpiryNotice(now: now) {
                try commit(.schedule(room, notice))
            }
            if let due = state.resources[room]?.schedule.decideReminders(now: now) {
                try commit(.schedule(room, due))
            }
            state.resources[room]?.schedule.advance(to: now)
            return try #require(state.resources[room]?.schedule)
        }

        mutating func commitIfApplied(_ decision: Decision) throws {
            if case .apply(let event) = decision { try commit(.schedule(room, event)) }
        }
    }

    static func range(_ random: inout SplitMix64, after now: Instant) -> TimeRange {
        let quarters = Int64(random.next() % (4 * 24 * 3))  // within three days
        let start = Instant(secondsSinceEpoch: now.secondsSinceEpoch - now.secondsSinceEpoch % 900 + 900)
            .adding(seconds: quarters * 900)
        return TimeRange(start: start, end: start.adding(seconds: Int64(random.next() % 4 + 1) * 900))
    }

    static func step(_ run: inout Run, _ random: inout SplitMix64) throws {
        run.now = run.now.adding(seconds: Int64(random.next() % (random.next() % 8 == 0 ? 10_800 : 1_200)))
        let schedule = try run.ready()
        let now = run.now
        let booking = schedule.lastSequence == 0 ? 1 : random.next() % schedule.lastSequence + 1
        switch random.next() % 8 {
        case 0, 1, 2:
            let command = HoldCommand(
                range: range(&random, after: now), customer: "c", ttlSeconds: 600, confirm: random.next() % 2 == 0)
            try run.commitIfApplied(schedule.decideHold(command, now: now))
        case 3:
            try run.commitIfApplied(schedule.decide(.confirm, booking: booking, actor: "a", idempotency: nil, now: now))
        case 4:
            try run.commitIfApplied(
                schedule.decide(.cancel(reason: nil), booking: booking, actor: "a", idempotency: nil, now: now))
        case 5, 6:
            let action = BookingAction.reschedule(range(&random, after: now))
            try run.commitIfApplied(schedule.decide(action, booking: booking, actor: "a", idempotency: nil, now: now))
        default:
            break  // a read: reminders due went out first
        }
    }

    @Test(arguments: [UInt64(1), 2, 3, 0xBEEF])
    func liveReplayedAndRestoredRemindersAgree(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var run = Run()
        let settings = ResourceSettings(
            id: Self.room, timeZoneIdentifier: "UTC", capacity: 3, remindersMinutesBefore: Self.reminders)
        try run.commit(.resourceCreated(settings, at: Self.start, idempotency: nil))
        var restored: ResourceSchedule?
        var restoredReminders: [ChangeEvent] = []
        var liveAfterRestore: [ChangeEvent] = []
        for step in 0..<500 {
            let before = run.journal.count
            try Self.step(&run, &random)
            // The restored schedule follows the journal from here on, deciding its own reminders where the live
            // one did: they must be the same.
            if var copy = restored {
                for (offset, entry) in run.journal.enumerated().dropFirst(before) {
                    guard case .schedule(_, let event) = entry else { continue }
                    if case .remindersDue(let due) = event {
                        #expect(copy.decideReminders(now: due.at) == event, "seed \(seed), step \(step)")
                    }
                    restoredReminders += copy.apply(entry).events.filter { $0.kind == .bookingReminder }
                    liveAfterRestore += run.events[offset].filter { $0.kind == .bookingReminder }
                }
                restored = copy
            }
            if step == 200 {
                let live = try #require(run.state.resources[Self.room]?.schedule)
                restored = try ResourceSchedule(
                    restoring: live.settings, clock: live.clock, lastSequence: live.lastSequence,
                    bookings: live.bookings.values, remindedThrough: live.remindedThrough)
            }
        }
        #expect(!liveAfterRestore.isEmpty)
        #expect(restoredReminders == liveAfterRestore)

        var replayed = ServerState(limits: .standard)
        for (offset, entry) in run.journal.enumerated() {
            #expect(try replayed.apply(entry, sequence: UInt64(offset + 1)).events == run.events[offset])
        }
        try Self.checkReminders(run, seed: seed)
    }

    /// Each reminder once per booking time, each rightful, and none missing for bookings still ahead.
    static func checkReminders(_ run: Run, seed: UInt64) throws {
        struct Key: Hashable {
            var booking: UInt64
            var range: TimeRange
            var minutes: Int
        }
        var sent = Set<Key>()
        var late = 0
        let schedule = try #require(run.state.resources[room]?.schedule)
        var tookItsTime: [UInt64: Instant] = [:]  // when each booking was last confirmed or moved
        for event in run.events.joined() {
            guard let booking = event.booking else { continue }
            if event.kind == .bookingConfirmed || event.kind == .bookingRescheduled {
                tookItsTime[booking.id.sequence] = event.at
            }
            guard event.kind == .bookingReminder else { continue }
            let minutes = try #require(event.minutesBefore)
            let due = booking.range.start.adding(seconds: -Int64(minutes) * 60)
            #expect(sent.insert(Key(booking: booking.id.sequence, range: booking.range, minutes: minutes)).inserted)
            #expect(booking.state == .confirmed || booking.state == .rescheduled)
            #expect(due <= event.at && event.at < booking.range.start)
            let confirmedAt = try #require(tookItsTime[booking.id.sequence])
            #expect(due > confirmedAt, "seed \(seed): due before the booking took its time")
            #expect(event.late == (event.at.secondsSinceEpoch - due.secondsSinceEpoch > 60))
            if event.late { late += 1 }
        }
        #expect(sent.count > 20, "seed \(seed): enough reminders to judge (\(sent.count))")
        #expect(late > 0, "seed \(seed): some reminders were noticed late")
        for booking in schedule.bookings.values where booking.state == .confirmed || booking.state == .rescheduled {
            for minutes in reminders {
                let due = booking.range.start.adding(seconds: -Int64(minutes) * 60)
                guard due > booking.lastChangedAt, due <= run.now, booking.range.start > run.now else { continue }
                #expect(
                    sent.contains(Key(booking: booking.id.sequence, range: booking.range, minutes: minutes)),
                    "seed \(seed): booking \(booking.id.sequence) missed its \(minutes)-minute reminder")
            }
        }
    }
}
