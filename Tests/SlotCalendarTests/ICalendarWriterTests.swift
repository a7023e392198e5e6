import Foundation
import SlotCalendar
import SlotDomain
import Testing

/// The calendar text written for bookings: shape, folding, escaping, VTIMEZONE, and reading it back ourselves.
@Suite struct ICalendarWriterTests {
    static func booking(
        _ uid: String, _ start: String, minutes: Int64 = 60, zone: String = "Europe/Berlin", summary: String = "Booked",
        description: String? = nil
    ) -> BookingCalendarEvent {
        let startInstant = Fixtures.instant(start)
        return BookingCalendarEvent(
            uid: uid, start: startInstant, end: startInstant.adding(seconds: minutes * 60), zoneIdentifier: zone,
            sequence: 2, status: .confirmed, summary: summary, description: description,
            stamp: Fixtures.instant("2026-01-01T12:00:00Z"))
    }

    @Test func eventsAreWrittenInLocalTimeWithTheirZone() {
        let text = ICalendarWriter.calendar(
            [Self.booking("b-1@slotd", "2026-07-01T08:00:00Z")], productID: "-//slotd//test//EN")
        let lines = text.components(separatedBy: "\r\n")
        #expect(
            lines.prefix(4) == ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//slotd//test//EN", "CALSCALE:GREGORIAN"])
        #expect(lines.contains("DTSTART;TZID=Europe/Berlin:20260701T100000"))
        #expect(lines.contains("DTEND;TZID=Europe/Berlin:20260701T110000"))
        #expect(lines.contains("DTSTAMP:20260101T120000Z"))
        #expect(lines.contains("SEQUENCE:2") && lines.contains("STATUS:CONFIRMED") && lines.contains("UID:b-1@slotd"))
        #expect(lines.filter { $0 == "BEGIN:VTIMEZONE" }.count == 1)
        #expect(text.hasSuffix("END:VCALENDAR\r\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    }

    @Test func vtimezoneHasTheTransitionsOfTheSpan() {
        let text = ICalendarWriter.calendar(
            [Self.booking("a", "2026-02-01T08:00:00Z"), Self.booking("b", "2026-11-20T08:00:00Z")], productID: "p")
        let lines = text.components(separatedBy: "\r\n")
        // Spring 2026 (02:00 CET to 03:00 CEST) and autumn 2026 (03:00 CEST back to 02:00 CET).
        #expect(lines.contains("DTSTART:20260329T020000"))
        #expect(lines.contains("DTSTART:20261025T030000"))
        #expect(lines.contains("TZOFFSETFROM:+0100") && lines.contains("TZOFFSETTO:+0200"))
        #expect(lines.contains("BEGIN:DAYLIGHT") && lines.contains("BEGIN:STANDARD"))
    }

    @Test func aZoneWithoutTransitionsGetsOneStandardAndUTCGetsNone() {
        let kolkata = ICalendarWriter.calendar(
            [Self.booking("k", "2026-07-01T08:00:00Z", zone: "Asia/Kolkata")], productID: "p")
        let lines = kolkata.components(separatedBy: "\r\n")
        #expect(lines.filter { $0 == "BEGIN:STANDARD" }.count == 1)
        #expect(!lines.contains("BEGIN:DAYLIGHT"))
        #expect(lines.contains("TZOFFSETTO:+0530"))
        let utc = ICalendarWriter.calendar([Self.booking("u", "2026-07-01T08:00:00Z", zone: "UTC")], productID: "p")
        #expect(!utc.contains("VTIMEZONE"))
        #expect(utc.contains("\r\nDTSTART:20260701T080000Z\r\n"))
    }

    @Test func textIsEscapedAndLinesFoldAt75Octets() throws {
        let summary = "Physio; room 3, floor \\2\nbring towel " + String(repeating: "ü€", count: 40)
        let text = ICalendarWriter.calendar(
            [Self.booking("long", "2026-07-01T08:00:00Z", summary: summary, description: "a\r\nb")], productID: "p")
        for line in text.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 75, "\(line)")
        }
        #expect(text.contains("SUMMARY:Physio\\; room 3\\, floor \\\\2\\nbring towel "))
        #expect(text.contains("DESCRIPTION:a\\nb\r\n"))
        // Our own reader gets the same instants back.
        let reading = try Fixtures.read(text)
        #expect(
            reading.busy == [
                BusyInterval(
                    start: Fixtures.instant("2026-07-01T08:00:00Z"), end: Fixtures.instant("2026-07-01T09:00:00Z"),
                    uid: "long")
            ])
    }

    @Test func everyZoneReadsBackToTheSameInstants() throws {
        let zones = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC", "Etc/GMT+5"]
        var events: [BookingCalendarEvent] = []
        for (index, zone) in zones.enumerated() {
            events.append(Self.booking("z\(index)", "2026-03-29T01:15:00Z", minutes: 90, zone: zone))
            events.append(Self.booking("w\(index)", "2026-10-25T00:30:00Z", minutes: 45, zone: zone))
            // 02:30 CET, the second 02:30 of that night in Berlin.
            events.append(Self.booking("x\(index)", "2026-10-25T01:30:00Z", minutes: 20, zone: zone))
        }
        let reading = try Fixtures.read(ICalendarWriter.calendar(events, productID: "p"))
        #expect(Set(reading.busy) == Set(events.map { BusyInterval(start: $0.start, end: $0.end, uid: $0.uid) }))
    }
}
