/// What the journal stores, in memory terms: a resource created, or an event of one resource's schedule.
public enum JournalEntry: Hashable, Sendable {
    case resourceCreated(ResourceSettings, at: Instant, idempotency: IdempotencyStamp?)
    case schedule(ResourceID, ScheduleEvent)
    /// The reply of a request that changed nothing, remembered under its idempotency key. Journals of earlier
    /// servers hold such entries; no request writes one today (a request that changes nothing keeps no key), and
    /// replay still honours them. Indirect, being rare: its booking would set the size of every entry.
    indirect case keyRecorded(IdempotencyStamp, BookingSummary, at: Instant)
    /// Events of several resources (or several of one) that happen together: a group's change, an atomic batch.
    /// One journal record, so after a crash every part shows or none does. Indirect: inline, its kept reply made
    /// every entry (and every copy of one on the journal's path) more than twice as large.
    indirect case atomic(AtomicEntry)
    /// A token created (its secret's hash only). Indirect: rare, and larger than the common entries.
    indirect case tokenCreated(TokenRecord)
    case tokenRevoked(TokenID, at: Instant)
    /// One customer's text replaced across a tenant (decision 0022). Indirect: rare.
    indirect case customerErased(CustomerErasure)

    /// The resource the entry is about; for an atomic entry, its first part's; nil for an entry about the server
    /// (tokens, an erasure).
    public var resource: ResourceID? {
        switch self {
        case .resourceCreated(let settings, _, _): settings.id
        case .schedule(let resource, _): resource
        case .keyRecorded(_, let summary, _): summary.id.resource
        case .atomic(let atomic): atomic.parts[0].resource
        case .tokenCreated, .tokenRevoked, .customerErased: nil
        }
    }
}

/// The parts of an atomic entry, applied in order, and the reply kept under the request's idempotency key. The
/// parts carry no key of their own: the request's reply (a group, a batch's results) is not any one part's.
public struct AtomicEntry: Hashable, Sendable {
    public var parts: [(resource: ResourceID, event: ScheduleEvent)]
    public var remembered: RememberedReply?

    public init(parts: [(resource: ResourceID, event: ScheduleEvent)], remembered: RememberedReply?) {
        precondition(!parts.isEmpty, "an atomic entry has at least one part")
        precondition(parts.allSatisfy { $0.event.idempotency == nil }, "an atomic entry's parts carry no key")
        self.parts = parts
        self.remembered = remembered
    }

    /// The resources the parts change, each once, in order.
    public var resources: [ResourceID] {
        var seen = Set<ResourceID>()
        return parts.map(\.resource).filter { seen.insert($0).inserted }
    }

    public static func == (lhs: AtomicEntry, rhs: AtomicEntry) -> Bool {
        lhs.remembered == rhs.remembered && lhs.parts.count == rhs.parts.count
            && zip(lhs.parts, rhs.parts).allSatisfy { $0.resource == $1.resource && $0.event == $1.event }
    }

    public func hash(into hasher: inout Hasher) {
        for part in parts {
            hasher.combine(part.resource)
            hasher.combine(part.event)
        }
        hasher.combine(remembered)
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
