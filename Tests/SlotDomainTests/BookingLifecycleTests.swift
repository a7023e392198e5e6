import Testing

@testable import SlotDomain

@Suite struct BookingLifecycleTests {
    let start = Instant(secondsSinceEpoch: 1_800_000_000 - 1_800_000_000 % 86_400)
    let id = ResourceID("room-1")!

    func schedule(capacity: Int = 1, before: Int = 0, after: Int = 0) -> ResourceSchedule {
        ResourceSchedule(
            settings: ResourceSettings(
                id: id, timeZoneIdentifier: "UTC", capacity: capacity, bufferBeforeMinutes: before,
                bufferAfterMinutes: after, holdTTLSeconds: 600),
            createdAt: start)
    }

    func range(_ fromMinutes: Int64, _ toMinutes: Int64) -> TimeRange {
        TimeRange(start: start.adding(seconds: fromMinutes * 60), end: start.adding(seconds: toMinutes * 60))
    }

    @discardableResult
    func hold(_ schedule: inout ResourceSchedule, _ range: TimeRange, confirm: Bool = false) -> Decision {
        let decision = schedule.decideHold(
            HoldCommand(range: range, customer: "ann", confirm: confirm), now: schedule.clock)
        if case .apply(let event) = decision { schedule.apply(event) }
        return decision
    }

    @Test func everyTransitionOutsideTheTableIsRefused() {
        for from in BookingState.allCases {
            for to in BookingState.allCases {
                let legal: Bool =
                    switch (from, to) {
                    case (.pendingConfirmation, .confirmed), (.pendingConfirmation, .canceled),
                        (.pendingConfirmation, .expired):
                        true
                    case (.confirmed, .rescheduled), (.confirmed, .completed), (.confirmed, .canceled),
                        (.confirmed, .noShow), (.rescheduled, .rescheduled), (.rescheduled, .completed),
                        (.rescheduled, .canceled), (.rescheduled, .noShow):
                        true
                    default: false
                    }
                #expect(from.canTransition(to: to) == legal, "\(from) → \(to)")
            }
        }
    }

