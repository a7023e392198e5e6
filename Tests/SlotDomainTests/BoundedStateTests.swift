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

    /// The case that cost 36 s of CPU: many starts times a month-long duration on a partly booked capacity-2
    /// resource with one-minute slots. A pass over the range reads each granule a few times; the old loop read
    /// every granule of the booking at every start (about 10^10 reads here).
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
}
