/// Idempotency keys across all resources. A key is alive for `retentionSeconds` after the mutation that first
/// used it. Only a reply that changed something is remembered: a rejected request, and one that changed nothing
/// (confirming a confirmed booking), leave no key, so a retry with it is decided again.
///
/// Bounded: at most `keysMax` keys on the server and `keysPerResourceMax` on one resource, counting keys being
/// decided. A new key past either is refused (`too_many_keys`) rather than an older one forgotten inside its
/// retention, which could let a retry of that older request act twice. Keys whose retention has passed are
/// pruned before a key is refused, so they never count against the limit.
///
/// Used in two steps from inside one actor's synchronous section: `begin` (reserve the key, or learn it is taken)
/// then `finish` or `abandon`. A key reserved by a request with another fingerprint is a conflict; one with the
/// same fingerprint targets the same resource, whose actor serializes the two.
public struct IdempotencyTable: Sendable {
    public enum Lookup: Hashable, Sendable {
        case proceed
        case replay(StoredReply)
        case conflict
        /// The key is new and the server's or the resource's table is full: `too_many_keys`.
        case full(Rejection)
    }

    enum Entry: Sendable {
        case inFlight(fingerprint: String, resource: ResourceID)
        case done(fingerprint: String, reply: StoredReply, expiresAt: Instant)

        var resource: ResourceID {
            switch self {
            case .inFlight(_, let resource): resource
            case .done(_, let reply, _): reply.resource
            }
        }
    }

    public let retentionSeconds: Int64
    public let keysMax: Int
    public let keysPerResourceMax: Int
    private var entries: [String: Entry] = [:]
    /// Keys per resource, in flight or done; a resource with none has no entry.
    private var keysPerResource: [ResourceID: Int] = [:]
    /// Keys in the order they were finished, for pruning without a scan; stale keys are skipped.
    private var finishOrder: [(key: String, expiresAt: Instant)] = []
    private var finishOrderHead = 0
    /// Whether `finishOrder` is in order of expiry. Keys restored from a snapshot come in no particular order (and
    /// a wall clock set back finishes keys out of order): `prune` then sorts once, or it would stop at the first
    /// key still alive and keep expired ones behind it.
    private var finishOrderSorted = true

    public init(retentionSeconds: Int64, keysMax: Int = .max, keysPerResourceMax: Int = .max) {
        self.retentionSeconds = retentionSeconds
        self.keysMax = keysMax
        self.keysPerResourceMax = keysPerResourceMax
    }

    public init(limits: DomainLimits) {
        self.init(
            retentionSeconds: limits.idempotencyRetentionSeconds, keysMax: limits.idempotencyKeysMax,
            keysPerResourceMax: limits.idempotencyKeysPerResourceMax)
    }

    public var count: Int { entries.count }

    /// Keys counted against `resource` (in flight or remembered).
    public func count(on resource: ResourceID) -> Int { keysPerResource[resource] ?? 0 }

    /// Looks `stamp` up for a mutation of `resource` and reserves the key when it is new (or its retention has
    /// passed). A new key is refused when either table is full, after pruning what has expired.
    public mutating func begin(_ stamp: IdempotencyStamp, resource: ResourceID, now: Instant) -> Lookup {
        switch entries[stamp.key] {
        case .inFlight(let fingerprint, _)?:
            return fingerprint == stamp.fingerprint ? .proceed : .conflict
        case .done(let fingerprint, let reply, let expiresAt)? where expiresAt > now:
            return fingerprint == stamp.fingerprint ? .replay(reply) : .conflict
        case .done?, nil:
            // New, or expired (and then free for anything): it counts as a new key.
            set(stamp.key, nil)
            if let rejection = fullness(of: resource, now: now) { return .full(rejection) }
            set(stamp.key, .inFlight(fingerprint: stamp.fingerprint, resource: resource))
            return .proceed
        }
    }

    /// The refusal for one more key on `resource`, or nil when there is room (once expired keys are pruned).
    private mutating func fullness(of resource: ResourceID, now: Instant) -> Rejection? {
        func full() -> Rejection? {
            if entries.count >= keysMax {
                return Rejection(
                    .tooManyKeys, "the server already remembers \(keysMax) idempotency keys (the limit)",
                    details: ["field": "idempotency_key", "limit": String(keysMax), "scope": "server"])
            }
            if count(on: resource) >= keysPerResourceMax {
                return Rejection(
                    .tooManyKeys, "\(resource) already has \(keysPerResourceMax) idempotency keys (the limit)",
                    details: ["field": "idempotency_key", "limit": String(keysPerResourceMax), "scope": "resource"])
            }
            return nil
        }
        guard full() != nil else { return nil }
        prune(now: now)
        return full()
    }

