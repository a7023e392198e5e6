import SlotDomain
import SlotJSON

/// Format 2 records: recurring series and the waitlist; format 4 adds their idempotency key and `skipped`.
extension RecordCodec {
    static func waitlistOrSeriesRecord(for event: ScheduleEvent, resource: ResourceID) -> JournalRecord {
        var record = waitlistOrSeriesFields(for: event, resource: resource)
        record.stamp(event.idempotency)
        return record
    }

    private static func waitlistOrSeriesFields(for event: ScheduleEvent, resource: ResourceID) -> JournalRecord {
        let name = resource.rawValue
        switch event {
        case .seriesBooked(let series):
            var record = JournalRecord(kind: .seriesBooked, resource: name, at: series.at.secondsSinceEpoch)
            record.booking = series.firstSequence
            record.ranges = series.ranges.map { [$0.start.secondsSinceEpoch, $0.end.secondsSinceEpoch] }
            record.customer = series.customer
            record.actor = series.actor
            if !series.skipped.isEmpty { record.skipped = series.skipped.map(SkippedRecord.init) }
            return record
        case .seriesCanceled(let canceled):
            var record = JournalRecord(kind: .seriesCanceled, resource: name, at: canceled.at.secondsSinceEpoch)
            record.booking = canceled.series
            record.bookings = canceled.sequences
            record.actor = canceled.actor
            record.reason = canceled.reason
            return record
        case .waitlistJoined(let joined):
            var record = JournalRecord(kind: .waitlistJoined, resource: name, at: joined.at.secondsSinceEpoch)
            record.entry = joined.number
            record.start = joined.range.start.secondsSinceEpoch
            record.end = joined.range.end.secondsSinceEpoch
            record.customer = joined.customer
            record.actor = joined.actor
            return record
        case .waitlistLeft(let left):
            var record = JournalRecord(kind: .waitlistLeft, resource: name, at: left.at.secondsSinceEpoch)
            record.entry = left.number
            record.actor = left.actor
            return record
        case .held, .transitioned, .rulesChanged, .expiriesNoticed, .remindersDue, .externalBusyChanged:
            preconditionFailure("not a series or waitlist event")
        }
    }

    static func waitlistOrSeriesEvent(from record: JournalRecord, idempotency: IdempotencyStamp?) -> ScheduleEvent? {
        let at = Instant(secondsSinceEpoch: record.at)
        guard let actor = record.actor else { return nil }
        switch record.kind {
        case .seriesBooked:
            guard let first = record.booking, let customer = record.customer, let pairs = record.ranges,
                !pairs.isEmpty,
                pairs.allSatisfy({ $0.count == 2 && StoredTime.isValid(start: $0[0], end: $0[1]) })
            else { return nil }
            let ranges = pairs.map {
                TimeRange(start: Instant(secondsSinceEpoch: $0[0]), end: Instant(secondsSinceEpoch: $0[1]))
            }
            var skipped: [SeriesConflict] = []
            if let stored = record.skipped {
                guard let conflicts = allPresent(stored.map(\.conflict)), !conflicts.isEmpty else { return nil }
                skipped = conflicts
            }
            return .seriesBooked(
                SeriesBookedEvent(
                    firstSequence: first, ranges: ranges, customer: customer, actor: actor, at: at, skipped: skipped,
                    idempotency: idempotency))
        case .seriesCanceled:
            guard let series = record.booking, let sequences = record.bookings, !sequences.isEmpty else { return nil }
            return .seriesCanceled(
                SeriesCanceledEvent(
                    series: series, sequences: sequences, actor: actor, at: at, reason: record.reason,
                    idempotency: idempotency))
        case .waitlistJoined:
            guard let number = record.entry, let start = record.start, let end = record.end,
                StoredTime.isValid(start: start, end: end),
                let customer = record.customer
            else { return nil }
            let range = TimeRange(start: Instant(secondsSinceEpoch: start), end: Instant(secondsSinceEpoch: end))
            return .waitlistJoined(
                WaitlistJoinedEvent(
                    number: number, range: range, customer: customer, actor: actor, at: at, idempotency: idempotency))
        case .waitlistLeft:
            guard let number = record.entry else { return nil }
            return .waitlistLeft(WaitlistLeftEvent(number: number, actor: actor, at: at, idempotency: idempotency))
        case .resourceCreated, .held, .transitioned, .keyRecorded, .rulesChanged, .expiriesNoticed, .atomic,
            .tokenCreated, .tokenRevoked, .customerErased, .remindersDue, .externalBusy:
            return nil
        }
    }
}

/// A skipped occurrence of a series inside a `series_booked` record (format 4): its local date as days since
/// 1970-01-01, its instants when it had them, and the refusal's code and message as the reply showed them.
struct SkippedRecord: Codable, Equatable {
    var date: Int64
    var start: Int64?
    var end: Int64?
    var code: String
    var message: String

    init(date: Int64, start: Int64?, end: Int64?, code: String, message: String) {
        self.date = date
        self.start = start
        self.end = end
        self.code = code
        self.message = message
    }

    init(_ conflict: SeriesConflict) {
        self.init(
            date: conflict.date.days, start: conflict.range?.start.secondsSinceEpoch,
            end: conflict.range?.end.secondsSinceEpoch, code: conflict.code.rawValue, message: conflict.message)
    }

    /// The occurrence this stands for; nil when a field is out of range or the code unknown.
    var conflict: SeriesConflict? {
        guard StoredTime.overrideDays.contains(date), let code = Rejection.Code(rawValue: code) else { return nil }
        var range: TimeRange?
        switch (start, end) {
        case (nil, nil): break
        case (let start?, let end?):
            guard StoredTime.isValid(start: start, end: end) else { return nil }
            range = TimeRange(start: Instant(secondsSinceEpoch: start), end: Instant(secondsSinceEpoch: end))
        default: return nil
        }
        return SeriesConflict(date: LocalDate(days: date), range: range, rejection: Rejection(code, message))
    }

    var jsonValue: JSONValue {
        var members: [String: JSONValue] = [
            "date": .number(Double(date)), "code": .string(code), "message": .string(message),
        ]
        if let start { members["start"] = .number(Double(start)) }
        if let end { members["end"] = .number(Double(end)) }
        return .object(members)
    }

    init?(json value: JSONValue) {
        guard case .object(let fields) = value, let date = fields["date"]?.exactInteger,
            let code = fields["code"]?.string, let message = fields["message"]?.string
        else { return nil }
        let start = fields["start"]?.exactInteger
        let end = fields["end"]?.exactInteger
        guard (fields["start"] == nil || start != nil) && (fields["end"] == nil || end != nil) else { return nil }
        self.init(date: date, start: start, end: end, code: code, message: message)
    }
}
