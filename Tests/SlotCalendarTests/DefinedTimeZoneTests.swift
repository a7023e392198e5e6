import Foundation
import SlotCalendar
import SlotDomain
import Testing

/// TZIDs that are not IANA names, read from the VTIMEZONE the text defines for them.
@Suite struct DefinedTimeZoneTests {
    /// As Outlook writes Central European time: rules from 1601, no IANA name.
    static let outlookZone = [
        "BEGIN:VTIMEZONE", "TZID:W. Europe Standard Time",
        "BEGIN:STANDARD", "DTSTART:16010101T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", "END:STANDARD",
        "BEGIN:DAYLIGHT", "DTSTART:16010101T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", "END:DAYLIGHT", "END:VTIMEZONE",
    ]

    @Test func outlookRulesGiveTheSameInstantsAsTheIANAZone() throws {
        let series = [
            "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=400",
            "EXDATE;TZID=W. Europe Standard Time:20260601T023000",
        ]
        let outlook = Fixtures.calendar(
            [["UID:o", "DTSTART;TZID=W. Europe Standard Time:20260301T023000"] + series], extra: Self.outlookZone)
        let iana = Fixtures.calendar(
            [
                ["UID:o", "DTSTART;TZID=Europe/Berlin:20260301T023000"] + series.dropLast()
                    + ["EXDATE;TZID=Europe/Berlin:20260601T023000"]
            ])
        let fromOutlook = try Fixtures.read(outlook)
        #expect(fromOutlook.skipped.isEmpty, "\(fromOutlook.skipped)")
        #expect(fromOutlook.busy.count == 399)
        // Includes 29 March (02:30 in the gap) and 25 October (02:30 twice).
        #expect(fromOutlook.busy == (try Fixtures.read(iana)).busy)
    }

    @Test func theWritersOwnVTimezoneReadUnderAnotherName() throws {
        var events: [BookingCalendarEvent] = []
        for day in stride(from: 0, to: 400, by: 9) {
            let start = Fixtures.instant("2026-01-03T15:45:00Z").adding(seconds: Int64(day) * 86_400)
            events.append(
                BookingCalendarEvent(
                    uid: "b\(day)", start: start, end: start.adding(seconds: 1_800), zoneIdentifier: "America/New_York",
                    sequence: 0, status: .confirmed, summary: "s", stamp: start))
        }
        let renamed = ICalendarWriter.calendar(events, productID: "p")
            .replacingOccurrences(of: "America/New_York", with: "Eastern Standard Time")
        #expect(!renamed.contains("America/"))
        let reading = try Fixtures.read(renamed)
        #expect(reading.skipped.isEmpty, "\(reading.skipped)")
        #expect(Set(reading.busy) == Set(events.map { BusyInterval(start: $0.start, end: $0.end, uid: $0.uid) }))
    }

    @Test func aZoneThatCannotBeReadSkipsItsEvents() throws {
        let broken = Self.outlookZone.map { $0 == "TZOFFSETTO:+0100" ? "TZOFFSETTO:one hour" : $0 }
        let text = Fixtures.calendar(
            [
                ["UID:x", "DTSTART;TZID=W. Europe Standard Time:20260301T090000", "DURATION:PT1H"],
                ["UID:y", "DTSTART:20260301T090000Z", "DURATION:PT1H"],
            ], extra: broken)
        let reading = try Fixtures.read(text)
        #expect(reading.busy.map(\.uid) == ["y"])
        #expect(reading.skipped.map { "\($0.uid) \($0.reason.code)" } == ["x malformed_time_zone"])
    }

    @Test func transitionsAreBounded() throws {
        var limits = ICalendarLimits()
        limits.timeZoneTransitionsMax = 100
        let text = Fixtures.calendar(
            [["UID:x", "DTSTART;TZID=W. Europe Standard Time:20260301T090000", "DURATION:PT1H"]],
            extra: Self.outlookZone)
        let reading = try Fixtures.read(text, limits: limits)
        #expect(reading.busy.isEmpty)
        #expect(reading.skipped.map(\.reason.code) == ["too_many_occurrences"])
        limits.timeZoneTransitionsMax = 1_000
        #expect(try Fixtures.read(text, limits: limits).busy.count == 1)
        // The onsets count in the text's shared expansion budget too (about 430 years, twice).
        limits.expansionStepsMax = 800
        let result = BusyTimes.busy(
            in: text, window: Fixtures.wideWindow, zone: Fixtures.berlin, isOwn: { _ in false }, limits: limits)
        #expect(result == .failure(.expansionTooLarge(limit: 800)))
    }
}
