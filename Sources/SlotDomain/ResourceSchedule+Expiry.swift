/// Hold expiry: a lapsed hold is released when the schedule's clock passes its `expires_at`, and a live server
/// journals that moment first (`decideExpiryNotice`), so that every expiry is an entry of its own.
extension ResourceSchedule {
    /// When the earliest hold here expires, if any hold is pending (it may have been confirmed or canceled since:
    /// `advance` then passes over it). Lets a sweeper skip resources with nothing due.
    public var nextExpiry: Instant? { expiries.minimum?.at }

    /// Moves this schedule's clock to `now` (never backwards) and expires every hold due by then, recording each
    /// expiry at its own `expires_at` with actor `system`. Returns the clock after the move.
    ///
    /// A live server never lets this meet an expiry: it journals an `expiriesNoticed` entry first
    /// (`decideExpiryNotice`), which offers the freed time at the instant it is noticed (decision 0019) and
    /// announces the expiry. Only journals of earlier servers get here with holds due; they gave the time away at
    /// the instant of the expiry itself, and replaying them must give the same holds with the same expiries.
    @discardableResult
    public mutating func advance(to now: Instant) -> Instant {
        advance(to: now, offeringAtExpiry: true)
    }

    mutating func advance(to now: Instant, offeringAtExpiry: Bool) -> Instant {
        if now > clock { clock = now }
        while let due = expiries.minimum, due.at <= clock {
            expiries.removeMinimum()
            guard var booking = bookings[due.sequence], booking.state == .pendingConfirmation,
                booking.expiresAt == due.at
            else { continue }  // confirmed or canceled since: a stale heap entry
            release(booking.range)
            activeHoldCount -= 1
            booking.state = .expired
            transitions.record(from: .pendingConfirmation, to: .expired)
            booking.record(
                Transition(from: .pendingConfirmation, to: .expired, actor: Actors.system, at: due.at),
                entriesMax: limits.historyEntriesPerBookingMax)
            bookings[due.sequence] = booking
            recordChange(
                summary(of: booking), previous: ChangeEvent.Previous(range: booking.range, state: .pendingConfirmation),
                at: due.at)
            if offeringAtExpiry { promoteWaiting(at: due.at) }
        }
        return clock
    }

    /// The entry to journal before anything else happens at `now`, when a hold has expired by then: the expiry
    /// is then a change of its own, announced (`booking.expired`) when it is noticed rather than with whatever
    /// entry comes next, and the time it freed is offered to waiting customers at `now`, in a step replay repeats.
    /// Nil when no hold is due. Drops expiry records of holds confirmed or canceled since from the front of the
    /// queue, which `advance` would skip anyway, so that they do not cause an entry.
    public mutating func decideExpiryNotice(now: Instant) -> ScheduleEvent? {
        let at = max(now, clock)
        while let due = expiries.minimum, due.at <= at {
            if let booking = bookings[due.sequence], booking.state == .pendingConfirmation,
                booking.expiresAt == due.at
            {
                return .expiriesNoticed(ExpiriesNoticedEvent(at: at))
            }
            expiries.removeMinimum()
        }
        return nil
    }
}
