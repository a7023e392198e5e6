import Logging
import SlotDomain
import SlotWire

/// Recurring series and the waitlist. Same shape as every mutation: decide, apply, journal, with no `await`.
extension ResourceActor {
    public func bookSeries(_ command: SeriesCommand) -> Outcome {
        let now = advanceToNow()
        switch schedule.decideSeries(command, now: now) {
        case .failure(let rejection):
            return refused(rejection)
        case .success(let decided):
            guard case .seriesBooked(let booked) = decided.event else { preconditionFailure("not a series event") }
            let sequence = commit(decided.event).sequence
            let summaries = schedule.seriesBookings(booked.firstSequence).map(\.summary)
            let series = BookingID(resource: id, sequence: booked.firstSequence)
            return Outcome(
                reply: .success(.series(series, bookings: summaries, skipped: decided.skipped)),
                awaitedSequence: sequence)
        }
    }

    public func cancelSeries(_ series: UInt64, from: Instant?, reason: String?, actor: String) -> Outcome {
        let now = advanceToNow()
        let seriesID = BookingID(resource: id, sequence: series)
        switch schedule.decideCancelSeries(series, from: from, reason: reason, actor: actor, now: now) {
        case .failure(let rejection):
            return refused(rejection)
        case .success(nil):
            return read(.success(.series(seriesID, bookings: [], skipped: [])))
        case .success(let event?):
            guard case .seriesCanceled(let canceled) = event else { preconditionFailure("not a cancel event") }
            let sequence = commit(event).sequence
            let summaries = canceled.sequences.compactMap { schedule.booking($0)?.summary }
            return Outcome(
                reply: .success(.series(seriesID, bookings: summaries, skipped: [])), awaitedSequence: sequence)
        }
    }

    public func joinWaitlist(_ range: TimeRange, customer: String, actor: String) -> Outcome {
        let now = advanceToNow()
        switch schedule.decideJoin(range: range, customer: customer, actor: actor, now: now) {
        case .reject(let rejection):
            return refused(rejection)
        case .existing(let entry):
            return read(.success(.waitlistEntry(view(entry))))
        case .apply(let event):
            guard case .waitlistJoined(let joined) = event else { preconditionFailure("not a join event") }
            let sequence = commit(event).sequence
            guard let entry = schedule.waitlist[joined.number] else { preconditionFailure("joined entry missing") }
            return Outcome(reply: .success(.waitlistEntry(view(entry))), awaitedSequence: sequence)
        }
    }

    public func leaveWaitlist(_ number: UInt64, actor: String) -> Outcome {
        let now = advanceToNow()
        switch schedule.decideLeave(number, actor: actor, now: now) {
        case .failure(let rejection):
            return refused(rejection)
        case .success(let event):
            let sequence = commit(event).sequence
            guard let entry = schedule.waitlist[number] else { preconditionFailure("left entry missing") }
            return Outcome(reply: .success(.waitlistEntry(view(entry))), awaitedSequence: sequence)
        }
    }

    public func waitlistEntry(_ number: UInt64) -> Outcome {
        advanceToNow()
        guard let entry = schedule.waitlist[number] else {
            return refused(Rejection(.notFound, "no waitlist entry \(id)/w\(number)", field: "entry"))
        }
        return read(.success(.waitlistEntry(view(entry))))
    }

    /// Everyone still waiting, first in line first.
    public func waitlistQueue() -> Outcome {
        advanceToNow()
        let views = schedule.waiting.compactMap { schedule.waitlist[$0] }.map(view)
        return read(.success(.waitlist(views)))
    }

    private func view(_ entry: WaitlistEntry) -> WaitlistView {
        let number = entry.id.number
        return WaitlistView(
            entry: entry, position: entry.state == .waiting ? schedule.position(ofWaiting: number) : nil,
            booking: entry.booking.flatMap { schedule.booking($0)?.summary })
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
