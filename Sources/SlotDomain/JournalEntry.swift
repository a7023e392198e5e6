/// What the journal stores, in memory terms: a resource created, or an event of one resource's schedule.
public enum JournalEntry: Hashable, Sendable {
    case resourceCreated(ResourceSettings, at: Instant, idempotency: IdempotencyStamp?)
    case schedule(ResourceID, ScheduleEvent)
    /// The reply of a request that changed nothing, remembered under its idempotency key. Journals of earlier
    /// servers hold such entries; no request writes one today (a request that changes nothing keeps no key), and
    /// replay still honours them.
    case keyRecorded(IdempotencyStamp, BookingSummary, at: Instant)

    public var resource: ResourceID {
        switch self {
        case .resourceCreated(let settings, _, _): settings.id
        case .schedule(let resource, _): resource
        case .keyRecorded(_, let summary, _): summary.id.resource
        }
    }
}

/// A journal entry read back, with its sequence number.
public struct SequencedEntry: Hashable, Sendable {
    public var sequence: UInt64
    public var entry: JournalEntry

    public init(sequence: UInt64, entry: JournalEntry) {
        self.sequence = sequence
        self.entry = entry
    }
}
