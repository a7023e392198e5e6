import Testing

@testable import SlotDomain

/// Decision 0019: time freed by an expiry is offered when the server notices it, in a journaled
/// `expiriesNoticed` entry, and the hold it gives lasts its full time to live from then. Journals of earlier
/// servers, which have no such entry, still replay to what those servers did.
@Suite struct WaitlistPromotionTests {
    let start = Instant(secondsSinceEpoch: 1_800_000_000 - 1_800_000_000 % 86_400)
    let id = ResourceID("room-1")!
    let ttlSeconds: Int64 = 60

    func schedule() -> ResourceSchedule {
        ResourceSchedule(
            settings: ResourceSettings(
                id: id, timeZoneIdentifier: "UTC", capacity: 1, holdTTLSeconds: Int(ttlSeconds)),
            createdAt: start)
    }

    var slot: TimeRange {
        TimeRange(start: start.adding(seconds: 36_000), end: start.adding(seconds: 39_600))
    }

    /// A schedule where "owner" holds the slot (expiring at `start + ttl`) and ann then bob wait for it, with the
    /// events that built it.
    func contested() throws -> (ResourceSchedule, [ScheduleEvent]) {
        var schedule = schedule()
        var log: [ScheduleEvent] = []
        guard case .apply(let held) = schedule.decideHold(HoldCommand(range: slot, customer: "owner"), now: start)
        else { throw Refused() }
        schedule.apply(held)
        log.append(held)
        for (offset, customer) in [(1, "ann"), (2, "bob")] {
            guard
                case .apply(let joined) = schedule.decideJoin(
                    range: slot, customer: customer, actor: "client", now: start.adding(seconds: Int64(offset)))
            else { throw Refused() }
            schedule.apply(joined)
            log.append(joined)
        }
        return (schedule, log)
    }

    struct Refused: Error {}

    /// Notices at `now` as the actor does: the notice entry (if any) is applied and logged, then the clock moves.
    func notice(_ schedule: inout ResourceSchedule, at now: Instant, log: inout [ScheduleEvent]) {
        if let event = schedule.decideExpiryNotice(now: now) {
            schedule.apply(event)
            log.append(event)
        }
        schedule.advance(to: now)
    }

    @Test func anExpiryNoticedLaterGivesTheWaiterAFullHoldFromTheNotice() throws {
        var (schedule, log) = try contested()
        let noticedAt = start.adding(seconds: ttlSeconds + 500)
        notice(&schedule, at: noticedAt, log: &log)
        #expect(log.last == .expiriesNoticed(ExpiriesNoticedEvent(at: noticedAt)))
        let owner = try #require(schedule.booking(1))
        #expect(owner.state == .expired)
        #expect(owner.history.last?.at == start.adding(seconds: ttlSeconds), "the expiry stays at its expires_at")
        let ann = try #require(schedule.waitlist[1])
        #expect(ann.state == .promoted && ann.booking == 2 && ann.settledAt == noticedAt)
        let hold = try #require(schedule.booking(2))
        #expect(hold.expiresAt == noticedAt.adding(seconds: ttlSeconds))
        #expect(hold.history.first?.at == noticedAt && hold.history.first?.actor == Actors.waitlist)
        #expect(schedule.takePromotionNotices().map(\.expiresAt) == [noticedAt.adding(seconds: ttlSeconds)])

        var replayed = self.schedule()
        for event in log { replayed.apply(event) }
        #expect(replayed.bookings == schedule.bookings)
        #expect(replayed.waitlist == schedule.waitlist)
    }

    @Test func aLapsedPromotionPassesTheTimeOnWithAnotherFullHold() throws {
        var (schedule, log) = try contested()
        let first = start.adding(seconds: 200)
        notice(&schedule, at: first, log: &log)
        let second = first.adding(seconds: ttlSeconds + 45)
        notice(&schedule, at: second, log: &log)
        #expect(schedule.booking(2)?.state == .expired)
        #expect(schedule.booking(2)?.history.last?.at == first.adding(seconds: ttlSeconds))
        let bob = try #require(schedule.waitlist[2])
        #expect(bob.state == .promoted && bob.booking == 3)
        #expect(schedule.booking(3)?.expiresAt == second.adding(seconds: ttlSeconds))
        #expect(log.count == 5, "two notices after the hold and the two joins")

        var replayed = self.schedule()
        for event in log { replayed.apply(event) }
        replayed.advance(to: second)
        #expect(replayed.bookings == schedule.bookings)
        #expect(replayed.waitlist == schedule.waitlist)
    }

    @Test func anExpiryIsNoticedEvenWhenNobodyWaitsAndNothingBeforeItIsDue() throws {
        var (schedule, _) = try contested()
        #expect(schedule.decideExpiryNotice(now: start.adding(seconds: ttlSeconds - 1)) == nil, "not due yet")

        // Nobody waits, yet the expiry is journaled: it is a change clients are told of (`booking.expired`).
        var quiet = self.schedule()
        guard case .apply(let held) = quiet.decideHold(HoldCommand(range: slot, customer: "owner"), now: start)
        else { throw Refused() }
        quiet.apply(held)
        let noticedAt = start.adding(seconds: 500)
        #expect(quiet.decideExpiryNotice(now: noticedAt) == .expiriesNoticed(ExpiriesNoticedEvent(at: noticedAt)))

        // A hold confirmed before its expiry leaves a stale expiry record; it causes no entry.
        guard
            case .apply(let confirm) = schedule.decide(
                .confirm, booking: 1, actor: "client", idempotency: nil, now: start)
        else { throw Refused() }
        schedule.apply(confirm)
        #expect(schedule.decideExpiryNotice(now: start.adding(seconds: 500)) == nil)
    }

    @Test func aCancelOffersTheTimeAtItsOwnInstant() throws {
        var (schedule, log) = try contested()
        let cancelAt = start.adding(seconds: 30)
        guard
            case .apply(let cancel) = schedule.decide(
                .cancel(reason: nil), booking: 1, actor: "client", idempotency: nil, now: cancelAt)
        else { throw Refused() }
        schedule.apply(cancel)
        log.append(cancel)
        #expect(schedule.booking(2)?.expiresAt == cancelAt.adding(seconds: ttlSeconds))
        var replayed = self.schedule()
        for event in log { replayed.apply(event) }
        #expect(replayed.bookings == schedule.bookings)
    }

    @Test func aJournalOfAnEarlierServerStillGivesTheTimeAtTheExpiry() throws {
        // Such a journal has no notice entry: the next entry's apply finds the expiry, and offers the time at the
        // expiry's own instant, as that server did.
        var (schedule, _) = try contested()
        let later = start.adding(seconds: 500)
        schedule.apply(
            .rulesChanged(
                RulesChangedEvent(
                    change: .limits(minNoticeMinutes: 0, maxBookingsPerDay: nil), actor: "client", at: later)))
        let hold = try #require(schedule.booking(2))
        #expect(hold.customer == "ann")
        #expect(hold.history.first?.at == start.adding(seconds: ttlSeconds))
        #expect(hold.expiresAt == start.adding(seconds: 2 * ttlSeconds))
    }
}
