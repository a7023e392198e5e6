import SlotDomain
import SlotJournal

extension OutboxStore {
    /// Creates `deliveries` for `webhook` (each pending, due at `now`) and moves its cursor to `cursorThrough`, in
    /// one transaction: the events up to the cursor have their deliveries or did not match. Returns false, writing
    /// nothing, when the endpoint no longer exists (deleted while its events were read).
    ///
    /// Every delivery's seq lies after the endpoint's cursor and at or before `cursorThrough`: a cursor never
    /// moves back and an event is never enqueued twice; anything else is a broken invariant.
    @discardableResult
    public func enqueue(
        webhook: String, deliveries: [(seq: UInt64, type: String, body: [UInt8])], cursorThrough: UInt64,
        at now: Instant
    ) throws -> Bool {
        let enqueued = try transaction {
            let cursorQuery = try statement("SELECT cursor FROM webhooks WHERE id = ?")
            cursorQuery.bind(1, webhook)
            guard try cursorQuery.step() else { return false }
            let cursor = UInt64(cursorQuery.int64(0))
            cursorQuery.reset()
            precondition(cursorThrough >= cursor, "a webhook cursor moved back")
            let insert = try statement(
                """
                INSERT INTO deliveries (webhook, event_seq, event_type, body, state, attempts, created_at,
                    retries_since, next_attempt_at)
                VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)
                """)
            for delivery in deliveries {
                precondition(delivery.seq > cursor && delivery.seq <= cursorThrough, "an event enqueued twice")
                insert.bind(1, webhook)
                insert.bind(2, Int64(delivery.seq))
                insert.bind(3, delivery.type)
                insert.bind(4, delivery.body)
                for column: Int32 in 5...7 { insert.bind(column, now.secondsSinceEpoch) }
                defer { insert.reset() }
                _ = try insert.step()
            }
            let advance = try statement("UPDATE webhooks SET cursor = ? WHERE id = ?")
            advance.bind(1, Int64(cursorThrough))
            advance.bind(2, webhook)
            _ = try advance.step()
            return true
        }
        if enqueued { pendingCount += deliveries.count }
        return enqueued
    }

    /// Marks dead every pending or failed delivery whose retries began more than `maxAgeSeconds` before `now`;
    /// returns how many.
    public func expireOverdue(now: Instant, maxAgeSeconds: Int64) throws -> Int {
        let update = try statement(
            """
            UPDATE deliveries SET state = 'dead', next_attempt_at = NULL
            WHERE state IN ('pending', 'failed') AND retries_since < ?
            """)
        update.bind(1, now.secondsSinceEpoch - maxAgeSeconds)
        _ = try update.step()
        pendingCount -= database.changes
        return database.changes
    }

    /// Up to `limit` pending or failed deliveries due at `now`, the longest due first, leaving out those of the
    /// endpoints in `excluding` (whose breakers are open, so that they do not fill the batch). Each endpoint's are
    /// read apart, through its part of the due index, so an excluded endpoint's backlog is never read.
    public func due(now: Instant, limit: Int, excluding: Set<String> = []) throws -> [Delivery] {
        guard limit > 0 else { return [] }
        let query = try statement(
            """
            SELECT \(Rows.deliveryColumns) FROM deliveries
            WHERE webhook = ?1 AND state IN ('pending', 'failed') AND next_attempt_at <= ?2
            ORDER BY next_attempt_at, id LIMIT ?3
            """)
        var due: [Delivery] = []
        for webhook in try webhookIDs() where !excluding.contains(webhook) {
            query.bind(1, webhook)
            query.bind(2, now.secondsSinceEpoch)
            query.bind(3, Int64(limit))
            defer { query.reset() }
            while try query.step() { due.append(try Rows.delivery(query)) }
        }
        due.sort {
            ($0.nextAttemptAt?.secondsSinceEpoch ?? 0, $0.id) < ($1.nextAttemptAt?.secondsSinceEpoch ?? 0, $1.id)
        }
        return Array(due.prefix(limit))
    }

    private func webhookIDs() throws -> [String] {
        let query = try statement("SELECT id FROM webhooks ORDER BY id")
        var ids: [String] = []
        while try query.step() { ids.append(query.text(0)) }
        return ids
    }

    /// Records one attempt at `now`: delivered, or failed with its next attempt from `schedule`, or dead when the
    /// schedule says the next would come after its maximum age. Nil when the delivery no longer exists (its
    /// endpoint was deleted while the attempt was in flight).
    public func recordAttempt(
        _ id: Int64, outcome: AttemptOutcome, at now: Instant, schedule: RetrySchedule,
        random: inout some RandomNumberGenerator
    ) throws -> Delivery? {
        try recordAttempts([(id: id, outcome: outcome)], at: now, schedule: schedule, random: &random).first
    }

