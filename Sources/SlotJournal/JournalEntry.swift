import SlotDomain

/// What the journal stores, in memory terms: a resource created, or an event of one resource's schedule.
public enum JournalEntry: Hashable, Sendable {
    case resourceCreated(ResourceSettings, at: Instant, idempotency: IdempotencyStamp?)
    case schedule(ResourceID, ScheduleEvent)
    /// A request that succeeded without changing anything (confirming a confirmed booking) under an idempotency
    /// key: its reply is remembered like any other, so a retry gets it back even after the booking moved on.
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
}
