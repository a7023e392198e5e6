import Foundation
import SlotDomain

/// How long each instance lasts: nominal days, which follow wall time (an all-day event, `DURATION:P1D`), then
/// exact seconds (`DTEND` with a time, `PT1H`).
struct EventLength: Hashable, Sendable {
    var days: Int
    var seconds: Int64
}

/// A VEVENT as far as busy time is concerned.
struct CalendarEvent: Hashable, Sendable {
    var uid: String
    var start: TimeValue
    var length: EventLength
    var rule: RecurrenceRule?
    var extraStarts: [TimeValue] = []
    var excludedStarts: [TimeValue] = []
    /// Set on an override of one instance: the start the instance had before it was moved.
    var recurrenceID: TimeValue?
    /// TRANSP:TRANSPARENT or STATUS:CANCELLED: the event does not take time.
    var isFree: Bool

    /// Reads a VEVENT; a reason when it cannot be read exactly.
    static func read(_ component: Component, defaultZone: CalendarZone, zones: ZoneLookup, limits: ICalendarLimits)
        -> Result<CalendarEvent, SkipReason>
    {
        let uid = component.first("UID").map { CalendarValues.unescapedText($0.value) } ?? ""
        guard let startLine = component.first("DTSTART") else {
            return .failure(SkipReason("missing_start", "the event has no DTSTART"))
        }
        let start: TimeValue
        switch single(startLine, defaultZone: defaultZone, zones: zones) {
        case .success(let value): start = value
        case .failure(let reason): return .failure(reason)
        }
        let length: EventLength
        switch readLength(component, start: start, zones: zones) {
        case .success(let value): length = value
        case .failure(let reason): return .failure(reason)
        }
        let transparent = component.first("TRANSP")?.value.uppercased() == "TRANSPARENT"
        let cancelled = component.first("STATUS")?.value.uppercased() == "CANCELLED"
        var event = CalendarEvent(uid: uid, start: start, length: length, isFree: transparent || cancelled)
        let rules = component.all("RRULE")
        if rules.count > 1 { return .failure(SkipReason("unsupported_rule", "more than one RRULE")) }
        if let ruleLine = rules.first {
            switch RecurrenceRule.parse(ruleLine.value) {
            case .success(let rule): event.rule = rule
            case .failure(let reason): return .failure(reason)
            }
        }
        if !component.all("EXRULE").isEmpty { return .failure(SkipReason("unsupported_rule", "EXRULE")) }
        if let idLine = component.first("RECURRENCE-ID") {
            if idLine.parameter("RANGE")?.uppercased() == "THISANDFUTURE" {
                return .failure(SkipReason("unsupported_rule", "RECURRENCE-ID with RANGE=THISANDFUTURE"))
            }
            switch single(idLine, defaultZone: start.zone, zones: zones) {
            case .success(let value): event.recurrenceID = value
            case .failure(let reason): return .failure(reason)
            }
        }
        for (name, keyPath) in [("RDATE", \CalendarEvent.extraStarts), ("EXDATE", \CalendarEvent.excludedStarts)] {
            for line in component.all(name) {
                switch CalendarValues.times(line, defaultZone: start.zone, zones: zones) {
                case .success(let values): event[keyPath: keyPath].append(contentsOf: values)
                case .failure(let reason): return .failure(reason)
                }
            }
        }
        guard event.extraStarts.count + event.excludedStarts.count <= limits.listedDatesPerEventMax else {
            return .failure(
                SkipReason("too_many_dates", "more than \(limits.listedDatesPerEventMax) RDATE and EXDATE values"))
        }
        return .success(event)
    }

    private static func single(_ line: ContentLine, defaultZone: CalendarZone, zones: ZoneLookup)
        -> Result<TimeValue, SkipReason>
    {
        CalendarValues.times(line, defaultZone: defaultZone, zones: zones).flatMap { values in
            values.count == 1
                ? .success(values[0]) : .failure(SkipReason("malformed_value", "\(line.name) holds several values"))
        }
    }

    /// DTEND, else DURATION, else RFC 5545's defaults: one day for a date, nothing for a date-time.
    private static func readLength(_ component: Component, start: TimeValue, zones: ZoneLookup)
        -> Result<EventLength, SkipReason>
    {
        if let endLine = component.first("DTEND") {
            guard component.first("DURATION") == nil else {
                return .failure(SkipReason("malformed_value", "both DTEND and DURATION"))
            }
            return single(endLine, defaultZone: start.zone, zones: zones).flatMap { end in
                guard end.isDate == start.isDate else {
                    return .failure(SkipReason("malformed_value", "DTSTART and DTEND are not both dates or both times"))
                }
                return start.isDate
                    ? .success(EventLength(days: Int(end.date.days - start.date.days), seconds: 0))
                    : .success(EventLength(days: 0, seconds: end.instant.seconds(since: start.instant)))
            }
        }
        if let durationLine = component.first("DURATION") {
            guard let (days, seconds) = CalendarValues.duration(durationLine.value) else {
                return .failure(SkipReason("malformed_value", "DURATION '\(durationLine.value.prefix(40))'"))
            }
            return .success(EventLength(days: days, seconds: seconds))
        }
        return .success(EventLength(days: start.isDate ? 1 : 0, seconds: 0))
    }

    /// The instants an instance starting at the wall time `startLocal` (in `zone`) occupies.
    func range(startingAt startLocal: LocalDateTime, in zone: CalendarZone) -> TimeRange? {
        let start = CalendarValues.instant(of: startLocal, in: zone)
        guard length.days != 0 else { return TimeRange(start: start, end: start.adding(seconds: length.seconds)) }
        let (year, month, day) = CivilCalendar.date(
            fromDays: CivilCalendar.days(year: startLocal.year, month: startLocal.month, day: startLocal.day)
                + Int64(length.days))
        guard
            let endLocal = LocalDateTime(
                year: year, month: month, day: day, hour: startLocal.hour, minute: startLocal.minute,
                second: startLocal.second)
        else { return nil }
        return TimeRange(
            start: start, end: CalendarValues.instant(of: endLocal, in: zone).adding(seconds: length.seconds))
    }
}
