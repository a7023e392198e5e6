import Foundation
import Testing

@testable import SlotDomain

/// The `external_busy` layer: a pull's busy times refuse bookings (with buffers, as blocks do) and leave
/// availability, are journaled only when they change, and report each confirmed booking they newly land on.
@Suite struct ExternalBusyTests {
    static let monday = Instant(secondsSinceEpoch: 1_799_020_800)  // 2027-01-04T00:00Z
    static let link = CalendarLinkID("cal_0123456789abcdef")!
    static let hour: Int64 = 3_600

    static func at(_ hours: Int64) -> Instant { monday.adding(seconds: hours * hour) }
    static func range(_ from: Int64, _ to: Int64) -> TimeRange { TimeRange(start: at(from), end: at(to)) }

    static func schedule(bufferAfterMinutes: Int = 0) -> ResourceSchedule {
        ResourceSchedule(
            settings: ResourceSettings(
                id: ResourceID("dr-smith")!, timeZoneIdentifier: "UTC", slotMinutes: 60,
                bufferAfterMinutes: bufferAfterMinutes),
            createdAt: monday)
    }

    /// Decides and applies a pull of `ranges`; returns the entry's event, nil when nothing changed.
    @discardableResult
    static func pull(_ ranges: [TimeRange]?, into schedule: inout ResourceSchedule, now: Instant = monday)
        -> ScheduleEvent?
    {
        guard case .success(let event) = schedule.decideExternalBusy(link: link, ranges: ranges, now: now) else {
            Issue.record("a pull was refused")
            return nil
        }
        if let event { schedule.apply(event) }
        return event
    }

    static func book(_ range: TimeRange, in schedule: inout ResourceSchedule) -> Rejection? {
        switch schedule.decideHold(HoldCommand(range: range, customer: "ann", confirm: true), now: monday) {
        case .apply(let event):
            schedule.apply(event)
            return nil
        case .reject(let rejection): return rejection
        case .unchanged: return nil
        }
    }

    @Test func busyTimesRefuseBookingsWithTheirBuffersAndLeaveAvailability() throws {
        var schedule = Self.schedule(bufferAfterMinutes: 60)
        Self.pull([Self.range(12, 13), Self.range(12, 14), Self.range(20, 21)], into: &schedule)
        #expect(schedule.externalBusy?.stretches == [Self.range(12, 14), Self.range(20, 21)], "merged")
        let refusal = try #require(Self.book(Self.range(13, 14), in: &schedule))
        #expect(refusal.code == .externalBusy)
        #expect(refusal.details["link"] == Self.link.rawValue)
        #expect(refusal.instantDetails == ["busy_start": Self.at(12), "busy_end": Self.at(14)])
        #expect(Self.book(Self.range(11, 12), in: &schedule)?.code == .externalBusy, "its buffer would reach 12:00")
        #expect(Self.book(Self.range(10, 11), in: &schedule) == nil)
        let starts = try schedule.availability(from: Self.at(8), to: Self.at(22), durationMinutes: 60, now: Self.monday)
            .get()
        // 10:00 is booked (its buffer takes 11:00, and 9:00's buffer would cover it); 11:00 and 19:00 would reach
        // busy time with their buffer.
        #expect(starts == [8, 14, 15, 16, 17, 18, 21].map(Self.at))
    }

    @Test func aPullThatChangesNothingWritesNothingAndAnUnlinkRemovesTheLayer() {
        var schedule = Self.schedule()
        #expect(Self.pull([Self.range(12, 13)], into: &schedule) != nil)
        #expect(Self.pull([Self.range(12, 13)], into: &schedule, now: Self.at(1)) == nil, "unchanged")
        #expect(Self.pull([Self.range(12, 14)], into: &schedule, now: Self.at(1)) != nil)
        #expect(Self.pull([], into: &schedule, now: Self.at(2)) != nil, "an empty calendar is a change")
        #expect(schedule.externalBusy?.stretches == [])
        #expect(Self.pull(nil, into: &schedule, now: Self.at(3)) != nil)
        #expect(schedule.externalBusy == nil)
        #expect(Self.pull(nil, into: &schedule, now: Self.at(3)) == nil, "nothing to remove")
    }

