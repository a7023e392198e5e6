import SlotDomain

/// The rule's dates, one period (day, week, month or year) at a time, per RFC 5545's BYxxx table: BYMONTH limits
/// DAILY, WEEKLY and MONTHLY rules and expands YEARLY ones; BYMONTHDAY limits DAILY rules and expands MONTHLY and
/// YEARLY ones; BYDAY limits DAILY rules, expands WEEKLY ones, and expands MONTHLY and YEARLY ones unless
/// BYMONTHDAY is present (then it limits).
extension RecurrenceRule {
    /// The first day of period `index` (counting from DTSTART's period); nil past the year 9999.
    func periodStart(_ index: Int, first: LocalDate) -> LocalDate? {
        let (year, month, _) = CivilCalendar.date(fromDays: first.days)
        let step = index * interval
        switch frequency {
        case .daily: return LocalDate(days: first.days + Int64(step))
        case .weekly: return LocalDate(days: weekContaining(first) + 7 * Int64(step))
        case .monthly:
            let monthIndex = year * 12 + month - 1 + step
            return LocalDate(year: monthIndex / 12, month: monthIndex % 12 + 1, day: 1)
        case .yearly: return LocalDate(year: year + step, month: 1, day: 1)
        }
    }

    /// The dates of period `index`, sorted and without repeats; `first` is DTSTART's date.
    func dates(inPeriod index: Int, first: LocalDate) -> [LocalDate] {
        guard let start = periodStart(index, first: first) else { return [] }
        let (year, month, _) = CivilCalendar.date(fromDays: start.days)
        let (_, firstMonth, firstDay) = CivilCalendar.date(fromDays: first.days)
        var days: [Int64]
        switch frequency {
        case .daily:
            days = [start.days]
            days = days.filter { matchesMonth($0) && matchesMonthDay($0) && matchesWeekday($0) }
        case .weekly:
            let weekdays = byDay.isEmpty ? [first.weekday] : byDay.map(\.weekday)
            days = weekdays.map { start.days + Int64(($0 - weekStart + 7) % 7) }.filter { matchesMonth($0) }
        case .monthly:
            days = byMonth.isEmpty || byMonth.contains(month) ? datesInMonth(year, month, defaultDay: firstDay) : []
        case .yearly:
            if byMonth.isEmpty, byMonthDay.isEmpty, !byDay.isEmpty {
                let january = CivilCalendar.days(year: year, month: 1, day: 1)
                days = weekdayDates(from: january, to: CivilCalendar.days(year: year, month: 12, day: 31))
            } else {
                let months = byMonth.isEmpty ? (byMonthDay.isEmpty ? [firstMonth] : Array(1...12)) : byMonth
                days = months.flatMap { datesInMonth(year, $0, defaultDay: firstDay) }
            }
        }
        return Set(days).sorted().map { LocalDate(days: $0) }
    }

    /// The day number of the week-start day (WKST) on or before `date`.
    private func weekContaining(_ date: LocalDate) -> Int64 {
        date.days - Int64((date.weekday - weekStart + 7) % 7)
    }

    /// A MONTHLY period's dates, or one month of a YEARLY rule with BYMONTH.
    private func datesInMonth(_ year: Int, _ month: Int, defaultDay: Int) -> [Int64] {
        let length = CivilCalendar.daysInMonth(year: year, month: month)
        let firstOfMonth = CivilCalendar.days(year: year, month: month, day: 1)
        if !byMonthDay.isEmpty {
            return byMonthDay.compactMap { day -> Int64? in
                let resolved = day > 0 ? day : length + 1 + day
                guard (1...length).contains(resolved) else { return nil }
                return firstOfMonth + Int64(resolved - 1)
            }.filter { matchesWeekday($0) }
        }
        if !byDay.isEmpty { return weekdayDates(from: firstOfMonth, to: firstOfMonth + Int64(length - 1)) }
        return defaultDay <= length ? [firstOfMonth + Int64(defaultDay - 1)] : []
    }

    /// BYDAY expanded within `from...to` (a month or a year): every such weekday, or the n-th from either end.
    private func weekdayDates(from: Int64, to: Int64) -> [Int64] {
        byDay.flatMap { entry -> [Int64] in
            let firstSuch = from + Int64((entry.weekday - CivilCalendar.weekday(fromDays: from) + 7) % 7)
            let lastSuch = to - Int64((CivilCalendar.weekday(fromDays: to) - entry.weekday + 7) % 7)
            if entry.ordinal == 0 { return Array(stride(from: firstSuch, through: to, by: 7)) }
            let day =
                entry.ordinal > 0 ? firstSuch + Int64(entry.ordinal - 1) * 7 : lastSuch + Int64(entry.ordinal + 1) * 7
            return (from...to).contains(day) ? [day] : []
        }
    }

    private func matchesMonth(_ days: Int64) -> Bool {
        byMonth.isEmpty || byMonth.contains(CivilCalendar.date(fromDays: days).month)
    }

    private func matchesMonthDay(_ days: Int64) -> Bool {
        guard !byMonthDay.isEmpty else { return true }
        let (year, month, day) = CivilCalendar.date(fromDays: days)
        let length = CivilCalendar.daysInMonth(year: year, month: month)
        return byMonthDay.contains { $0 > 0 ? $0 == day : length + 1 + $0 == day }
    }

    private func matchesWeekday(_ days: Int64) -> Bool {
        byDay.isEmpty || byDay.contains { $0.weekday == CivilCalendar.weekday(fromDays: days) }
    }
}
