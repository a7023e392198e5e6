/// What a successful mutation replied, kept under its idempotency key so a retry gets the same reply. Each case
/// holds domain values enough to write the first reply again exactly; the server writes the live reply from the
/// same value (`ResourceSchedule.reply(after:booking:)`), so the two cannot drift apart.
public enum StoredReply: Hashable, Sendable {
    case booking(BookingSummary)
    case resource(ResourceSettings)
    /// A rule op: every layer after the change.
    case rules(RulesOutcome)
    /// `book_series` (with the occurrences skipped) or `cancel_series` (the occurrences canceled).
    case series(SeriesOutcome)
    /// `waitlist_join` or `waitlist_leave`: the entry as it stood right after the change.
    case waitlist(WaitlistOutcome)
    /// A group's hold, book, confirm, cancel or reschedule: the group right after the change.
    case group(GroupOutcome)
    /// An atomic batch: each op's reply, in order. Counted against `resource`, the first the batch changed.
    case batch(resource: ResourceID, results: [StoredReply])

    /// The resource the key is counted against.
    public var resource: ResourceID {
        switch self {
        case .booking(let summary): summary.id.resource
        case .resource(let settings): settings.id
        case .rules(let outcome): outcome.resource
        case .series(let outcome): outcome.series.resource
        case .waitlist(let outcome): outcome.entry.id.resource
        case .group(let outcome): outcome.id.lead.resource
        case .batch(let resource, _): resource
        }
    }
}

/// The reply to a rule op: every layer after it, the active bookings the rules no longer accept, and the block
/// the op added (`add_block`).
public struct RulesOutcome: Hashable, Sendable {
    public var resource: ResourceID
    public var rules: AvailabilityRules
    public var affected: [BookingID]
    public var addedBlock: Block?

    public init(resource: ResourceID, rules: AvailabilityRules, affected: [BookingID], addedBlock: Block?) {
        self.resource = resource
        self.rules = rules
        self.affected = affected
        self.addedBlock = addedBlock
    }
}

/// The reply to `book_series` or `cancel_series`: the series, its occurrences booked or canceled (as they stood
/// then), and the occurrences skipped.
public struct SeriesOutcome: Hashable, Sendable {
    public var series: BookingID
    public var bookings: [BookingSummary]
    public var skipped: [SeriesConflict]

    public init(series: BookingID, bookings: [BookingSummary], skipped: [SeriesConflict]) {
        self.series = series
        self.bookings = bookings
        self.skipped = skipped
    }
}

/// A waitlist entry as a reply shows it: its place in the queue while waiting, and the hold it was given.
public struct WaitlistOutcome: Hashable, Sendable {
    public var entry: WaitlistEntry
    public var position: Int?
    public var booking: BookingSummary?

    public init(entry: WaitlistEntry, position: Int?, booking: BookingSummary?) {
        self.entry = entry
        self.position = position
        self.booking = booking
    }
}

extension ResourceSchedule {
    /// The reply to the request that decided `event`, read from this schedule right after the event was applied:
    /// the live reply, and (through `apply(_ entry:)`) the one remembered under the event's idempotency key, live
    /// and in replay alike. `booking` is what applying the event returned. Nil only for an event that changed no
    /// booking where a booking reply was expected, which no decision produces.
    public func reply(after event: ScheduleEvent, booking: BookingSummary?) -> StoredReply? {
        switch event {
        case .held, .transitioned:
            return booking.map(StoredReply.booking)
        case .rulesChanged(let changed):
            // After the event, waiting customers may have been given holds; a promoted hold passes every rule
            // (with notice, which this check leaves out), so it is never among the affected bookings.
            var added: Block?
            if case .addBlock(let block) = changed.change { added = block }
            return .rules(
                RulesOutcome(
                    resource: id, rules: rules, affected: bookingsAgainstRules(now: changed.at), addedBlock: added))
        case .seriesBooked(let booked):
            return .series(
                SeriesOutcome(
                    series: BookingID(resource: id, sequence: booked.firstSequence),
                    bookings: seriesBookings(booked.firstSequence).map(summary(of:)), skipped: booked.skipped))
        case .seriesCanceled(let canceled):
            return .series(
                SeriesOutcome(
                    series: BookingID(resource: id, sequence: canceled.series),
                    bookings: canceled.sequences.compactMap(summary), skipped: []))
        case .waitlistJoined(let joined):
            return waitlistEntry(joined.number).map(StoredReply.waitlist)
        case .waitlistLeft(let left):
            return waitlistEntry(left.number).map(StoredReply.waitlist)
        case .expiriesNoticed, .remindersDue, .externalBusyChanged:
            return nil
        }
    }

    /// Entry `number` as replies show it, or nil when there is none.
    public func waitlistEntry(_ number: UInt64) -> WaitlistOutcome? {
        guard let entry = waitlist[number] else { return nil }
        return WaitlistOutcome(
            entry: entry, position: entry.state == .waiting ? position(ofWaiting: number) : nil,
            booking: entry.booking.flatMap(summary))
    }
}
