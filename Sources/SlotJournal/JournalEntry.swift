import SlotDomain

/// What the journal stores, in memory terms: a resource created, or an event of one resource's schedule.
public enum JournalEntry: Hashable, Sendable {
    case resourceCreated(ResourceSettings, at: Instant, idempotency: IdempotencyStamp?)
    case schedule(ResourceID, ScheduleEvent)

    public var resource: ResourceID {
        switch self {
        case .resourceCreated(let settings, _, _): settings.id
        case .schedule(let resource, _): resource
        }
    }
}

/// A journal entry read back, with its sequence number.
public struct SequencedEntry: Hashable, Sendable {
    public var sequence: UInt64
    public var entry: JournalEntry
}
