import SlotDomain
import SlotWire

/// A change of several resources at once (a group's, an atomic batch's) takes each of them for its own, in
/// resource-id order, decides against all of them, applies, journals one atomic entry and lets them go. While a
/// resource is taken, every other request to it waits at its door (`waitTurn`): nobody sees a group half applied,
/// and a snapshot never captures a change applied but not yet journaled. The order of taking rules out a cycle of
/// waiters; while a resource is taken, a change awaits only the taking of resources later in that order and hops to
/// the actors it took, so the wait is bounded by the work of the changes ahead (`batchOperationsMax` ops each at
/// most).
extension ResourceActor {
    /// Returns once no multi-resource change holds this resource. Every request method calls it first; after it
    /// returns the method runs to its end without another suspension, as before.
    func waitTurn() async {
        while exclusiveHolder != nil {
            await withCheckedContinuation { exclusiveWaiters.append($0) }
        }
    }

    /// Takes this resource for the change numbered `token`, waiting for any change that holds it now, and returns
    /// the schedule as of now for the change to decide against (a copy-on-write copy: the change copies only what
    /// it must simulate), with this resource's newest journal entry. One hop for both, since every multi-resource
    /// change pays it for each of its resources.
    func take(for token: UInt64) async -> (schedule: ResourceSchedule, lastJournaled: UInt64) {
        await waitTurn()
        exclusiveHolder = token
        advanceToNow()
        return (schedule, lastJournaled)
    }

    /// Lets the resource go, and every waiter check again. `journaled`: the sequence of the atomic entry holding
    /// this resource's events, when the change applied any here (`applyTaken`).
    func letGo(from token: UInt64, journaled sequence: UInt64?) {
        precondition(exclusiveHolder == token, "\(id) let go by a change that did not take it")
        if let sequence { lastJournaled = sequence }
        exclusiveHolder = nil
        let waiters = exclusiveWaiters
        exclusiveWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    /// Applies the decided events of the change holding this resource, in order, through the same step replay takes
    /// (`ResourceSchedule.apply(_ entry:)`), and returns each one's reply and change events. Not yet journaled: the
    /// change appends one atomic entry for every resource once all have applied, then lets go with its sequence.
    func applyTaken(_ events: [ScheduleEvent], for token: UInt64) -> [(reply: StoredReply, events: ChangeEvents)] {
        precondition(exclusiveHolder == token, "\(id) changed by a change that did not take it")
        var results: [(reply: StoredReply, events: ChangeEvents)] = []
        for event in events {
            let applied = schedule.apply(.schedule(id, event))
            guard let reply = schedule.reply(after: event, booking: applied.booking) else {
                preconditionFailure("an applied event has no reply")
            }
            results.append((reply, applied.events))
        }
        reportPromotions()
        return results
    }

    /// Applies an erasure to this resource, which the erasure holds, through the step replay takes
    /// (`ResourceSchedule.apply(_ entry:)` calls the same `erase`).
    func applyTaken(_ erasure: CustomerErasure, for token: UInt64) -> ErasureCounts {
        precondition(exclusiveHolder == token, "\(id) erased by a change that did not take it")
        return schedule.erase(erasure)
    }

    /// The group of booking `sequence`, to learn which resources a group op must take. A group's membership never
    /// changes once made, so reading it before taking them is safe.
    func groupMembership(_ sequence: UInt64) async -> GroupMembership? {
        await waitTurn()
        return schedule.group(of: sequence)
    }
}
