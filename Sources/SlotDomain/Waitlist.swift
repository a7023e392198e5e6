/// A customer waiting for a time that is taken. When the time frees up (a cancellation, an expiry, a
/// reschedule, a rule change), the first waiting customer it fits is given a hold on it.
public struct WaitlistEntry: Hashable, Sendable {
    public enum State: String, Hashable, Sendable, CaseIterable {
        case waiting
        /// Given a hold (`booking`); what happens to it next is the booking's own lifecycle.
        case promoted
        /// Left the list on request.
        case left
        /// The time began before it could be offered.
        case lapsed
    }

    public var id: WaitlistEntryID
    public var range: TimeRange
    public var customer: String
    public var actor: String
    public var joinedAt: Instant
    public var state: State
    /// The hold given on promotion.
    public var booking: UInt64?
    /// When the entry stopped waiting.
    public var settledAt: Instant?

    public init(
        id: WaitlistEntryID, range: TimeRange, customer: String, actor: String, joinedAt: Instant, state: State,
        booking: UInt64? = nil, settledAt: Instant? = nil
    ) {
        self.id = id
        self.range = range
        self.customer = customer
        self.actor = actor
        self.joinedAt = joinedAt
        self.state = state
        self.booking = booking
        self.settledAt = settledAt
    }
}

public struct WaitlistJoinedEvent: Hashable, Sendable {
    public var number: UInt64
    public var range: TimeRange
    public var customer: String
    public var actor: String
    public var at: Instant
    public var idempotency: IdempotencyStamp?

    public init(
        number: UInt64, range: TimeRange, customer: String, actor: String, at: Instant,
        idempotency: IdempotencyStamp? = nil
    ) {
        self.number = number
        self.range = range
        self.customer = customer
        self.actor = actor
        self.at = at
        self.idempotency = idempotency
    }
}

public struct WaitlistLeftEvent: Hashable, Sendable {
    public var number: UInt64
    public var actor: String
    public var at: Instant
    public var idempotency: IdempotencyStamp?

    public init(number: UInt64, actor: String, at: Instant, idempotency: IdempotencyStamp? = nil) {
        self.number = number
        self.actor = actor
        self.at = at
        self.idempotency = idempotency
    }
}

/// A hold given to a waiting customer: what a notification would tell them.
public struct WaitlistPromotion: Hashable, Sendable {
    public var entry: WaitlistEntryID
    public var booking: BookingID
    public var customer: String
    public var range: TimeRange
    public var expiresAt: Instant
    public var at: Instant
}

/// How a join was decided: a new entry to journal, or the customer's own entry for the same time, unchanged.
public enum WaitlistJoinDecision: Hashable, Sendable {
    case apply(ScheduleEvent)
    case existing(WaitlistEntry)
    case reject(Rejection)
}

extension ResourceSchedule {
    /// Decides a join. Only capacity is waited for: a time that the rules refuse (outside hours, blocked, in the
    /// past, misaligned…) is refused with that rule's code, as `hold` would. Joining twice for the same time
    /// returns the first entry.
    public func decideJoin(
        range: TimeRange, customer: String, actor: String, idempotency: IdempotencyStamp? = nil, now: Instant
    ) -> WaitlistJoinDecision {
        let mine = waiting.lazy.compactMap { self.waitlist[$0] }
        if let existing = mine.first(where: { $0.customer == customer && $0.range == range }) {
            return .existing(existing)
        }
        if let failure = placementFailure(range, now: now), failure != .slotUnavailable {
            return .reject(rejection(for: failure, range: range, now: now, excluding: nil))
        }
        let live = mine.filter { $0.range.start >= now }.count
        guard live < limits.waitingEntriesPerResourceMax else {
            return .reject(
                Rejection(
                    .waitlistFull, "\(id) already has \(live) customers waiting (the limit)",
                    details: ["limit": String(limits.waitingEntriesPerResourceMax)]))
        }
        let event = WaitlistJoinedEvent(
            number: lastWaitlistNumber + 1, range: range, customer: customer, actor: actor, at: now,
            idempotency: idempotency)
        return .apply(.waitlistJoined(event))
    }

