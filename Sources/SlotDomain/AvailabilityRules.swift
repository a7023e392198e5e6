/// A stretch of a local day, `[startMinute, endMinute)` in minutes after local midnight (0…1440).
public struct LocalInterval: Hashable, Sendable, Comparable {
    public var startMinute: Int
    public var endMinute: Int

    public init?(startMinute: Int, endMinute: Int) {
        guard 0 <= startMinute, startMinute < endMinute, endMinute <= 1_440 else { return nil }
        self.startMinute = startMinute
        self.endMinute = endMinute
    }

    public func contains(minute: Int) -> Bool { startMinute <= minute && minute < endMinute }

    public static func < (lhs: LocalInterval, rhs: LocalInterval) -> Bool {
        (lhs.startMinute, lhs.endMinute) < (rhs.startMinute, rhs.endMinute)
    }
}

/// A calendar date in a resource's zone, as days since 1970-01-01.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var days: Int64

    public init(days: Int64) { self.days = days }

    public init?(year: Int, month: Int, day: Int) {
        guard CivilCalendar.writtenYears.contains(year), (1...12).contains(month),
            (1...CivilCalendar.daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        days = CivilCalendar.days(year: year, month: month, day: day)
    }

    /// 0 = Monday … 6 = Sunday.
    public var weekday: Int { CivilCalendar.weekday(fromDays: days) }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool { lhs.days < rhs.days }

    /// Whether the date's year is one slotd writes and accepts (0001–9999).
    public var hasFourDigitYear: Bool { CivilCalendar.writtenYears.contains(CivilCalendar.date(fromDays: days).year) }

    /// `YYYY-MM-DD`, the form `date` fields accept (`0987-01-01`, never `987-01-01`).
    public var description: String {
        let (year, month, day) = CivilCalendar.date(fromDays: days)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(CivilCalendar.yearText(year))-\(two(month))-\(two(day))"
    }
}

/// Opening hours per weekday (index 0 = Monday). A day with no intervals is closed.
public struct WeeklyHours: Hashable, Sendable {
    public var days: [[LocalInterval]]

    /// `days` must have seven entries; intervals are sorted and must not overlap.
    public init?(days: [[LocalInterval]]) {
        guard days.count == 7 else { return nil }
        let sorted = days.map { $0.sorted() }
        for day in sorted where zip(day, day.dropFirst()).contains(where: { $0.endMinute > $1.startMinute }) {
            return nil
        }
        self.days = sorted
    }
}

/// One date's exception to the weekly hours: closed all day, or open at other hours.
public enum DayOverride: Hashable, Sendable {
    case closed
    case hours([LocalInterval])
}

/// A one-off busy range (time imported from an external calendar, a meeting), with a label.
public struct Block: Hashable, Sendable {
    public var id: UInt64
    public var range: TimeRange
    public var label: String

    public init(id: UInt64, range: TimeRange, label: String) {
        self.id = id
        self.range = range
        self.label = label
    }
}

/// The layers that decide when a resource may be booked, on top of slots, buffers and capacity. A booking must
/// pass every layer: the availability is their intersection.
public struct AvailabilityRules: Hashable, Sendable {
    /// Nil: open around the clock (only overrides close it).
    public var weeklyHours: WeeklyHours?
    public var overrides: [LocalDate: DayOverride] = [:]
    public var blocks: [UInt64: Block] = [:]
    public var lastBlockID: UInt64 = 0
    /// A booking must start at least this long after now.
    public var minNoticeMinutes = 0
    /// At most this many active bookings may start on one local date (nil: no limit).
    public var maxBookingsPerDay: Int?

    public init() {}

    /// The hours that apply on `date`: its override, else its weekday's hours; nil means open all day.
    public func hours(on date: LocalDate) -> (intervals: [LocalInterval]?, overridden: Bool) {
        switch overrides[date] {
        case .closed: return ([], true)
        case .hours(let intervals): return (intervals, true)
        case nil: return (weeklyHours.map { $0.days[date.weekday] }, false)
        }
    }
}

/// A change of one rule layer: what the journal stores and replay applies.
public enum RuleChange: Hashable, Sendable {
    case weeklyHours(WeeklyHours?)
    case override(LocalDate, DayOverride?)
    case addBlock(Block)
    case removeBlock(UInt64)
    case limits(minNoticeMinutes: Int, maxBookingsPerDay: Int?)
}

/// A client's request to change one rule layer; the actor turns it into a `RuleChange` (numbering blocks,
/// filling in the limits it leaves unchanged).
public enum RuleRequest: Hashable, Sendable {
    case weeklyHours(WeeklyHours?)
    case override(LocalDate, DayOverride?)
    case addBlock(TimeRange, label: String)
    case removeBlock(UInt64)
    /// Nil leaves a limit as it is; a `maxBookingsPerDay` of 0 removes the limit.
    case limits(minNoticeMinutes: Int?, maxBookingsPerDay: Int?)
}
