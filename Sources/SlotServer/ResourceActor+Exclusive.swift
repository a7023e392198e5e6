import SlotDomain
import SlotWire

/// A change of several resources at once (a group's, an atomic batch's) takes each of them for its own, in
/// resource-id order, decides against all of them, applies, journals one atomic entry and lets them go. While a
/// resource is taken, every other request to it waits at its door (`waitTurn`): nobody sees a group half applied,
/// and a snapshot never captures a change applied but not yet journaled. The order of taking rules out a cycle of
/// waiters; nothing is awaited while a resource is taken except hops to the other taken actors, so the wait is
/// bounded by the change's own work (`batchOperationsMax` ops at most).
extension ResourceActor {
    /// Returns once no multi-resource change holds this resource. Every request method calls it first; after it
    /// returns the method runs to its end without another suspension, as before.
    func waitTurn() async {
        while exclusiveHolder != nil {
            await withCheckedContinuation { exclusiveWaiters.append($0) }
        }
    }

    /// Takes this resource for the change numbered `token`, waiting for any change that holds it now.
    func take(for token: UInt64) async {
        await waitTurn()
        exclusiveHolder = token
    }

    /// Lets the resource go, and every waiter check again.
    func letGo(from token: UInt64) {
        precondition(exclusiveHolder == token, "\(id) let go by a change that did not take it")
        exclusiveHolder = nil
        let waiters = exclusiveWaiters
        exclusiveWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    /// The schedule as of now, for the change that holds it to decide against (a copy-on-write copy: the change
    /// copies only what it must simulate), with this resource's newest journal entry.
    func takenSchedule(for token: UInt64) -> (schedule: ResourceSchedule, lastJournaled: UInt64) {
        precondition(exclusiveHolder == token, "\(id) read by a change that did not take it")
        advanceToNow()
        return (schedule, lastJournaled)
    }

    /// Applies the decided events of the change holding this resource, in order, through the same step replay takes
    /// (`ResourceSchedule.apply(_ entry:)`), and returns each one's reply. Not yet journaled: the change appends one
    /// atomic entry for every resource once all have applied, then calls `journaled(sequence:for:)`.
    func applyTaken(_ events: [ScheduleEvent], for token: UInt64) -> [StoredReply] {
        precondition(exclusiveHolder == token, "\(id) changed by a change that did not take it")
        var replies: [StoredReply] = []
        for event in events {
            let applied = schedule.apply(.schedule(id, event))
            guard let reply = schedule.reply(after: event, booking: applied.booking) else {
                preconditionFailure("an applied event has no reply")
            }
            replies.append(reply)
        }
        reportPromotions()
        return replies
    }

    /// The atomic entry holding this resource's events was appended as `sequence`.
    func journaled(sequence: UInt64, for token: UInt64) {
        precondition(exclusiveHolder == token, "\(id) journaled by a change that did not take it")
        lastJournaled = sequence
    }

    /// The group of booking `sequence`, to learn which resources a group op must take. A group's membership never
    /// changes once made, so reading it before taking them is safe.
    func groupMembership(_ sequence: UInt64) async -> GroupMembership? {
        await waitTurn()
        return schedule.group(of: sequence)
    }
}
