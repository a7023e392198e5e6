import Testing

@testable import SlotDomain

/// Memory and work that follow what exists now: occupancy freed by cancels, the longest booking, histories within
/// their maximum, and `availability` for long bookings answered in one pass.
@Suite struct BoundedStateTests {
    let start = Instant(secondsSinceEpoch: 1_800_000_000 - 1_800_000_000 % 86_400)
    let limits = DomainLimits.standard

    func schedule(slotMinutes: Int = 1, capacity: Int = 2, before: Int = 0, after: Int = 0) -> ResourceSchedule {
        ResourceSchedule(
            settings: ResourceSettings(
                id: ResourceID("r")!, timeZoneIdentifier: "Europe/Berlin", slotMinutes: slotMinutes,
                capacity: capacity, bufferBeforeMinutes: before, bufferAfterMinutes: after, horizonDays: 400),
            createdAt: start)
    }

    func days(_ from: Int64, _ to: Int64) -> TimeRange {
        TimeRange(start: start.adding(seconds: from * 86_400), end: start.adding(seconds: to * 86_400))
    }

    @discardableResult
    func book(_ schedule: inout ResourceSchedule, _ range: TimeRange) -> Decision {
        let decision = schedule.decideHold(HoldCommand(range: range, customer: "c", confirm: true), now: schedule.clock)
        if case .apply(let event) = decision { schedule.apply(event) }
        return decision
    }

    func cancel(_ schedule: inout ResourceSchedule, _ sequence: UInt64) {
        let decision = schedule.decide(
            .cancel(reason: nil), booking: sequence, actor: "t", idempotency: nil, now: schedule.clock)
        guard case .apply(let event) = decision else {
            Issue.record("cancel refused: \(decision)")
            return
        }
        schedule.apply(event)
    }

    @Test(arguments: [(1, 1, 0, 0), (1, 2, 0, 0), (1, 300, 60, 60), (15, 1, 15, 30), (60, 2, 0, 0)])
    func cancelingFreesEveryDayOfOccupancy(slotMinutes: Int, capacity: Int, before: Int, after: Int) {
        var schedule = schedule(slotMinutes: slotMinutes, capacity: capacity, before: before, after: after)
        for round in 0..<5 {
            let offset = Int64(round * 40)
            book(&schedule, days(offset + 1, offset + 31))
            book(&schedule, days(offset + 33, offset + 34))
            #expect(schedule.occupancy.chunkCount >= 30)
            cancel(&schedule, schedule.lastSequence - 1)
            #expect(schedule.occupancy.chunkCount <= 3, "only the short booking's days stay")
            cancel(&schedule, schedule.lastSequence)
            #expect(schedule.occupancy.chunkCount == 0, "round \(round): every counter is zero, no chunk stays")
            #expect(schedule.startsPerLocalDay.isEmpty)
        }
    }

    @Test func rescheduleFreesTheDaysLeftBehind() {
        var schedule = schedule()
        book(&schedule, days(1, 20))
        let moved = schedule.decide(
            .reschedule(days(100, 101)), booking: 1, actor: "t", idempotency: nil, now: schedule.clock)
        guard case .apply(let event) = moved else {
            Issue.record("reschedule refused: \(moved)")
            return
        }
        schedule.apply(event)
        #expect(schedule.occupancy.chunkCount <= 2)
    }

    @Test func aBookingLongerThanTheLimitIsRefusedWithItsCode() {
        var schedule = schedule()
        let limitDays = Int64(limits.bookingLengthDaysMax)
        guard case .reject(let rejection) = book(&schedule, days(1, 2 + limitDays)) else {
            Issue.record("an over-long booking was accepted")
            return
        }
        #expect(rejection.code == .bookingTooLong)
        #expect(rejection.details["limit_days"] == String(limitDays))
        guard case .apply = book(&schedule, days(1, 1 + limitDays)) else {
            Issue.record("a booking of exactly the limit was refused")
            return
        }
        let moved = schedule.decide(
            .reschedule(days(1, 2 + limitDays)), booking: 1, actor: "t", idempotency: nil, now: schedule.clock)
        guard case .reject(let refusal) = moved else {
            Issue.record("an over-long reschedule was accepted")
            return
        }
        #expect(refusal.code == .bookingTooLong)
    }