    /// Decides leaving the list; only a waiting entry can leave.
    public func decideLeave(_ number: UInt64, actor: String, idempotency: IdempotencyStamp? = nil, now: Instant)
        -> Result<ScheduleEvent, Rejection>
    {
        guard let entry = waitlist[number] else {
            return .failure(Rejection(.notFound, "no waitlist entry \(id)/w\(number)", field: "entry"))
        }
        guard entry.state == .waiting else {
            return .failure(
                Rejection(
                    .invalidTransition, "the entry is \(entry.state.rawValue), not waiting",
                    details: ["from": entry.state.rawValue, "to": WaitlistEntry.State.left.rawValue]))
        }
        return .success(
            .waitlistLeft(WaitlistLeftEvent(number: number, actor: actor, at: now, idempotency: idempotency)))
    }

    /// 1-based place in the queue of a waiting entry.
    public func position(ofWaiting number: UInt64) -> Int? {
        waiting.firstIndex(of: number).map { $0 + 1 }
    }

    /// Takes the promotions made since the last call.
    public mutating func takePromotionNotices() -> [WaitlistPromotion] {
        defer { promotionNotices.removeAll() }
        return promotionNotices
    }

    mutating func applyJoined(_ event: WaitlistJoinedEvent) {
        precondition(event.number == lastWaitlistNumber + 1, "waitlist number gap in \(id): \(event.number)")
        lastWaitlistNumber = event.number
        waitlist[event.number] = WaitlistEntry(
            id: WaitlistEntryID(resource: id, number: event.number), range: event.range, customer: event.customer,
            actor: event.actor, joinedAt: event.at, state: .waiting)
        waiting.append(event.number)
    }

    mutating func applyLeft(_ event: WaitlistLeftEvent) {
        guard let entry = waitlist[event.number], entry.state == .waiting else {
            preconditionFailure("waitlist entry \(event.number) left without waiting in \(id)")
        }
        waitlist[event.number]?.state = .left
        waitlist[event.number]?.settledAt = event.at
        waiting.removeAll { $0 == event.number }
    }

    /// Offers free time to waiting customers, first come first served: each entry, in the order they joined, whose
    /// whole time `hold` would now accept gets a hold with the resource's `hold_ttl_seconds`; an entry whose time
    /// has begun lapses. Derived from the journaled events and the clock alone, so replay repeats it exactly.
    /// Entries already found not to fit, with nothing freed since (`waitingSettledThrough`), are not placed again:
    /// a confirm or a join then costs a glance per waiting entry, not a placement check of each one's whole time.
    mutating func promoteWaiting(at now: Instant) {
        guard !waiting.isEmpty else { return }
        var stillWaiting: [UInt64] = []
        for number in waiting {
            guard var entry = waitlist[number] else { preconditionFailure("waiting entry \(number) missing") }
            if entry.range.start < now {
                entry.state = .lapsed
            } else if number <= waitingSettledThrough {
                stillWaiting.append(number)
                continue
            } else if activeHoldCount < limits.activeHoldsPerResourceMax, placementFailure(entry.range, now: now) == nil
            {
                let sequence = lastSequence + 1
                let expiresAt = Self.holdExpiry(of: entry.range, ttlSeconds: settings.holdTTLSeconds, now: now)
                applyHeld(
                    HeldEvent(
                        sequence: sequence, range: entry.range, customer: entry.customer, expiresAt: expiresAt,
                        confirmed: false, actor: Actors.waitlist, at: now, idempotency: nil))
                bookings[sequence]?.setCreationReason("waitlist entry \(entry.id)")
                changeLog.markPromotion(of: entry.id)
                entry.state = .promoted
                entry.booking = sequence
                promotionNotices.append(
                    WaitlistPromotion(
                        entry: entry.id, booking: BookingID(resource: id, sequence: sequence),
                        customer: entry.customer, range: entry.range, expiresAt: expiresAt, at: now))
            } else {
                stillWaiting.append(number)
                continue
            }
            entry.settledAt = now
            waitlist[number] = entry
        }
        waiting = stillWaiting
        waitingSettledThrough = lastWaitlistNumber
    }
}
