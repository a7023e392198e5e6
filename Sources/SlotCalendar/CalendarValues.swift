import Foundation
import SlotDomain

/// A DATE or DATE-TIME value with the zone it is read in: its TZID's (an IANA zone or a VTIMEZONE of the text),
/// UTC for a trailing `Z`, and the resource's zone for floating times and dates.
struct TimeValue: Hashable, Sendable {
    var local: LocalDateTime
    var isDate: Bool
    var zone: CalendarZone

    var date: LocalDate { LocalDate(days: CivilCalendar.days(year: local.year, month: local.month, day: local.day)) }

    /// The instant of this wall time, RFC 5545 style: a time the zone repeats is the first of the two, and a time
    /// the zone skips is read with the offset in force before the gap, which moves it forward by the gap's length.
    var instant: Instant { CalendarValues.instant(of: local, in: zone) }
}

/// Why one event was left out, with a stable snake_case code.
public struct SkipReason: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: String
    public var detail: String

    public init(_ code: String, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(code): \(detail)" }
}

/// Parsing of the value types busy times need (RFC 5545 section 3.3).
enum CalendarValues {
    static func instant(of local: LocalDateTime, in zone: CalendarZone) -> Instant {
        switch zone.resolve(local) {
        case .exact(let instant): return instant
        case .ambiguous(let earlier, _): return earlier
        case .nonexistent:
            let wall = local.secondsAtZeroOffset
            let offsetBefore = zone.offsetSeconds(at: Instant(secondsSinceEpoch: wall - 86_400))
            return Instant(secondsSinceEpoch: wall - offsetBefore)
        }
    }

    /// The zone a TZID names: an IANA name, or one behind a path prefix some clients add
    /// (`/mozilla.org/20050126_1/Europe/Berlin`). Nil for names only a VTIMEZONE in the text may define.
    static func zone(tzid: String) -> TimeZone? {
        if TimeZones.isKnown(tzid) { return TimeZones.zone(tzid) }
        let parts = tzid.split(separator: "/").map(String.init)
        for suffixLength in [3, 2] where parts.count > suffixLength {
            let candidate = parts.suffix(suffixLength).joined(separator: "/")
            if TimeZones.isKnown(candidate) { return TimeZones.zone(candidate) }
        }
        return nil
    }

    /// Every value of a DATE / DATE-TIME property (RDATE and EXDATE may list several, comma-separated).
    static func times(_ line: ContentLine, defaultZone: CalendarZone, zones: ZoneLookup)
        -> Result<[TimeValue], SkipReason>
    {
        var zone = defaultZone
        if let tzid = line.parameter("TZID") {
            switch zones.zone(tzid: tzid) {
            case .success(let named): zone = named
            case .failure(let reason): return .failure(reason)
            }
        }
        let valueType = line.parameter("VALUE")?.uppercased()
        if valueType == "PERIOD" {
            return .failure(SkipReason("unsupported_value", "\(line.name) with VALUE=PERIOD"))
        }
        var result: [TimeValue] = []
        for text in line.value.split(separator: ",", omittingEmptySubsequences: false) {
            guard let value = time(String(text), zone: zone, utc: .utc),
                valueType != "DATE" || value.isDate
            else {
                return .failure(
                    SkipReason("malformed_value", "\(line.name) '\(text.prefix(40))' is not a date or time"))
            }
            result.append(value)
        }
        return .success(result)
    }

    /// `YYYYMMDD` or `YYYYMMDDTHHMMSS[Z]`.
    static func time(_ text: String, zone: CalendarZone, utc: CalendarZone) -> TimeValue? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8) else { return nil }
        if bytes.count == 8 {
            guard let local = LocalDateTime(year: year, month: month, day: day, hour: 0, minute: 0) else { return nil }
            return TimeValue(local: local, isDate: true, zone: zone)
        }
        guard bytes.count == 15 || (bytes.count == 16 && bytes[15] == UInt8(ascii: "Z")),
            bytes[8] == UInt8(ascii: "T"), let hour = number(9..<11), let minute = number(11..<13),
            var second = number(13..<15)
        else { return nil }
        second = min(second, 59)  // a leap second (60) is read as the second before it
        guard let local = LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        else { return nil }
        return TimeValue(local: local, isDate: false, zone: bytes.count == 16 ? utc : zone)
    }

    /// A DURATION (`P1D`, `PT1H30M`, `P2W`, `-PT15M`) as nominal days (which follow wall time) and exact seconds.
    static func duration(_ text: String) -> (days: Int, seconds: Int64)? {
        var bytes = Substring(text)
        var sign = 1
        if bytes.first == "+" || bytes.first == "-" {
            sign = bytes.first == "-" ? -1 : 1
            bytes = bytes.dropFirst()
        }
        guard bytes.first == "P" else { return nil }
        bytes = bytes.dropFirst()
        var days = 0
        var seconds: Int64 = 0
        var inTime = false
        var digits = ""
        var sawUnit = false
        for character in bytes {
            if character.isASCII, character.isNumber {
                guard digits.count < 9 else { return nil }
                digits.append(character)
                continue
            }
            if character == "T" {
                guard !inTime, digits.isEmpty else { return nil }
                inTime = true
                continue
            }
            guard let value = Int(digits) else { return nil }
            digits = ""
            sawUnit = true
            switch (character, inTime) {
            case ("W", false): days += value * 7
            case ("D", false): days += value
            case ("H", true): seconds += Int64(value) * 3_600
            case ("M", true): seconds += Int64(value) * 60
            case ("S", true): seconds += Int64(value)
            default: return nil
            }
        }
        guard sawUnit, digits.isEmpty else { return nil }
        return (days * sign, seconds * Int64(sign))
    }

    /// TEXT with its escapes undone: `\\`, `\;`, `\,`, `\n` / `\N`.
    static func unescapedText(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var result = ""
        var escaping = false
        for character in text {
            if escaping {
                result.append(character == "n" || character == "N" ? "\n" : character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                result.append(character)
            }
        }
        return result
    }
}
