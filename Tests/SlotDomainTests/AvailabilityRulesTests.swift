import Foundation
import Testing

@testable import SlotDomain

@Suite struct AvailabilityRulesTests {
    static func schedule(_ zone: String, slotMinutes: Int = 60, clock: Instant) -> ResourceSchedule {
        ResourceSchedule(
            settings: ResourceSettings(
                id: ResourceID("r")!, timeZoneIdentifier: zone, slotMinutes: slotMinutes, horizonDays: 3_000),
            createdAt: clock)
    }

    static func change(_ schedule: inout ResourceSchedule, _ change: RuleChange) {
        let (event, _) = schedule.decide(change, actor: "test", now: schedule.clock)
        schedule.apply(event)
    }

    static let afternoon = LocalInterval(startMinute: 13 * 60, endMinute: 18 * 60)!

    /// Hours 13:00–18:00 every day: on every DST transition day 2024–2030, the hourly starts offered are exactly
    /// 13:00 … 17:00 wall time (Foundation's Calendar decides what wall time an instant is).
    @Test(arguments: LocalTimeTests.zones)
    func weeklyHoursFollowWallTimeOnTransitionDays(_ identifier: String) throws {
        let zone = TimeZone(identifier: identifier)!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let origin = Instant(secondsSinceEpoch: 1_704_067_200)  // 2024-01-01
        var schedule = Self.schedule(identifier, slotMinutes: 30, clock: origin)
        Self.change(&schedule, .weeklyHours(WeeklyHours(days: Array(repeating: [Self.afternoon], count: 7))))
        for transition in LocalTimeTests.transitions(zone) {
            let dayStart = calendar.startOfDay(for: transition)
            let from = Instant(secondsSinceEpoch: Int64(dayStart.timeIntervalSince1970))
            let to = Instant(
                secondsSinceEpoch: Int64(calendar.date(byAdding: .day, value: 1, to: dayStart)!.timeIntervalSince1970))
            guard
                case .success(let starts) = schedule.availability(from: from, to: to, durationMinutes: 60, now: origin)
            else {
                Issue.record("availability failed on \(dayStart)")
                continue
            }
            let wallTimes = starts.map { start -> String in
                let parts = calendar.dateComponents(
                    [.hour, .minute], from: Date(timeIntervalSince1970: Double(start.secondsSinceEpoch)))
                return String(format: "%02d:%02d", parts.hour!, parts.minute!)
            }
            let expected = stride(from: 13 * 60, through: 17 * 60, by: 30).map {
                String(format: "%02d:%02d", $0 / 60, $0 % 60)
            }
            #expect(wallTimes == expected, "\(identifier) on \(dayStart)")
        }
    }

    @Test func layersRefuseWithTheirOwnCodes() throws {
        let monday = Instant(secondsSinceEpoch: 1_799_020_800)  // 2027-01-04T00:00Z, a Monday
        var schedule = Self.schedule("UTC", clock: monday)
        let hour: Int64 = 3_600
        func check(_ startHour: Int64, _ hours: Int64 = 1) -> Rejection.Code? {
            let start = monday.adding(seconds: startHour * hour)
            return schedule.checkPlacement(
                TimeRange(start: start, end: start.adding(seconds: hours * hour)), now: schedule.clock)?.code
        }
        var days = Array(repeating: [LocalInterval](), count: 7)
        days[0] = [LocalInterval(startMinute: 9 * 60, endMinute: 17 * 60)!]
        days[1] = days[0]
        Self.change(&schedule, .weeklyHours(WeeklyHours(days: days)))
        #expect(check(10) == nil)
        #expect(check(8) == .outsideHours)
        #expect(check(16, 2) == .outsideHours, "must end by 17:00")
        #expect(check(24 * 2 + 10) == .outsideHours, "Wednesday is closed")
        Self.change(&schedule, .override(LocalDate(days: monday.secondsSinceEpoch / 86_400), .closed))
        #expect(check(10) == .closedByOverride)
        Self.change(&schedule, .override(LocalDate(days: monday.secondsSinceEpoch / 86_400), nil))
        let block = Block(
            id: 1, range: TimeRange(start: monday.adding(seconds: 12 * hour), end: monday.adding(seconds: 13 * hour)),
            label: "lunch")
        Self.change(&schedule, .addBlock(block))
        #expect(check(12) == .blocked)
        #expect(check(11, 2) == .blocked)
        Self.change(&schedule, .limits(minNoticeMinutes: 120, maxBookingsPerDay: 2))
        #expect(check(1 + 24) == .outsideHours, "01:00 on Tuesday is outside the hours")
        schedule.advance(to: monday.adding(seconds: 9 * hour))
        #expect(check(10) == .tooSoon)
        #expect(check(11) == nil)
        for start in [11, 14] as [Int64] {
            let range = TimeRange(
                start: monday.adding(seconds: start * hour), end: monday.adding(seconds: (start + 1) * hour))
            guard
                case .apply(let event) = schedule.decideHold(
                    HoldCommand(range: range, customer: "c", confirm: true), now: schedule.clock)
            else {
                Issue.record("booking at \(start):00 refused")
                return
            }
            schedule.apply(event)
        }
        #expect(check(15) == .dailyLimitReached)
        #expect(check(24 + 10) == nil, "another day has its own limit")
        // A rule change that makes an existing booking invalid reports it; the booking stays.
        let (_, affected) = schedule.decide(
            .override(LocalDate(days: monday.secondsSinceEpoch / 86_400), .closed), actor: "t", now: schedule.clock)
        #expect(affected.map(\.sequence) == [1, 2])
        Self.change(&schedule, .removeBlock(1))
        #expect(schedule.rules.blocks.isEmpty)
    }
}
