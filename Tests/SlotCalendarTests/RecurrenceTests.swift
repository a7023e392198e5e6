import Foundation
import SlotCalendar
import SlotDomain
import Testing

/// RRULE, RDATE, EXDATE and RECURRENCE-ID, in the wall time of DTSTART's zone.
@Suite struct RecurrenceTests {
    func starts(_ lines: [String], window: Range<Instant> = Fixtures.wideWindow) throws -> [String] {
        let reading = try Fixtures.read(Fixtures.calendar([["UID:r"] + lines]), window: window)
        #expect(reading.skipped.isEmpty, "\(reading.skipped)")
        return reading.busy.map { Fixtures.utcText($0.start) }
    }

    @Test func weeklyInBerlinKeepsWallTimeAcrossBothChanges() throws {
        let result = try starts([
            "DTSTART;TZID=Europe/Berlin:20260319T090000", "DTEND;TZID=Europe/Berlin:20260319T100000",
            "RRULE:FREQ=WEEKLY;UNTIL=20261105T080000Z",
        ])
        #expect(result.first == "2026-03-19T08:00:00Z")
        #expect(result[2] == "2026-04-02T07:00:00Z")  // after 29 March: CEST
        #expect(result.contains("2026-10-22T07:00:00Z"))
        #expect(result.contains("2026-10-29T08:00:00Z"))  // after 25 October: CET again
        #expect(result.last == "2026-11-05T08:00:00Z")  // UNTIL is inclusive
        #expect(result.count == 34)
    }

