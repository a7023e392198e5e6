import Foundation

/// A recurrence rule for `book_series`: every `interval` days, or every `interval` weeks on `weekdays`, for
/// `count` occurrences or until the local date `until` (inclusive). Occurrences are generated in wall time in
/// the series' zone, so a 10:00 appointment stays at 10:00 across DST changes, as in RFC 5545.
public struct Recurrence: Hashable, Sendable {
    public enum Frequency: String, Hashable, Sendable {
        case daily
        case weekly
    }

    public var frequency: Frequency
    public var interval: Int
    /// Weekly only: 0 = Monday … 6 = Sunday. Nil: the first occurrence's weekday.
    public var weekdays: Set<Int>?
    public var count: Int?
    public var until: LocalDate?

    public init(frequency: Frequency, interval: Int = 1, weekdays: Set<Int>? = nil, count: Int?, until: LocalDate?) {
        self.frequency = frequency
        self.interval = interval
        self.weekdays = weekdays
        self.count = count
        self.until = until
    }

    /// The local dates the rule yields, starting at `first` (which is always the first one), at most `maximum`
    /// of them; nil when there would be more (the caller refuses such a series).
    public func dates(from first: LocalDate, maximum: Int) -> [LocalDate]? {
        precondition(
            interval >= 1 && (count != nil || until != nil) && weekdays?.isEmpty != true,
            "recurrence validated at the edge")
        var dates: [LocalDate] = []
        func wanted(_ date: LocalDate) -> Bool? {
            if let until, date > until { return nil }
            if let count, dates.count >= count { return nil }
            return true
        }
        switch frequency {
        case .daily:
            var date = first
            while wanted(date) != nil {
                dates.append(date)
                if dates.count > maximum { return nil }
                date = LocalDate(days: date.days + Int64(interval))
            }
        case .weekly:
            let days = (weekdays ?? [first.weekday]).sorted()
            var weekStart = first.days - Int64(first.weekday)  // the Monday of the first week
            outer: while true {
                for weekday in days {
                    let date = LocalDate(days: weekStart + Int64(weekday))
                    guard date >= first else { continue }
                    guard wanted(date) != nil else { break outer }
                    dates.append(date)
                    if dates.count > maximum { return nil }
                }
                weekStart += 7 * Int64(interval)
            }
        }
        return dates
    }
}

/// One occurrence of a series in wall time, resolved in its zone: the instants, or why it has none.
public struct Occurrence: Hashable, Sendable {
    public var date: LocalDate
    public var range: Result<TimeRange, Rejection>
}

extension Recurrence {
    /// Expands a series whose first occurrence is `first` into one occurrence per date, each keeping the first
    /// one's wall-clock start and end in `zone`. A wall time the zone skips on that date (a spring-forward gap)
    /// gives a `nonexistent_local_time` occurrence; one it repeats takes the earlier instant, as RFC 5545 does.
    /// Refused whole with `range_too_large` past `maximum` occurrences, and with `in_past` or `beyond_horizon`
    /// when the first occurrence's wall time in `zone` is outside years 0001–9999 (no date there can be written).
    public func occurrences(of first: TimeRange, in zone: TimeZone, maximum: Int) -> Result<[Occurrence], Rejection> {
        guard let startLocal = zone.localDateTime(at: first.start) else {
            return .failure(Self.outsideCalendar(first.start, in: zone))
        }
        guard let endLocal = zone.localDateTime(at: first.end) else {
            return .failure(Self.outsideCalendar(first.end, in: zone))
        }
        let firstDate = LocalDate(
            days: CivilCalendar.days(year: startLocal.year, month: startLocal.month, day: startLocal.day))
        let endDays = CivilCalendar.days(year: endLocal.year, month: endLocal.month, day: endLocal.day)
        let spanDays = endDays - firstDate.days
        guard let dates = dates(from: firstDate, maximum: maximum) else {
            return .failure(
                Rejection(
                    .rangeTooLarge, "a series may have at most \(maximum) occurrences",
                    details: ["limit": String(maximum)]))
        }
        return .success(dates.map { date in occurrence(on: date, startLocal, endLocal, spanDays: spanDays, in: zone) })
    }

    private func occurrence(
        on date: LocalDate, _ startLocal: LocalDateTime, _ endLocal: LocalDateTime, spanDays: Int64, in zone: TimeZone
    ) -> Occurrence {
        // A later date may end past 9999-12-31 (a long first occurrence, a late `until`): no such wall time exists.
        let endDate = LocalDate(days: date.days + spanDays)
        guard date.hasFourDigitYear, endDate.hasFourDigitYear else {
            return Occurrence(
                date: date,
                range: .failure(
                    Rejection(
                        .beyondHorizon, "the occurrence on \(date) would end after 9999-12-31", field: "end")))
        }
        guard let start = Self.resolve(startLocal, on: date.days, in: zone),
            let end = Self.resolve(endLocal, on: endDate.days, in: zone)
        else {
            return Occurrence(
                date: date,
                range: .failure(
                    Rejection(
                        .nonexistentLocalTime, "\(date) skips this wall time in \(zone.identifier)",
                        details: ["date": date.description])))
        }
        guard end > start else {
            return Occurrence(date: date, range: .failure(.invalid("end", "falls before start on \(date)")))
        }
        return Occurrence(date: date, range: .success(TimeRange(start: start, end: end)))
    }

    /// The refusal for a first occurrence whose wall time in `zone` has no four-digit year: before year 1 is
    /// necessarily in the past, after 9999 necessarily beyond any horizon. Named as `hold` names them.
    static func outsideCalendar(_ instant: Instant, in zone: TimeZone) -> Rejection {
        instant.secondsSinceEpoch < 0
            ? Rejection(.inPast, "start falls before 0001-01-01 in \(zone.identifier)", field: "start")
            : Rejection(.beyondHorizon, "end falls after 9999-12-31 in \(zone.identifier)", field: "end")
    }

    /// The instant of `wall`'s time of day on day `days` in `zone`; nil when that wall time does not exist.
    static func resolve(_ wall: LocalDateTime, on days: Int64, in zone: TimeZone) -> Instant? {
        let (year, month, day) = CivilCalendar.date(fromDays: days)
        guard
            let local = LocalDateTime(
                year: year, month: month, day: day, hour: wall.hour, minute: wall.minute, second: wall.second)
        else { return nil }
        switch zone.resolve(local) {
        case .exact(let instant): return instant
        case .ambiguous(let earlier, _): return earlier
        case .nonexistent: return nil
        }
    }
}
