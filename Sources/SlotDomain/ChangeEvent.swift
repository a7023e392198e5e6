import Foundation

/// What one committed journal entry changed, as clients outside slotd are told of it (issue 19's events): not the
/// journal's own `ScheduleEvent`, which records a decision, but the visible outcome of applying it, including what
/// followed from it (holds that lapsed on the way, waiting customers given a hold). Derived by the one apply path,
/// so a live server and a replay of its journal yield the same events for the same entries, in the same order.
public struct ChangeEvent: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case bookingHeld = "booking.held"
        case bookingConfirmed = "booking.confirmed"
        case bookingCanceled = "booking.canceled"
        case bookingRescheduled = "booking.rescheduled"
        case bookingExpired = "booking.expired"
        case bookingCompleted = "booking.completed"
        case bookingNoShow = "booking.no_show"
        case groupHeld = "group.held"
        case groupConfirmed = "group.confirmed"
        case groupCanceled = "group.canceled"
        case groupRescheduled = "group.rescheduled"
        case waitlistPromoted = "waitlist.promoted"
        case resourceCreated = "resource.created"
        case resourceRulesChanged = "resource.rules_changed"
        case bookingReminder = "booking.reminder"
        case calendarConflict = "calendar.conflict"

        /// The event of a booking that reached `state`; a new booking confirmed at once (`book`, a series) is
        /// announced as confirmed, with no `previous`.
        static func booking(reaching state: BookingState) -> Kind {
            switch state {
            case .pendingConfirmation: .bookingHeld
            case .confirmed: .bookingConfirmed
            case .rescheduled: .bookingRescheduled
            case .completed: .bookingCompleted
            case .canceled: .bookingCanceled
            case .expired: .bookingExpired
            case .noShow: .bookingNoShow
            }
        }

        /// The group event that sums up its members' booking events of this kind in one atomic entry; nil for
        /// changes a group never makes together (attendance is marked member by member; members expire each on
        /// its own resource).
        var groupKind: Kind? {
            switch self {
            case .bookingHeld: .groupHeld
            case .bookingConfirmed: .groupConfirmed
            case .bookingCanceled: .groupCanceled
            case .bookingRescheduled: .groupRescheduled
            default: nil
            }
        }
    }

    /// A booking as it stood before the change: its times and state.
    public struct Previous: Hashable, Sendable {
        public var range: TimeRange
        public var state: BookingState

        public init(range: TimeRange, state: BookingState) {
            self.range = range
            self.state = state
        }
    }

    public var kind: Kind
    /// When the change happened: the entry's instant, or for an expiry the hold's own `expires_at`.
    public var at: Instant
    /// The resource changed (its tenant with it); for a group event, the lead member's.
    public var resource: ResourceID
    /// The resource's zone, in which the event's times are also written as wall times (`start_local`).
    public var zone: TimeZone
    /// The booking after the change (booking and waitlist events).
    public var booking: BookingSummary?
    /// The booking before the change; nil for a new booking.
    public var previous: Previous?
    /// For `waitlist.promoted`: the entry that was given the hold.
    public var waitlistEntry: WaitlistEntryID?
    /// For group events: the group and its members after the change, in resource order.
    public var group: GroupID?
    public var members: [BookingSummary]
    /// For `resource.created`: the resource's settings.
    public var settings: ResourceSettings?
    /// For `resource.rules_changed`: the rule layer changed.
    public var ruleChange: RuleChange?
    /// For `booking.reminder`: how long before the booking's start it was due.
    public var minutesBefore: Int?
    /// For `booking.reminder`: it fell due while the server was down and goes out after its time.
    public var late = false
    /// For `calendar.conflict`: the calendar link and the busy stretch that lands on the booking.
    public var calendarLink: CalendarLinkID?
    public var busy: TimeRange?

    public init(
        kind: Kind, at: Instant, resource: ResourceID, zone: TimeZone, booking: BookingSummary? = nil,
        previous: Previous? = nil, waitlistEntry: WaitlistEntryID? = nil, group: GroupID? = nil,
        members: [BookingSummary] = [], settings: ResourceSettings? = nil, ruleChange: RuleChange? = nil,
        minutesBefore: Int? = nil, late: Bool = false
    ) {
        self.kind = kind
        self.at = at
        self.resource = resource
        self.zone = zone
        self.booking = booking
        self.previous = previous
        self.waitlistEntry = waitlistEntry
        self.group = group
        self.members = members
        self.settings = settings
        self.ruleChange = ruleChange
        self.minutesBefore = minutesBefore
        self.late = late
    }

    /// `events` followed by one group event for each change they make to a group's members together, in the
    /// order those changes first appear: an atomic entry changes a group's members as one, and a subscriber to
    /// group events learns of it once. One entry may change a group twice (a batch holding a group and confirming
    /// it): each change gets its own group event. Members' own events stay, so a subscriber to one resource sees
    /// its booking change.
    public static func addingGroupEvents(to events: [ChangeEvent]) -> ChangeEvents {
        struct GroupChange: Hashable {
            var group: GroupID
            var kind: Kind
        }
        var order: [GroupChange] = []
        var byChange: [GroupChange: (at: Instant, zone: TimeZone, members: [BookingSummary])] = [:]
        for event in events where event.waitlistEntry == nil {
            guard let booking = event.booking, let group = booking.group, let kind = event.kind.groupKind else {
                continue
            }
            let change = GroupChange(group: group, kind: kind)
            if byChange[change] == nil {
                order.append(change)
                byChange[change] = (event.at, event.zone, [])
            }
            byChange[change]?.members.append(booking)
        }
        return ChangeEvents(
            events
                + order.compactMap { change in
                    byChange[change].map { part in
                        ChangeEvent(
                            kind: change.kind, at: part.at, resource: change.group.lead.resource, zone: part.zone,
                            group: change.group,
                            members: part.members.sorted { $0.id.resource < $1.id.resource })
                    }
                })
    }
}

