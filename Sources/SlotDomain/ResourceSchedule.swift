/// One resource's bookings and slot occupancy: the state a `ResourceActor` owns. A plain value with no I/O and no
/// clock of its own: every operation takes `now`. Mutations follow one pattern:
///
///     let now = schedule.advance(to: clockNow)         // expire holds that are due
///     switch schedule.decide…(…, now: now) {            // pure: state unchanged
///     case .apply(let event): journal(event); schedule.apply(event)
///     …
///     }
///
/// Replay calls `apply` alone, with the journaled events, and reaches the same state.
public struct ResourceSchedule: Sendable {
    public let settings: ResourceSettings
    public let grid: SlotGrid
    public let limits: DomainLimits
    public internal(set) var bookings = BookingTable()
    /// The latest instant this schedule has seen. Time never runs backwards here even if the wall clock does,
    /// so expiry and audit order stay monotonic.
    public internal(set) var clock: Instant
    public internal(set) var lastSequence: UInt64 = 0
    public internal(set) var activeHoldCount = 0
    /// The availability layers on top of slots, buffers and capacity.
    public internal(set) var rules = AvailabilityRules()
    /// The `external_busy` layer: what the resource's linked calendar says is busy (`ExternalBusy.swift`); nil
    /// without a link that pulls.
    public internal(set) var externalBusy: ExternalBusy?
    /// `rules.blocks` sorted for placement checks; kept in step by `refreshBlockIndex`. Nil past the block limit.
    var blockIndex: BlockIndex? = BlockIndex([])
    /// Active bookings by the local date they start on, for the daily limit.
    var startsPerLocalDay: [Int64: Int] = [:]
    var occupancy: Occupancy
    var expiries = MinHeap<PendingExpiry>()
    /// Every waitlist entry ever made here, by number, and the numbers still waiting, first come first.
    public internal(set) var waitlist: [UInt64: WaitlistEntry] = [:]
    public internal(set) var waiting: [UInt64] = []
    public internal(set) var lastWaitlistNumber: UInt64 = 0
    /// The group of each booking here that belongs to one, by booking number. Only group members have an entry;
    /// bounded with the bookings.
    public internal(set) var groups: [UInt64: GroupMembership] = [:]
    /// Holds given to waiting customers since the owner last took them (for logs and, later, notifications).
    var promotionNotices: [WaitlistPromotion] = []
    /// Booking state changes applied since the owner last took them (for the server's counters).
    public internal(set) var transitions = TransitionTally()
    /// Change events made since `apply(_ entry:)` last took them.
    var changeLog = ChangeLog()
    /// The due times of confirmed bookings' reminders, soonest first (`ResourceSchedule+Reminders.swift`). Derived
    /// from the bookings and `remindedThrough`; entries of bookings canceled or moved since stay until they come
    /// up or the queue is rebuilt, and are passed over.
    var reminderQueue = MinHeap<PendingReminder>()
    /// Every reminder due at or before this instant went out or never will: kept in snapshots, it is what makes
    /// a reminder go out once.
    public internal(set) var remindedThrough: Instant
    /// At least as many entries of `reminderQueue` as are stale (it counts every entry a booking may have had
    /// when it left its time or state); past half the queue, the queue is rebuilt.
    var reminderQueueStaleCount = 0
    /// Every waiting entry numbered up to here was found not to fit at a moment since which nothing has been freed:
    /// no release, no rule change, no drop below the hold limit. Taking time away or letting time pass never makes
    /// an entry fit (its time was within the horizon when it joined, and notice only tightens), so such an entry
    /// still does not fit and `promoteWaiting` need not place it again. Zero means check them all (and is what a
    /// restore starts from, which gives the same answers, only slower).
    var waitingSettledThrough: UInt64 = 0

    public init(settings: ResourceSettings, createdAt: Instant, limits: DomainLimits = .standard) {
        self.settings = settings
        self.limits = limits
        self.grid = SlotGrid(timeZoneIdentifier: settings.timeZoneIdentifier, slotMinutes: settings.slotMinutes)
        self.clock = createdAt
        self.remindedThrough = createdAt
        self.occupancy = Occupancy(
            capacity: settings.capacity, granuleSeconds: grid.granuleSeconds,
            hasBuffers: settings.bufferBeforeMinutes > 0 || settings.bufferAfterMinutes > 0)
    }

    public var id: ResourceID { settings.id }
    public var bufferBeforeSeconds: Int64 { Int64(settings.bufferBeforeMinutes) * 60 }
    public var bufferAfterSeconds: Int64 { Int64(settings.bufferAfterMinutes) * 60 }

    public func booking(_ sequence: UInt64) -> Booking? { bookings[sequence] }

