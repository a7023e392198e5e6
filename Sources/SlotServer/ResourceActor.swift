import Logging
import SlotDomain
import SlotJournal
import SlotWire
import Synchronization

/// A reply and the journal position it depends on: the connection sends it only once that position is durable,
/// so no reply (not even a refusal or a read) reveals state that a crash could still take back.
public struct Outcome: Sendable {
    public var reply: Result<ReplyBody, WireError>
    public var awaitedSequence: UInt64

    public init(reply: Result<ReplyBody, WireError>, awaitedSequence: UInt64) {
        self.reply = reply
        self.awaitedSequence = awaitedSequence
    }

    /// A business rejection from the domain: the one place one becomes a wire error.
    static func refused(_ rejection: Rejection, awaitedSequence: UInt64) -> Outcome {
        Outcome(reply: .failure(WireError(rejection)), awaitedSequence: awaitedSequence)
    }
}

/// One bookable resource. The actor is the lock: each method runs start to finish without an `await`, so
/// deciding, journaling and mutating happen as one step and no interleaving can double-book a slot.
public actor ResourceActor {
    public nonisolated let id: ResourceID
    public nonisolated let settings: ResourceSettings
    /// The journal sequence of this resource's creation; reading its settings waits for it.
    public nonisolated let createdSequence: UInt64
    var schedule: ResourceSchedule {
        // No `oldValue`: the schedule is still changed in place, not copied.
        didSet {
            nextExpirySeconds.store(Self.expirySeconds(schedule), ordering: .relaxed)
            nextReminderSeconds.store(Self.reminderSeconds(schedule), ordering: .relaxed)
        }
    }
    /// `schedule.nextExpiry` in seconds since the epoch (`Int64.max`: nothing pending), readable without a hop so
    /// that the expiry sweeper visits only the resources with a hold due instead of every resource.
    private nonisolated let nextExpirySeconds = Atomic<Int64>(.max)
    /// `schedule.nextReminder` likewise, so that the sweeper also visits the resources with a reminder due.
    private nonisolated let nextReminderSeconds = Atomic<Int64>(.max)
    let journal: Journal
    private let idempotency: IdempotencyRegistry
    let clock: any WallClock
    /// For business events no request asked for (a waiting customer given a hold).
    let logger: Logger
    /// Where applied booking changes are counted; nil when the server keeps no metrics.
    let metrics: BookingMetrics?
    /// The newest journal entry of this resource. Reads wait for it; other resources' entries do not matter.
    var lastJournaled: UInt64
    /// The multi-resource change that holds this resource, and the requests waiting for it to finish
    /// (`ResourceActor+Exclusive.swift`).
    var exclusiveHolder: UInt64?
    var exclusiveWaiters: [CheckedContinuation<Void, Never>] = []

    init(
        state: ResourceState, journal: Journal, idempotency: IdempotencyRegistry, clock: any WallClock,
        metrics: BookingMetrics?, logger: Logger
    ) {
        var schedule = state.schedule
        // Changes replayed from the journal were counted, if at all, by the server that made them.
        schedule.clearTransitionTally()
        metrics?.resourceStarted(
            activeBookings: schedule.bookings.count { $0.state.isActive }, activeHolds: schedule.activeHoldCount)
        self.metrics = metrics
        self.logger = logger
        self.id = schedule.id
        self.settings = schedule.settings
        self.createdSequence = state.createdSequence
        self.schedule = schedule
        // Promotions replayed from the journal were reported when they first happened.
        _ = self.schedule.takePromotionNotices()
        self.lastJournaled = state.lastSequence
        self.journal = journal
        // Restored holds count too (the observer does not run in an initializer).
        nextExpirySeconds.store(Self.expirySeconds(schedule), ordering: .relaxed)
        nextReminderSeconds.store(Self.reminderSeconds(schedule), ordering: .relaxed)
        self.idempotency = idempotency
        self.clock = clock
    }

    // MARK: Mutations

    public func hold(_ command: HoldCommand) async -> Outcome {
        if exclusiveHolder != nil { await waitTurn() }
        let now = advanceToNow()
        return mutate(stamp: command.idempotency, now: now) { $0.decideHold(command, now: now) }
    }

    public func transition(_ action: BookingAction, booking sequence: UInt64, actor: String, stamp: IdempotencyStamp?)
        async -> Outcome
    {
        if exclusiveHolder != nil { await waitTurn() }
        let now = advanceToNow()
        return mutate(stamp: stamp, now: now) {
            $0.decide(action, booking: sequence, actor: actor, idempotency: stamp, now: now)
        }
    }

    /// The one path every mutation takes: idempotency check, decision, journal append, apply, record the key.
    /// `decide` gets the schedule `inout` although it only reads it: handed over that way the schedule is used in
    /// place, where reading the actor's property for the call copied the whole struct (a retain per field).
    private func mutate(stamp: IdempotencyStamp?, now: Instant, decide: (inout ResourceSchedule) -> Decision)
        -> Outcome
    {
        if let early = admit(stamp, now: now) { return early }
        switch decide(&schedule) {
        case .apply(let event):
            let (applied, sequence) = commit(event)
            guard let summary = applied.booking else { preconditionFailure("a booking decision changed no booking") }
            return Outcome(reply: .success(.booking(summary)), awaitedSequence: sequence)
        case .unchanged(let summary):
            // Nothing changed, so nothing is kept: a retry is decided again and gets this reply while the booking
            // stays as it is. Remembering it would cost a key and a journal entry for every repeated request, with
            // no bound (decision 0001).
            if let stamp { idempotency.abandon(stamp) }
            return read(.success(.booking(summary)))
        case .reject(let rejection):
            if let stamp { idempotency.abandon(stamp) }
            return refused(rejection)
        }
    }

    /// The idempotency check before a mutation is decided: the outcome to return at once (the reply kept under
    /// the key, a conflict, a full table), or nil to decide the request, with its key reserved when it has one.
    func admit(_ stamp: IdempotencyStamp?, now: Instant) -> Outcome? {
        guard let stamp else { return nil }
        switch idempotency.begin(stamp, resource: id, now: now) {
        case .proceed: return nil
        case .replay(let reply): return read(.success(ReplyBody(reply, resourceZone: schedule.grid.timeZone)))
        case .full(let rejection): return refused(rejection)
        case .conflict: return .refused(.idempotencyConflict, awaitedSequence: journal.appendedSequence)
        }
    }

    /// A refusal or a reply that changed nothing: the key reserved by `admit` is let go, so a retry is decided
    /// again.
    func release(_ stamp: IdempotencyStamp?) {
        if let stamp { idempotency.abandon(stamp) }
    }

    /// Commits a rule, series or waitlist event and replies with what it did: the reply kept under its key when
    /// it carried one, else the same value built the same way (`ResourceSchedule.reply(after:booking:)`).
    func commitReplying(_ event: ScheduleEvent) -> Outcome {
        let (applied, sequence) = commit(event)
        guard let reply = applied.remembered?.reply ?? schedule.reply(after: event, booking: applied.booking) else {
            preconditionFailure("an applied event has no reply")
        }
        return Outcome(
            reply: .success(ReplyBody(reply, resourceZone: schedule.grid.timeZone)), awaitedSequence: sequence)
    }

    // MARK: Rules, series and the waitlist

    /// A rule, series or waitlist change, with its key: decided by the same pure step an atomic batch's ops take
    /// (`ResourceSchedule.decideStep`). A rule change is never refused for conflicts: bookings the new rules would
    /// not accept stay valid and are listed in the reply. A request that changes nothing (a `waitlist_join` of an
    /// entry already waiting, a `cancel_series` with nothing left) keeps no key.
    public func change(_ operation: SlotWire.Operation, stamp: IdempotencyStamp?) async -> Outcome {
        if exclusiveHolder != nil { await waitTurn() }
        let now = advanceToNow()
        if let early = admit(stamp, now: now) { return early }
        switch schedule.decideStep(operation, now: now, idempotency: stamp) {
        case .change(let event):
            return commitReplying(event)
        case .fixed(let body, _):
            release(stamp)
            return read(.success(body))
        case .refused(let rejection):
            release(stamp)
            return refused(rejection)
        }
    }

    // MARK: Reads

    /// A read about this resource (`get_booking`, `list_bookings`, `availability`, `get_rules`, `waitlist_status`),
    /// answered by the same pure step an atomic batch's reads take (`ResourceSchedule.decideStep`).
    public func read(_ operation: SlotWire.Operation) async -> Outcome {
        if exclusiveHolder != nil { await waitTurn() }
        let now = advanceToNow()
        switch schedule.decideStep(operation, now: now) {
        case .fixed(let body, _): return read(.success(body))
        case .refused(let rejection): return refused(rejection)
        case .change: preconditionFailure("\(operation.name) is not a read")
        }
    }

    /// Expires due holds, and offers the time they free to waiting customers (journaled then, so the sweep's
    /// interval bounds how late a waiting customer hears of it); sends the reminders due.
    public func sweep() async {
        if exclusiveHolder != nil { await waitTurn() }
        advanceToNow()
    }

    /// Whether a hold or a reminder here may be due at `now`. A stale answer is harmless either way: a visit too
    /// many changes nothing, and a missed one only delays the work until the next request or sweep.
    nonisolated func hasSomethingDue(at now: Instant) -> Bool {
        min(nextExpirySeconds.load(ordering: .relaxed), nextReminderSeconds.load(ordering: .relaxed))
            <= now.secondsSinceEpoch
    }

    /// What `nextExpirySeconds` holds for `schedule`.
    private static func expirySeconds(_ schedule: ResourceSchedule) -> Int64 {
        schedule.nextExpiry?.secondsSinceEpoch ?? .max
    }

    /// What `nextReminderSeconds` holds for `schedule`.
    private static func reminderSeconds(_ schedule: ResourceSchedule) -> Int64 {
        schedule.nextReminder?.secondsSinceEpoch ?? .max
    }

    /// Moves the schedule's clock to now and returns it. A hold that expired is noticed here, by whichever
    /// request or sweep comes first, in a journaled `expiriesNoticed` entry: the expiry is announced as it is
    /// noticed, and the time it freed is offered to waiting customers now, so a hold given to one lasts its full
    /// time to live from this moment (decision 0019). Reminders that fell due go out here too, in a journaled
    /// `remindersDue` entry.
    @discardableResult
    func advanceToNow() -> Instant {
        let wallNow = clock.now()
        // Read before deciding: the decision is a mutation of the observed property, which costs a store per
        // request, and with no hold due there is nothing to notice.
        if let due = schedule.nextExpiry, due <= wallNow, let notice = schedule.decideExpiryNotice(now: wallNow) {
            commit(notice)
        }
        // Reminders due go out in an entry of their own, before whatever this request changes: a cancel after a
        // reminder's time does not take it back, and one that moves a booking gets the reminders of its new time.
        if let due = schedule.nextReminder, due <= wallNow, let reminders = schedule.decideReminders(now: wallNow) {
            commit(reminders)
        }
        let now = schedule.advance(to: wallNow)
        reportTransitions()
        return now
    }

    /// Applies and journals a decided event, remembers its reply under its idempotency key, and reports the
    /// waiting customers it gave time to. The step that changes the schedule and the key table is
    /// `ResourceSchedule.apply(_ entry:)`, the one replay takes through `ServerState.apply`. Apply first: should the
    /// event break an invariant, the process stops before the event reaches the journal, and a restart does not
    /// replay it into the same crash. No await separates the steps.
    @discardableResult
    func commit(_ event: ScheduleEvent) -> (applied: AppliedEntry, sequence: UInt64) {
        let entry = JournalEntry.schedule(id, event)
        let applied = schedule.apply(entry)
        let sequence = journal.append(entry, events: applied.events)
        lastJournaled = sequence
        if let remembered = applied.remembered { idempotency.remember(remembered) }
        reportPromotions()
        return (applied, sequence)
    }

    /// A reply that changed nothing; it still waits for this resource's newest entry to be durable.
    func read(_ reply: Result<ReplyBody, WireError>) -> Outcome {
        Outcome(reply: reply, awaitedSequence: lastJournaled)
    }

    /// A refusal; like any reply, it waits for this resource's newest entry to be durable.
    func refused(_ rejection: Rejection) -> Outcome {
        .refused(rejection, awaitedSequence: lastJournaled)
    }

    /// The schedule as of now and the journal position it includes. The copy is O(1) (copy-on-write), so a
    /// snapshot holds this actor for no longer than any request does.
    public func capture() async -> (schedule: ResourceSchedule, journalSequence: UInt64) {
        if exclusiveHolder != nil { await waitTurn() }
        advanceToNow()
        return (schedule, lastJournaled)
    }

    /// This resource's part of the server state, as replaying the journal rebuilds it: for comparing the two.
    public func state() async -> ResourceState {
        if exclusiveHolder != nil { await waitTurn() }
        return ResourceState(schedule: schedule, createdSequence: createdSequence, lastSequence: lastJournaled)
    }

    /// Whose booking this is (a client bound to a customer sees only its own); nil when there is none. A
    /// booking's customer never changes but by erasure, so the answer holds for the request that asked.
    public func customer(ofBooking sequence: UInt64) async -> String? {
        if exclusiveHolder != nil { await waitTurn() }
        return schedule.booking(sequence)?.customer
    }

    public func customer(ofWaitlistEntry number: UInt64) async -> String? {
        if exclusiveHolder != nil { await waitTurn() }
        return schedule.waitlist[number]?.customer
    }

    /// For tests and stats: counts without copying the schedule out.
    public func counts() async -> (bookings: Int, activeBookings: Int, activeHolds: Int) {
        if exclusiveHolder != nil { await waitTurn() }
        advanceToNow()
        let active = schedule.bookings.count { $0.state.isActive }
        return (schedule.bookings.count, active, schedule.activeHoldCount)
    }
}
