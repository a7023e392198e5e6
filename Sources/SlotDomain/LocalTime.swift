import Foundation

/// Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01), after H. Hinnant's
/// civil-date algorithms. Used for UTC formatting and for local dates once an offset is applied.
public enum CivilCalendar {
    public static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * Int64(month > 2 ? month - 3 : month + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public static func date(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        return (Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0), month, day)
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Seconds since 1970-01-01 (UTC, or a wall time read at offset zero) as a day number and the second within
    /// that day, rounding towards the past for instants before 1970.
    public static func split(_ seconds: Int64) -> (days: Int64, secondOfDay: Int) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        return (days, Int(seconds - days * 86_400))
    }

    /// The years every date slotd accepts or writes falls in: four digits, as RFC 3339 and ISO 8601 dates have.
    public static let writtenYears = 1...9_999

    /// A year as dates are written: four digits, zero-padded (`0987`). A year outside 0…9999, which only a date
    /// computed past either end of the calendar can have, takes a sign and at least four digits as ISO 8601's
    /// expanded form does (`+10000`, `-0001`), so no text is ever mistaken for a date slotd accepts.
    public static func yearText(_ year: Int) -> String {
        let digits = String(year.magnitude)
        let padded = String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        switch year {
        case 0...9_999: return padded
        case ..<0: return "-" + padded
        default: return "+" + padded
        }
    }

    /// 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
    public static func weekday(fromDays days: Int64) -> Int {
        Int(((days % 7) + 7 + 3) % 7)
    }
}

/// A wall-clock date and time with no zone attached, as a person writes it: `2026-03-29T02:30`.
public struct LocalDateTime: Hashable, Sendable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int

    /// Nil when a field is out of range (no 30 February, no 24:00).
    public init?(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int = 0) {
        guard CivilCalendar.writtenYears.contains(year), (1...12).contains(month),
            (1...CivilCalendar.daysInMonth(year: year, month: month)).contains(day), (0...23).contains(hour),
            (0...59).contains(minute), (0...59).contains(second)
        else { return nil }
        (self.year, self.month, self.day, self.hour, self.minute, self.second) = (
            year, month, day, hour, minute, second
        )
    }

    /// The wall time read as if it were UTC: the instant it would be at offset zero.
    public var secondsAtZeroOffset: Int64 {
        CivilCalendar.days(year: year, month: month, day: day) * 86_400 + Int64(hour * 3_600 + minute * 60 + second)
    }

    public var description: String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(CivilCalendar.yearText(year))-\(two(month))-\(two(day))T\(two(hour)):\(two(minute)):\(two(second))"
    }
}

/// What a wall time means in a zone: one instant, none (it falls in a spring-forward gap), or two (it happens
/// twice when clocks fall back).
public enum LocalTimeResolution: Hashable, Sendable {
    case exact(Instant)
    case nonexistent
    case ambiguous(earlier: Instant, later: Instant)
}

/// A zone as a function from instants to UTC offsets: Foundation's IANA zones, and the zones an iCalendar text
/// defines for itself. What a wall time means follows from that function alone (`resolve`).
public protocol UTCOffsetRules {
    /// The offset from UTC at `instant`, in seconds (DST included).
    func offsetSeconds(at instant: Instant) -> Int64
}

extension UTCOffsetRules {
    /// Every instant whose wall time in this zone is `local`. Candidates come from the offsets in force a day
    /// either side; an instant counts only if the zone itself maps it back to `local`, so the zone's own data
    /// decides, with no offset arithmetic of ours.
    public func resolve(_ local: LocalDateTime) -> LocalTimeResolution {
        let wall = local.secondsAtZeroOffset
        let offsets = Set([-86_400, 0, 86_400].map { offsetSeconds(at: Instant(secondsSinceEpoch: wall + Int64($0))) })
        let matches = offsets.map { Instant(secondsSinceEpoch: wall - $0) }
            .filter { offsetSeconds(at: $0) + $0.secondsSinceEpoch == wall }
            .sorted()
        switch matches.count {
        case 0: return .nonexistent
        case 1: return .exact(matches[0])
        default: return .ambiguous(earlier: matches[0], later: matches[matches.count - 1])
        }
    }
}

extension TimeZone: UTCOffsetRules {
    /// The zone's offset from UTC at `instant`, in seconds (DST included), from Foundation's IANA data.
    public func offsetSeconds(at instant: Instant) -> Int64 {
        Int64(secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant.secondsSinceEpoch))))
    }

    /// The wall time of `instant` in this zone; nil when it falls outside years 0001–9999, which an instant near
    /// either end of that range does in a zone west (or east) of UTC.
    public func localDateTime(at instant: Instant) -> LocalDateTime? {
        let (days, secondOfDay) = CivilCalendar.split(instant.secondsSinceEpoch + offsetSeconds(at: instant))
        let (year, month, day) = CivilCalendar.date(fromDays: days)
        return LocalDateTime(
            year: year, month: month, day: day, hour: secondOfDay / 3_600, minute: secondOfDay / 60 % 60,
            second: secondOfDay % 60)
    }
}
