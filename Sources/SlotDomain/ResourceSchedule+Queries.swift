/// Read-only questions about a schedule. Callers advance the schedule to `now` first, so expired holds are gone.
extension ResourceSchedule {
    /// Every start in `[from, to)` at which a booking of `durationMinutes` would be accepted now: the starts for
    /// which `placementFailure`, as `hold` uses it, finds nothing, found in one pass (`AvailabilityScan`).
    public func availability(from: Instant, to: Instant, durationMinutes: Int, now: Instant) -> Result<
        [Instant], Rejection
    > {
        if let rejection = checkQueryRange(from: from, to: to) { return .failure(rejection) }
        let durationSeconds = Int64(durationMinutes) * 60
        guard durationMinutes > 0, durationMinutes % settings.slotMinutes == 0 else {
            return .failure(
                .invalid("duration_minutes", "must be a positive multiple of slot_minutes (\(settings.slotMinutes))"))
        }
        guard durationSeconds <= bookingLengthSecondsMax else {
            let longest = "\(bookingLengthSecondsMax / 60) (\(limits.bookingLengthDaysMax) days, the longest booking)"
            return .failure(.invalid("duration_minutes", "must be at most \(longest)"))
        }
        let scan = AvailabilityScan(schedule: self, durationSeconds: durationSeconds, to: to, now: now)
        var cursors = scan.cursors
        var starts: [Instant] = []
        var candidate = grid.granuleCeiling(max(from, now))
        // Later starts would end beyond the horizon, so the scan stops there rather than at `to`.
        while candidate < to, candidate.adding(seconds: durationSeconds) <= scan.horizonEnd {
            if scan.accepts(candidate, &cursors) { starts.append(candidate) }
            candidate = candidate.adding(seconds: grid.granuleSeconds)
        }
        return .success(starts)
    }

    /// Active bookings overlapping `[from, to)`, ordered by start then sequence, at most `limit` of them, starting
    /// after booking `afterSequence` in that order when given (paging). `truncated` says more remain.
    /// `customer`: only that customer's bookings (a client token bound to one sees no others).
    public func activeBookings(
        from: Instant, to: Instant, after afterBooking: Booking?, limit: Int, customer: String? = nil
    ) -> Result<(bookings: [Booking], truncated: Bool), Rejection> {
        if let rejection = checkQueryRange(from: from, to: to) { return .failure(rejection) }
        let query = TimeRange(start: from, end: to)
        var matches = bookings.filter {
            $0.state.isActive && $0.range.overlaps(query) && (customer == nil || $0.customer == customer)
        }
        matches.sort { ($0.range.start, $0.id.sequence) < ($1.range.start, $1.id.sequence) }
        if let afterBooking {
            let cursor = (afterBooking.range.start, afterBooking.id.sequence)
            matches.removeAll { ($0.range.start, $0.id.sequence) <= cursor }
        }
        let truncated = matches.count > limit
        return .success((Array(matches.prefix(limit)), truncated))
    }

    func checkQueryRange(from: Instant, to: Instant) -> Rejection? {
        guard to > from else { return .invalid("to", "must be after from") }
        guard to.seconds(since: from) <= Int64(limits.queryRangeDaysMax) * 86_400 else {
            return Rejection(
                .rangeTooLarge, "a query may span at most \(limits.queryRangeDaysMax) days",
                details: ["limit_days": String(limits.queryRangeDaysMax)])
        }
        return nil
    }
}
