import Foundation
import SlotCalendar
import SlotDomain
import Testing

/// Independent parsers as oracles (scripts/ical-oracle.py): the `icalendar` package reads what the writer wrote,
/// and `recurring-ical-events` expands what the reader expands. Both are installed by `.ci/run`.
@Suite struct OracleTests {
    struct ReadBack: Decodable {
        struct Event: Decodable {
            var uid: String
            var start: Int64
            var end: Int64
            var tzid: String
            var zoneKey: String
            var sequence: Int
            var status: String
            var summary: String
            var description: String
        }
        var events: [Event]
        var timezones: [String]
    }

    @Test func icalendarReadsTheWritersOutput() throws {
        var events: [BookingCalendarEvent] = []
        let zones = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]
        for (index, zone) in zones.enumerated() {
            for start in [
                "2026-03-29T01:15:00Z", "2026-10-25T01:30:00Z", "2026-11-01T06:30:00Z", "2027-01-15T09:00:00Z",
            ] {
                let startInstant = Fixtures.instant(start)
                events.append(
                    BookingCalendarEvent(
                        uid: "booking-\(index)-\(events.count)@slotd", start: startInstant,
                        end: startInstant.adding(seconds: 3_600), zoneIdentifier: zone, sequence: events.count,
                        status: events.count % 3 == 0 ? .tentative : .confirmed,
                        summary: "Appointment; room 2, \\ \(String(repeating: "long ", count: 20))",
                        description: "line one\nline two", stamp: Fixtures.instant("2026-01-01T00:00:00Z")))
            }
        }
        let text = ICalendarWriter.calendar(events, productID: "-//slotd//oracle//EN")
        let readBack = try JSONDecoder().decode(ReadBack.self, from: PythonOracle.run(["readback"], calendar: text))
        #expect(readBack.timezones == ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata"])
        #expect(readBack.events.count == events.count)
        for (written, read) in zip(events, readBack.events) {
            #expect(read.uid == written.uid)
            #expect(read.start == written.start.secondsSinceEpoch, "\(written.uid)")
            #expect(read.end == written.end.secondsSinceEpoch, "\(written.uid)")
            #expect(read.sequence == written.sequence)
            #expect(read.status == written.status.rawValue)
            #expect(read.summary == written.summary)
            #expect(read.description == "line one\nline two")
            if written.zoneIdentifier == "UTC" {
                #expect(read.tzid == "")
            } else if read.tzid != "" {
                #expect(read.tzid == written.zoneIdentifier)
                #expect(read.zoneKey == written.zoneIdentifier)
            } else {
                // Only the later pass of a repeated wall time is written in UTC (Berlin's 25 October and New
                // York's 1 November here).
                let zone = TimeZone(identifier: written.zoneIdentifier)!
                let resolution = zone.localDateTime(at: written.start).map { zone.resolve($0) }
                #expect(resolution == .ambiguous(earlier: written.start.adding(seconds: -3_600), later: written.start))
            }
        }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func expansionMatchesRecurringICalEvents(seed: UInt64) throws {
        var random = SplitMix64(seed: 0xCA1E_0000 &+ seed)
        let events = (0..<30).map { RecurringEventGenerator.event(number: $0, random: &random) }
        let text = Fixtures.calendar(events)
        let window = Fixtures.instant("2026-02-01T00:00:00Z")..<Fixtures.instant("2027-06-01T00:00:00Z")
        let reading = try Fixtures.read(text, window: window)
        #expect(reading.skipped.isEmpty, "\(reading.skipped)")
        let output = try PythonOracle.run(
            ["expand", String(window.lowerBound.secondsSinceEpoch), String(window.upperBound.secondsSinceEpoch)],
            calendar: text)
        let expected = try JSONDecoder().decode([[Expanded]].self, from: output).map { row in
            "\(row[0].text) \(row[1].number) \(row[2].number)"
        }
        let ours = reading.busy.map { "\($0.uid) \($0.start.secondsSinceEpoch) \($0.end.secondsSinceEpoch)" }
        #expect(ours.count > 300)
        #expect(Set(ours).subtracting(expected).sorted() == [], "only ours")
        #expect(Set(expected).subtracting(ours).sorted() == [], "only theirs")
        #expect(ours.count == expected.count)
    }

