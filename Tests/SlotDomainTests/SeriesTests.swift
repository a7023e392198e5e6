import Foundation
import Testing

@testable import SlotDomain

/// Recurring series: expansion in wall time, all-or-nothing, skipping conflicts, canceling the rest.
@Suite struct SeriesTests {
    let id = ResourceID("dr-1")!
    // 2027-01-04 is a Monday.
    let monday = LocalDate(year: 2027, month: 1, day: 4)!

    func schedule(zone: String = "Europe/Berlin", now: Instant) -> ResourceSchedule {
        ResourceSchedule(
            settings: ResourceSettings(id: id, timeZoneIdentifier: zone, slotMinutes: 15, horizonDays: 3_660),
            createdAt: now)
    }

    func wall(_ date: LocalDate, _ hour: Int, _ minute: Int = 0, zone: TimeZone) -> Instant {
        let (year, month, day) = CivilCalendar.date(fromDays: date.days)
        guard
            case .exact(let instant) = zone.resolve(
                LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute)!)
        else { preconditionFailure("test wall time must exist") }
        return instant
    }

    func book(_ schedule: inout ResourceSchedule, _ command: SeriesCommand) -> Result<[SeriesConflict], Rejection> {
        switch schedule.decideSeries(command, now: schedule.clock) {
        case .success(let decided):
            schedule.apply(decided.event)
            return .success(decided.skipped)
        case .failure(let rejection):
            return .failure(rejection)
        }
    }

    @Test func weeklyDatesFollowTheWeekdaysAndStopAtCountOrUntil() {
        let weekly = Recurrence(frequency: .weekly, interval: 2, weekdays: [0, 2], count: 5, until: nil)
        let dates = weekly.dates(from: LocalDate(days: monday.days + 2), maximum: 100)!  // starts on Wednesday
        #expect(dates.map { $0.days - monday.days } == [2, 14, 16, 28, 30])
        let until = Recurrence(frequency: .daily, interval: 3, count: nil, until: LocalDate(days: monday.days + 9))
        #expect(until.dates(from: monday, maximum: 100)!.map { $0.days - monday.days } == [0, 3, 6, 9])
        let tooMany = Recurrence(frequency: .daily, count: 500, until: nil)
        #expect(tooMany.dates(from: monday, maximum: 400) == nil)
    }

    @Test func allOrNothingListsEveryConflictAndBooksNothing() throws {
        let zone = TimeZone(identifier: "Europe/Berlin")!
        var schedule = schedule(now: wall(LocalDate(days: monday.days - 30), 8, zone: zone))
        // Someone already has the third Monday at 10:00.
        let third = TimeRange(
            start: wall(LocalDate(days: monday.days + 14), 10, zone: zone),
            end: wall(LocalDate(days: monday.days + 14), 11, zone: zone))
        guard
            case .apply(let taken) = schedule.decideHold(
                HoldCommand(range: third, customer: "bob", confirm: true), now: schedule.clock)
        else {
            Issue.record("setup hold refused")
            return
        }
        schedule.apply(taken)
        let first = TimeRange(start: wall(monday, 10, zone: zone), end: wall(monday, 11, zone: zone))
        let command = SeriesCommand(
            first: first, recurrence: Recurrence(frequency: .weekly, count: 4, until: nil), zone: nil,
            customer: "ann")
        guard case .failure(let rejection) = book(&schedule, command) else {
            Issue.record("a conflicting series must be refused")
            return
        }
        #expect(rejection.code == .seriesConflict)
        #expect(rejection.conflicts.map(\.date) == [LocalDate(days: monday.days + 14)])
        #expect(rejection.conflicts.first?.code == .slotUnavailable)
        #expect(schedule.bookings.count == 1, "nothing of the series was booked")

        var skipping = command
        skipping.skipConflicts = true
        let skipped = try book(&schedule, skipping).get()
        #expect(skipped.map(\.date) == [LocalDate(days: monday.days + 14)])
        let series = schedule.seriesBookings(2)
        #expect(series.map(\.id.sequence) == [2, 3, 4])
        #expect(series.allSatisfy { $0.state == .confirmed && $0.series == 2 && $0.customer == "ann" })
    }

    @Test func occurrencesOfOneSeriesCannotCollideWithEachOther() {
        let zone = TimeZone(identifier: "UTC")!
        var schedule = schedule(zone: "UTC", now: wall(LocalDate(days: monday.days - 1), 0, zone: zone))
        // 20 hours long, every day, with a 4-hour buffer after: each occurrence's buffer hits the next one.
        var settings = schedule.settings
        settings.bufferAfterMinutes = 300
        schedule = ResourceSchedule(settings: settings, createdAt: schedule.clock)
        let first = TimeRange(start: wall(monday, 0, zone: zone), end: wall(monday, 20, zone: zone))
        let command = SeriesCommand(
            first: first, recurrence: Recurrence(frequency: .daily, count: 3, until: nil), zone: nil, customer: "ann",
            skipConflicts: true)
        let skipped = (try? book(&schedule, command).get()) ?? []
        #expect(skipped.map(\.date) == [LocalDate(days: monday.days + 1)])
        #expect(schedule.bookings.count == 2)
    }

    @Test func cancelingTheRestLeavesEarlierOccurrencesAlone() throws {
        let zone = TimeZone(identifier: "Europe/Berlin")!
        var schedule = schedule(now: wall(LocalDate(days: monday.days - 1), 8, zone: zone))
        let first = TimeRange(start: wall(monday, 10, zone: zone), end: wall(monday, 11, zone: zone))
        _ = try book(
            &schedule,
            SeriesCommand(
                first: first, recurrence: Recurrence(frequency: .daily, count: 5, until: nil), zone: nil,
                customer: "ann")
        ).get()
        // One occurrence alone, with the ordinary cancel.
        guard
            case .apply(let single) = schedule.decide(
                .cancel(reason: nil), booking: 2, actor: "client", idempotency: nil, now: schedule.clock)
        else {
            Issue.record("cancel refused")
            return
        }
        schedule.apply(single)
        let cutoff = wall(LocalDate(days: monday.days + 3), 0, zone: zone)
        let event = try #require(
            try schedule.decideCancelSeries(1, from: cutoff, reason: "moved away", actor: "client", now: schedule.clock)
                .get())
        schedule.apply(event)
        #expect(schedule.seriesBookings(1).map(\.state) == [.confirmed, .canceled, .confirmed, .canceled, .canceled])
        #expect(
            try schedule.decideCancelSeries(1, from: cutoff, reason: nil, actor: "c", now: schedule.clock).get() == nil)
        guard
            case .failure(let missing) = schedule.decideCancelSeries(
                2, from: nil, reason: nil, actor: "c", now: schedule.clock)
        else {
            Issue.record("booking 2 is an occurrence, not a series id")
            return
        }
        #expect(missing.code == .notFound)
    }
}
