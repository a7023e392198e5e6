import Foundation
import SlotDomain

/// The zone a time is read in: an IANA zone from Foundation, or one only a VTIMEZONE in the text defines (Outlook's
/// `W. Europe Standard Time`), read from its own STANDARD and DAYLIGHT observances.
enum CalendarZone: Hashable, Sendable, UTCOffsetRules {
    case system(TimeZone)
    case defined(DefinedTimeZone)

    static let utc = CalendarZone.system(TimeZones.zone("UTC"))

    func offsetSeconds(at instant: Instant) -> Int64 {
        switch self {
        case .system(let zone): zone.offsetSeconds(at: instant)
        case .defined(let zone): zone.offsetSeconds(at: instant)
        }
    }
}

/// A VTIMEZONE's observances as a table of transitions, from the earliest onset to a year past the window.
struct DefinedTimeZone: Hashable, Sendable {
    struct Transition: Hashable, Sendable {
        var instant: Instant
        var offsetAfter: Int64
    }

    var tzid: String
    /// The offset before the first transition: that observance's TZOFFSETFROM.
    var initialOffset: Int64
    /// Sorted by instant.
    var transitions: [Transition]

    func offsetSeconds(at instant: Instant) -> Int64 {
        var low = 0
        var high = transitions.count
        while low < high {
            let middle = (low + high) / 2
            if transitions[middle].instant <= instant { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? initialOffset : transitions[low - 1].offsetAfter
    }

    /// Reads a VTIMEZONE. Each STANDARD or DAYLIGHT observance starts at its DTSTART (a wall time at its
    /// TZOFFSETFROM) and again at each RRULE and RDATE date, up to `windowEnd` plus a year. Its recurrence steps
    /// count in `steps`, the text's shared budget.
    static func read(_ component: Component, windowEnd: Instant, limits: ICalendarLimits, steps: inout Int)
        -> Result<DefinedTimeZone, SkipReason>
    {
        let tzid = component.first("TZID")?.value ?? ""
        var transitions: [Transition] = []
        var earliest: (instant: Instant, offsetFrom: Int64)?
        let horizon = windowEnd.adding(seconds: 366 * 86_400)
        for observance in component.children where ["STANDARD", "DAYLIGHT"].contains(observance.name) {
            guard let fromText = observance.first("TZOFFSETFROM")?.value, let from = offset(fromText),
                let toText = observance.first("TZOFFSETTO")?.value, let to = offset(toText),
                let startText = observance.first("DTSTART")?.value
            else { return .failure(malformed(tzid)) }
            let fixed = CalendarZone.system(TimeZone(secondsFromGMT: Int(from)) ?? TimeZones.zone("UTC"))
            guard let start = CalendarValues.time(startText, zone: fixed, utc: .utc), !start.isDate else {
                return .failure(malformed(tzid))
            }
            var onsets = CalendarEvent(uid: tzid, start: start, length: EventLength(days: 0, seconds: 0), isFree: false)
            for ruleLine in observance.all("RRULE") {
                switch RecurrenceRule.parse(ruleLine.value) {
                case .success(let rule) where onsets.rule == nil: onsets.rule = rule
                case .success: return .failure(malformed(tzid))
                case .failure(let reason): return .failure(reason)
                }
            }
            for line in observance.all("RDATE") {
                switch CalendarValues.times(line, defaultZone: fixed, zones: .ianaOnly) {
                case .success(let values): onsets.extraStarts += values
                case .failure(let reason): return .failure(reason)
                }
            }
            switch RecurrenceExpansion.starts(of: onsets, windowEnd: horizon, limits: limits, steps: &steps) {
            case .success(let starts):
                for onset in starts.map(\.instant) {
                    transitions.append(Transition(instant: onset, offsetAfter: to))
                    if earliest.map({ onset < $0.instant }) ?? true { earliest = (onset, from) }
                }
            case .failure(.skip(let reason)): return .failure(reason)
            case .failure(.budgetExhausted): return .failure(SkipReason("too_many_occurrences", "VTIMEZONE \(tzid)"))
            }
            guard transitions.count <= limits.timeZoneTransitionsMax else {
                return .failure(SkipReason("too_many_occurrences", "VTIMEZONE \(tzid.prefix(64)) has too many onsets"))
            }
        }
        guard let earliest else { return .failure(malformed(tzid)) }
        transitions.sort { $0.instant < $1.instant }
        return .success(DefinedTimeZone(tzid: tzid, initialOffset: earliest.offsetFrom, transitions: transitions))
    }

    private static func malformed(_ tzid: String) -> SkipReason {
        SkipReason("malformed_time_zone", "VTIMEZONE '\(tzid.prefix(64))' cannot be read")
    }

    /// `+HHMM` or `-HHMMSS` as seconds east of UTC.
    static func offset(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 5 || bytes.count == 7, bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-"),
            bytes.dropFirst().allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
        else { return nil }
        let digits = bytes.dropFirst().map { Int64($0 - 0x30) }
        let hours = digits[0] * 10 + digits[1]
        let minutes = digits[2] * 10 + digits[3]
        let seconds = digits.count == 6 ? digits[4] * 10 + digits[5] : 0
        guard hours < 24, minutes < 60, seconds < 60 else { return nil }
        let magnitude = hours * 3_600 + minutes * 60 + seconds
        return bytes[0] == UInt8(ascii: "-") ? -magnitude : magnitude
    }
}

/// How TZIDs resolve within one VCALENDAR: IANA names first, then the VTIMEZONEs it defines.
struct ZoneLookup: Sendable {
    var defined: [String: Result<DefinedTimeZone, SkipReason>] = [:]

    static let ianaOnly = ZoneLookup()

    func zone(tzid: String) -> Result<CalendarZone, SkipReason> {
        if let zone = CalendarValues.zone(tzid: tzid) { return .success(.system(zone)) }
        switch defined[tzid] {
        case .success(let zone): return .success(.defined(zone))
        case .failure(let reason): return .failure(reason)
        case nil:
            return .failure(
                SkipReason("unknown_time_zone", "TZID '\(tzid.prefix(64))' is neither an IANA zone nor a VTIMEZONE"))
        }
    }
}
