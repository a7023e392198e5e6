import Foundation
import SlotCalendar
import SlotDomain
import Testing

/// Single events: lines, parameters, value types, time zones, the defaults for a missing end, what is ignored.
@Suite struct BusyTimesReadingTests {
    @Test func utcZonedAndFloatingTimes() throws {
        let text = Fixtures.calendar([
            ["UID:utc", "DTSTART:20260310T090000Z", "DTEND:20260310T100000Z"],
            [
                "UID:zoned", "DTSTART;TZID=America/New_York:20260311T090000",
                "DTEND;TZID=America/New_York:20260311T100000",
            ],
            ["UID:floating", "DTSTART:20260312T090000", "DTEND:20260312T100000"],
        ])
        let reading = try Fixtures.read(text)
        #expect(
            Fixtures.spans(reading) == [
                "2026-03-10T09:00:00Z/2026-03-10T10:00:00Z",
                "2026-03-11T13:00:00Z/2026-03-11T14:00:00Z",  // New York is on DST from 8 March
                "2026-03-12T08:00:00Z/2026-03-12T09:00:00Z",  // floating: read in the resource's zone (Berlin)
            ])
        #expect(reading.busy.map(\.uid) == ["utc", "zoned", "floating"])
        #expect(reading.skipped.isEmpty && reading.ignored.isEmpty)
    }

    @Test func linesUnfoldWithCRLFOrBareLFAndSpaceOrTab() throws {
        let folded =
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\r\nUID:long-\r\n uid-\n\tpart\nDTSTART;TZID=\"Europe/\n Berlin\":20260310T\n 090000\r\n"
            + "DURATION:PT30M\nEND:VEVENT\nEND:VCALENDAR"
        let reading = try Fixtures.read(folded)
        #expect(reading.busy.map(\.uid) == ["long-uid-part"])
        #expect(Fixtures.spans(reading) == ["2026-03-10T08:00:00Z/2026-03-10T08:30:00Z"])
    }

    @Test func quotedParametersAndEscapedText() throws {
        let text = Fixtures.calendar([
            [
                "UID:a\\,b\\;c\\\\d", "SUMMARY;LANGUAGE=en;X-NOTE=\"x;y:z,w\":Lunch\\, with Bob",
                "DTSTART;X-A=\"q:1\";TZID=Europe/Berlin:20260310T120000", "DTEND;TZID=Europe/Berlin:20260310T130000",
            ]
        ])
        let reading = try Fixtures.read(text)
        #expect(reading.busy.map(\.uid) == ["a,b;c\\d"])
        #expect(Fixtures.spans(reading) == ["2026-03-10T11:00:00Z/2026-03-10T12:00:00Z"])
    }

    @Test func allDayEventsEndExclusiveAndDefaultToOneDay() throws {
        let text = Fixtures.calendar([
            ["UID:two-days", "DTSTART;VALUE=DATE:20260701", "DTEND;VALUE=DATE:20260703"],
            ["UID:one-day", "DTSTART;VALUE=DATE:20260710"],
        ])
        let reading = try Fixtures.read(text)
        #expect(
            Fixtures.spans(reading) == [
                "2026-06-30T22:00:00Z/2026-07-02T22:00:00Z", "2026-07-09T22:00:00Z/2026-07-10T22:00:00Z",
            ])
        let inNewYork = try Fixtures.read(text, zone: Fixtures.newYork)
        #expect(Fixtures.spans(inNewYork).first == "2026-07-01T04:00:00Z/2026-07-03T04:00:00Z")
    }

    @Test func durationIsNominalInDaysAndExactInHours() throws {
        let text = Fixtures.calendar([
            // Across the spring-forward night in Berlin: P1D keeps 10:00 wall time, PT24H is 24 real hours.
            ["UID:nominal", "DTSTART;TZID=Europe/Berlin:20260328T100000", "DURATION:P1D"],
            ["UID:exact", "DTSTART;TZID=Europe/Berlin:20260328T100000", "DURATION:PT24H"],
            ["UID:weeks", "DTSTART:20260401T000000Z", "DURATION:P1W"],
            ["UID:instant", "DTSTART:20260402T000000Z"],
        ])
        let reading = try Fixtures.read(text)
        let byUID = Dictionary(uniqueKeysWithValues: reading.busy.map { ($0.uid, $0) })
        #expect(byUID["nominal"]?.end == Fixtures.instant("2026-03-29T08:00:00Z"))
        #expect(byUID["exact"]?.end == Fixtures.instant("2026-03-29T09:00:00Z"))
        #expect(byUID["weeks"]?.end == Fixtures.instant("2026-04-08T00:00:00Z"))
        #expect(byUID["instant"] == nil)
        #expect(reading.ignored.map(\.reason.code) == ["no_duration"])
    }

    @Test func transparentCancelledAndOwnEventsAreIgnoredAndNamed() throws {
        let text = Fixtures.calendar([
            ["UID:free", "TRANSP:TRANSPARENT", "DTSTART:20260310T090000Z", "DURATION:PT1H"],
            ["UID:gone", "STATUS:CANCELLED", "DTSTART:20260310T090000Z", "DURATION:PT1H"],
            ["UID:slotd-booking-1@slotd", "DTSTART:20260310T090000Z", "DURATION:PT1H"],
            ["UID:busy", "TRANSP:OPAQUE", "STATUS:CONFIRMED", "DTSTART:20260310T090000Z", "DURATION:PT1H"],
        ])
        let reading = try Fixtures.read(text, isOwn: { $0.hasPrefix("slotd-") })
        #expect(reading.busy.map(\.uid) == ["busy"])
        #expect(reading.ignored.map(\.uid) == ["free", "gone", "slotd-booking-1@slotd"])
        #expect(
            reading.ignored.map(\.reason.code) == ["transparent_or_cancelled", "transparent_or_cancelled", "own_event"])
    }

    @Test func severalCalendarsOneAfterAnotherAndOnlyTheWindow() throws {
        let first = Fixtures.calendar([["UID:a", "DTSTART:20260310T090000Z", "DURATION:PT1H"]])
        let second = Fixtures.calendar([
            ["UID:b", "DTSTART:20260311T090000Z", "DURATION:PT1H"],
            ["UID:c", "DTSTART:20260312T090000Z", "DURATION:PT1H"],
        ])
        let window = Fixtures.instant("2026-03-10T09:30:00Z")..<Fixtures.instant("2026-03-12T09:00:00Z")
        let reading = try Fixtures.read(first + second, window: window)
        // Half-open: `c` starts exactly at the window's end and is out; `a` overlaps its start and is in.
        #expect(reading.busy.map(\.uid) == ["a", "b"])
    }

    @Test func eventsThatCannotBeReadAreSkippedWithAReason() throws {
        let text = Fixtures.calendar([
            ["UID:no-start", "DTEND:20260310T090000Z"],
            ["UID:outlook", "DTSTART;TZID=W. Europe Standard Time:20260310T090000", "DURATION:PT1H"],
            ["UID:bad-date", "DTSTART:2026031OT090000Z", "DURATION:PT1H"],
            ["UID:both", "DTSTART:20260310T090000Z", "DTEND:20260310T100000Z", "DURATION:PT1H"],
            ["UID:backwards", "DTSTART:20260310T090000Z", "DTEND:20260310T080000Z"],
            ["UID:mixed", "DTSTART;VALUE=DATE:20260310", "DTEND:20260310T080000Z"],
            ["UID:period", "DTSTART:20260310T090000Z", "DURATION:PT1H", "RDATE;VALUE=PERIOD:20260311T090000Z/PT1H"],
            ["UID:fine", "DTSTART:20260310T090000Z", "DURATION:PT1H"],
        ])
        let reading = try Fixtures.read(text)
        #expect(reading.busy.map(\.uid) == ["fine"])
        #expect(
            reading.skipped.map { "\($0.uid) \($0.reason.code)" } == [
                "no-start missing_start", "outlook unknown_time_zone", "bad-date malformed_value",
                "both malformed_value", "backwards end_before_start", "mixed malformed_value",
                "period unsupported_value",
            ])
    }

    @Test func prefixedIANANamesAreRecognised() throws {
        let text = Fixtures.calendar([
            ["UID:m", "DTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:20260310T090000", "DURATION:PT1H"]
        ])
        #expect(Fixtures.spans(try Fixtures.read(text)) == ["2026-03-10T08:00:00Z/2026-03-10T09:00:00Z"])
    }

    @Test func structuralProblemsRefuseTheWholeText() {
        let cases: [(String, String)] = [
            ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n", "unbalanced_components"),
            ("BEGIN:VCALENDAR\r\nNO COLON HERE\r\nEND:VCALENDAR\r\n", "malformed_line"),
            ("UID:outside\r\n", "unbalanced_components"),
            ("BEGIN:VCALENDAR\r\n", "unbalanced_components"),
            ("BEGIN:VCALENDAR\r\nX;P=\"unterminated:v\r\nEND:VCALENDAR\r\n", "malformed_line"),
        ]
        for (text, code) in cases {
            let result = BusyTimes.busy(
                in: text, window: Fixtures.wideWindow, zone: Fixtures.berlin, isOwn: { _ in false },
                limits: .standard)
            guard case .failure(let error) = result else {
                Issue.record("\(text.debugDescription) was accepted")
                continue
            }
            #expect(error.code == code, "\(text.debugDescription)")
        }
    }
}
