import SlotDomain

/// The on-disk form of a rule change inside a `rules_changed` record (format 1). Minutes are minutes after local
/// midnight; dates are days since 1970-01-01; a block's times are the record's `start` and `end`.
struct RuleRecord: Codable, Equatable {
    enum Change: String, Codable {
        case weeklyHours = "weekly_hours"
        case override
        case addBlock = "add_block"
        case removeBlock = "remove_block"
        case limits
    }

    var change: Change
    /// weekly_hours: seven days of [start, end] minute pairs; absent means open around the clock.
    var weekly: [[[Int]]]?
    var date: Int64?
    /// override: true closes the date; false with `hours` sets its hours; absent removes the override.
    var closed: Bool?
    var hours: [[Int]]?
    var block: UInt64?
    var label: String?
    var minNoticeMinutes: Int?
    var maxBookingsPerDay: Int?

    enum CodingKeys: String, CodingKey {
        case change, weekly, date, closed, hours, block, label
        case minNoticeMinutes = "min_notice_minutes"
        case maxBookingsPerDay = "max_bookings_per_day"
    }
}

extension RecordCodec {
    static func record(for event: RulesChangedEvent, resource: ResourceID) -> JournalRecord {
        var record = JournalRecord(kind: .rulesChanged, resource: resource.rawValue, at: event.at.secondsSinceEpoch)
        record.actor = event.actor
        record.stamp(event.idempotency)
        var rule: RuleRecord
        switch event.change {
        case .weeklyHours(let hours):
            rule = RuleRecord(change: .weeklyHours)
            rule.weekly = hours.map { $0.days.map(pairs) }
        case .override(let date, let override):
            rule = RuleRecord(change: .override)
            rule.date = date.days
            switch override {
            case .closed: rule.closed = true
            case .hours(let intervals):
                rule.closed = false
                rule.hours = pairs(intervals)
            case nil: break
            }
        case .addBlock(let block):
            rule = RuleRecord(change: .addBlock)
            rule.block = block.id
            rule.label = block.label
            record.start = block.range.start.secondsSinceEpoch
            record.end = block.range.end.secondsSinceEpoch
        case .removeBlock(let id):
            rule = RuleRecord(change: .removeBlock)
            rule.block = id
        case .limits(let minNotice, let maxPerDay):
            rule = RuleRecord(change: .limits)
            rule.minNoticeMinutes = minNotice
            rule.maxBookingsPerDay = maxPerDay
        }
        record.rule = rule
        return record
    }

    static func rulesEvent(from record: JournalRecord, idempotency: IdempotencyStamp?) -> ScheduleEvent? {
        guard let rule = record.rule, let actor = record.actor else { return nil }
        let change: RuleChange
        switch rule.change {
        case .weeklyHours:
            if let weekly = rule.weekly {
                guard let days = allPresent(weekly.map(intervals)), let hours = WeeklyHours(days: days) else {
                    return nil
                }
                change = .weeklyHours(hours)
            } else {
                change = .weeklyHours(nil)
            }
        case .override:
            guard let days = rule.date, StoredTime.overrideDays.contains(days) else { return nil }
            switch rule.closed {
            case true?: change = .override(LocalDate(days: days), .closed)
            case false?:
                guard let hours = rule.hours.flatMap(intervals) else { return nil }
                change = .override(LocalDate(days: days), .hours(hours))
            case nil: change = .override(LocalDate(days: days), nil)
            }
        case .addBlock:
            guard let id = rule.block, let label = rule.label, let start = record.start, let end = record.end,
                StoredTime.isValid(start: start, end: end, isBooking: false)
            else { return nil }
            let range = TimeRange(start: Instant(secondsSinceEpoch: start), end: Instant(secondsSinceEpoch: end))
            change = .addBlock(Block(id: id, range: range, label: label))
        case .removeBlock:
            guard let id = rule.block else { return nil }
            change = .removeBlock(id)
        case .limits:
            guard let minNotice = rule.minNoticeMinutes, minNotice >= 0 else { return nil }
            change = .limits(minNoticeMinutes: minNotice, maxBookingsPerDay: rule.maxBookingsPerDay)
        }
        return .rulesChanged(
            RulesChangedEvent(
                change: change, actor: actor, at: Instant(secondsSinceEpoch: record.at), idempotency: idempotency))
    }

    static func pairs(_ intervals: [LocalInterval]) -> [[Int]] {
        intervals.map { [$0.startMinute, $0.endMinute] }
    }

    static func intervals(_ pairs: [[Int]]) -> [LocalInterval]? {
        allPresent(pairs.map { $0.count == 2 ? LocalInterval(startMinute: $0[0], endMinute: $0[1]) : nil })
    }

    /// The values when none is nil.
    static func allPresent<Value>(_ values: [Value?]) -> [Value]? {
        values.contains { $0 == nil } ? nil : values.map { $0! }
    }
}
