import SlotDomain

/// Format 2 records: recurring series and the waitlist.
extension RecordCodec {
    static func waitlistOrSeriesRecord(for event: ScheduleEvent, resource: ResourceID) -> JournalRecord {
        let name = resource.rawValue
        switch event {
        case .seriesBooked(let series):
            var record = JournalRecord(kind: .seriesBooked, resource: name, at: series.at.secondsSinceEpoch)
            record.booking = series.firstSequence
            record.ranges = series.ranges.map { [$0.start.secondsSinceEpoch, $0.end.secondsSinceEpoch] }
            record.customer = series.customer
            record.actor = series.actor
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
        case .held, .transitioned, .rulesChanged:
            preconditionFailure("not a series or waitlist event")
        }
    }

    static func waitlistOrSeriesEvent(from record: JournalRecord) -> ScheduleEvent? {
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
            return .seriesBooked(
                SeriesBookedEvent(firstSequence: first, ranges: ranges, customer: customer, actor: actor, at: at))
        case .seriesCanceled:
            guard let series = record.booking, let sequences = record.bookings, !sequences.isEmpty else { return nil }
            return .seriesCanceled(
                SeriesCanceledEvent(series: series, sequences: sequences, actor: actor, at: at, reason: record.reason))
        case .waitlistJoined:
            guard let number = record.entry, let start = record.start, let end = record.end,
                StoredTime.isValid(start: start, end: end),
                let customer = record.customer
            else { return nil }
            let range = TimeRange(start: Instant(secondsSinceEpoch: start), end: Instant(secondsSinceEpoch: end))
            return .waitlistJoined(
                WaitlistJoinedEvent(number: number, range: range, customer: customer, actor: actor, at: at))
        case .waitlistLeft:
            guard let number = record.entry else { return nil }
            return .waitlistLeft(WaitlistLeftEvent(number: number, actor: actor, at: at))
        case .resourceCreated, .held, .transitioned, .keyRecorded, .rulesChanged:
            return nil
        }
    }
}
