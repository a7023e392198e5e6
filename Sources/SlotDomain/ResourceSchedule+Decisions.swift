/// Deciding mutations. Each function is pure (it reads the schedule and `now`, changes nothing) and returns an
/// event, an unchanged reply, or a rejection. Callers advance the schedule to `now` first.
extension ResourceSchedule {
    /// Decides a `hold` or `book`.
    public func decideHold(_ command: HoldCommand, now: Instant) -> Decision {
        if let rejection = checkPlacement(command.range, now: now) { return .reject(rejection) }
        if !command.confirm, activeHoldCount >= limits.activeHoldsPerResourceMax {
            return .reject(
                Rejection(
                    .tooManyHolds, "\(id) already has \(activeHoldCount) unconfirmed holds (the limit)",
                    details: ["limit": String(limits.activeHoldsPerResourceMax)]))
        }
        let expiresAt = Self.holdExpiry(
            of: command.range, ttlSeconds: command.ttlSeconds ?? settings.holdTTLSeconds, now: now)
        let event = HeldEvent(
            sequence: lastSequence + 1, range: command.range, customer: command.customer,
            expiresAt: command.confirm ? nil : expiresAt, confirmed: command.confirm,
            actor: command.actor, at: now, idempotency: command.idempotency)
        return .apply(.held(event))
    }

    /// When a hold made now lapses: after its time to live, but at its start at the latest, since nobody can
    /// confirm a slot that has already begun (and at least one second on, so a hold for "right now" exists long
    /// enough to be confirmed).
    static func holdExpiry(of range: TimeRange, ttlSeconds: Int, now: Instant) -> Instant {
        max(now.adding(seconds: 1), min(now.adding(seconds: Int64(ttlSeconds)), range.start))
    }

    /// Decides a move of booking `sequence`. A group member is confirmed, canceled or rescheduled only with its
    /// group (`asMemberOf`), so a group never ends up partly changed.
    public func decide(
        _ action: BookingAction, booking sequence: UInt64, actor: String, idempotency: IdempotencyStamp?,
        now: Instant, asMemberOf group: GroupID? = nil
    ) -> Decision {
        guard let booking = bookings[sequence] else {
            return .reject(Rejection(.notFound, "no booking \(id)/\(sequence)", field: "booking"))
        }
        if let membership = groups[sequence], action.changesGroup, membership.id != group {
            return .reject(
                Rejection(
                    .groupMember,
                    "booking \(booking.id) belongs to group \(membership.id): use \(action.groupOperation) on the group",
                    details: ["group": membership.id.description]))
        }
        let target = action.target
        // Confirming again is a no-op: a client that lost the first reply may safely ask twice. A rescheduled
        // booking was confirmed before it moved, so it counts as confirmed too.
        if target == .confirmed, booking.state == .confirmed || booking.state == .rescheduled {
            return .unchanged(summary(of: booking))
        }
        if target == .confirmed, booking.state == .expired {
            return .reject(
                Rejection(.holdExpired, "the hold expired before it was confirmed", details: ["from": "expired"]))
        }
        guard booking.state.canTransition(to: target) else {
            return .reject(
                Rejection(
                    .invalidTransition, "the booking is \(booking.state.rawValue) and cannot become \(target.rawValue)",
                    details: ["from": booking.state.rawValue, "to": target.rawValue]))
        }
        var event = TransitionEvent(sequence: sequence, to: target, actor: actor, at: now, idempotency: idempotency)
        switch action {
        case .confirm:
            break
        case .cancel(let reason):
            event.reason = reason
        case .reschedule(let newRange):
            if let rejection = checkPlacement(newRange, now: now, excluding: booking.range) {
                return .reject(rejection)
            }
            event.newRange = newRange
        case .complete, .noShow:
            guard now >= booking.range.start else {
                return .reject(
                    Rejection(
                        .notStarted, "a booking can be marked \(target.rawValue) only once it has started",
                        instantDetails: ["start": booking.range.start]))
            }
        }
        return .apply(.transitioned(event))
    }
}
