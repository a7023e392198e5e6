/// The `external_busy` layer's changes (`ExternalBusy.swift`): decided from a pull's busy times, journaled only
/// when they change, applied live and in replay by `apply(_:)`. Applying reports every confirmed booking that the
/// new layer lands on and the old one did not (`calendar.conflict`); the booking stays.
extension ResourceSchedule {
    /// The entry that makes `ranges` (from link `link`, pulled at `now`) the layer, or nil when the layer would be
    /// as it is. `ranges` nil removes the link's layer (an unlink). Stretches wholly before `now` or past the
    /// horizon are left out: nothing can be booked there. More than `externalBusyStretchesMax` is refused.
    public func decideExternalBusy(link: CalendarLinkID, ranges: [TimeRange]?, now: Instant)
        -> Result<ScheduleEvent?, Rejection>
    {
        let at = max(now, clock)
        guard let ranges else {
            guard externalBusy?.link == link else { return .success(nil) }
            return .success(.externalBusyChanged(ExternalBusyEvent(at: at, link: link, busy: nil)))
        }
        let horizonEnd = at.adding(seconds: Int64(settings.horizonDays) * 86_400)
        let kept = ranges.compactMap { range -> TimeRange? in
            let clipped = TimeRange(start: max(range.start, at), end: min(range.end, horizonEnd))
            return clipped.end > clipped.start ? clipped : nil
        }
        let busy = ExternalBusy(link: link, ranges: kept, pulledAt: at)
        guard busy.stretches.count <= limits.externalBusyStretchesMax else {
            return .failure(
                Rejection(
                    .rangeTooLarge,
                    "the calendar has \(busy.stretches.count) busy stretches ahead, more than "
                        + "\(limits.externalBusyStretchesMax); the last pull that fitted stays",
                    details: ["limit": String(limits.externalBusyStretchesMax), "link": link.rawValue]))
        }
        if let current = externalBusy, current.link == link, current.stretches == busy.stretches {
            return .success(nil)
        }
        return .success(.externalBusyChanged(ExternalBusyEvent(at: at, link: link, busy: busy)))
    }

    /// Replaces (or removes) the layer and reports the conflicts it brings.
    mutating func applyExternalBusy(_ changed: ExternalBusyEvent) {
        let before = externalBusy?.link == changed.link ? externalBusy : nil
        guard let busy = changed.busy else {
            if externalBusy?.link == changed.link { externalBusy = nil }
            return
        }
        externalBusy = busy
        for booking in bookings.filter({ $0.state == .confirmed || $0.state == .rescheduled }) {
            let range = padded(booking.range)
            guard let hit = busy.firstOverlap(range), before?.firstOverlap(range) == nil else { continue }
            var conflict = ChangeEvent(
                kind: .calendarConflict, at: changed.at, resource: id, zone: grid.timeZone,
                booking: summary(of: booking))
            conflict.calendarLink = busy.link
            conflict.busy = hit
            changeLog.record(conflict)
        }
    }

    /// The confirmed bookings ahead of `now` that the layer lands on: `calendar_status`'s conflicts.
    public func externalBusyConflicts(now: Instant) -> [(booking: BookingSummary, busy: TimeRange)] {
        guard let externalBusy else { return [] }
        return bookings.filter { ($0.state == .confirmed || $0.state == .rescheduled) && $0.range.end > now }
            .compactMap { booking in
                externalBusy.firstOverlap(padded(booking.range)).map { (summary(of: booking), $0) }
            }
    }
}
