import SlotDomain

/// The `external_busy` record (format 10): a calendar link's busy stretches as `ranges` (`[start, end]` pairs,
/// sorted and disjoint, as the domain keeps them), or no `ranges` when the link's layer is removed. `at` is when
/// the calendar was read.
extension RecordCodec {
    static func record(for changed: ExternalBusyEvent, resource: ResourceID) -> JournalRecord {
        var record = JournalRecord(kind: .externalBusy, resource: resource.rawValue, at: changed.at.secondsSinceEpoch)
        record.link = changed.link.rawValue
        record.ranges = changed.busy?.stretches.map { [$0.start.secondsSinceEpoch, $0.end.secondsSinceEpoch] }
        return record
    }

    /// Nil unless `link` is a link id and every range is a valid instant pair after the one before (a layer is
    /// stored merged: anything else was not written by slotd).
    static func externalBusyEvent(from record: JournalRecord) -> ScheduleEvent? {
        guard let link = record.link.flatMap(CalendarLinkID.init), record.bookings == nil, record.booking == nil
        else { return nil }
        let at = Instant(secondsSinceEpoch: record.at)
        guard let ranges = record.ranges else {
            return .externalBusyChanged(ExternalBusyEvent(at: at, link: link, busy: nil))
        }
        var stretches: [TimeRange] = []
        for pair in ranges {
            guard pair.count == 2,
                StoredTime.problem(start: pair[0], end: pair[1], of: "a busy stretch", isBooking: false) == nil,
                stretches.last.map({ $0.end.secondsSinceEpoch < pair[0] }) ?? true
            else { return nil }
            stretches.append(
                TimeRange(start: Instant(secondsSinceEpoch: pair[0]), end: Instant(secondsSinceEpoch: pair[1])))
        }
        let busy = ExternalBusy(link: link, ranges: stretches, pulledAt: at)
        return .externalBusyChanged(ExternalBusyEvent(at: at, link: link, busy: busy))
    }
}