/// The events of one entry, in order. Most entries yield exactly one, which is kept inline: taking it with every
/// applied entry then costs the apply path no allocation.
public struct ChangeEvents: RandomAccessCollection, Hashable, Sendable, ExpressibleByArrayLiteral {
    private var head: ChangeEvent?
    private var rest: [ChangeEvent] = []

    public init() {}

    public init(_ events: some Sequence<ChangeEvent>) {
        for event in events { append(event) }
    }

    public init(arrayLiteral events: ChangeEvent...) {
        self.init(events)
    }

    mutating func append(_ event: ChangeEvent) {
        if head == nil { head = event } else { rest.append(event) }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { head == nil ? 0 : 1 + rest.count }

    public subscript(position: Int) -> ChangeEvent {
        guard position > 0 else {
            guard position == 0, let head else { preconditionFailure("change event \(position) of \(count)") }
            return head
        }
        return rest[position - 1]
    }
}

/// The change events a schedule made since its owner last took them. Filled where bookings change (a hold, a
/// transition, an expiry, a promotion, a rule change) and emptied by `ResourceSchedule.apply(_ entry:)`, which
/// hands them out with the entry: expiries that a live server's `advance(to:)` made before deciding are taken with
/// the next entry, exactly where a replay's `apply` meets them.
struct ChangeLog: Sendable {
    private(set) var events: [ChangeEvent] = []

    mutating func record(_ event: ChangeEvent) {
        events.append(event)
    }

    /// Marks the newest event, a hold just given, as the promotion of a waiting entry.
    mutating func markPromotion(of entry: WaitlistEntryID) {
        guard let last = events.indices.last, events[last].kind == .bookingHeld else {
            preconditionFailure("a promotion without the hold it gave")
        }
        events[last].kind = .waitlistPromoted
        events[last].waitlistEntry = entry
    }

    mutating func take() -> ChangeEvents {
        defer { events.removeAll(keepingCapacity: true) }
        return ChangeEvents(events)
    }
}

extension ResourceSchedule {
    /// Records that booking `after` reached its state, from `previous` (nil: it was created).
    mutating func recordChange(_ after: BookingSummary, previous: ChangeEvent.Previous?, at: Instant) {
        changeLog.record(
            ChangeEvent(
                kind: .booking(reaching: after.state), at: at, resource: id, zone: grid.timeZone, booking: after,
                previous: previous))
    }

    /// Takes the change events made since the last take (`apply(_ entry:)` takes them with each entry).
    public mutating func takeChangeEvents() -> ChangeEvents {
        changeLog.take()
    }
}