    @Test func holdExpiresAtItsExpiryAndIsRecordedAsSystem() throws {
        var schedule = schedule()
        hold(&schedule, range(60, 90))
        schedule.advance(to: start.adding(seconds: 599))
        #expect(schedule.booking(1)?.state == .pendingConfirmation)
        schedule.advance(to: start.adding(seconds: 600))
        let booking = try #require(schedule.booking(1))
        #expect(booking.state == .expired)
        #expect(
            booking.history.last
                == Transition(from: .pendingConfirmation, to: .expired, actor: "system", at: start.adding(seconds: 600))
        )
        // The slot is free again, and confirming the lapsed hold says why it cannot.
        #expect(schedule.checkPlacement(range(60, 90), now: schedule.clock) == nil)
        let confirm = schedule.decide(.confirm, booking: 1, actor: "a", idempotency: nil, now: schedule.clock)
        guard case .reject(let rejection) = confirm else {
            Issue.record("expected hold_expired")
            return
        }
        #expect(rejection.code == .holdExpired)
    }

    @Test func aHoldLapsesAtItsStartAtTheLatest() throws {
        var schedule = schedule()
        schedule.advance(to: start.adding(seconds: 3_600 - 120))  // two minutes before 01:00
        hold(&schedule, range(60, 90))
        #expect(schedule.booking(1)?.expiresAt == start.adding(seconds: 3_600))
    }

    @Test func availabilityDurationsAreWholeSlots() {
        let schedule = schedule()
        let result = schedule.availability(
            from: start, to: start.adding(seconds: 86_400), durationMinutes: 20, now: schedule.clock)
        guard case .failure(let rejection) = result else {
            Issue.record("a 20-minute duration on 15-minute slots was accepted")
            return
        }
        #expect(rejection.details["field"] == "duration_minutes")
    }

    @Test func buffersBlockNeighboursButMayOverlapEachOther() {
        var schedule = schedule(before: 15, after: 15)
        #expect(hold(&schedule, range(600, 630), confirm: true).isApply)  // 10:00–10:30
        #expect(!hold(&schedule, range(630, 645)).isApply)  // in the after-buffer
        #expect(!hold(&schedule, range(570, 600)).isApply)  // its own after-buffer touches 10:00
        #expect(hold(&schedule, range(645, 675)).isApply)  // 10:45: buffers 10:30–10:45 overlap, cores do not
    }

    @Test func capacityCountsOverlappingBookings() {
        var schedule = schedule(capacity: 2)
        #expect(hold(&schedule, range(60, 120)).isApply)
        #expect(hold(&schedule, range(90, 150)).isApply)
        #expect(!hold(&schedule, range(100, 105 + 10)).isApply)
        #expect(hold(&schedule, range(120, 150)).isApply)
    }

    @Test func rescheduleIsAtomicAndMayOverlapItsOwnOldTime() throws {
        var schedule = schedule()
        hold(&schedule, range(60, 120), confirm: true)
        hold(&schedule, range(180, 240), confirm: true)
        // Into the other booking: refused, nothing changes.
        let refused = schedule.decide(
            .reschedule(range(150, 195)), booking: 1, actor: "a", idempotency: nil, now: schedule.clock)
        #expect(!refused.isApply)
        #expect(schedule.booking(1)?.range == range(60, 120))
        // Shift by 15 minutes, overlapping its own old time: fine.
        let moved = schedule.decide(
            .reschedule(range(75, 135)), booking: 1, actor: "a", idempotency: nil, now: schedule.clock)
        guard case .apply(let event) = moved else {
            Issue.record("reschedule refused: \(moved)")
            return
        }
        schedule.apply(event)
        let booking = try #require(schedule.booking(1))
        #expect(booking.state == .rescheduled)
        #expect(booking.history.last?.previousRange == range(60, 120))
        #expect(schedule.checkPlacement(range(60, 75), now: schedule.clock) == nil)
    }

    @Test func completeOnlyOnceStarted() {
        var schedule = schedule()
        hold(&schedule, range(60, 90), confirm: true)
        #expect(!schedule.decide(.complete, booking: 1, actor: "a", idempotency: nil, now: schedule.clock).isApply)
        let later = schedule.advance(to: start.adding(seconds: 3_600))
        #expect(schedule.decide(.complete, booking: 1, actor: "a", idempotency: nil, now: later).isApply)
    }

    @Test func placementRulesInOrderOfPrecedence() {
        var schedule = schedule()
        let now = schedule.advance(to: start.adding(seconds: 3_600))
        #expect(schedule.checkPlacement(range(120, 120), now: now)?.code == .invalidRequest)
        #expect(schedule.checkPlacement(range(121, 150), now: now)?.code == .misaligned)
        #expect(schedule.checkPlacement(range(30, 60), now: now)?.code == .inPast)
        #expect(schedule.checkPlacement(range(366 * 1_440, 366 * 1_440 + 15), now: now)?.code == .beyondHorizon)
        #expect(schedule.checkPlacement(range(120, 150), now: now) == nil)
    }

    /// A resource may hold a million bookings: the stored form is kept small (184 bytes with optionals and a whole
    /// creation `Transition` inline; docs/decisions/0011-compact-bookings-in-memory.md).
    @Test func aBookingStaysCompact() {
        #expect(MemoryLayout<Booking?>.stride <= 128, "\(MemoryLayout<Booking?>.stride) bytes")
    }

    @Test func everyHistoryShapeReadsBackAsWritten() {
        let id = BookingID(resource: ResourceID("room")!, sequence: 1)
        let at = start.adding(seconds: 60)
        let created = Transition(from: nil, to: .pendingConfirmation, actor: "ann", at: at, reason: "from waitlist")
        let confirmed = Transition(from: .pendingConfirmation, to: .confirmed, actor: "ann", at: at)
        let canceled = Transition(from: .confirmed, to: .canceled, actor: "bob", at: at.adding(seconds: 5))
        // A creation entry of another form (an old snapshot's) is kept verbatim.
        let odd = Transition(from: nil, to: .confirmed, actor: "import", at: at)
        let histories: [[Transition]] = [
            [created], [created, confirmed], [created, confirmed, canceled], [created, canceled], [odd, canceled],
        ]
        for history in histories {
            let booking = Booking(
                id: id, range: range(120, 135), customer: "c", state: .canceled, expiresAt: nil, history: history,
                series: 7)
            #expect(booking.history == history)
            #expect(booking.series == 7 && booking.expiresAt == nil)
        }
        var waiting = Booking(
            id: id, range: range(120, 135), customer: "c", state: .confirmed, expiresAt: at, history: [odd])
        waiting.setCreationReason("entry 3")
        #expect(waiting.history[0].reason == "entry 3" && waiting.series == nil && waiting.expiresAt == at)
    }

    @Test func clockNeverRunsBackwards() {
        var schedule = schedule()
        schedule.advance(to: start.adding(seconds: 100))
        #expect(schedule.advance(to: start) == start.adding(seconds: 100))
    }
}

extension Decision {
    var isApply: Bool {
        if case .apply = self { return true }
        return false
    }
}
