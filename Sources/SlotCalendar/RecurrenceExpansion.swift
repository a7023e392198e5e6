import Foundation
import SlotDomain

/// The start wall times of an event's instances: DTSTART, the RRULE's dates (in DTSTART's zone, keeping its time
/// of day), the RDATEs, less the EXDATEs. Stops at the window's end, so a rule without COUNT or UNTIL costs no more
/// than the window needs; dates before `keepFromDays` (a day number) are counted for COUNT but not returned, so
/// instances long past cost no time-zone arithmetic.
enum RecurrenceExpansion {
    enum Failure: Error {
        case skip(SkipReason)
        /// The text's shared budget (`expansionStepsMax`) ran out.
        case budgetExhausted
    }

    static func starts(
        of event: CalendarEvent, keepFromDays: Int64 = .min, windowEnd: Instant, limits: ICalendarLimits,
        steps: inout Int
    ) -> Result<[TimeValue], Failure> {
        var starts = [event.start]
        if let rule = event.rule {
            let bounds = (keepFromDays: keepFromDays, windowEnd: windowEnd)
            switch ruleStarts(rule, event.start, bounds, limits: limits, steps: &steps) {
            case .success(let more): starts += more
            case .failure(let failure): return .failure(failure)
            }
        }
        starts += event.extraStarts
        guard !event.excludedStarts.isEmpty else { return .success(starts) }
        let excluded = Set(event.excludedStarts.filter { !$0.isDate }.map(\.instant))
        let excludedDates = Set(event.excludedStarts.filter(\.isDate).map(\.date))
        return .success(starts.filter { !excluded.contains($0.instant) && !excludedDates.contains($0.date) })
    }

    private static func ruleStarts(
        _ rule: RecurrenceRule, _ start: TimeValue, _ bounds: (keepFromDays: Int64, windowEnd: Instant),
        limits: ICalendarLimits, steps: inout Int
    ) -> Result<[TimeValue], Failure> {
        var until: TimeValue?
        if let untilText = rule.until {
            guard let value = CalendarValues.time(untilText, zone: start.zone, utc: .utc) else {
                return .failure(.skip(SkipReason("malformed_rule", "UNTIL '\(untilText.prefix(40))'")))
            }
            until = value
        }
        func isPastUntil(_ candidate: TimeValue) -> Bool {
            guard let until else { return false }
            // A date-only UNTIL on a timed event (which RFC 5545 forbids, yet clients write) keeps its whole day.
            if until.isDate { return candidate.date > until.date }
            // Two days apart, no offset changes the answer: the instants need not be computed.
            if candidate.date.days < until.date.days - 2 { return false }
            return candidate.instant > until.instant
        }
        let first = start.date
        var result: [TimeValue] = []
        var emitted = 1
        var index = 0
        periods: while true {
            steps += 1
            guard steps <= limits.expansionStepsMax else { return .failure(.budgetExhausted) }
            guard index < limits.occurrencesPerEventMax else {
                return .failure(
                    .skip(
                        SkipReason(
                            "too_many_occurrences",
                            "the rule needs more than \(limits.occurrencesPerEventMax) periods to reach the window's end"
                        )))
            }
            // Two days of slack cover any zone's offset from UTC.
            guard let periodStart = rule.periodStart(index, first: first),
                (periodStart.days - 2) * 86_400 <= bounds.windowEnd.secondsSinceEpoch
            else { break }
            for date in rule.dates(inPeriod: index, first: first) where date > first {
                let (year, month, day) = CivilCalendar.date(fromDays: date.days)
                guard
                    let local = LocalDateTime(
                        year: year, month: month, day: day, hour: start.local.hour, minute: start.local.minute,
                        second: start.local.second)
                else { break periods }
                let candidate = TimeValue(local: local, isDate: start.isDate, zone: start.zone)
                if isPastUntil(candidate) { break periods }
                if let count = rule.count, emitted >= count { break periods }
                if date.days >= bounds.keepFromDays { result.append(candidate) }
                emitted += 1
            }
            index += 1
        }
        return .success(result)
    }
}
