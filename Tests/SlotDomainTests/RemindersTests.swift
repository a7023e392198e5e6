import Testing

@testable import SlotDomain

/// Which reminders are due (issue 19): at `start − m` for each `m` of `reminders_minutes_before`, for confirmed
/// bookings only, once; a cancel removes them, a reschedule moves them, a booking confirmed within `m` of its start
/// gets no `m` reminder, one noticed more than `reminderLatenessSecondsMax` after its time is `late`, one whose
/// booking has begun is dropped. Each scenario decides and applies as a resource actor does.
@Suite struct RemindersTests {
    static let created = Instant(secondsSinceEpoch: 1_800_000_000 - 1_800_000_000 % 86_400)
    /// The booking's start: two days after creation, at 10:00.
    static let start = created.adding(seconds: 2 * 86_400 + 10 * 3_600)
    static let room = ResourceID("room")!

    static func schedule(reminders: [Int] = [1_440, 60]) -> ResourceSchedule {
        ResourceSchedule(
            settings: ResourceSettings(id: room, timeZoneIdentifier: "UTC", remindersMinutesBefore: reminders),
            createdAt: created)
    }

    static func range(_ start: Instant) -> TimeRange { TimeRange(start: start, end: start.adding(seconds: 3_600)) }

    /// Decides and applies `decision` at `now`, as an actor does after journaling it.
    static func commit(_ schedule: inout ResourceSchedule, _ decision: Decision) {
        guard case .apply(let event) = decision else {
            Issue.record("refused: \(decision)")
            return
        }
        _ = schedule.apply(.schedule(room, event))
    }

    /// The reminders going out at `now` (and applies them): (booking, minutes before, late).
    static func remind(_ schedule: inout ResourceSchedule, at now: Instant) -> [ChangeEvent] {
        guard let event = schedule.decideReminders(now: now) else { return [] }
        return Array(schedule.apply(.schedule(room, event)).events)
    }

    static func book(_ schedule: inout ResourceSchedule, at start: Instant, now: Instant) {
        commit(
            &schedule, schedule.decideHold(HoldCommand(range: range(start), customer: "ann", confirm: true), now: now))
    }

    static func minutes(_ events: [ChangeEvent]) -> [Int?] { events.map(\.minutesBefore) }

    @Test func eachReminderGoesOutAtItsTimeOnce() {
        var schedule = Self.schedule()
        Self.book(&schedule, at: Self.start, now: Self.created)
        let dayBefore = Self.start.adding(seconds: -86_400)
        #expect(schedule.nextReminder == dayBefore)
        #expect(Self.remind(&schedule, at: dayBefore.adding(seconds: -1)).isEmpty)
        let first = Self.remind(&schedule, at: dayBefore)
        #expect(Self.minutes(first) == [1_440])
        #expect(first.first?.kind == .bookingReminder)
        #expect(first.first?.late == false)
        #expect(first.first?.at == dayBefore)
        #expect(first.first?.booking?.id == BookingID(resource: Self.room, sequence: 1))
        #expect(Self.remind(&schedule, at: dayBefore.adding(seconds: 10)).isEmpty, "not twice")
        let second = Self.remind(&schedule, at: Self.start.adding(seconds: -3_600 + 30))
        #expect(Self.minutes(second) == [60])
        #expect(second.first?.late == false, "30 s after its time is within the lateness allowed")
        #expect(Self.remind(&schedule, at: Self.start.adding(seconds: -1)).isEmpty)
        #expect(schedule.nextReminder == nil)
    }

    @Test func aHoldGetsRemindersOnlyOnceConfirmed() {
        var schedule = Self.schedule()
        Self.commit(
            &schedule,
            schedule.decideHold(HoldCommand(range: Self.range(Self.start), customer: "ann"), now: Self.created))
        #expect(schedule.nextReminder == nil)
        let confirmedAt = Self.created.adding(seconds: 60)
        Self.commit(&schedule, schedule.decide(.confirm, booking: 1, actor: "a", idempotency: nil, now: confirmedAt))
        #expect(Self.minutes(Self.remind(&schedule, at: Self.start.adding(seconds: -86_400))) == [1_440])
    }

    @Test func aBookingConfirmedWithinTheTimeGetsNoReminderOfIt() {
        var schedule = Self.schedule()
        // Booked 30 minutes before its start: neither the day-before nor the hour-before reminder, late or not.
        Self.book(&schedule, at: Self.start, now: Self.start.adding(seconds: -1_800))
        #expect(schedule.nextReminder == nil)
        #expect(Self.remind(&schedule, at: Self.start.adding(seconds: -60)).isEmpty)
        // Booked 2 hours before: the hour-before reminder only.
        var other = Self.schedule()
        Self.book(&other, at: Self.start, now: Self.start.adding(seconds: -7_200))
        #expect(Self.minutes(Self.remind(&other, at: Self.start.adding(seconds: -3_600))) == [60])
    }

