import Logging
import SlotDomain
import SlotWire

/// Recurring series and the waitlist. Same shape as every mutation: decide, apply, journal, with no `await`.
extension ResourceActor {
    public func bookSeries(_ command: SeriesCommand) async -> Outcome {
        if exclusiveHolder != nil { await waitTurn() }
        let now = advanceToNow()
        if let early = admit(command.idempotency, now: now) { return early }
        switch schedule.decideSeries(command, now: now) {
        case .failure(let rejection):
            release(command.idempotency)
            return refused(rejection)
        case .success(let decided):
            return commitReplying(decided.event)
        }
    }

    public func cancelSeries(
        _ series: UInt64, from: Instant?, reason: String?, actor: String, stamp: IdempotencyStamp? = nil
    ) async -> Outcome {
        if exclusiveHolder != nil { await waitTurn() }
        let now = advanceToNow()
        if let early = admit(stamp, now: now) { return early }
        switch schedule.decideCancelSeries(
            series, from: from, reason: reason, actor: actor, idempotency: stamp, now: now)
        {
        case .failure(let rejection):
            release(stamp)
            return refused(rejection)
        case .success(nil):
            // Nothing left to cancel: nothing changed, so no key is kept.
            release(stamp)
            let seriesID = BookingID(resource: id, sequence: series)
            return read(.success(.series(seriesID, bookings: [], skipped: [])))
        case .success(let event?):
            return commitReplying(event)
        }
    }

    public func joinWaitlist(_ range: TimeRange, customer: String, actor: String, stamp: IdempotencyStamp? = nil)
        async -> Outcome
    {
        if exclusiveHolder != nil { await waitTurn() }
        let now = advanceToNow()
        if let early = admit(stamp, now: now) { return early }
        switch schedule.decideJoin(range: range, customer: customer, actor: actor, idempotency: stamp, now: now) {
        case .reject(let rejection):
            release(stamp)
            return refused(rejection)
        case .existing(let entry):
            // The customer's own entry, unchanged: no key is kept, as for any reply that changed nothing.
            release(stamp)
            return read(.success(.waitlistEntry(view(entry))))
        case .apply(let event):
            return commitReplying(event)
        }
    }

    public func leaveWaitlist(_ number: UInt64, actor: String, stamp: IdempotencyStamp? = nil) async -> Outcome {
        if exclusiveHolder != nil { await waitTurn() }
        let now = advanceToNow()
        if let early = admit(stamp, now: now) { return early }
        switch schedule.decideLeave(number, actor: actor, idempotency: stamp, now: now) {
        case .failure(let rejection):
            release(stamp)
            return refused(rejection)
        case .success(let event):
            return commitReplying(event)
        }
    }

    private func view(_ entry: WaitlistEntry) -> WaitlistView {
        guard let outcome = schedule.waitlistEntry(entry.id.number) else { preconditionFailure("entry missing") }
        return WaitlistView(entry: outcome.entry, position: outcome.position, booking: outcome.booking)
    }

    /// Logs each hold given to a waiting customer (customer names stay out of logs).
    func reportPromotions() {
        for promotion in schedule.takePromotionNotices() {
            logger.notice(
                "waitlist_promoted",
                metadata: [
                    "resource.id": "\(id)", "waitlist.entry": "\(promotion.entry)",
                    "booking.id": "\(promotion.booking)", "booking.start": "\(RFC3339.format(promotion.range.start))",
                    "booking.expires_at": "\(RFC3339.format(promotion.expiresAt))",
                ])
        }
    }
}
