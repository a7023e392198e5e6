import Foundation

/// A request to book a recurring series on one resource: the first occurrence, the rule, and the zone whose wall
/// clock the occurrences keep (nil: the resource's own).
public struct SeriesCommand: Hashable, Sendable {
    public var first: TimeRange
    public var recurrence: Recurrence
    public var zone: TimeZone?
    public var customer: String
    public var actor: String
    /// False (the default): one occurrence that cannot be booked refuses the whole series. True: book the rest.
    public var skipConflicts: Bool
    public var idempotency: IdempotencyStamp?

    public init(
        first: TimeRange, recurrence: Recurrence, zone: TimeZone?, customer: String, actor: String = Actors.client,
        skipConflicts: Bool = false, idempotency: IdempotencyStamp? = nil
    ) {
        self.idempotency = idempotency
        self.first = first
        self.recurrence = recurrence
        self.zone = zone
        self.customer = customer
        self.actor = actor
        self.skipConflicts = skipConflicts
    }
}

/// Every accepted occurrence of a series, as confirmed bookings numbered from `firstSequence` on. The series is
/// known by its first booking's number.
public struct SeriesBookedEvent: Hashable, Sendable {
    public var firstSequence: UInt64
    public var ranges: [TimeRange]
    public var customer: String
    public var actor: String
    public var at: Instant
    /// The occurrences left out (`skip_conflicts`), as the reply listed them: journaled so that a retry under
    /// the request's idempotency key gets the same list after a restart.
    public var skipped: [SeriesConflict]
    public var idempotency: IdempotencyStamp?

    public init(
        firstSequence: UInt64, ranges: [TimeRange], customer: String, actor: String, at: Instant,
        skipped: [SeriesConflict] = [], idempotency: IdempotencyStamp? = nil
    ) {
        self.firstSequence = firstSequence
        self.ranges = ranges
        self.customer = customer
        self.actor = actor
        self.at = at
        self.skipped = skipped
        self.idempotency = idempotency
    }
}

/// The occurrences of series `series` canceled together.
public struct SeriesCanceledEvent: Hashable, Sendable {
    public var series: UInt64
    public var sequences: [UInt64]
    public var actor: String
    public var at: Instant
    public var reason: String?
    public var idempotency: IdempotencyStamp?

    public init(
        series: UInt64, sequences: [UInt64], actor: String, at: Instant, reason: String?,
        idempotency: IdempotencyStamp? = nil
    ) {
        self.series = series
        self.sequences = sequences
        self.actor = actor
        self.at = at
        self.reason = reason
        self.idempotency = idempotency
    }
}

extension ResourceSchedule {
    /// Decides a series: each occurrence is checked with `checkPlacement` against the schedule as it would be
    /// with the occurrences before it booked (so they cannot collide with each other either). Returns the event
    /// and the occurrences skipped, or `series_conflict` listing every occurrence that cannot be booked.
    public func decideSeries(_ command: SeriesCommand, now: Instant) -> Result<
        (event: ScheduleEvent, skipped: [SeriesConflict]), Rejection
    > {
        let zone = command.zone ?? grid.timeZone
        let occurrences: [Occurrence]
        switch command.recurrence.occurrences(of: command.first, in: zone, maximum: limits.seriesOccurrencesMax) {
        case .failure(let rejection): return .failure(rejection)
        case .success(let expanded): occurrences = expanded
        }
        var trial = self
        var accepted: [TimeRange] = []
        var conflicts: [SeriesConflict] = []
        // Refused whole rather than occurrence by occurrence: every occurrence has the first one's length.
        if command.first.end.seconds(since: command.first.start) > bookingLengthSecondsMax {
            return .failure(rejection(for: .tooLong, range: command.first, now: now, excluding: nil))
        }
        for occurrence in occurrences {
            switch occurrence.range {
            case .failure(let rejection):
                conflicts.append(SeriesConflict(date: occurrence.date, range: nil, rejection: rejection))
            case .success(let range):
                if let rejection = trial.checkPlacement(range, now: now) {
                    conflicts.append(SeriesConflict(date: occurrence.date, range: range, rejection: rejection))
                } else {
                    trial.reserve(range)
                    accepted.append(range)
                }
            }
        }
        if accepted.isEmpty || (!conflicts.isEmpty && !command.skipConflicts) {
            var rejection = Rejection(
                .seriesConflict,
                "\(conflicts.count) of \(occurrences.count) occurrences cannot be booked; nothing was booked",
                details: ["occurrences": String(occurrences.count), "conflicting": String(conflicts.count)])
            rejection.conflicts = conflicts
            return .failure(rejection)
        }
        let event = SeriesBookedEvent(
            firstSequence: lastSequence + 1, ranges: accepted, customer: command.customer, actor: command.actor,
            at: now, skipped: conflicts, idempotency: command.idempotency)
        return .success((.seriesBooked(event), conflicts))
    }

    /// The bookings of series `series` (its first booking's number), in order. A series is booked in one event
    /// with consecutive numbers, so its occurrences are read from there on, without scanning the resource.
    public func seriesBookings(_ series: UInt64) -> [Booking] {
        var occurrences: [Booking] = []
        var sequence = series
        while let booking = bookings[sequence], booking.series == series {
            occurrences.append(booking)
            sequence += 1
        }
        return occurrences
    }

    /// Decides canceling the active occurrences of a series that start at or after `from` (default: now): "the
    /// rest of the series". Nil when none is left to cancel. One occurrence alone is canceled with `cancel`.
    public func decideCancelSeries(
        _ series: UInt64, from: Instant?, reason: String?, actor: String, idempotency: IdempotencyStamp? = nil,
        now: Instant
    ) -> Result<ScheduleEvent?, Rejection> {
        guard let first = bookings[series], first.series == series else {
            return .failure(Rejection(.notFound, "no series \(id)/\(series)", field: "series"))
        }
        let cutoff = from ?? now
        let sequences = seriesBookings(series).filter { $0.state.isActive && $0.range.start >= cutoff }
            .map(\.id.sequence)
        guard !sequences.isEmpty else { return .success(nil) }
        return .success(
            .seriesCanceled(
                SeriesCanceledEvent(
                    series: series, sequences: sequences, actor: actor, at: now, reason: reason,
                    idempotency: idempotency)))
    }

    mutating func applySeries(_ event: SeriesBookedEvent) -> BookingSummary? {
        precondition(event.firstSequence == lastSequence + 1, "series sequence gap in \(id): \(event.firstSequence)")
        for (offset, range) in event.ranges.enumerated() {
            let sequence = event.firstSequence + UInt64(offset)
            applyHeld(
                HeldEvent(
                    sequence: sequence, range: range, customer: event.customer, expiresAt: nil, confirmed: true,
                    actor: event.actor, at: event.at, idempotency: nil))
            bookings[sequence]?.series = event.firstSequence
        }
        return summary(event.firstSequence)
    }
}