    @Test func newYorkDailyWithCountAcrossSpringForward() throws {
        let result = try starts([
            "DTSTART;TZID=America/New_York:20260306T083000", "DURATION:PT45M", "RRULE:FREQ=DAILY;COUNT=4",
        ])
        #expect(
            result == [
                "2026-03-06T13:30:00Z", "2026-03-07T13:30:00Z", "2026-03-08T12:30:00Z", "2026-03-09T12:30:00Z",
            ])
    }

    @Test func aWallTimeInTheSpringGapMovesForwardAndOneInTheOverlapTakesTheFirst() throws {
        let gap = try starts([
            "DTSTART;TZID=Europe/Berlin:20260328T023000", "DURATION:PT30M", "RRULE:FREQ=DAILY;COUNT=3",
        ])
        // 29 March 02:30 does not exist: read at the offset before the gap (+01:00), it is 03:30 CEST.
        #expect(gap == ["2026-03-28T01:30:00Z", "2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"])
        let overlap = try starts([
            "DTSTART;TZID=Europe/Berlin:20261024T023000", "DURATION:PT30M", "RRULE:FREQ=DAILY;COUNT=3",
        ])
        // 25 October 02:30 happens twice: the first (CEST, 00:30Z) counts.
        #expect(overlap == ["2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"])
    }

    @Test func dtendGivesEveryInstanceTheSameExactLength() throws {
        let reading = try Fixtures.read(
            Fixtures.calendar([
                [
                    "UID:night", "DTSTART;TZID=Europe/Berlin:20260328T220000",
                    "DTEND;TZID=Europe/Berlin:20260329T060000", "RRULE:FREQ=DAILY;COUNT=2",
                ]
            ]))
        #expect(reading.busy.map { $0.end.seconds(since: $0.start) } == [7 * 3_600, 7 * 3_600])
    }

    @Test func weeklyByDayWithIntervalAndWeekStart() throws {
        // RFC 5545's own example: WKST changes which days an INTERVAL=2 rule yields.
        let monday = try starts(
            [
                "DTSTART:19970805T090000Z", "DURATION:PT1H", "RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO",
            ], window: Fixtures.instant("1997-01-01T00:00:00Z")..<Fixtures.instant("1998-01-01T00:00:00Z"))
        #expect(monday.map { String($0.prefix(10)) } == ["1997-08-05", "1997-08-10", "1997-08-19", "1997-08-24"])
        let sunday = try starts(
            [
                "DTSTART:19970805T090000Z", "DURATION:PT1H", "RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU",
            ], window: Fixtures.instant("1997-01-01T00:00:00Z")..<Fixtures.instant("1998-01-01T00:00:00Z"))
        #expect(sunday.map { String($0.prefix(10)) } == ["1997-08-05", "1997-08-17", "1997-08-19", "1997-08-31"])
    }

    @Test func monthlyOrdinalsAndMonthDays() throws {
        let secondMonday = try starts([
            "DTSTART:20260112T100000Z", "DURATION:PT1H", "RRULE:FREQ=MONTHLY;COUNT=4;BYDAY=2MO",
        ])
        #expect(secondMonday.map { String($0.prefix(10)) } == ["2026-01-12", "2026-02-09", "2026-03-09", "2026-04-13"])
        let lastFriday = try starts([
            "DTSTART:20260130T100000Z", "DURATION:PT1H", "RRULE:FREQ=MONTHLY;COUNT=3;BYDAY=-1FR",
        ])
        #expect(lastFriday.map { String($0.prefix(10)) } == ["2026-01-30", "2026-02-27", "2026-03-27"])
        let lastDay = try starts([
            "DTSTART:20260131T100000Z", "DURATION:PT1H", "RRULE:FREQ=MONTHLY;COUNT=3;BYMONTHDAY=-1",
        ])
        #expect(lastDay.map { String($0.prefix(10)) } == ["2026-01-31", "2026-02-28", "2026-03-31"])
        // The 31st without BYMONTHDAY: months without one are skipped, not moved.
        let thirtyFirst = try starts(["DTSTART:20260131T100000Z", "DURATION:PT1H", "RRULE:FREQ=MONTHLY;COUNT=3"])
        #expect(thirtyFirst.map { String($0.prefix(10)) } == ["2026-01-31", "2026-03-31", "2026-05-31"])
        let fridayThe13th = try starts([
            "DTSTART:20260213T100000Z", "DURATION:PT1H", "RRULE:FREQ=MONTHLY;COUNT=3;BYDAY=FR;BYMONTHDAY=13",
        ])
        #expect(fridayThe13th.map { String($0.prefix(10)) } == ["2026-02-13", "2026-03-13", "2026-11-13"])
    }

    @Test func yearlyRules() throws {
        let window = Fixtures.instant("2026-01-01T00:00:00Z")..<Fixtures.instant("2031-01-01T00:00:00Z")
        let thanksgiving = try starts(
            ["DTSTART:20261126T170000Z", "DURATION:PT3H", "RRULE:FREQ=YEARLY;COUNT=3;BYMONTH=11;BYDAY=4TH"],
            window: window)
        #expect(thanksgiving.map { String($0.prefix(10)) } == ["2026-11-26", "2027-11-25", "2028-11-23"])
        let leapDay = try starts(
            ["DTSTART;VALUE=DATE:20280229", "RRULE:FREQ=YEARLY"],
            window: Fixtures.instant("2028-01-01T00:00:00Z")..<Fixtures.instant("2037-01-01T00:00:00Z"))
        #expect(leapDay == ["2028-02-28T23:00:00Z", "2032-02-28T23:00:00Z", "2036-02-28T23:00:00Z"])
        let lastMondayOfYear = try starts(
            ["DTSTART:20261228T100000Z", "DURATION:PT1H", "RRULE:FREQ=YEARLY;COUNT=2;BYDAY=-1MO"], window: window)
        #expect(lastMondayOfYear.map { String($0.prefix(10)) } == ["2026-12-28", "2027-12-27"])
        let twiceAYear = try starts(
            ["DTSTART:20260115T100000Z", "DURATION:PT1H", "RRULE:FREQ=YEARLY;COUNT=4;BYMONTH=1,7"], window: window)
        #expect(twiceAYear.map { String($0.prefix(10)) } == ["2026-01-15", "2026-07-15", "2027-01-15", "2027-07-15"])
    }

    @Test func dailyLimitedByWeekdayAndMonth() throws {
        let result = try starts([
            "DTSTART:20260227T100000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;BYDAY=MO,FR;BYMONTH=3;COUNT=3",
        ])
        #expect(result.map { String($0.prefix(10)) } == ["2026-02-27", "2026-03-02", "2026-03-06"])
    }

    @Test func unboundedRulesStopAtTheWindowsEnd() throws {
        let window = Fixtures.instant("2026-06-01T00:00:00Z")..<Fixtures.instant("2026-06-08T00:00:00Z")
        let result = try starts(["DTSTART:20200101T100000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY"], window: window)
        #expect(result.count == 7)
        #expect(result.first == "2026-06-01T10:00:00Z")
    }

    @Test func instancesBeforeTheWindowCountAndLongOnesReachIntoIt() throws {
        let window = Fixtures.instant("2026-06-06T12:00:00Z")..<Fixtures.instant("2026-06-06T13:00:00Z")
        let weekLong = try starts(["DTSTART:20200106T000000Z", "DURATION:P6D", "RRULE:FREQ=WEEKLY"], window: window)
        #expect(weekLong == ["2026-06-01T00:00:00Z"])
        let counted = try starts(
            ["DTSTART:20260301T090000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=10"],
            window: Fixtures.instant("2026-03-08T00:00:00Z")..<Fixtures.instant("2026-04-01T00:00:00Z"))
        #expect(counted == ["2026-03-08T09:00:00Z", "2026-03-09T09:00:00Z", "2026-03-10T09:00:00Z"])
    }

    @Test func exdateRdateAndOverrides() throws {
        let text = Fixtures.calendar([
            [
                "UID:series", "DTSTART;TZID=Europe/Berlin:20260302T090000", "DURATION:PT1H",
                "RRULE:FREQ=DAILY;COUNT=5", "EXDATE;TZID=Europe/Berlin:20260303T090000,20260304T090000",
                "RDATE;TZID=Europe/Berlin:20260310T150000",
            ],
            // The instance of 5 March moves to 14:00; the one of 6 March is cancelled.
            [
                "UID:series", "RECURRENCE-ID;TZID=Europe/Berlin:20260305T090000",
                "DTSTART;TZID=Europe/Berlin:20260305T140000", "DTEND;TZID=Europe/Berlin:20260305T143000",
            ],
            [
                "UID:series", "RECURRENCE-ID:20260306T080000Z", "STATUS:CANCELLED",
                "DTSTART;TZID=Europe/Berlin:20260306T090000", "DURATION:PT1H",
            ],
        ])
        let reading = try Fixtures.read(text)
        #expect(
            Fixtures.spans(reading) == [
                "2026-03-02T08:00:00Z/2026-03-02T09:00:00Z", "2026-03-05T13:00:00Z/2026-03-05T13:30:00Z",
                "2026-03-10T14:00:00Z/2026-03-10T15:00:00Z",
            ])
    }

    @Test func anOverrideMovedIntoTheWindowFromBeyondItCounts() throws {
        let text = Fixtures.calendar([
            ["UID:s", "DTSTART:20260302T090000Z", "DURATION:PT1H", "RRULE:FREQ=WEEKLY"],
            ["UID:s", "RECURRENCE-ID:20260330T090000Z", "DTSTART:20260305T120000Z", "DURATION:PT1H"],
        ])
        let window = Fixtures.instant("2026-03-01T00:00:00Z")..<Fixtures.instant("2026-03-08T00:00:00Z")
        #expect(
            Fixtures.spans(try Fixtures.read(text, window: window)) == [
                "2026-03-02T09:00:00Z/2026-03-02T10:00:00Z", "2026-03-05T12:00:00Z/2026-03-05T13:00:00Z",
            ])
    }

    @Test func allDayRecurrenceWithDateExdate() throws {
        let result = try starts([
            "DTSTART;VALUE=DATE:20260323", "DTEND;VALUE=DATE:20260324", "RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4",
            "EXDATE;VALUE=DATE:20260325",
        ])
        // Berlin midnight is 23:00Z before 29 March and 22:00Z after.
        #expect(result == ["2026-03-22T23:00:00Z", "2026-03-29T22:00:00Z", "2026-03-31T22:00:00Z"])
    }

    @Test(arguments: [
        ("FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU", "unsupported_rule"),
        ("FREQ=DAILY;BYHOUR=9,17", "unsupported_rule"),
        ("FREQ=HOURLY", "unsupported_rule"),
        ("FREQ=WEEKLY;BYDAY=2MO", "unsupported_rule"),
        ("FREQ=WEEKLY;BYMONTHDAY=3", "unsupported_rule"),
        ("FREQ=YEARLY;BYWEEKNO=20", "unsupported_rule"),
        ("FREQ=DAILY;INTERVAL=0", "malformed_rule"),
        ("FREQ=DAILY;BYDAY=XX", "malformed_rule"),
        ("INTERVAL=2", "malformed_rule"),
        ("FREQ=DAILY;UNTIL=tomorrow", "malformed_rule"),
        ("FREQ=MONTHLY;BYMONTHDAY=-9223372036854775808", "malformed_rule"),
        ("FREQ=MONTHLY;BYDAY=-9223372036854775808MO", "malformed_rule"),
        ("FREQ=DAILY;COUNT=99999999999999999999", "malformed_rule"),
    ])
    func rulesThatAreNotExpandedAreSkippedWithAReason(rule: String, code: String) throws {
        let text = Fixtures.calendar([
            ["UID:odd", "DTSTART:20260302T090000Z", "DURATION:PT1H", "RRULE:\(rule)"],
            ["UID:odd", "RECURRENCE-ID:20260303T090000Z", "DTSTART:20260303T100000Z", "DURATION:PT1H"],
        ])
        let reading = try Fixtures.read(text)
        // The override is dropped too: alone it would be a half-read series.
        #expect(reading.busy.isEmpty)
        #expect(reading.skipped.map(\.reason.code) == [code])
    }
}
