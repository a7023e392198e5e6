/// A group: the bookings one multi-resource `hold` or `book` made, one on each resource, which are confirmed,
/// canceled, rescheduled and expire together. Named after its lead member (the one on the lowest resource id),
/// written `resource/gN` with N the lead booking's number, so a request about a group routes to the lead's resource
/// without a server-wide index, and is never mistaken for a booking id.
public struct GroupID: Hashable, Sendable, CustomStringConvertible {
    public let lead: BookingID

    public init(lead: BookingID) {
        self.lead = lead
    }

    /// Parses `resource/gN`, N written without sign or leading zero; nil when malformed.
    public init?(parsing text: String) {
        guard let (resource, rest) = ResourceID.split(text), rest.first == "g",
            let number = DecimalDigits.canonical(rest.utf8.dropFirst()), number > 0
        else { return nil }
        self.init(lead: BookingID(resource: resource, sequence: number))
    }

    public var description: String { "\(lead.resource.name)/g\(lead.sequence)" }

    /// This client-written id in `tenant`.
    public func inTenant(_ tenant: TenantID?) -> GroupID {
        GroupID(lead: lead.inTenant(tenant))
    }
}

/// Every member of a group, in resource order (the lead first). Each member's resource keeps a copy, so any
/// member's resource can refuse a single-booking change of it and name the group.
public struct GroupMembership: Hashable, Sendable {
    public let members: [BookingID]

    /// `members` sorted by resource, at least two, on distinct resources.
    public init(members: [BookingID]) {
        precondition(members.count >= 2, "a group has at least two members")
        precondition(
            zip(members, members.dropFirst()).allSatisfy { $0.resource < $1.resource },
            "a group's members are on distinct resources, in resource order")
        self.members = members
    }

    public var id: GroupID { GroupID(lead: members[0]) }
}

/// A group as replies show it: its members as they stand, and their common state.
public struct GroupOutcome: Hashable, Sendable {
    public var id: GroupID
    public var bookings: [BookingSummary]

    public init(id: GroupID, bookings: [BookingSummary]) {
        self.id = id
        self.bookings = bookings
    }

    /// The members' state when they share one (they change together); `mixed` only once some member was marked
    /// `completed` or `no_show` on its own, which attendance allows.
    public var state: String {
        guard let first = bookings.first?.state, bookings.allSatisfy({ $0.state == first }) else { return "mixed" }
        return first.rawValue
    }
}

extension ResourceSchedule {
    /// The booking as replies show it, with the group it belongs to.
    public func summary(of booking: Booking) -> BookingSummary {
        var summary = booking.summary
        summary.group = groups[booking.id.sequence]?.id
        return summary
    }

    /// Booking `sequence` as replies show it, or nil when there is none.
    public func summary(_ sequence: UInt64) -> BookingSummary? {
        bookings[sequence].map(summary(of:))
    }

    /// The group booking `sequence` belongs to, if any.
    public func group(of sequence: UInt64) -> GroupMembership? {
        groups[sequence]
    }
}