    /// Applies a decided (or replayed) event and returns the booking as the reply shows it. Crashes when the event
    /// does not fit the state: memory and journal disagree, and only a restart from the journal is safe.
    /// Rule changes return nil (they change no booking).
    @discardableResult
    public mutating func apply(_ event: ScheduleEvent) -> BookingSummary? {
        var offeringAtExpiry = true
        if case .expiriesNoticed = event { offeringAtExpiry = false }
        advance(to: event.at, offeringAtExpiry: offeringAtExpiry)
        let summary: BookingSummary?
        switch event {
        case .held(let held):
            summary = applyHeld(held)
        case .transitioned(let event):
            summary = applyTransition(event)
        case .rulesChanged(let changed):
            applyRule(changed.change)
            changeLog.record(
                ChangeEvent(
                    kind: .resourceRulesChanged, at: changed.at, resource: id, zone: grid.timeZone,
                    ruleChange: changed.change))
            waitingSettledThrough = 0
            summary = nil
        case .seriesBooked(let series):
            summary = applySeries(series)
        case .seriesCanceled(let canceled):
            for sequence in canceled.sequences {
                applyTransition(
                    TransitionEvent(
                        sequence: sequence, to: .canceled, actor: canceled.actor, at: canceled.at,
                        reason: canceled.reason))
            }
            summary = nil
        case .waitlistJoined(let joined):
            applyJoined(joined)
            summary = nil
        case .waitlistLeft(let left):
            applyLeft(left)
            summary = nil
        case .expiriesNoticed:
            // The expiries happened in `advance` above; the offer follows below.
            summary = nil
        case .remindersDue(let due):
            applyReminders(due)
            summary = nil
        case .externalBusyChanged(let changed):
            applyExternalBusy(changed)
            waitingSettledThrough = 0
            summary = nil
        }
        if event.mayPromote { promoteWaiting(at: event.at) }
        return summary
    }

    @discardableResult
    mutating func applyHeld(_ held: HeldEvent) -> BookingSummary {
        precondition(held.sequence == lastSequence + 1, "booking sequence gap in \(id): \(held.sequence)")
        precondition(firstConflict(held.range, excluding: nil) == nil, "held event over capacity in \(id)")
        lastSequence = held.sequence
        reserve(held.range)
        let bookingID = BookingID(resource: id, sequence: held.sequence)
        let booking = Booking(
            id: bookingID, range: held.range, customer: held.customer, createdBy: held.actor, at: held.at,
            confirmed: held.confirmed, expiresAt: held.confirmed ? nil : held.expiresAt)
        if !held.confirmed {
            guard let expiresAt = held.expiresAt, expiresAt > held.at else {
                preconditionFailure("hold without a future expiry in \(id)")
            }
            activeHoldCount += 1
            expiries.insert(PendingExpiry(at: expiresAt, sequence: held.sequence))
        }
        var summary = booking.summary
        if let group = held.group {
            precondition(group.members.contains(bookingID), "a group member's event does not name it in \(id)")
            groups[held.sequence] = group
            summary.group = group.id
        }
        bookings.append(booking)
        if held.confirmed { queueReminders(of: booking) }
        transitions.record(from: nil, to: .pendingConfirmation)
        if held.confirmed { transitions.record(from: .pendingConfirmation, to: .confirmed) }
        recordChange(summary, previous: nil, at: held.at)
        return summary
    }

    @discardableResult
    mutating func applyTransition(_ event: TransitionEvent) -> BookingSummary {
        guard var booking = bookings[event.sequence], booking.state.canTransition(to: event.to) else {
            preconditionFailure("illegal transition replayed in \(id) booking \(event.sequence)")
        }
        // The table lets go of its copy, so the history below grows in place; copying it whole first would make
        // a booking moved back and forth between states cost more at every transition.
        bookings[event.sequence] = nil
        let from = booking.state
        let previous = ChangeEvent.Previous(range: booking.range, state: from)
        var transition = Transition(from: from, to: event.to, actor: event.actor, at: event.at, reason: event.reason)
        if from == .pendingConfirmation {
            // At the hold limit, waiting entries were passed over without being placed; below it they may fit.
            if activeHoldCount >= limits.activeHoldsPerResourceMax { waitingSettledThrough = 0 }
            activeHoldCount -= 1
        }
        switch event.to {
        case .confirmed:
            booking.expiresAt = nil
        case .rescheduled:
            guard let newRange = event.newRange else { preconditionFailure("reschedule without a range") }
            release(booking.range)
            precondition(firstConflict(newRange, excluding: nil) == nil, "rescheduled over capacity in \(id)")
            reserve(newRange)
            transition.previousRange = booking.range
            booking.range = newRange
        case .canceled, .completed, .noShow:
            release(booking.range)
            booking.expiresAt = nil
        case .expired, .pendingConfirmation:
            preconditionFailure("expiry is never an event, and nothing moves back to pending_confirmation")
        }
        booking.state = event.to
        transitions.record(from: from, to: event.to)
        booking.record(transition, entriesMax: limits.historyEntriesPerBookingMax)
        bookings[event.sequence] = booking
        if from == .pendingConfirmation { dropStaleExpiries() }
        reminderBookingMoved(booking, from: from)
        let after = summary(of: booking)
        recordChange(after, previous: previous, at: event.at)
        return after
    }