    @Test func availabilityRefusesADurationLongerThanABookingMayBe() {
        let schedule = schedule()
        let tooLong = limits.bookingLengthDaysMax * 1_440 + 1
        let result = schedule.availability(
            from: start, to: start.adding(seconds: 86_400), durationMinutes: tooLong, now: start)
        guard case .failure(let rejection) = result else {
            Issue.record("accepted")
            return
        }
        #expect(rejection.code == .invalidRequest)
        #expect(rejection.details["field"] == "duration_minutes")
    }

    /// The costliest shape for a check per start: many starts times a month-long duration on a partly booked
    /// capacity-2 resource with one-minute slots. A pass over the range reads each granule a few times; reading
    /// every granule of the booking at every start would be about 10^10 reads here.
    @Test func availabilityForAMonthLongBookingAnswersTheSameAsHold() {
        var schedule = schedule()
        for day in stride(from: Int64(3), to: 80, by: 7) {
            book(&schedule, days(day, day + 2))
            book(
                &schedule,
                TimeRange(start: days(day, day).start.adding(seconds: 3_600), end: days(day + 1, day + 1).end))
        }
        let duration = limits.bookingLengthDaysMax * 1_440
        let clock = ContinuousClock()
        var offered: [Instant] = []
        let elapsed = clock.measure {
            guard
                case .success(let slots) = schedule.availability(
                    from: start, to: start.adding(seconds: 92 * 86_400), durationMinutes: duration, now: start)
            else { return }
            offered = slots
        }
        #expect(elapsed < .seconds(5), "took \(elapsed)")
        // Every offered start and a sample of the others agree with hold.
        let offeredSet = Set(offered)
        for minute in stride(from: Int64(0), to: 92 * 1_440, by: 997) {
            let candidate = start.adding(seconds: minute * 60)
            let range = TimeRange(start: candidate, end: candidate.adding(seconds: Int64(duration) * 60))
            let accepted = schedule.placementFailure(range, now: start) == nil
            #expect(offeredSet.contains(candidate) == accepted, "start \(minute)")
        }
        for candidate in offered.prefix(50) {
            let range = TimeRange(start: candidate, end: candidate.adding(seconds: Int64(duration) * 60))
            #expect(schedule.placementFailure(range, now: start) == nil)
        }
    }

    @Test func historyKeepsItsCreationAndNewestEntriesAndCountsTheRest() throws {
        var schedule = schedule()
        book(&schedule, days(1, 2))
        for move in 0..<300 {
            let target = move % 2 == 0 ? days(3, 4) : days(1, 2)
            let decision = schedule.decide(
                .reschedule(target), booking: 1, actor: "t", idempotency: nil, now: schedule.clock)
            guard case .apply(let event) = decision else {
                Issue.record("move \(move) refused: \(decision)")
                return
            }
            schedule.apply(event)
        }
        let booking = try #require(schedule.booking(1))
        let history = booking.history
        #expect(history.count == limits.historyEntriesPerBookingMax)
        #expect(booking.historyOmitted == 302 - limits.historyEntriesPerBookingMax)
        #expect(history.first?.from == nil, "the creation stays")
        #expect(history.last?.to == .rescheduled)
        #expect(history.last?.previousRange == days(3, 4), "the newest move stays")
    }

