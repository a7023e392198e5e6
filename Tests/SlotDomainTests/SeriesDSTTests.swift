import Foundation
import Testing

@testable import SlotDomain

/// Recurring series on every DST transition from 2024 to 2030 in the zones `LocalTimeTests` covers. Foundation is
/// the oracle: `Calendar` in the zone reads each booked start back, and a brute-force scan of the zone's offsets
/// says which wall times a transition day skips or repeats.
@Suite struct SeriesDSTTests {
    static func resource(_ identifier: String, now: Instant) -> ResourceSchedule {
        ResourceSchedule(
            settings: ResourceSettings(
                id: ResourceID("r")!, timeZoneIdentifier: identifier, slotMinutes: 15, horizonDays: 3_660),
            createdAt: now)
    }

    /// Every instant within a day of `wall` (read at offset zero) that the zone shows as `wall`, by brute force.
    static func instants(showing wall: Int64, in zone: TimeZone) -> [Int64] {
        stride(from: wall - 86_400, through: wall + 86_400, by: 900).filter {
            $0 + Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double($0)))) == wall
        }
    }

    static func wallSeconds(_ instant: Instant, _ zone: TimeZone) -> Int64 {
        instant.secondsSinceEpoch + zone.offsetSeconds(at: instant)
    }

    /// A 10:00–11:00 series, daily from two days before each transition and weekly from a week before, keeps
    /// 10:00–11:00 on the wall clock every time, whatever the offset did in between.
    @Test(arguments: LocalTimeTests.zones)
    func wallClockTimeSurvivesEveryTransition(_ identifier: String) throws {
        let zone = TimeZone(identifier: identifier)!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        for transition in LocalTimeTests.transitions(zone) {
            let instant = Instant(secondsSinceEpoch: Int64(transition.timeIntervalSince1970))
            let transitionDay = CivilCalendar.split(Self.wallSeconds(instant, zone)).days
            for (frequency, lead, count) in [(Recurrence.Frequency.daily, 2, 5), (.weekly, 7, 3)] {
                let firstDay = transitionDay - Int64(lead)
                let start = Instant(secondsSinceEpoch: Self.instants(showing: firstDay * 86_400 + 36_000, in: zone)[0])
                let first = TimeRange(start: start, end: start.adding(seconds: 3_600))
                var schedule = Self.resource(identifier, now: first.start.adding(seconds: -86_400))
                let command = SeriesCommand(
                    first: first, recurrence: Recurrence(frequency: frequency, count: count, until: nil), zone: nil,
                    customer: "c")
                let decided = try schedule.decideSeries(command, now: schedule.clock).get()
                schedule.apply(decided.event)
                let booked = schedule.seriesBookings(1)
                #expect(booked.count == count, "\(identifier) \(transition) \(frequency)")
                for (index, booking) in booked.enumerated() {
                    let date = Date(timeIntervalSince1970: Double(booking.range.start.secondsSinceEpoch))
                    let end = Date(timeIntervalSince1970: Double(booking.range.end.secondsSinceEpoch))
                    let step = Int64(index) * (frequency == .daily ? 1 : 7)
                    let expectedDay = CivilCalendar.date(fromDays: firstDay + step)
                    let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
                    #expect(
                        [parts.year, parts.month, parts.day, parts.hour, parts.minute]
                            == [expectedDay.year, expectedDay.month, expectedDay.day, 10, 0],
                        "\(identifier) occurrence \(index) after \(transition)")
                    #expect(calendar.component(.hour, from: end) == 11, "\(identifier) end \(index)")
                }
            }
        }
    }

    /// A daily series at a wall time the transition day skips or repeats: a skipped occurrence is a
    /// `nonexistent_local_time` conflict (booked around with `skip_conflicts`), a repeated one takes the earlier
    /// instant, and the days either side are booked at that wall time.
    @Test(arguments: LocalTimeTests.zones)
    func skippedAndRepeatedWallTimes(_ identifier: String) throws {
        let zone = TimeZone(identifier: identifier)!
        for transition in LocalTimeTests.transitions(zone) {
            let instant = Instant(secondsSinceEpoch: Int64(transition.timeIntervalSince1970))
            let before = zone.offsetSeconds(at: instant.adding(seconds: -1))
            let after = zone.offsetSeconds(at: instant)
            // Spring forward: the wall time the clock jumps from does not exist. Fall back: the quarter hour
            // before the clock jumps back happens twice.
            var wall = instant.secondsSinceEpoch + before
            if after < before { wall -= 900 }
            wall -= ((wall % 900) + 900) % 900
            let (day, secondOfDay) = CivilCalendar.split(wall)
            let firstWall = (day - 1) * 86_400 + Int64(secondOfDay)
            guard let firstStart = Self.instants(showing: firstWall, in: zone).first else { continue }
            let first = TimeRange(
                start: Instant(secondsSinceEpoch: firstStart), end: Instant(secondsSinceEpoch: firstStart + 900))
            var schedule = Self.resource(identifier, now: first.start.adding(seconds: -86_400))
            let command = SeriesCommand(
                first: first, recurrence: Recurrence(frequency: .daily, count: 3, until: nil), zone: nil, customer: "c",
                skipConflicts: true)
            let oracle = Self.instants(showing: wall, in: zone)
            let decided = try schedule.decideSeries(command, now: schedule.clock).get()
            schedule.apply(decided.event)
            let starts = schedule.seriesBookings(1).map(\.range.start.secondsSinceEpoch)
            let label = "\(identifier) \(transition)"
            if oracle.isEmpty {
                #expect(decided.skipped.map(\.code) == [.nonexistentLocalTime], "\(label)")
                #expect(starts.count == 2, "\(label)")
            } else {
                #expect(decided.skipped.isEmpty, "\(label)")
                #expect(starts.count == 3, "\(label)")
                if starts.count == 3 { #expect(starts[1] == oracle.min(), "\(label): the earlier of \(oracle)") }
            }
            for start in starts {
                let shown = Self.wallSeconds(Instant(secondsSinceEpoch: start), zone)
                #expect(CivilCalendar.split(shown).secondOfDay == secondOfDay, "\(label) wall time kept")
            }
        }
    }
}
