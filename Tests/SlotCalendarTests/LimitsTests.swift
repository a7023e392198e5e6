import Foundation
import SlotCalendar
import SlotDomain
import Testing

/// Every named limit, reached: the whole text refused with its code, or the one event skipped, never a crash.
@Suite struct LimitsTests {
    static let event = ["UID:e", "DTSTART:20260310T090000Z", "DURATION:PT1H"]

    func failure(_ text: String, _ limits: ICalendarLimits) -> ICalendarError? {
        let result = BusyTimes.busy(
            in: text, window: Fixtures.wideWindow, zone: Fixtures.berlin, isOwn: { _ in false }, limits: limits)
        if case .failure(let error) = result { return error }
        return nil
    }

    @Test func documentBytes() {
        let text = Fixtures.calendar([Self.event])
        var limits = ICalendarLimits()
        limits.documentBytesMax = text.utf8.count
        #expect(failure(text, limits) == nil)
        limits.documentBytesMax -= 1
        #expect(failure(text, limits) == .tooLarge(bytes: text.utf8.count, limit: limits.documentBytesMax))
    }

    @Test func contentLineBytesCountUnfolded() {
        let folded = Fixtures.calendar([Self.event + ["DESCRIPTION:" + String(repeating: "x\r\n y", count: 80)]])
        var limits = ICalendarLimits()
        limits.contentLineBytesMax = 120
        #expect(failure(folded, limits)?.code == "line_too_long")
        limits.contentLineBytesMax = 200
        #expect(failure(folded, limits) == nil)
    }

    @Test func componentsAndDepth() {
        let text = Fixtures.calendar(Array(repeating: Self.event, count: 5))
        var limits = ICalendarLimits()
        limits.componentsMax = 6
        #expect(failure(text, limits) == nil)
        limits.componentsMax = 5
        #expect(failure(text, limits) == .tooManyComponents(limit: 5))
        let deep = Fixtures.calendar([Self.event + ["BEGIN:VALARM", "BEGIN:X", "END:X", "END:VALARM"]])
        limits = ICalendarLimits()
        limits.componentDepthMax = 3
        #expect(failure(deep, limits)?.code == "components_too_deep")
        limits.componentDepthMax = 4
        #expect(failure(deep, limits) == nil)
    }

    @Test func propertiesAndParameters() {
        var limits = ICalendarLimits()
        limits.propertiesPerComponentMax = 3
        #expect(failure(Fixtures.calendar([Self.event]), limits) == nil)
        #expect(failure(Fixtures.calendar([Self.event + ["SUMMARY:x"]]), limits)?.code == "too_many_properties")
        limits = ICalendarLimits()
        limits.parametersPerPropertyMax = 2
        #expect(failure(Fixtures.calendar([Self.event + ["X-A;A=1;B=2:v"]]), limits) == nil)
        #expect(failure(Fixtures.calendar([Self.event + ["X-A;A=1;B=2;C=3:v"]]), limits)?.code == "too_many_parameters")
    }

    @Test func listedDatesSkipTheEvent() throws {
        var limits = ICalendarLimits()
        limits.listedDatesPerEventMax = 2
        let text = Fixtures.calendar([
            Self.event + [
                "RRULE:FREQ=DAILY;COUNT=9", "EXDATE:20260311T090000Z,20260312T090000Z", "RDATE:20260401T090000Z",
            ]
        ])
        let reading = try Fixtures.read(text, limits: limits)
        #expect(reading.busy.isEmpty)
        #expect(reading.skipped.map(\.reason.code) == ["too_many_dates"])
    }

    @Test func occurrencesPerEventSkipTheEvent() throws {
        var limits = ICalendarLimits()
        limits.occurrencesPerEventMax = 100
        let text = Fixtures.calendar([
            ["UID:old", "DTSTART:20200101T090000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY"],
            ["UID:new", "DTSTART:20271201T090000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY"],
        ])
        let reading = try Fixtures.read(text, limits: limits)
        #expect(reading.skipped.map { "\($0.uid) \($0.reason.code)" } == ["old too_many_occurrences"])
        #expect(reading.busy.count == 31)
    }

    @Test func impossibleRulesEndWithinTheLimits() throws {
        // Never yields a date (no 30 February), so only the bounds end it.
        let text = Fixtures.calendar([Self.event + ["RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"]])
        let window = Fixtures.instant("2026-01-01T00:00:00Z")..<Fixtures.instant("9999-01-01T00:00:00Z")
        let reading = try Fixtures.read(text, window: window)
        #expect(reading.busy.count == 1)
        // Monthly, the same rule needs more periods than `occurrencesPerEventMax` (50 000) to reach year 9999.
        let monthly = Fixtures.calendar([Self.event + ["RRULE:FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30"]])
        let monthlyReading = try Fixtures.read(monthly, window: window)
        #expect(monthlyReading.busy.isEmpty)
        #expect(monthlyReading.skipped.map(\.reason.code) == ["too_many_occurrences"])
    }

    @Test func expansionStepsForTheWholeText() {
        var limits = ICalendarLimits()
        limits.expansionStepsMax = 1_000
        let daily = ["DTSTART:20260101T090000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY"]
        let text = Fixtures.calendar((0..<4).map { ["UID:\($0)"] + daily })
        #expect(failure(text, limits) == .expansionTooLarge(limit: 1_000))
        limits.expansionStepsMax = 4 * 740
        #expect(failure(text, limits) == nil)
    }

    @Test func busyIntervals() {
        var limits = ICalendarLimits()
        limits.busyIntervalsMax = 10
        let text = Fixtures.calendar([Self.event + ["RRULE:FREQ=DAILY;COUNT=10"]])
        #expect(failure(text, limits) == nil)
        limits.busyIntervalsMax = 9
        #expect(failure(text, limits) == .tooManyBusyIntervals(limit: 9))
    }
}
