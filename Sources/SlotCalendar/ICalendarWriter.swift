import Foundation
import SlotDomain

/// A booking as a calendar event.
public struct BookingCalendarEvent: Hashable, Sendable {
    public enum Status: String, Hashable, Sendable {
        case confirmed = "CONFIRMED"
        case tentative = "TENTATIVE"
        case cancelled = "CANCELLED"
    }

    public var uid: String
    public var start: Instant
    public var end: Instant
    /// An IANA name (`TimeZones.isKnown`); the event's times are written in this zone's wall time.
    public var zoneIdentifier: String
    public var sequence: Int
    public var status: Status
    public var summary: String
    public var description: String?
    /// DTSTAMP: when this version of the event was written.
    public var stamp: Instant

    public init(
        uid: String, start: Instant, end: Instant, zoneIdentifier: String, sequence: Int, status: Status,
        summary: String, description: String? = nil, stamp: Instant
    ) {
        self.uid = uid
        self.start = start
        self.end = end
        self.zoneIdentifier = zoneIdentifier
        self.sequence = sequence
        self.status = status
        self.summary = summary
        self.description = description
        self.stamp = stamp
    }
}

public enum ICalendarWriter {
    /// A VCALENDAR (PRODID, VERSION:2.0, CALSCALE) with one VTIMEZONE per zone used (its transitions covering the
    /// events' span), and the events with DTSTART/DTEND;TZID=<zone> in local time. CRLF, lines folded at 75
    /// octets. Events in UTC (`UTC`, `GMT`, `Etc/UTC`, or a name Foundation does not know) are written with `Z`
    /// times and need no VTIMEZONE.
    public static func calendar(_ events: [BookingCalendarEvent], productID: String) -> String {
        var writer = ContentLineWriter()
        writer.line("BEGIN:VCALENDAR")
        writer.line("VERSION:2.0")
        writer.line("PRODID:\(ContentLineWriter.escaped(productID))")
        writer.line("CALSCALE:GREGORIAN")
        var spans: [String: ClosedRange<Instant>] = [:]
        var zoneOrder: [String] = []
        for event in events {
            guard let zone = zone(event.zoneIdentifier) else { continue }
            let span = min(event.start, event.end)...max(event.start, event.end)
            if let known = spans[zone.identifier] {
                spans[zone.identifier] = min(known.lowerBound, span.lowerBound)...max(known.upperBound, span.upperBound)
            } else {
                spans[zone.identifier] = span
                zoneOrder.append(zone.identifier)
            }
        }
        for identifier in zoneOrder {
            guard let span = spans[identifier], let zone = TimeZone(identifier: identifier) else { continue }
            TimeZoneComponent.write(zone, span: span, into: &writer)
        }
        for event in events { write(event, into: &writer) }
        writer.line("END:VCALENDAR")
        return writer.text
    }

    /// The zone to write local times in; nil for UTC and for names that are not IANA zones.
    static func zone(_ identifier: String) -> TimeZone? {
        guard TimeZones.isKnown(identifier) else { return nil }
        let zone = TimeZones.zone(identifier)
        let isUTC =
            ["UTC", "GMT", "Etc/UTC", "Etc/GMT", "Etc/Universal", "Etc/Zulu"].contains(identifier)
            || zone.identifier == "GMT"
        return isUTC ? nil : zone
    }

    private static func write(_ event: BookingCalendarEvent, into writer: inout ContentLineWriter) {
        writer.line("BEGIN:VEVENT")
        writer.line("UID:\(ContentLineWriter.escaped(event.uid))")
        writer.line("DTSTAMP:\(utc(event.stamp))")
        writer.line(time("DTSTART", event.start, event.zoneIdentifier))
        writer.line(time("DTEND", event.end, event.zoneIdentifier))
        writer.line("SEQUENCE:\(max(0, event.sequence))")
        writer.line("STATUS:\(event.status.rawValue)")
        writer.line("SUMMARY:\(ContentLineWriter.escaped(event.summary))")
        if let description = event.description {
            writer.line("DESCRIPTION:\(ContentLineWriter.escaped(description))")
        }
        writer.line("TRANSP:OPAQUE")
        writer.line("END:VEVENT")
    }

    private static func time(_ name: String, _ instant: Instant, _ zoneIdentifier: String) -> String {
        guard let zone = zone(zoneIdentifier), let local = zone.localDateTime(at: instant) else {
            return "\(name):\(utc(instant))"
        }
        // The second pass of a wall time the zone repeats has no TZID form (readers take the first): UTC says it.
        if case .ambiguous(_, let later) = zone.resolve(local), later == instant {
            return "\(name):\(utc(instant))"
        }
        return "\(name);TZID=\(zone.identifier):\(ContentLineWriter.dateTime(local))"
    }

    private static func utc(_ instant: Instant) -> String {
        let (days, secondOfDay) = CivilCalendar.split(instant.secondsSinceEpoch)
        let (year, month, day) = CivilCalendar.date(fromDays: days)
        guard
            let local = LocalDateTime(
                year: year, month: month, day: day, hour: secondOfDay / 3_600, minute: secondOfDay / 60 % 60,
                second: secondOfDay % 60)
        else { return "19700101T000000Z" }
        return ContentLineWriter.dateTime(local) + "Z"
    }
}
