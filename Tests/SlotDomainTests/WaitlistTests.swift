import Testing

@testable import SlotDomain

/// The waitlist: first come first served, promotion on cancel, expiry and rule changes, and replay determinism.
/// How an expiry's time is offered is `WaitlistPromotionTests`.
@Suite struct WaitlistTests {
    let start = Instant(secondsSinceEpoch: 1_800_000_000 - 1_800_000_000 % 86_400)
    let id = ResourceID("room-1")!

    func schedule(capacity: Int = 1) -> ResourceSchedule {
        ResourceSchedule(
            settings: ResourceSettings(id: id, timeZoneIdentifier: "UTC", capacity: capacity, holdTTLSeconds: 600),
            createdAt: start)
    }

    func range(_ fromMinutes: Int64, _ toMinutes: Int64) -> TimeRange {
        TimeRange(start: start.adding(seconds: fromMinutes * 60), end: start.adding(seconds: toMinutes * 60))
    }

    /// Applies a decided event and returns it, so a test can replay the same events into a fresh schedule.
    @discardableResult
    func apply(_ schedule: inout ResourceSchedule, _ event: ScheduleEvent, log: inout [ScheduleEvent]) -> ScheduleEvent
    {
        schedule.apply(event)
        log.append(event)
        return event
    }

    func join(
        _ schedule: inout ResourceSchedule, _ customer: String, _ range: TimeRange, at now: Instant,
        log: inout [ScheduleEvent]
    )
        -> WaitlistJoinDecision
    {
        let decision = schedule.decideJoin(range: range, customer: customer, actor: "client", now: now)
        if case .apply(let event) = decision { apply(&schedule, event, log: &log) }
        return decision
    }

    @Test func firstComeFirstServedOnCancelThenExpiry() throws {
        var schedule = schedule()
        var log: [ScheduleEvent] = []
        guard
            case .apply(let held) = schedule.decideHold(
                HoldCommand(range: range(600, 660), customer: "owner", confirm: true), now: start)
        else {
            Issue.record("setup refused")
            return
        }
        apply(&schedule, held, log: &log)
        let t1 = start.adding(seconds: 10)
        join(&schedule, "ann", range(600, 660), at: t1, log: &log)
        join(&schedule, "bob", range(600, 660), at: t1.adding(seconds: 1), log: &log)
        // Joining twice returns the first entry.
        guard case .existing(let again) = join(&schedule, "ann", range(600, 660), at: t1, log: &log) else {
            Issue.record("a second join for the same time must return the first entry")
            return
        }
        #expect(again.id.number == 1)
        #expect(schedule.position(ofWaiting: 2) == 2)

        let cancelAt = start.adding(seconds: 100)
        guard
            case .apply(let cancel) = schedule.decide(
                .cancel(reason: nil), booking: 1, actor: "client", idempotency: nil, now: cancelAt)
        else {
            Issue.record("cancel refused")
            return
        }
        apply(&schedule, cancel, log: &log)
        let ann = try #require(schedule.waitlist[1])
        #expect(ann.state == .promoted && ann.booking == 2)
        let hold = try #require(schedule.booking(2))
        #expect(hold.state == .pendingConfirmation && hold.customer == "ann")
        #expect(hold.expiresAt == cancelAt.adding(seconds: 600))
        #expect(hold.history.first?.actor == Actors.waitlist)
        #expect(schedule.waitlist[2]?.state == .waiting, "bob waits on: the time went to ann")
        let notices = schedule.takePromotionNotices()
        #expect(notices.map(\.customer) == ["ann"])

        // Ann never confirms; when her hold's expiry is noticed bob gets the time, with a full hold from then.
        let noticedAt = cancelAt.adding(seconds: 5_000)
        let notice = schedule.decideExpiryNotice(now: noticedAt)
        try apply(&schedule, #require(notice), log: &log)
        let bob = try #require(schedule.waitlist[2])
        #expect(bob.state == .promoted && bob.booking == 3)
        #expect(schedule.booking(3)?.history.first?.at == noticedAt)
        #expect(schedule.booking(3)?.expiresAt == noticedAt.adding(seconds: 600))
        #expect(schedule.waiting.isEmpty)

        // Replaying the same events gives the same state, promotions included.
        var replayed = self.schedule()
        for event in log { replayed.apply(event) }
        #expect(replayed.bookings == schedule.bookings)
        #expect(replayed.waitlist == schedule.waitlist)
    }

    @Test func onlyCapacityIsWaitedForAndTheListIsBounded() {
        var limits = DomainLimits()
        limits.waitingEntriesPerResourceMax = 2
        var schedule = ResourceSchedule(
            settings: ResourceSettings(id: id, timeZoneIdentifier: "UTC", holdTTLSeconds: 600), createdAt: start,
            limits: limits)
        var log: [ScheduleEvent] = []
        guard case .reject(let misaligned) = join(&schedule, "ann", range(7, 60), at: start, log: &log) else {
            Issue.record("a misaligned time cannot be waited for")
            return
        }
        #expect(misaligned.code == .misaligned)
        guard
            case .apply(let held) = schedule.decideHold(
                HoldCommand(range: range(60, 120), customer: "owner", confirm: true), now: start)
        else { return }
        schedule.apply(held)
        join(&schedule, "a", range(60, 120), at: start, log: &log)
        join(&schedule, "b", range(90, 120), at: start, log: &log)
        guard case .reject(let full) = join(&schedule, "c", range(60, 90), at: start, log: &log) else {
            Issue.record("the third waiting customer must be refused")
            return
        }
        #expect(full.code == .waitlistFull)
        // Leaving frees a place; a left entry cannot leave again.
        guard case .success(let left) = schedule.decideLeave(1, actor: "client", now: start) else { return }
        schedule.apply(left)
        #expect(schedule.waitlist[1]?.state == .left)
        guard case .failure(let twice) = schedule.decideLeave(1, actor: "client", now: start) else { return }
        #expect(twice.code == .invalidTransition)
        guard case .apply = join(&schedule, "c", range(60, 90), at: start, log: &log) else {
            Issue.record("a place was free again")
            return
        }
    }

    @Test func aFreeTimeIsGivenAtOnceAndAPassedOneLapses() {
        var schedule = schedule()
        var log: [ScheduleEvent] = []
        join(&schedule, "ann", range(60, 90), at: start, log: &log)
        #expect(schedule.waitlist[1]?.state == .promoted, "the time was free: ann holds it at once")
        guard
            case .apply(let held) = schedule.decideHold(
                HoldCommand(range: range(120, 150), customer: "owner", confirm: true), now: start)
        else { return }
        schedule.apply(held)
        join(&schedule, "bob", range(120, 150), at: start, log: &log)
        // Bob's time begins; when time next frees up his entry lapses instead of getting a hold in the past.
        let late = start.adding(seconds: 121 * 60)
        guard
            case .apply(let cancel) = schedule.decide(
                .cancel(reason: nil), booking: 2, actor: "client", idempotency: nil, now: late)
        else {
            Issue.record("cancel refused")
            return
        }
        schedule.apply(cancel)
        #expect(schedule.waitlist[2]?.state == .lapsed)
        #expect(schedule.bookings.count == 2)
    }
}
