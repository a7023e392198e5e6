/// What a successful mutation replied, kept under its idempotency key so a retry gets the same reply.
public enum StoredReply: Hashable, Sendable {
    case booking(BookingSummary)
    case resource(ResourceSettings)
}

/// Idempotency keys across all resources. A key is alive for `retentionSeconds` after the mutation that first
/// used it. Every successful reply is remembered, including one that changed nothing (confirming a confirmed
/// booking). A rejected request changed nothing and is not remembered: a retry with its key is decided again.
///
/// Used in two steps from inside one actor's synchronous section: `begin` (reserve the key, or learn it is taken)
/// then `finish` or `abandon`. A key reserved by a request with another fingerprint is a conflict; one with the
/// same fingerprint targets the same resource, whose actor serializes the two.
public struct IdempotencyTable: Sendable {
    public enum Lookup: Hashable, Sendable {
        case proceed
        case replay(StoredReply)
        case conflict
    }

    enum Entry: Sendable {
        case inFlight(fingerprint: String)
        case done(fingerprint: String, reply: StoredReply, expiresAt: Instant)
    }

    public let retentionSeconds: Int64
    private var entries: [String: Entry] = [:]
    /// Keys in the order they were finished, for pruning without a scan; stale keys are skipped.
    private var finishOrder: [(key: String, expiresAt: Instant)] = []
    private var finishOrderHead = 0

    public init(retentionSeconds: Int64) {
        self.retentionSeconds = retentionSeconds
    }

    public var count: Int { entries.count }

    public mutating func begin(_ stamp: IdempotencyStamp, now: Instant) -> Lookup {
        switch entries[stamp.key] {
        case .none:
            entries[stamp.key] = .inFlight(fingerprint: stamp.fingerprint)
            return .proceed
        case .inFlight(let fingerprint):
            return fingerprint == stamp.fingerprint ? .proceed : .conflict
        case .done(let fingerprint, let reply, let expiresAt):
            if expiresAt <= now {
                entries[stamp.key] = .inFlight(fingerprint: stamp.fingerprint)
                return .proceed
            }
            return fingerprint == stamp.fingerprint ? .replay(reply) : .conflict
        }
    }

    /// Records the reply of a mutation that succeeded at `at` (live, or replayed from the journal).
    public mutating func finish(_ stamp: IdempotencyStamp, reply: StoredReply, at: Instant) {
        let expiresAt = at.adding(seconds: retentionSeconds)
        entries[stamp.key] = .done(fingerprint: stamp.fingerprint, reply: reply, expiresAt: expiresAt)
        finishOrder.append((stamp.key, expiresAt))
    }

    /// Releases a key whose request was rejected.
    public mutating func abandon(_ stamp: IdempotencyStamp) {
        if case .inFlight = entries[stamp.key] { entries[stamp.key] = nil }
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
        entries[record.key] = .done(fingerprint: record.fingerprint, reply: record.reply, expiresAt: record.expiresAt)
        finishOrder.append((record.key, record.expiresAt))
    }

    /// Forgets keys whose retention has passed. Lookups already treat them as gone; this frees the memory.
    public mutating func prune(now: Instant) {
        while finishOrderHead < finishOrder.count, finishOrder[finishOrderHead].expiresAt <= now {
            let (key, expiresAt) = finishOrder[finishOrderHead]
            if case .done(_, _, let current) = entries[key], current == expiresAt { entries[key] = nil }
            finishOrderHead += 1
        }
        if finishOrderHead > 1_024, finishOrderHead * 2 > finishOrder.count {
            finishOrder.removeFirst(finishOrderHead)
            finishOrderHead = 0
        }
    }
}
