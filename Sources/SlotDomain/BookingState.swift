import Foundation

/// The appointment lifecycle. Every legal transition is listed in `allowedTargets`; anything else is
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

    public func canTransition(to target: BookingState) -> Bool { allowedTargets.contains(target) }

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

    /// The names slotd writes for itself, which a client may not claim: an entry signed `system` must be one the
    /// server made. `client` is not among them: it is what a request without an actor is recorded as.
    public static let reserved = [system, waitlist]

    /// Whether `name` would read as one of the server's own names. Compared without regard to case or to spaces
    /// around it, so `System` or `waitlist ` cannot pass for the server where a person reads the history.
    /// Names starting `token:` are the server's too: it signs an authenticated request's entries with them.
    public static func isReserved(_ name: String) -> Bool {
        let folded = name.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return reserved.contains(folded) || folded.hasPrefix(tokenPrefix)
    }

    /// How an authenticated principal signs: `token:` and the token's name.
    public static let tokenPrefix = "token:"

    /// The actor an entry stores for a request: the principal that sent it (`token:name`), followed on a line of
    /// its own by the client-supplied actor it acted for; or, with no principal, the client-supplied actor alone.
    /// A token's name has no line break and a client's actor cannot start with `token:`, so `split` reads it back
    /// unambiguously, and journals and snapshots keep storing one string.
    public static func signature(principal: String?, onBehalfOf: String?) -> String {
        guard let principal else { return onBehalfOf ?? client }
        guard let onBehalfOf else { return tokenPrefix + principal }
        return tokenPrefix + principal + "\n" + onBehalfOf
    }

    /// A stored actor as the audit trail shows it: who, and for whom.
    public static func split(_ stored: String) -> (actor: String, onBehalfOf: String?) {
        guard stored.hasPrefix(tokenPrefix), let newline = stored.firstIndex(of: "\n") else { return (stored, nil) }
        return (String(stored[..<newline]), String(stored[stored.index(after: newline)...]))
    }
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
    // Stored compactly, as a resource holds up to a million of these: eight-byte fields first and the two
    // one-byte fields last (no padding between), no optionals that need a flag byte, and the audit trail folded.
    // Nearly every booking's history is "created" or "created and confirmed at once", so the creation entry is
    // kept as its three varying fields, the immediate confirmation is a flag, and only later moves take an array
    // (an empty array allocates nothing).
    public var id: BookingID
    public var range: TimeRange
    public var customer: String
    private var createdActor: String
    private var createdReason: String?
    private var createdAt: Instant
    private var later: [Transition]
    /// `expiresAt`, or `Int64.min` for none.
    private var expiresAtSeconds: Int64
    /// `series`, or 0 for none (booking numbers start at 1).
    private var seriesSequence: UInt64
    /// History entries dropped to keep the history within its maximum (they stay in the journal). Four bytes fit
    /// in the padding after the one-byte fields, so a booking takes no more memory for it.
    private var historyOmittedCount: UInt32
    public var state: BookingState
    private var shape: HistoryShape

    /// How the history is stored.
    private enum HistoryShape: UInt8, Hashable, Sendable {
        /// `created*` is a hold's creation; `later` follows it.
        case created
        /// As `created`, followed at once by a confirmation by the same actor.
        case createdAndConfirmed
        /// `later` is the whole history (a creation entry of another form, as an old snapshot may hold).
        case verbatim
    }

    /// When an unconfirmed hold lapses; nil once confirmed.
    public var expiresAt: Instant? {
        get { expiresAtSeconds == .min ? nil : Instant(secondsSinceEpoch: expiresAtSeconds) }
        set { expiresAtSeconds = newValue?.secondsSinceEpoch ?? .min }
    }

    /// For an occurrence of a recurring series: the sequence of the series' first occurrence (the series id).
    public var series: UInt64? {
        get { seriesSequence == 0 ? nil : seriesSequence }
        set {
            precondition(newValue != 0, "series are named by a booking number, which starts at 1")
            seriesSequence = newValue ?? 0
        }
    }

    public init(
        id: BookingID, range: TimeRange, customer: String, state: BookingState, expiresAt: Instant?,
        history: [Transition], historyOmitted: Int = 0, series: UInt64? = nil
    ) {
        precondition(!history.isEmpty, "a booking's history starts with its creation")
        self.init(
            id: id, range: range, customer: customer, createdBy: history[0].actor, at: history[0].at,
            confirmed: false, expiresAt: expiresAt)
        self.state = state
        self.series = series
        self.history = history
        self.historyOmitted = historyOmitted
    }

    /// How many entries between the first and the ones `history` shows were dropped to keep it within
    /// `DomainLimits.historyEntriesPerBookingMax`; the journal still has them.
    public var historyOmitted: Int {
        get { Int(historyOmittedCount) }
        set { historyOmittedCount = UInt32(clamping: newValue) }
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
        self.expiresAtSeconds = expiresAt?.secondsSinceEpoch ?? .min
        self.seriesSequence = 0
        self.historyOmittedCount = 0
        self.createdActor = actor
        self.createdReason = nil
        self.createdAt = at
        self.shape = confirmed ? .createdAndConfirmed : .created
        self.later = []
    }

    private var creation: Transition {
        Transition(from: nil, to: .pendingConfirmation, actor: createdActor, at: createdAt, reason: createdReason)
    }

    /// Every transition, oldest first.
    public var history: [Transition] {
        get {
            guard shape != .verbatim else { return later }
            var all = [creation]
            all.reserveCapacity(2 + later.count)
            if shape == .createdAndConfirmed {
                all.append(Transition(from: .pendingConfirmation, to: .confirmed, actor: createdActor, at: createdAt))
            }
            return all + later
        }
        set {
            precondition(!newValue.isEmpty, "a booking's history starts with its creation")
            let first = newValue[0]
            guard first.from == nil, first.to == .pendingConfirmation, first.previousRange == nil else {
                shape = .verbatim
                later = newValue
                return
            }
            createdActor = first.actor
            createdAt = first.at
            createdReason = first.reason
            var rest = newValue.dropFirst()
            let immediate = Transition(from: .pendingConfirmation, to: .confirmed, actor: first.actor, at: first.at)
            shape = rest.first == immediate ? .createdAndConfirmed : .created
            if shape == .createdAndConfirmed { rest = rest.dropFirst() }
            later = Array(rest)
        }
    }

    /// Adds a transition at the end of the history. Past `entriesMax` entries the oldest after the creation is
    /// dropped and counted in `historyOmitted`, so a booking moved back and forth costs bounded memory and a
    /// bounded reply.
    public mutating func record(_ transition: Transition, entriesMax: Int) {
        if shape == .created, later.isEmpty,
            transition == Transition(from: .pendingConfirmation, to: .confirmed, actor: createdActor, at: createdAt)
        {
            // A hold confirmed at once by its creator (a group `book` holds, then confirms) is stored as `book`
            // stores it, and as the `history` setter (snapshot restore) does: one history, one representation, so
            // the confirmation stays when older moves are dropped, and a restored booking equals the live one.
            shape = .createdAndConfirmed
            return
        }
        later.append(transition)
        let creationEntries = shape == .verbatim ? 0 : shape == .createdAndConfirmed ? 2 : 1
        // `verbatim` keeps its creation in `later[0]`; the other shapes keep it apart. The creation and the
        // newest entry always stay.
        let oldestDroppable = shape == .verbatim ? 1 : 0
        let excess = min(later.count + creationEntries - entriesMax, later.count - oldestDroppable - 1)
        guard excess > 0 else { return }
        later.removeSubrange(oldestDroppable..<(oldestDroppable + excess))
        historyOmittedCount &+= UInt32(excess)
    }

    /// When the booking last moved: the instant of the newest entry of its history, which is always kept. For a
    /// confirmed or rescheduled booking, when it took its current state and time (reminders that fell due before
    /// then are not sent).
    public var lastChangedAt: Instant { later.last?.at ?? createdAt }

    /// The reason on the entry that created the booking (a hold given from the waitlist says which entry).
    public mutating func setCreationReason(_ reason: String) {
        if shape == .verbatim {
            later[0].reason = reason
        } else {
            createdReason = reason
        }
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
    /// The group the booking belongs to (`ResourceSchedule.summary(of:)` sets it; `Booking.summary` cannot know).
    public var group: GroupID?

    public init(
        id: BookingID, range: TimeRange, customer: String, state: BookingState, expiresAt: Instant?,
        group: GroupID? = nil
    ) {
        self.id = id
        self.range = range
        self.customer = customer
        self.state = state
        self.expiresAt = expiresAt
        self.group = group
    }
}
