/// Everything the journal defines: every resource's schedule and journal position, and the idempotency keys.
///
/// The only way this state changes is `apply(_:sequence:)`, one journal entry at a time, plus the passing of time
/// (`ResourceSchedule.advance(to:)`, which is a function of the entries and `now`). Replay calls it for every stored
/// entry; a live resource actor calls the same per-resource step, `ResourceSchedule.apply(_ entry:)`, on the
/// schedule it owns, right after deciding; snapshot restore builds the same values and rebuilds what is derived
/// from them. So a server that replays its journal is the server that wrote it, and a retry after a restart gets
/// the answer it got before.
public struct ServerState: Sendable {
    public let limits: DomainLimits
    public internal(set) var resources: [ResourceID: ResourceState] = [:]
    public internal(set) var keys: IdempotencyTable
    public internal(set) var tokens = TokenTable()

    public init(limits: DomainLimits) {
        self.limits = limits
        self.keys = IdempotencyTable(limits: limits)
    }

    /// A running server's state, gathered from its resource actors and its key table.
    public init(limits: DomainLimits, resources: [ResourceState], keys: IdempotencyTable, tokens: TokenTable) {
        self.limits = limits
        self.keys = keys
        self.tokens = tokens
        for resource in resources { self.resources[resource.schedule.id] = resource }
    }

    /// A journal entry that cannot follow the entries before it: the journal is damaged, and replay stops.
    public enum ApplyFailure: Error, Hashable, Sendable, CustomStringConvertible {
        case resourceCreatedTwice(ResourceID)
        case unknownResource(ResourceID)
        case tokenConflict(String)
        case unknownToken(TokenID)

        public var description: String {
            switch self {
            case .resourceCreatedTwice(let id): "resource \(id.rawValue) created twice"
            case .unknownResource(let id): "unknown resource \(id.rawValue)"
            case .tokenConflict(let problem): problem
            case .unknownToken(let id): "unknown token \(id)"
            }
        }
    }

    /// Applies one committed entry, numbered `sequence`. Crashes on an entry that breaks a rule of the schedule
    /// (capacity, a transition the state machine forbids): the entry was decided by code that broke an invariant,
    /// and patching it up here would hide that.
    ///
    /// `skipping` names resources whose state already includes the entry (a snapshot captured them after it):
    /// recovery skips a single resource's entry itself, and an atomic entry's parts of those resources here.
    @discardableResult
    public mutating func apply(
        _ entry: JournalEntry, sequence: UInt64, skipping skipped: (ResourceID) -> Bool = { _ in false }
    ) throws(ApplyFailure) -> AppliedEntry {
        let applied: AppliedEntry
        switch entry {
        case .tokenCreated(let record):
            if let problem = tokens.problem(adding: record) { throw .tokenConflict(problem) }
            tokens.add(record)
            return AppliedEntry(booking: nil, remembered: nil)
        case .tokenRevoked(let id, let at):
            guard tokens.revoke(id, at: at) else { throw .unknownToken(id) }
            return AppliedEntry(booking: nil, remembered: nil)
        case .customerErased(let erasure):
            // Every resource of the tenant, in replay as live (where the erasure held them all): its entry is
            // the newest of each.
            // The ids first: iterating `resources.keys` while changing a value would copy the whole table.
            let ids = resources.keys.filter { $0.tenant == erasure.tenant && !skipped($0) }
            for id in ids {
                resources[id]?.apply(entry, journal: { _, _ in sequence })
            }
            keys.erase(erasure)
            tokens.erase(erasure)
            return AppliedEntry(booking: nil, remembered: nil)
        case .resourceCreated, .schedule, .keyRecorded, .atomic:
            break
        }
        guard let id = entry.resource else { preconditionFailure("every entry left names a resource") }
        if case .resourceCreated(let settings, let at, let stamp) = entry {
            guard resources[id] == nil else { throw .resourceCreatedTwice(id) }
            let created = ResourceState.created(
                settings, at: at, idempotency: stamp, limits: limits, journal: { _, _ in sequence })
            resources[id] = created.resource
            applied = created.applied
        } else if case .atomic(let atomic) = entry {
            for resource in atomic.resources where resources[resource] == nil && !skipped(resource) {
                throw .unknownResource(resource)
            }
            var events: [ChangeEvent] = []
            for part in atomic.parts where !skipped(part.resource) {
                let entry = JournalEntry.schedule(part.resource, part.event)
                events += resources[part.resource]?.apply(entry, journal: { _, _ in sequence }).events ?? []
            }
            applied = AppliedEntry(
                booking: nil, remembered: atomic.remembered, events: ChangeEvent.addingGroupEvents(to: events))
        } else {
            // Through the optional, in place: the schedule is not copied.
            guard let result = resources[id]?.apply(entry, journal: { _, _ in sequence }) else {
                throw .unknownResource(id)
            }
            applied = result
        }
        if let remembered = applied.remembered { keys.remember(remembered) }
        return applied
    }

    /// A resource as a snapshot holds it; its derived state was rebuilt by `ResourceSchedule(restoring:…)`.
    public mutating func restore(_ resource: ResourceState) {
        resources[resource.schedule.id] = resource
    }