    @Test func stretchesPastOrBeyondTheHorizonAreLeftOutAndTooManyAreRefused() {
        var schedule = Self.schedule()
        let horizonEnd = Self.monday.adding(seconds: Int64(schedule.settings.horizonDays) * 86_400)
        Self.pull(
            [Self.range(-5, -4), Self.range(-1, 2), TimeRange(start: horizonEnd, end: horizonEnd.adding(seconds: 60))],
            into: &schedule)
        #expect(schedule.externalBusy?.stretches == [Self.range(0, 2)])
        var limits = DomainLimits.standard
        limits.externalBusyStretchesMax = 2
        let small = ResourceSchedule(settings: schedule.settings, createdAt: Self.monday, limits: limits)
        let three = [Self.range(1, 2), Self.range(3, 4), Self.range(5, 6)]
        guard case .failure(let refusal) = small.decideExternalBusy(link: Self.link, ranges: three, now: Self.monday)
        else {
            Issue.record("three stretches past a limit of two were taken")
            return
        }
        #expect(refusal.code == .rangeTooLarge)
    }

    @Test func aConfirmedBookingTheLayerNewlyLandsOnIsReportedOnceAndStays() throws {
        var schedule = Self.schedule()
        #expect(Self.book(Self.range(12, 13), in: &schedule) == nil)
        #expect(Self.book(Self.range(15, 16), in: &schedule) == nil)
        _ = schedule.takeChangeEvents()
        Self.pull([Self.range(12, 14)], into: &schedule)
        let conflicts = schedule.takeChangeEvents().filter { $0.kind == .calendarConflict }
        #expect(conflicts.count == 1)
        #expect(conflicts.first?.booking?.id.sequence == 1)
        #expect(conflicts.first?.busy == Self.range(12, 14))
        #expect(conflicts.first?.calendarLink == Self.link)
        #expect(schedule.booking(1)?.state == .confirmed, "the booking stays")
        // Wider, over the same booking: already reported. Now over the second one too: that one is new.
        Self.pull([Self.range(11, 14)], into: &schedule, now: Self.at(1))
        #expect(schedule.takeChangeEvents().isEmpty)
        Self.pull([Self.range(11, 16)], into: &schedule, now: Self.at(2))
        #expect(schedule.takeChangeEvents().compactMap(\.booking?.id.sequence) == [2])
        #expect(schedule.externalBusyConflicts(now: Self.at(2)).map(\.booking.id.sequence) == [1, 2])
    }

    /// Replay applies the journaled events alone and reaches the same layer, refusals and events.
    @Test func replayingTheEventsGivesTheSameLayerAndConflicts() throws {
        var live = Self.schedule()
        var journal: [ScheduleEvent] = []
        var liveEvents: [ChangeEvent] = []
        func record(_ event: ScheduleEvent?) {
            guard let event else { return }
            journal.append(event)
        }
        guard
            case .apply(let held) = live.decideHold(
                HoldCommand(range: Self.range(12, 13), customer: "ann", confirm: true), now: Self.monday)
        else {
            Issue.record("the booking was refused")
            return
        }
        live.apply(held)
        journal.append(held)
        liveEvents += live.takeChangeEvents()
        record(Self.pull([Self.range(12, 14)], into: &live, now: Self.at(1)))
        liveEvents += live.takeChangeEvents()
        record(Self.pull(nil, into: &live, now: Self.at(2)))
        record(Self.pull([Self.range(9, 10)], into: &live, now: Self.at(3)))
        liveEvents += live.takeChangeEvents()
        var replayed = Self.schedule()
        var replayedEvents: [ChangeEvent] = []
        for event in journal {
            replayed.apply(event)
            replayedEvents += replayed.takeChangeEvents()
        }
        #expect(replayed.externalBusy == live.externalBusy)
        #expect(replayedEvents == liveEvents)
    }
}