    /// Records the reply of a mutation that succeeded at `at` (live, or replayed from the journal). Recovery
    /// records every key the journal holds, whatever the limits: they were accepted when they were written.
    public mutating func finish(_ stamp: IdempotencyStamp, reply: StoredReply, at: Instant) {
        let expiresAt = at.adding(seconds: retentionSeconds)
        set(stamp.key, .done(fingerprint: stamp.fingerprint, reply: reply, expiresAt: expiresAt))
        appendFinishOrder(stamp.key, expiresAt)
    }

    /// Records a reply an applied journal entry remembers (`ServerState.apply`, or a live actor's same step).
    public mutating func remember(_ remembered: RememberedReply) {
        finish(remembered.stamp, reply: remembered.reply, at: remembered.at)
    }

    /// Releases a key whose request was rejected or changed nothing.
    public mutating func abandon(_ stamp: IdempotencyStamp) {
        if case .inFlight? = entries[stamp.key] { set(stamp.key, nil) }
    }

    /// The one place entries change, so the per-resource counts follow.
    private mutating func set(_ key: String, _ entry: Entry?) {
        if let old = entries[key] {
            let remaining = (keysPerResource[old.resource] ?? 1) - 1
            keysPerResource[old.resource] = remaining > 0 ? remaining : nil
        }
        entries[key] = entry
        if let entry { keysPerResource[entry.resource, default: 0] += 1 }
    }

    /// Replaces the customer's text in every kept reply of `erasure`'s tenant that shows it (`CustomerErasure`),
    /// and the fingerprint of every key whose request named the customer (a hold's, a series', a join's hold the
    /// customer's text): such a key's fingerprint becomes the placeholder, which no request has, so a retry under
    /// it is refused as `idempotency_conflict` instead of being decided again. Keys of requests still being decided
    /// are left alone: none can be of the tenant while its resources are held for the erasure. Returns how many
    /// keys changed.
    @discardableResult
    public mutating func erase(_ erasure: CustomerErasure) -> Int {
        var erased = 0
        for (key, entry) in entries {
            guard case .done(let fingerprint, let reply, let expiresAt) = entry, reply.resource.tenant == erasure.tenant
            else { continue }
            let erasedReply = reply.erasing(erasure)
            let namesCustomer = erasure.isIn(fingerprint)
            guard erasedReply != nil || namesCustomer else { continue }
            entries[key] = .done(
                fingerprint: namesCustomer ? CustomerErasure.placeholder : fingerprint, reply: erasedReply ?? reply,
                expiresAt: expiresAt)
            erased += 1
        }
        return erased
    }

    /// A remembered key, as snapshots store it.
    public struct Record: Hashable, Sendable {
        public var key: String
        public var fingerprint: String
        public var reply: StoredReply
        public var expiresAt: Instant

        public init(key: String, fingerprint: String, reply: StoredReply, expiresAt: Instant) {
            self.key = key
            self.fingerprint = fingerprint
            self.reply = reply
            self.expiresAt = expiresAt
        }
    }

    /// Every finished key (keys of requests still being decided are not durable facts yet).
    public func records() -> [Record] {
        entries.compactMap { key, entry in
            guard case .done(let fingerprint, let reply, let expiresAt) = entry else { return nil }
            return Record(key: key, fingerprint: fingerprint, reply: reply, expiresAt: expiresAt)
        }
    }

    public mutating func restore(_ record: Record) {
        set(record.key, .done(fingerprint: record.fingerprint, reply: record.reply, expiresAt: record.expiresAt))
        appendFinishOrder(record.key, record.expiresAt)
    }

    private mutating func appendFinishOrder(_ key: String, _ expiresAt: Instant) {
        if let last = finishOrder.last, last.expiresAt > expiresAt { finishOrderSorted = false }
        finishOrder.append((key, expiresAt))
    }

    /// Forgets keys whose retention has passed. Lookups already treat them as gone; this frees the memory.
    public mutating func prune(now: Instant) {
        if !finishOrderSorted {
            finishOrder.removeFirst(finishOrderHead)
            finishOrderHead = 0
            finishOrder.sort { $0.expiresAt < $1.expiresAt }
            finishOrderSorted = true
        }
        while finishOrderHead < finishOrder.count, finishOrder[finishOrderHead].expiresAt <= now {
            let (key, expiresAt) = finishOrder[finishOrderHead]
            if case .done(_, _, let current) = entries[key], current == expiresAt { set(key, nil) }
            finishOrderHead += 1
        }
        if finishOrderHead > 1_024, finishOrderHead * 2 > finishOrder.count {
            finishOrder.removeFirst(finishOrderHead)
            finishOrderHead = 0
        }
    }
}