    /// Records several attempts, as `recordAttempt` does each, in one transaction: one write to disk for a whole
    /// batch of answers. Returns the deliveries that still exist, in the order given.
    public func recordAttempts(
        _ attempts: [(id: Int64, outcome: AttemptOutcome)], at now: Instant, schedule: RetrySchedule,
        random: inout some RandomNumberGenerator
    ) throws -> [Delivery] {
        let (recorded, pendingChange) = try transaction {
            var recorded: [Delivery] = []
            var pendingChange = 0
            for attempt in attempts {
                guard var delivery = try self.delivery(id: attempt.id) else { continue }
                let wasPending = delivery.state.isWaiting
                delivery.attempts += 1
                delivery.lastAttemptAt = now
                switch attempt.outcome {
                case .delivered(let status):
                    delivery.state = .delivered
                    delivery.nextAttemptAt = nil
                    delivery.lastStatus = status
                    delivery.lastError = nil
                case .failed(let status, let reason):
                    delivery.nextAttemptAt = schedule.nextAttempt(
                        afterAttempt: delivery.attempts, createdAt: delivery.retriesSince, now: now, random: &random)
                    delivery.state = delivery.nextAttemptAt == nil ? .dead : .failed
                    delivery.lastStatus = status
                    delivery.lastError = reason
                }
                try update(delivery)
                recorded.append(delivery)
                pendingChange += (delivery.state.isWaiting ? 1 : 0) - (wasPending ? 1 : 0)
            }
            return (recorded, pendingChange)
        }
        pendingCount += pendingChange
        return recorded
    }

    /// Sends a dead or delivered delivery again: pending, due at `now`, attempts counted afresh and a whole retry
    /// schedule from `now`; same event, same `webhook-id`. A pending or failed one is already on its way and comes
    /// back unchanged. Nil when there is no such delivery.
    public func redeliver(_ id: Int64, now: Instant) throws -> Delivery? {
        try acknowledged { try markForRedelivery(id, now: now) }
    }

    private func markForRedelivery(_ id: Int64, now: Instant) throws -> Delivery? {
        guard var delivery = try self.delivery(id: id) else { return nil }
        guard delivery.state == .dead || delivery.state == .delivered else { return delivery }
        delivery.state = .pending
        delivery.attempts = 0
        delivery.retriesSince = now
        delivery.nextAttemptAt = now
        try update(delivery)
        pendingCount += 1
        return delivery
    }

    public func delivery(id: Int64) throws -> Delivery? {
        let query = try statement("SELECT \(Rows.deliveryColumns) FROM deliveries WHERE id = ?")
        query.bind(1, id)
        return try query.step() ? try Rows.delivery(query) : nil
    }

    /// Writes back the fields an attempt or a redelivery changes.
    private func update(_ delivery: Delivery) throws {
        let write = try statement(
            """
            UPDATE deliveries SET state = ?, attempts = ?, retries_since = ?, next_attempt_at = ?,
                last_attempt_at = ?, last_status = ?, last_error = ?
            WHERE id = ?
            """)
        write.bind(1, delivery.state.rawValue)
        write.bind(2, Int64(delivery.attempts))
        write.bind(3, delivery.retriesSince.secondsSinceEpoch)
        // Unbound parameters are NULL.
        if let next = delivery.nextAttemptAt { write.bind(4, next.secondsSinceEpoch) }
        if let last = delivery.lastAttemptAt { write.bind(5, last.secondsSinceEpoch) }
        if let status = delivery.lastStatus { write.bind(6, Int64(status)) }
        if let error = delivery.lastError { write.bind(7, error) }
        write.bind(8, delivery.id)
        _ = try write.step()
    }

    /// An endpoint's deliveries by state.
    public func counts(webhook: String) throws -> DeliveryCounts {
        let query = try statement("SELECT state, COUNT(*) FROM deliveries WHERE webhook = ? GROUP BY state")
        query.bind(1, webhook)
        var counts = DeliveryCounts()
        while try query.step() {
            let count = Int(query.int64(1))
            switch Delivery.State(rawValue: query.text(0)) {
            case .delivered: counts.delivered = count
            case .pending: counts.pending = count
            case .failed: counts.failed = count
            case .dead: counts.dead = count
            case nil: throw OutboxError.corruptRow(table: "deliveries", id: webhook, reason: "state \(query.text(0))")
            }
        }
        return counts
    }

    /// An endpoint's deliveries, newest first, in `state` if given; at most `limit` (which the request's decoder
    /// bounds: `DomainLimits.listedDeliveriesMax`).
    public func deliveries(webhook: String, state: Delivery.State? = nil, limit: Int) throws -> [Delivery] {
        let stateFilter = state == nil ? "" : " AND state = ?3"
        let query = try statement(
            "SELECT \(Rows.deliveryColumns) FROM deliveries WHERE webhook = ?1\(stateFilter) ORDER BY id DESC LIMIT ?2")
        query.bind(1, webhook)
        query.bind(2, Int64(max(0, limit)))
        if let state { query.bind(3, state.rawValue) }
        var listed: [Delivery] = []
        while try query.step() { listed.append(try Rows.delivery(query)) }
        return listed
    }

    /// Removes delivered deliveries whose last attempt came before `before`; returns how many.
    @discardableResult
    public func pruneDelivered(before: Instant) throws -> Int {
        let delete = try statement("DELETE FROM deliveries WHERE state = 'delivered' AND last_attempt_at < ?")
        delete.bind(1, before.secondsSinceEpoch)
        _ = try delete.step()
        return database.changes
    }

    /// Removes the delivered deliveries older than `configuration.deliveredRetentionSeconds` at `now`.
    @discardableResult
    public func pruneDelivered(now: Instant) throws -> Int {
        try pruneDelivered(before: now.adding(seconds: -configuration.deliveredRetentionSeconds))
    }
}
