import Foundation
import Testing

@testable import SlotDomain

/// The rule refusals name the setting or the block at fault, and read right with a limit of one.
@Suite struct RejectionMessageTests {
    static let monday = Instant(secondsSinceEpoch: 1_799_020_800)  // 2027-01-04T00:00Z, a Monday
    static let hour: Int64 = 3_600

    static func range(_ startHour: Int64, hours: Int64 = 1) -> TimeRange {
        let start = monday.adding(seconds: startHour * hour)
        return TimeRange(start: start, end: start.adding(seconds: hours * hour))
    }

    @Test func ruleRefusalsNameTheirSetting() throws {
        var schedule = AvailabilityRulesTests.schedule("UTC", clock: Self.monday)
        AvailabilityRulesTests.change(&schedule, .addBlock(Block(id: 1, range: Self.range(12), label: "")))
        AvailabilityRulesTests.change(&schedule, .addBlock(Block(id: 2, range: Self.range(13), label: "lunch")))
        #expect(schedule.checkPlacement(Self.range(12), now: schedule.clock)?.message == "the time overlaps block 1")
        #expect(
            schedule.checkPlacement(Self.range(13), now: schedule.clock)?.message
                == "the time overlaps block 2 (lunch)")
        AvailabilityRulesTests.change(&schedule, .limits(minNoticeMinutes: 1, maxBookingsPerDay: 1))
        let soon = schedule.checkPlacement(TimeRange(start: Self.monday, end: Self.range(1).start), now: Self.monday)
        #expect(soon?.message == "start is sooner than min_notice_minutes (1) allows")
        guard
            case .apply(let event) = schedule.decideHold(
                HoldCommand(range: Self.range(9), customer: "c", confirm: true), now: schedule.clock)
        else {
            Issue.record("the first booking of the day was refused")
            return
        }
        schedule.apply(event)
        let full = schedule.checkPlacement(Self.range(10), now: schedule.clock)
        #expect(full?.code == .dailyLimitReached)
        #expect(full?.message == "2027-01-04 has reached max_bookings_per_day (1)")
    }
}
