import SlotDomain
import Synchronization

/// The server-wide idempotency table behind a lock. Every call is synchronous, so an actor can look up, decide
/// and record without an `await` in between.
public final class IdempotencyRegistry: Sendable {
    private let table: Mutex<IdempotencyTable>

    public init(_ table: IdempotencyTable) {
        self.table = Mutex(table)
    }

    func begin(_ stamp: IdempotencyStamp, resource: ResourceID, now: Instant) -> IdempotencyTable.Lookup {
        table.withLock { $0.begin(stamp, resource: resource, now: now) }
    }

    func remember(_ remembered: RememberedReply) {
        table.withLock { $0.remember(remembered) }
    }

    func abandon(_ stamp: IdempotencyStamp) {
        table.withLock { $0.abandon(stamp) }
    }

    func prune(now: Instant) {
        table.withLock { $0.prune(now: now) }
    }

    func erase(_ erasure: CustomerErasure) -> Int {
        table.withLock { $0.erase(erasure) }
    }

    public var count: Int { table.withLock { $0.count } }

    func records() -> [IdempotencyTable.Record] {
        table.withLock { $0.records() }
    }

    /// A copy of the table (copy-on-write: O(1) under the lock).
    public func copy() -> IdempotencyTable {
        table.withLock { $0 }
    }
}