    /// A full waitlist of month-long entries on a capacity-2 resource that one long booking half fills, each
    /// entry blocked only at its last minute: placing each entry again at every confirm would cost 1,000 × 43,000
    /// granules per confirm. Only a release, a rule change or a confirmed hold sends them through placement again,
    /// and a cancel still promotes.
    @Test func aConfirmDoesNotPlaceEveryWaitingEntryAgain() throws {
        var schedule = schedule()
        let blocker = TimeRange(start: days(40, 40).start, end: days(40, 40).start.adding(seconds: 60))
        book(&schedule, TimeRange(start: days(10, 10).start.adding(seconds: -60_000), end: blocker.end))
        book(&schedule, blocker)
        let entriesMax = limits.waitingEntriesPerResourceMax
        for entry in 0..<entriesMax {
            let start = blocker.start.adding(seconds: -30 * 86_400 - Int64(entry) * 60)
            let range = TimeRange(start: start, end: blocker.end)
            guard
                case .apply(let event) = schedule.decideJoin(
                    range: range, customer: "w\(entry)", actor: "t", now: schedule.clock)
            else {
                Issue.record("join \(entry) refused")
                return
            }
            schedule.apply(event)
        }
        #expect(schedule.waiting.count == entriesMax)
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for round in 0..<100 {
                let range = TimeRange(
                    start: days(50, 50).start.adding(seconds: Int64(round) * 120),
                    end: days(50, 50).start.adding(seconds: Int64(round) * 120 + 60))
                guard
                    case .apply(let held) = schedule.decideHold(
                        HoldCommand(range: range, customer: "c"), now: schedule.clock)
                else { continue }
                schedule.apply(held)
                let confirm = schedule.decide(
                    .confirm, booking: schedule.lastSequence, actor: "t", idempotency: nil, now: schedule.clock)
                if case .apply(let event) = confirm { schedule.apply(event) }
            }
        }
        // Generous for a debug build on a busy machine; placing every entry at every confirm would take minutes.
        #expect(elapsed < .seconds(10), "100 hold-and-confirm rounds took \(elapsed)")
        #expect(schedule.waiting.count == entriesMax)
        cancel(&schedule, 2)
        let promoted = try #require(schedule.waitlist[1])
        #expect(promoted.state == .promoted, "freeing the blocker gives the first entry its hold")
        #expect(schedule.waiting.count == entriesMax - 1)
    }

    /// At the hold limit a waiting entry is passed over even when its time is free; confirming a hold (nothing
    /// freed) must still send it through placement again, now that a hold can be given.
    @Test func aConfirmBelowTheHoldLimitStillPromotes() throws {
        var limits = DomainLimits.standard
        limits.activeHoldsPerResourceMax = 2
        var schedule = ResourceSchedule(
            settings: ResourceSettings(id: ResourceID("r")!, timeZoneIdentifier: "UTC", holdTTLSeconds: 3_600),
            createdAt: start, limits: limits)
        let wanted = days(5, 5).start
        book(&schedule, TimeRange(start: wanted, end: wanted.adding(seconds: 900)))
        guard
            case .apply(let join) = schedule.decideJoin(
                range: TimeRange(start: wanted, end: wanted.adding(seconds: 900)), customer: "w", actor: "t",
                now: schedule.clock)
        else {
            Issue.record("join refused")
            return
        }
        schedule.apply(join)
        for hour: Int64 in 1...2 {
            let range = TimeRange(
                start: wanted.adding(seconds: hour * 3_600), end: wanted.adding(seconds: hour * 3_600 + 900))
            guard case .apply(let held) = schedule.decideHold(HoldCommand(range: range, customer: "h"), now: start)
            else { return }
            schedule.apply(held)
        }
        cancel(&schedule, 1)
        #expect(schedule.waitlist[1]?.state == .waiting, "free, but the resource is at its hold limit")
        let confirm = schedule.decide(.confirm, booking: 2, actor: "t", idempotency: nil, now: schedule.clock)
        guard case .apply(let event) = confirm else {
            Issue.record("confirm refused: \(confirm)")
            return
        }
        schedule.apply(event)
        #expect(schedule.waitlist[1]?.state == .promoted, "below the limit again, the entry gets its hold")
    }

    /// Holds confirmed at once must not leave their expiry entries behind for up to a day each.
    @Test func confirmedHoldsLeaveNoExpiryEntriesBehind() {
        var schedule = ResourceSchedule(
            settings: ResourceSettings(id: ResourceID("r")!, timeZoneIdentifier: "UTC", holdTTLSeconds: 86_400),
            createdAt: start)
        var unconfirmed: [UInt64] = []
        for index: Int64 in 0..<5_000 {
            let slot = start.adding(seconds: 86_400 + index * 900)
            let range = TimeRange(start: slot, end: slot.adding(seconds: 900))
            guard case .apply(let held) = schedule.decideHold(HoldCommand(range: range, customer: "c"), now: start)
            else {
                Issue.record("hold \(index) refused")
                return
            }
            schedule.apply(held)
            if index % 1_000 == 0 {
                unconfirmed.append(schedule.lastSequence)
                continue
            }
            let confirm = schedule.decide(
                .confirm, booking: schedule.lastSequence, actor: "t", idempotency: nil, now: start)
            if case .apply(let event) = confirm { schedule.apply(event) }
            #expect(schedule.expiries.count <= 2 * schedule.activeHoldCount + 65)
        }
        #expect(schedule.activeHoldCount == unconfirmed.count)
        // The live holds still lapse, each at its own expiry (at its start, sooner than the day's TTL).
        schedule.advance(to: start.adding(seconds: 86_400 + 5_000 * 900))
        for sequence in unconfirmed { #expect(schedule.booking(sequence)?.state == .expired) }
        #expect(schedule.booking(2)?.state == .confirmed)
    }
}
