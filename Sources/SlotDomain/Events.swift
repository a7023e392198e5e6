/// What a successful mutation changed. Events are what the journal stores and what replay applies; decisions
/// are made once, live, and never re-made on replay, so a later change of rules cannot rewrite history.
public enum ScheduleEvent: Hashable, Sendable {
    case held(HeldEvent)
    case transitioned(TransitionEvent)
    case rulesChanged(RulesChangedEvent)
    /// Every accepted occurrence of a recurring series, booked in one step (one journal entry: all or none).
    case seriesBooked(SeriesBookedEvent)
    /// The remaining occurrences of a series, canceled in one step.
    case seriesCanceled(SeriesCanceledEvent)
    case waitlistJoined(WaitlistJoinedEvent)
    case waitlistLeft(WaitlistLeftEvent)
    /// Holds found expired while customers wait: their time offered to the waiting customers at this instant.
    case expiriesNoticed(ExpiriesNoticedEvent)
    /// Reminders of confirmed bookings that fell due, sent at this instant (`ResourceSchedule+Reminders.swift`).
    case remindersDue(RemindersDueEvent)
    /// The linked calendar's busy times, pulled and found changed, or the link removed (`ExternalBusy.swift`).
    case externalBusyChanged(ExternalBusyEvent)

    public var at: Instant {
        switch self {
        case .held(let event): event.at
        case .transitioned(let event): event.at
        case .rulesChanged(let event): event.at
        case .seriesBooked(let event): event.at
        case .seriesCanceled(let event): event.at
        case .waitlistJoined(let event): event.at
        case .waitlistLeft(let event): event.at
        case .expiriesNoticed(let event): event.at
        case .remindersDue(let event): event.at
        case .externalBusyChanged(let event): event.at
        }
    }

    public var idempotency: IdempotencyStamp? {
        switch self {
        case .held(let event): event.idempotency
        case .transitioned(let event): event.idempotency
        case .rulesChanged(let event): event.idempotency
        case .seriesBooked(let event): event.idempotency
        case .seriesCanceled(let event): event.idempotency
        case .waitlistJoined(let event): event.idempotency
        case .waitlistLeft(let event): event.idempotency
        case .expiriesNoticed, .remindersDue, .externalBusyChanged: nil
        }
    }

    /// Events after which waiting customers may be offered time: those that give time back, and a new entry
    /// (whose time may be free already).
    var mayPromote: Bool {
        switch self {
        case .held, .seriesBooked, .waitlistLeft, .remindersDue: false
        case .transitioned, .rulesChanged, .seriesCanceled, .waitlistJoined, .expiriesNoticed, .externalBusyChanged:
            true
        }
    }
}

/// The server noticed, at `at`, holds that had expired while customers were waiting (decision 0019). Applying it
/// expires them (each at its own `expires_at`) and offers the freed time to the waiting customers at `at`, so a
/// hold given then lasts its full time to live from `at`. It carries nothing else: which entries get a hold, the
/// hold's booking number and its expiry follow from the state and `at`, as they do after a cancel.
public struct ExpiriesNoticedEvent: Hashable, Sendable {
    public var at: Instant

    public init(at: Instant) {
        self.at = at
    }
}

/// One availability rule layer changed.
public struct RulesChangedEvent: Hashable, Sendable {
    public var change: RuleChange
    public var actor: String
    public var at: Instant
    public var idempotency: IdempotencyStamp?

    public init(change: RuleChange, actor: String, at: Instant, idempotency: IdempotencyStamp? = nil) {
        self.change = change
        self.actor = actor
        self.at = at
        self.idempotency = idempotency
    }
}

/// A new booking: a hold (`confirmed == false`, with `expiresAt`) or a direct booking (`confirmed == true`).
public struct HeldEvent: Hashable, Sendable {
    public var sequence: UInt64
    public var range: TimeRange
    public var customer: String
    public var expiresAt: Instant?
    public var confirmed: Bool
    public var actor: String
    public var at: Instant
    public var idempotency: IdempotencyStamp?
    /// Set when the booking is one member of a group (every member's event carries the whole membership).
    public var group: GroupMembership?

    public init(
        sequence: UInt64, range: TimeRange, customer: String, expiresAt: Instant?, confirmed: Bool, actor: String,
        at: Instant, idempotency: IdempotencyStamp?, group: GroupMembership? = nil
    ) {
        self.group = group
        self.sequence = sequence
        self.range = range
        self.customer = customer
        self.expiresAt = expiresAt
        self.confirmed = confirmed
        self.actor = actor
        self.at = at
        self.idempotency = idempotency
    }
}

/// A booking's transition to another state; `newRange` is set for `rescheduled`, `reason` optionally for `canceled`.
public struct TransitionEvent: Hashable, Sendable {
    public var sequence: UInt64
    public var to: BookingState
    public var actor: String
    public var at: Instant
    public var newRange: TimeRange?
    public var reason: String?
    public var idempotency: IdempotencyStamp?

    public init(
        sequence: UInt64, to: BookingState, actor: String, at: Instant, newRange: TimeRange? = nil,
        reason: String? = nil, idempotency: IdempotencyStamp? = nil
    ) {
        self.sequence = sequence
        self.to = to
        self.actor = actor
        self.at = at
        self.newRange = newRange
        self.reason = reason
        self.idempotency = idempotency
    }
}

/// The idempotency key a mutation carried and the fingerprint of the request it was first used with.
public struct IdempotencyStamp: Hashable, Sendable {
    public var key: String
    public var fingerprint: String

    public init(key: String, fingerprint: String) {
        self.key = key
        self.fingerprint = fingerprint
    }
}

/// A request to create a booking.
public struct HoldCommand: Hashable, Sendable {
    public var range: TimeRange
    public var customer: String
    /// Nil: the resource's `hold_ttl_seconds`.
    public var ttlSeconds: Int?
    public var actor: String
    /// True for `book` (hold and confirm in one step).
    public var confirm: Bool
    public var idempotency: IdempotencyStamp?

    public init(
        range: TimeRange, customer: String, ttlSeconds: Int? = nil, actor: String = Actors.client,
        confirm: Bool = false, idempotency: IdempotencyStamp? = nil
    ) {
        self.range = range
        self.customer = customer
        self.ttlSeconds = ttlSeconds
        self.actor = actor
        self.confirm = confirm
        self.idempotency = idempotency
    }
}

/// A request to move an existing booking.
public enum BookingAction: Hashable, Sendable {
    case confirm
    case cancel(reason: String?)
    case reschedule(TimeRange)
    case complete
    case noShow

    /// Whether a group's members take this change only together (attendance is marked member by member).
    public var changesGroup: Bool {
        switch self {
        case .confirm, .cancel, .reschedule: true
        case .complete, .noShow: false
        }
    }

    /// The op that makes this change to a whole group.
    public var groupOperation: String {
        switch self {
        case .confirm: "confirm_group"
        case .cancel: "cancel_group"
        case .reschedule: "reschedule_group"
        case .complete: "complete"
        case .noShow: "no_show"
        }
    }

    public var target: BookingState {
        switch self {
        case .confirm: .confirmed
        case .cancel: .canceled
        case .reschedule: .rescheduled
        case .complete: .completed
        case .noShow: .noShow
        }
    }
}

/// The outcome of deciding a mutation: an event to journal and apply, a reply that needs no change (confirming
/// a confirmed booking), or a rejection.
public enum Decision: Hashable, Sendable {
    case apply(ScheduleEvent)
    case unchanged(BookingSummary)
    case reject(Rejection)
}