    /// A remembered idempotency key as a snapshot holds it.
    public mutating func restore(_ record: IdempotencyTable.Record) {
        keys.restore(record)
    }
}

/// One resource's part of `ServerState`: its schedule and where it stands in the journal.
public struct ResourceState: Sendable {
    public internal(set) var schedule: ResourceSchedule
    /// The journal sequence of the resource's creation.
    public let createdSequence: UInt64
    /// The newest journal entry applied to this resource (a read of it waits until that entry is durable).
    public internal(set) var lastSequence: UInt64

    public init(schedule: ResourceSchedule, createdSequence: UInt64, lastSequence: UInt64) {
        self.schedule = schedule
        self.createdSequence = createdSequence
        self.lastSequence = lastSequence
    }

    /// The state a `resourceCreated` entry starts, and the key it remembers. `journal` numbers the entry, as
    /// for `apply(_:journal:)`.
    public static func created(
        _ settings: ResourceSettings, at: Instant, idempotency stamp: IdempotencyStamp?, limits: DomainLimits,
        journal: (JournalEntry, ChangeEvents) -> UInt64
    ) -> (resource: ResourceState, applied: AppliedEntry) {
        let schedule = ResourceSchedule(settings: settings, createdAt: at, limits: limits)
        let remembered = stamp.map { RememberedReply(stamp: $0, reply: .resource(settings), at: at) }
        let created = ChangeEvent(
            kind: .resourceCreated, at: at, resource: settings.id, zone: schedule.grid.timeZone, settings: settings)
        let sequence = journal(.resourceCreated(settings, at: at, idempotency: stamp), [created])
        return (
            ResourceState(schedule: schedule, createdSequence: sequence, lastSequence: sequence),
            AppliedEntry(booking: nil, remembered: remembered, events: [created])
        )
    }

    /// Applies an entry of this resource, then numbers it with `journal`, which gets the entry and the change
    /// events it yields: replay passes the stored number, a live path appends both to the journal. Applying first
    /// means an entry that breaks an invariant stops the process before it can become durable and be replayed
    /// into the same crash.
    @discardableResult
    public mutating func apply(_ entry: JournalEntry, journal: (JournalEntry, ChangeEvents) -> UInt64)
        -> AppliedEntry
    {
        let applied = schedule.apply(entry)
        lastSequence = journal(entry, applied.events)
        return applied
    }
}

/// What applying one entry did, for the reply, the idempotency table and the change stream.
public struct AppliedEntry: Hashable, Sendable {
    /// The booking the entry created or changed, as replies show it.
    public var booking: BookingSummary?
    /// The reply a retry under the entry's idempotency key gets from now on.
    public var remembered: RememberedReply?
    /// What the entry changed that clients may be told of, in order (`ChangeEvent`); empty for entries that
    /// change nothing they see (tokens, a remembered key).
    public var events: ChangeEvents

    public init(booking: BookingSummary?, remembered: RememberedReply?, events: ChangeEvents = []) {
        self.booking = booking
        self.remembered = remembered
        self.events = events
    }
}

/// A reply kept under an idempotency key, from the instant of the change that produced it.
public struct RememberedReply: Hashable, Sendable {
    public var stamp: IdempotencyStamp
    public var reply: StoredReply
    public var at: Instant

    public init(stamp: IdempotencyStamp, reply: StoredReply, at: Instant) {
        self.stamp = stamp
        self.reply = reply
        self.at = at
    }
}

extension ResourceSchedule {
    /// The per-resource step of `ServerState.apply`: what one entry of this resource does to its schedule. A live
    /// resource actor calls it on the schedule it owns, after deciding and before journaling (should the entry
    /// break an invariant, the process stops before the entry can become durable and be replayed into the same
    /// crash); replay calls it through `ServerState.apply`.
    public mutating func apply(_ entry: JournalEntry) -> AppliedEntry {
        switch entry {
        case .resourceCreated:
            preconditionFailure("a resource is created by ServerState.apply, not applied to a schedule")
        case .atomic:
            preconditionFailure("an atomic entry is applied part by part, each as a schedule entry")
        case .tokenCreated, .tokenRevoked:
            preconditionFailure("a token entry is applied by ServerState.apply, not to a schedule")
        case .customerErased(let erasure):
            erase(erasure)
            // Not announced: an event would spread the text it removes. Holds its instant expired stay in the
            // change log for the resource's next entry, as they do after a live erasure, which a resource actor
            // makes with `erase` alone.
            return AppliedEntry(booking: nil, remembered: nil)
        case .schedule(let resource, let event):
            precondition(resource == id, "an entry of \(resource) applied to \(id)")
            let booking = apply(event)
            // Built only for a request that carried a key: a rule change's reply scans the bookings.
            let remembered = event.idempotency.flatMap { stamp in
                reply(after: event, booking: booking).map { RememberedReply(stamp: stamp, reply: $0, at: event.at) }
            }
            return AppliedEntry(booking: booking, remembered: remembered, events: takeChangeEvents())
        case .keyRecorded(let stamp, let summary, let at):
            // Takes no events: the entry moves no clock, so changes a live `advance` made before it stay for the
            // next entry that does, where replay meets them.
            return AppliedEntry(
                booking: nil, remembered: RememberedReply(stamp: stamp, reply: .booking(summary), at: at))
        }
    }
}
