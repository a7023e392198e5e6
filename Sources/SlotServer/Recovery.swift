import Logging
import SlotDomain
import SlotJournal

/// Rebuilds the server's state from the journal: every resource, every booking, every idempotency key, exactly
/// as acknowledged. Events are applied, not re-decided, so replay cannot reach a different outcome than the one
/// the client was told.
struct Recovery {
    struct Summary: Sendable {
        var entries = 0
        var resources = 0
        var bookings = 0
        var seconds = 0.0
    }

    struct ResourceState {
        var schedule: ResourceSchedule
        var createdSequence: UInt64
        var lastSequence: UInt64
    }

    static func replay(
        journal: Journal, limits: DomainLimits, logger: Logger
    ) throws -> (resources: [ResourceID: ResourceState], idempotency: IdempotencyTable, summary: Summary) {
        let started = ContinuousClock.now
        var resources: [ResourceID: ResourceState] = [:]
        var idempotency = IdempotencyTable(retentionSeconds: limits.idempotencyRetentionSeconds)
        var summary = Summary()
        try journal.replay { sequenced in
            summary.entries += 1
            switch sequenced.entry {
            case .resourceCreated(let settings, let at, let stamp):
                guard resources[settings.id] == nil else {
                    throw JournalError.corruptRecord(sequence: sequenced.sequence, reason: "resource created twice")
                }
                resources[settings.id] = ResourceState(
                    schedule: ResourceSchedule(settings: settings, createdAt: at, limits: limits),
                    createdSequence: sequenced.sequence, lastSequence: sequenced.sequence)
                if let stamp { idempotency.finish(stamp, reply: .resource(settings), at: at) }
            case .schedule(let id, let event):
                guard resources[id] != nil else {
                    throw JournalError.corruptRecord(sequence: sequenced.sequence, reason: "unknown resource \(id)")
                }
                // Applied in place (no copy of the schedule); crashes on an event that breaks the rules.
                guard let summary = resources[id]?.schedule.apply(event) else { return }
                resources[id]?.lastSequence = sequenced.sequence
                if let stamp = event.idempotency {
                    idempotency.finish(stamp, reply: .booking(summary), at: event.at)
                }
            }
        }
        summary.resources = resources.count
        summary.bookings = resources.values.reduce(0) { $0 + $1.schedule.bookings.count }
        let elapsed = ContinuousClock.now - started
        summary.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        logger.notice(
            "journal replayed",
            metadata: [
                "journal.entries": "\(summary.entries)", "resources": "\(summary.resources)",
                "bookings": "\(summary.bookings)", "seconds": "\(summary.seconds)",
            ])
        return (resources, idempotency, summary)
    }
}
