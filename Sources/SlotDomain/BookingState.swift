/// The appointment lifecycle. Every legal move is listed in `allowedTargets`; anything else is
/// `invalid_transition`. Terminal states have no way out.
public enum BookingState: String, Hashable, Sendable, CaseIterable {
    case pendingConfirmation = "pending_confirmation"
    case confirmed
    case rescheduled
    case completed
    case canceled
    case expired
    case noShow = "no_show"

    public var allowedTargets: Set<BookingState> {
        switch self {
        case .pendingConfirmation: [.confirmed, .canceled, .expired]
        case .confirmed, .rescheduled: [.rescheduled, .completed, .canceled, .noShow]
        case .completed, .canceled, .expired, .noShow: []
        }
    }

    public func canMove(to target: BookingState) -> Bool { allowedTargets.contains(target) }

    /// Active bookings hold their slots; the rest have released them.
    public var isActive: Bool {
        switch self {
        case .pendingConfirmation, .confirmed, .rescheduled: true
        case .completed, .canceled, .expired, .noShow: false
        }
    }

    public var isTerminal: Bool { allowedTargets.isEmpty }
}

/// Who moved a booking, for the audit trail. `system` is used for expiry, `waitlist` for the hold a waiting
/// customer is given when time frees up.
public enum Actors {
    public static let client = "client"
    public static let system = "system"
    public static let waitlist = "waitlist"
}

/// One entry of a booking's audit trail. `from` is nil for the entry that created the booking.
public struct Transition: Hashable, Sendable {
    public var from: BookingState?
    public var to: BookingState
    public var actor: String
    public var at: Instant
    /// For `rescheduled`: the times the booking moved away from.
    public var previousRange: TimeRange?
    /// For `canceled`: the reason the client gave, if any.
    public var reason: String?

    public init(
        from: BookingState?, to: BookingState, actor: String, at: Instant, previousRange: TimeRange? = nil,
        reason: String? = nil
    ) {
        self.from = from
        self.to = to
        self.actor = actor
        self.at = at
        self.previousRange = previousRange
        self.reason = reason
    }
}

/// A booking with its full history.
public struct Booking: Hashable, Sendable {
    public var id: BookingID
    public var range: TimeRange
    public var customer: String
    public var state: BookingState
    /// When an unconfirmed hold lapses; nil once confirmed.
    public var expiresAt: Instant?
    /// For an occurrence of a recurring series: the sequence of the series' first occurrence (the series id).
    public var series: UInt64?
    // The audit trail is stored compactly: nearly every booking's history is "created" or "created and
    // confirmed at once", so the first entry is kept inline, the confirmation is a flag, and only later moves
    // take an array (an empty array allocates nothing). That saved about 150 bytes per booking.
    private var created: Transition
    private var confirmedWhenCreated: Bool
    private var later: [Transition]

    public init(
        id: BookingID, range: TimeRange, customer: String, state: BookingState, expiresAt: Instant?,
        history: [Transition], series: UInt64? = nil
    ) {
        precondition(!history.isEmpty, "a booking's history starts with its creation")
        self.id = id
        self.range = range
        self.customer = customer
        self.state = state
        self.expiresAt = expiresAt
        self.series = series
        self.created = history[0]
        self.confirmedWhenCreated = false
        self.later = []
        self.history = history
    }

    /// A new booking: a hold (`pending_confirmation`), or, for `book`, held and confirmed in the same instant by
    /// the same actor (two entries in its history).
    init(
        id: BookingID, range: TimeRange, customer: String, createdBy actor: String, at: Instant, confirmed: Bool,
        expiresAt: Instant?
    ) {
        self.id = id
        self.range = range
        self.customer = customer
        self.state = confirmed ? .confirmed : .pendingConfirmation
        self.expiresAt = expiresAt
        self.series = nil
        self.created = Transition(from: nil, to: .pendingConfirmation, actor: actor, at: at)
        self.confirmedWhenCreated = confirmed
        self.later = []
    }

    /// Every transition, oldest first.
    public var history: [Transition] {
        get {
            var all = [created]
            all.reserveCapacity(1 + later.count + (confirmedWhenCreated ? 1 : 0))
            if confirmedWhenCreated {
                all.append(Transition(from: .pendingConfirmation, to: .confirmed, actor: created.actor, at: created.at))
            }
            return all + later
        }
        set {
            precondition(!newValue.isEmpty, "a booking's history starts with its creation")
            created = newValue[0]
            var rest = newValue.dropFirst()
            let immediate = Transition(
                from: .pendingConfirmation, to: .confirmed, actor: created.actor, at: created.at)
            confirmedWhenCreated = created.to == .pendingConfirmation && rest.first == immediate
            if confirmedWhenCreated { rest = rest.dropFirst() }
            later = Array(rest)
        }
    }

    /// Adds a transition at the end of the history.
    public mutating func record(_ transition: Transition) {
        later.append(transition)
    }

    /// The reason on the entry that created the booking (a hold given from the waitlist says which entry).
    public mutating func setCreationReason(_ reason: String) {
        created.reason = reason
    }

    /// The booking as a mutation's reply shows it (no history). Stored under an idempotency key so a retry gets
    /// the first reply again, byte for byte.
    public var summary: BookingSummary {
        BookingSummary(id: id, range: range, customer: customer, state: state, expiresAt: expiresAt)
    }
}

public struct BookingSummary: Hashable, Sendable {
    public var id: BookingID
    public var range: TimeRange
    public var customer: String
    public var state: BookingState
    public var expiresAt: Instant?

    public init(id: BookingID, range: TimeRange, customer: String, state: BookingState, expiresAt: Instant?) {
        self.id = id
        self.range = range
        self.customer = customer
        self.state = state
        self.expiresAt = expiresAt
    }
}
