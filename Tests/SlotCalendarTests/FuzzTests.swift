import Foundation
import SlotCalendar
import SlotDomain
import Testing

/// Random mutations of a valid calendar, from fixed seeds: reading never crashes and never exceeds its limits.
@Suite struct FuzzTests {
    static let seedText = Fixtures.calendar(
        [
            [
                "UID:series", "DTSTART;TZID=Europe/Berlin:20260302T090000", "DTEND;TZID=Europe/Berlin:20260302T100000",
                "RRULE:FREQ=MONTHLY;INTERVAL=2;BYDAY=2MO,-1FR;UNTIL=20271231T000000Z",
                "EXDATE;TZID=Europe/Berlin:20260309T090000", "RDATE:20260401T120000Z", "SUMMARY:a\\, b",
            ],
            [
                "UID:series", "RECURRENCE-ID;TZID=Europe/Berlin:20260427T090000", "DTSTART:20260428T070000Z",
                "DURATION:PT2H",
            ],
            ["UID:day", "DTSTART;VALUE=DATE:20260704", "RRULE:FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=4,-1"],
            ["UID:w", "DTSTART:20260105T080000Z", "DURATION:P1DT2H", "RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=30;WKST=SU"],
            [
                "UID:o", "DTSTART;TZID=W. Europe Standard Time:20260329T023000", "RRULE:FREQ=DAILY;COUNT=3",
                "DURATION:PT1H",
            ],
        ], extra: DefinedTimeZoneTests.outlookZone)

    static let fragments = [
        ":", ";", ",", "\"", "\r\n", "\n ", "\n\t", "BEGIN:VEVENT\r\n", "END:VEVENT\r\n", "END:VCALENDAR\r\n",
        "RRULE:FREQ=DAILY\r\n", "=", "Z", "T", "-", "99999999", "\\", "é", "\u{0}", "P", "W", "BYDAY=-5SU",
        "TZID=America/New_York", "VALUE=DATE", "FREQ=YEARLY;INTERVAL=1000", "COUNT=0",
        "-9223372036854775808", "9223372036854775807", "DURATION:P999999999W\r\n", "BYMONTHDAY=-31",
    ]

    @Test(arguments: 0..<8)
    func mutationsNeverCrash(seed: UInt64) {
        var random = SplitMix64(seed: 0x1CA1 &+ seed)
        var limits = ICalendarLimits()
        limits.expansionStepsMax = 200_000
        var accepted = 0
        for _ in 0..<250 {
            var bytes = Array(Self.seedText.utf8)
            for _ in 0...(Int(random.next() % 6)) {
                let position = Int(random.next() % UInt64(bytes.count + 1))
                switch random.next() % 4 {
                case 0 where position < bytes.count: bytes.remove(at: position)
                case 1 where position < bytes.count: bytes[position] = UInt8(truncatingIfNeeded: random.next())
                case 2:
                    let fragment = Self.fragments[Int(random.next() % UInt64(Self.fragments.count))]
                    bytes.insert(contentsOf: Array(fragment.utf8), at: position)
                default:
                    let length = Int(random.next() % 40)
                    let end = min(bytes.count, position + length)
                    bytes.insert(contentsOf: Array(bytes[position..<end]), at: position)
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let result = BusyTimes.busy(
                in: text, window: Fixtures.wideWindow, zone: Fixtures.berlin, isOwn: { $0 == "own" }, limits: limits)
            if case .success(let reading) = result {
                accepted += 1
                #expect(reading.busy.count <= limits.busyIntervalsMax)
                #expect(reading.busy.allSatisfy { $0.start < $0.end && $0.start < Fixtures.wideWindow.upperBound })
                #expect(zip(reading.busy, reading.busy.dropFirst()).allSatisfy { $0.start <= $1.start })
            }
        }
        // Most mutations leave a readable calendar; a run that refuses them all tests nothing.
        #expect(accepted > 50)
    }
}