    /// A hold confirmed or canceled leaves its entry in the expiry heap until its time comes (up to a day away),
    /// so a client holding and confirming at full speed piled up a day's worth. Once such stale entries
    /// outnumber the live holds the heap is rebuilt without them: O(1) per hold over time, and the heap stays
    /// within about twice the live holds. `advance` skips exactly these entries, so nothing else changes.
    mutating func dropStaleExpiries() {
        guard expiries.count > 2 * activeHoldCount + 64 else { return }
        let bookings = self.bookings  // read while `expiries` changes
        expiries.removeAll { due in
            guard let booking = bookings[due.sequence] else { return true }
            return booking.state != .pendingConfirmation || booking.expiresAt != due.at
        }
    }

    // MARK: Occupancy in instants

    func granules(_ range: TimeRange) -> Range<Int> {
        grid.granule(range.start)..<grid.granule(range.end)
    }

    func padded(_ range: TimeRange) -> TimeRange {
        TimeRange(
            start: range.start.adding(seconds: -bufferBeforeSeconds), end: range.end.adding(seconds: bufferAfterSeconds)
        )
    }

    mutating func reserve(_ range: TimeRange) {
        occupancy.change(core: granules(range), padded: granules(padded(range)), by: 1)
        startsPerLocalDay[localDate(of: range.start).days, default: 0] += 1
    }

    mutating func release(_ range: TimeRange) {
        waitingSettledThrough = 0
        occupancy.change(core: granules(range), padded: granules(padded(range)), by: -1)
        let day = localDate(of: range.start).days
        startsPerLocalDay[day, default: 0] -= 1
        if startsPerLocalDay[day] == 0 { startsPerLocalDay[day] = nil }
    }

    /// Whether anything stops `range` from fitting (the cheap form of `firstConflict`).
    func hasConflict(_ range: TimeRange, excluding: TimeRange?) -> Bool {
        let core = granules(range)
        let excludedPadded = excluding.map { granules(padded($0)) }
        if occupancy.firstFull(core, padded: true, excluding: excludedPadded) != nil { return true }
        return occupancy.firstFull(granules(padded(range)), padded: false, excluding: excluding.map(granules)) != nil
    }

    /// Why `range` does not fit, once a conflict was found: `capacity` when its own time is already booked to
    /// capacity; `buffer` when only buffers stand in the way (it lies in other bookings' buffers, or its own
    /// buffers would cover another booking). Without buffers every conflict is one of capacity.
    public func conflictReason(_ range: TimeRange, excluding: TimeRange?) -> ConflictReason {
        let coresFull = occupancy.firstFull(granules(range), padded: false, excluding: excluding.map(granules))
        return coresFull == nil ? .buffer : .capacity
    }

    /// The first stretch that stops `range` from fitting, or nil when it fits. `excluding` is a booking's own
    /// current range, not counted (a reschedule may overlap the time it moves away from).
    public func firstConflict(_ range: TimeRange, excluding: TimeRange?) -> TimeRange? {
        let core = granules(range)
        let paddedRange = granules(padded(range))
        let excludedCore = excluding.map(granules)
        let excludedPadded = excluding.map { granules(padded($0)) }
        if let full = occupancy.firstFull(core, padded: true, excluding: excludedPadded) {
            return conflictStretch(from: full, within: core, padded: true, excluding: excludedPadded)
        }
        if let full = occupancy.firstFull(paddedRange, padded: false, excluding: excludedCore) {
            return conflictStretch(from: full, within: paddedRange, padded: false, excluding: excludedCore)
        }
        return nil
    }

    /// The run of full granules starting at `first`, as instants, for the rejection's details.
    private func conflictStretch(from first: Int, within granules: Range<Int>, padded: Bool, excluding: Range<Int>?)
        -> TimeRange
    {
        var end = first + 1
        while end < granules.upperBound,
            occupancy.firstFull(end..<(end + 1), padded: padded, excluding: excluding) != nil
        {
            end += 1
        }
        let granuleSeconds = grid.granuleSeconds
        return TimeRange(
            start: Instant(secondsSinceEpoch: Int64(first) * granuleSeconds),
            end: Instant(secondsSinceEpoch: Int64(end) * granuleSeconds))
    }
}
