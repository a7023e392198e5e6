extension Operation {
    /// The most journal entries one request of this operation can append: what it reserves in the journal's queue
    /// before it is decided (`Journal.admit(entries:)`). An operation that appends more than this breaks the
    /// queue's bound, so each count follows the code that appends.
    public var journalEntriesMax: Int {
        switch self {
        case .ping, .getResource, .listResources, .getBooking, .listBookings, .availability, .multiAvailability,
            .snapshot, .stats, .getRules, .waitlistStatus, .waitlistQueue:
            0
        // The resource, then one entry per initial rule layer (`ResourceDirectory.create`).
        case .createResource(_, let rules, _): 1 + rules.count
        case .hold, .transition, .changeRules, .bookSeries, .cancelSeries, .waitlistJoin, .waitlistLeave: 1
        // A pool holds on the first member that accepts; refusals append nothing.
        case .holdMany(_, _, pool: true): 1
        // Every resource: a hold, a cancel if the group is refused, a confirm for `book`
        // (`MultiResourceBooking.holdAll`).
        case .holdMany(let resources, _, pool: false): 3 * resources.count
        }
    }
}
