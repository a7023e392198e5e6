import Foundation
import SlotDomain

/// A VTIMEZONE for an IANA zone, from Foundation's zone data: one STANDARD or DAYLIGHT observance for the offset
/// in force a year before the span, then one per transition until the span's end. Each observance is a single
/// onset (no RRULE), which every reader understands and which is exact for past rule changes.
enum TimeZoneComponent {
    /// Transitions over many decades would make the text long for no reader's benefit; a booking span that long
    /// is not a real one.
    static let transitionsMax = 400

    static func write(_ zone: TimeZone, span: ClosedRange<Instant>, into writer: inout ContentLineWriter) {
        let begin = span.lowerBound.adding(seconds: -366 * 86_400)
        writer.line("BEGIN:VTIMEZONE")
        writer.line("TZID:\(zone.identifier)")
        let initialOffset = zone.offsetSeconds(at: begin)
        observance(
            zone, onset: begin, from: initialOffset, to: initialOffset,
            daylight: zone.isDaylightSavingTime(for: date(begin)), into: &writer)
        var cursor = date(begin)
        var written = 0
        while written < transitionsMax, let next = zone.nextDaylightSavingTimeTransition(after: cursor),
            next <= date(span.upperBound)
        {
            let onset = Instant(secondsSinceEpoch: Int64(next.timeIntervalSince1970.rounded()))
            observance(
                zone, onset: onset, from: zone.offsetSeconds(at: onset.adding(seconds: -1)),
                to: zone.offsetSeconds(at: onset), daylight: zone.isDaylightSavingTime(for: next), into: &writer)
            cursor = next
            written += 1
        }
        writer.line("END:VTIMEZONE")
    }

    /// RFC 5545 writes an observance's DTSTART in the wall time before it begins (at TZOFFSETFROM).
    private static func observance(
        _ zone: TimeZone, onset: Instant, from: Int64, to: Int64, daylight: Bool, into writer: inout ContentLineWriter
    ) {
        let kind = daylight ? "DAYLIGHT" : "STANDARD"
        let (days, secondOfDay) = CivilCalendar.split(onset.secondsSinceEpoch + from)
        let (year, month, day) = CivilCalendar.date(fromDays: days)
        guard
            let local = LocalDateTime(
                year: year, month: month, day: day, hour: secondOfDay / 3_600, minute: secondOfDay / 60 % 60,
                second: secondOfDay % 60)
        else { return }
        writer.line("BEGIN:\(kind)")
        writer.line("DTSTART:\(ContentLineWriter.dateTime(local))")
        writer.line("TZOFFSETFROM:\(ContentLineWriter.offset(from))")
        writer.line("TZOFFSETTO:\(ContentLineWriter.offset(to))")
        if let name = zone.abbreviation(for: date(onset)), !name.isEmpty {
            writer.line("TZNAME:\(ContentLineWriter.escaped(name))")
        }
        writer.line("END:\(kind)")
    }

    private static func date(_ instant: Instant) -> Date {
        Date(timeIntervalSince1970: Double(instant.secondsSinceEpoch))
    }
}