    @Test func aCancelRemovesTheReminders() {
        var schedule = Self.schedule()
        Self.book(&schedule, at: Self.start, now: Self.created)
        Self.commit(
            &schedule,
            schedule.decide(.cancel(reason: nil), booking: 1, actor: "a", idempotency: nil, now: Self.created))
        #expect(Self.remind(&schedule, at: Self.start.adding(seconds: -86_400)).isEmpty)
        #expect(Self.remind(&schedule, at: Self.start.adding(seconds: -60)).isEmpty)
        #expect(schedule.nextReminder == nil, "the canceled booking's entries were dropped when they came up")
    }

    @Test func aRescheduleMovesTheReminders() {
        var schedule = Self.schedule()
        Self.book(&schedule, at: Self.start, now: Self.created)
        let later = Self.start.adding(seconds: 3 * 3_600)
        Self.commit(
            &schedule,
            schedule.decide(
                .reschedule(Self.range(later)), booking: 1, actor: "a", idempotency: nil, now: Self.created))
        #expect(Self.remind(&schedule, at: Self.start.adding(seconds: -86_400)).isEmpty, "the old time's are gone")
        let moved = Self.remind(&schedule, at: later.adding(seconds: -86_400))
        #expect(Self.minutes(moved) == [1_440])
        #expect(moved.first?.booking?.range.start == later)
        #expect(moved.first?.booking?.state == .rescheduled)
        #expect(Self.remind(&schedule, at: Self.start.adding(seconds: -3_600)).isEmpty)
        #expect(Self.minutes(Self.remind(&schedule, at: later.adding(seconds: -3_600))) == [60])
    }

    @Test func aBookingMovedAwayAndBackIsRemindedOnce() {
        var schedule = Self.schedule(reminders: [60])
        Self.book(&schedule, at: Self.start, now: Self.created)
        let other = Self.start.adding(seconds: 3_600)
        for (target, at) in [(other, 60), (Self.start, 120)] as [(Instant, Int64)] {
            Self.commit(
                &schedule,
                schedule.decide(
                    .reschedule(Self.range(target)), booking: 1, actor: "a", idempotency: nil,
                    now: Self.created.adding(seconds: at)))
        }
        #expect(Self.minutes(Self.remind(&schedule, at: Self.start.adding(seconds: -3_600))) == [60])
        #expect(Self.remind(&schedule, at: other.adding(seconds: -3_600)).isEmpty)
    }

    @Test func aReminderNoticedLateIsMarkedLateAndOneWhoseBookingBeganIsDropped() {
        var schedule = Self.schedule()
        Self.book(&schedule, at: Self.start, now: Self.created)
        let lateness = DomainLimits.standard.reminderLatenessSecondsMax
        // Noticed just past the allowed lateness after the hour-before time: both are due, the day-before one late.
        let noticed = Self.start.adding(seconds: -3_600 + lateness + 1)
        let both = Self.remind(&schedule, at: noticed)
        #expect(Self.minutes(both) == [1_440, 60], "in the order they fell due")
        #expect(both.map(\.late) == [true, true])
        #expect(both.allSatisfy { $0.at == noticed })
        // A second booking whose reminders all fell due, noticed only once it began: nothing goes out.
        var begun = Self.schedule()
        Self.book(&begun, at: Self.start, now: Self.created)
        #expect(Self.remind(&begun, at: Self.start).isEmpty)
        #expect(begun.nextReminder == nil)
    }

    @Test func aRestoredScheduleSendsWhatTheLiveOneWouldHave() throws {
        var live = Self.schedule()
        Self.book(&live, at: Self.start, now: Self.created)
        Self.book(&live, at: Self.start.adding(seconds: 3_600), now: Self.start.adding(seconds: -4_000))
        let dayBefore = Self.start.adding(seconds: -86_400)
        #expect(Self.minutes(Self.remind(&live, at: dayBefore)) == [1_440])
        live.advance(to: dayBefore.adding(seconds: 100))
        var restored = try ResourceSchedule(
            restoring: live.settings, clock: live.clock, lastSequence: live.lastSequence,
            bookings: live.bookings.values, remindedThrough: live.remindedThrough)
        for now in [Self.start.adding(seconds: -3_600), Self.start.adding(seconds: 10)] {
            let fromLive = Self.remind(&live, at: now)
            #expect(Self.remind(&restored, at: now) == fromLive)
            #expect(!fromLive.isEmpty)
        }
    }

    @Test(arguments: [
        ([1, 2, 3, 4, 5, 6], false), ([0], false), ([43_201], false), ([60, 60], false), ([43_200, 1], true),
        ([], true),
    ])
    func theSettingIsValidated(reminders: [Int], valid: Bool) {
        let settings = ResourceSettings(id: Self.room, timeZoneIdentifier: "UTC", remindersMinutesBefore: reminders)
        let rejection = settings.validate()
        #expect((rejection == nil) == valid)
        if let rejection { #expect(rejection.details["field"] == "reminders_minutes_before") }
    }
}