    /// A JSON array entry of either kind.
    enum Expanded: Decodable {
        case text(String)
        case number(Int64)

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Int64.self) {
                self = .number(value)
            } else {
                self = .text(try container.decode(String.self))
            }
        }

        var text: String { if case .text(let value) = self { value } else { "" } }
        var number: Int64 { if case .number(let value) = self { value } else { 0 } }
    }
}

/// Recurring events across DST in three zones, from a seed: every rule kind the reader expands, each DTSTART one
/// of its rule's own dates, times of day away from the night-time transitions, and EXDATEs on some instances.
enum RecurringEventGenerator {
    static let zones = ["Europe/Berlin", "America/New_York", "Australia/Sydney"]
    static let weekdayCodes = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

    static func event(number: Int, random: inout SplitMix64) -> [String] {
        let zone = zones[Int(random.next() % 3)]
        let firstDays = CivilCalendar.days(year: 2026, month: 1, day: 5) + Int64(random.next() % 330)
        let (year, month, day) = CivilCalendar.date(fromDays: firstDays)
        let hour = 8 + Int(random.next() % 11)
        let minute = [0, 15, 30, 45][Int(random.next() % 4)]
        let start = LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute)!
        let weekday = CivilCalendar.weekday(fromDays: firstDays)
        let ordinal = (day - 1) / 7 + 1
        let rules = [
            "FREQ=DAILY;INTERVAL=\(1 + random.next() % 3);COUNT=\(5 + random.next() % 40)",
            "FREQ=WEEKLY;BYDAY=\(weekdayCodes[weekday]),\(weekdayCodes[(weekday + 2) % 7]);UNTIL=20270301T000000Z",
            "FREQ=WEEKLY;INTERVAL=2;WKST=SU",
            "FREQ=MONTHLY;BYDAY=\(ordinal <= 4 ? ordinal : -1)\(weekdayCodes[weekday]);COUNT=12",
            "FREQ=MONTHLY;BYMONTHDAY=\(day);INTERVAL=\(1 + random.next() % 2)",
            "FREQ=YEARLY;BYMONTH=\(month);BYDAY=\(ordinal <= 4 ? ordinal : -1)\(weekdayCodes[weekday])",
            "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR,SA,SU;COUNT=20",
        ]
        // A fifth weekday is always the month's last: written as -1.
        let ruleIndex = Int(random.next() % UInt64(rules.count))
        let minutes = [30, 45, 60, 90, 120][Int(random.next() % 5)]
        let end = LocalDateTime(year: year, month: month, day: day, hour: hour + minutes / 60, minute: minute)!
        var lines = [
            "UID:gen-\(number)@oracle", "DTSTAMP:20260101T000000Z",
            "DTSTART;TZID=\(zone):\(text(start))", "SUMMARY:event \(number)",
        ]
        // An end a whole number of hours plus the start's minutes, or a DURATION: both kinds are read.
        lines.append(
            minutes % 60 == 0 ? "DTEND;TZID=\(zone):\(text(end))" : "DURATION:PT\(minutes)M")
        lines.append("RRULE:\(rules[ruleIndex])")
        for _ in 0..<Int(random.next() % 3) {
            let weeks = Int64(1 + random.next() % 10)
            let (exYear, exMonth, exDay) = CivilCalendar.date(fromDays: firstDays + 7 * weeks)
            let excluded = LocalDateTime(year: exYear, month: exMonth, day: exDay, hour: hour, minute: minute)!
            lines.append("EXDATE;TZID=\(zone):\(text(excluded))")
        }
        return lines
    }

    static func text(_ local: LocalDateTime) -> String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(local.year)\(two(local.month))\(two(local.day))T\(two(local.hour))\(two(local.minute))00"
    }
}
