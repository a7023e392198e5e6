import SlotDomain

/// The part of RFC 5545's RRULE slotd expands: FREQ DAILY, WEEKLY, MONTHLY or YEARLY with INTERVAL, COUNT, UNTIL,
/// BYDAY (ordinals in MONTHLY and YEARLY), BYMONTHDAY, BYMONTH and WKST. Any other part is refused at parse time
/// so that an event is skipped with a reason rather than expanded wrongly.
struct RecurrenceRule: Hashable, Sendable {
    enum Frequency: String, Hashable, Sendable {
        case daily = "DAILY"
        case weekly = "WEEKLY"
        case monthly = "MONTHLY"
        case yearly = "YEARLY"
    }

    /// A BYDAY entry: `weekday` 0 = Monday ... 6 = Sunday; `ordinal` 0 for every such weekday, else the n-th
    /// (negative: from the end) in the month or year.
    struct WeekdayEntry: Hashable, Sendable {
        var ordinal: Int
        var weekday: Int
    }

    var frequency: Frequency
    var interval = 1
    var count: Int?
    /// As written; read against DTSTART's zone by the expansion.
    var until: String?
    var byDay: [WeekdayEntry] = []
    var byMonthDay: [Int] = []
    var byMonth: [Int] = []
    /// 0 = Monday (the default) ... 6 = Sunday.
    var weekStart = 0

    static let weekdayCodes = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    /// Far beyond any rule a person writes; bounds the arithmetic.
    static let intervalMax = 1_000
    static let listEntriesMax = 100

    static func parse(_ text: String) -> Result<RecurrenceRule, SkipReason> {
        var parts: [String: String] = [:]
        for part in text.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0).uppercased() }
            guard pair.count == 2, parts[pair[0]] == nil else { return .failure(malformed(text)) }
            parts[pair[0]] = pair[1]
        }
        guard let frequencyText = parts.removeValue(forKey: "FREQ") else { return .failure(malformed(text)) }
        guard let frequency = Frequency(rawValue: frequencyText) else {
            return .failure(SkipReason("unsupported_rule", "FREQ=\(frequencyText.prefix(20)) is not expanded"))
        }
        var rule = RecurrenceRule(frequency: frequency)
        if let unsupported = parts.keys.sorted().first(where: {
            !["INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "WKST"].contains($0)
        }) {
            return .failure(SkipReason("unsupported_rule", "RRULE part \(unsupported.prefix(20)) is not expanded"))
        }
        if let interval = parts["INTERVAL"] {
            guard let value = Int(interval), (1...intervalMax).contains(value) else { return .failure(malformed(text)) }
            rule.interval = value
        }
        if let count = parts["COUNT"] {
            guard let value = Int(count), value >= 1 else { return .failure(malformed(text)) }
            rule.count = value
        }
        rule.until = parts["UNTIL"]
        if let weekStart = parts["WKST"] {
            guard let value = weekdayCodes.firstIndex(of: weekStart) else { return .failure(malformed(text)) }
            rule.weekStart = value
        }
        guard let byMonth = numbers(parts["BYMONTH"], allowed: 1...12, negative: false),
            let byMonthDay = numbers(parts["BYMONTHDAY"], allowed: 1...31, negative: true),
            let byDay = weekdays(parts["BYDAY"])
        else { return .failure(malformed(text)) }
        (rule.byMonth, rule.byMonthDay, rule.byDay) = (byMonth, byMonthDay, byDay)
        if let reason = rule.checkCombination() { return .failure(reason) }
        return .success(rule)
    }

    /// Combinations RFC 5545 forbids or leaves unclear, refused rather than guessed.
    private func checkCombination() -> SkipReason? {
        let hasOrdinals = byDay.contains { $0.ordinal != 0 }
        if hasOrdinals, frequency == .daily || frequency == .weekly {
            return SkipReason("unsupported_rule", "BYDAY with an ordinal in a \(frequency.rawValue) rule")
        }
        if hasOrdinals, !byMonthDay.isEmpty {
            return SkipReason("unsupported_rule", "BYDAY with an ordinal together with BYMONTHDAY")
        }
        if frequency == .weekly, !byMonthDay.isEmpty {
            return SkipReason("unsupported_rule", "BYMONTHDAY in a WEEKLY rule")
        }
        if hasOrdinals, frequency == .monthly || !byMonth.isEmpty, byDay.contains(where: { abs($0.ordinal) > 5 }) {
            return SkipReason("unsupported_rule", "BYDAY ordinal beyond 5 within a month")
        }
        return nil
    }

    private static func malformed(_ text: String) -> SkipReason {
        SkipReason("malformed_rule", "RRULE '\(text.prefix(80))'")
    }

    private static func numbers(_ text: String?, allowed: ClosedRange<Int>, negative: Bool) -> [Int]? {
        guard let text else { return [] }
        let entries = text.split(separator: ",", omittingEmptySubsequences: false)
        guard entries.count <= listEntriesMax else { return nil }
        var result: [Int] = []
        for entry in entries {
            guard let value = Int(entry), value.magnitude <= UInt(allowed.upperBound),
                allowed.contains(Int(value.magnitude)), negative || value > 0
            else { return nil }
            result.append(value)
        }
        return result
    }

    private static func weekdays(_ text: String?) -> [WeekdayEntry]? {
        guard let text else { return [] }
        let entries = text.split(separator: ",", omittingEmptySubsequences: false)
        guard entries.count <= listEntriesMax else { return nil }
        var result: [WeekdayEntry] = []
        for entry in entries {
            guard entry.count >= 2, let weekday = weekdayCodes.firstIndex(of: String(entry.suffix(2))) else {
                return nil
            }
            let ordinalText = entry.dropLast(2)
            var ordinal = 0
            if !ordinalText.isEmpty {
                guard let value = Int(ordinalText), value.magnitude <= 53, value != 0 else { return nil }
                ordinal = value
            }
            result.append(WeekdayEntry(ordinal: ordinal, weekday: weekday))
        }
        return result
    }
}
