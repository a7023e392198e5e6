extension Operation {
    /// The most journal entries one request of this operation can append: what it reserves in the journal's queue
    /// before it is decided (`Journal.admit(entries:)`). An operation that appends more than this breaks the
    /// queue's bound, so each count follows the code that appends.
    public var journalEntriesMax: Int {
        switch self {
        case .ping, .getResource, .listResources, .getBooking, .listBookings, .availability, .multiAvailability,
            .snapshot, .stats, .monitor, .getRules, .waitlistStatus, .waitlistQueue, .getGroup, .auth, .listTokens:
            0
        // Webhooks live in the outbox's own database, not in the journal; a stream only reads.
        case .subscribe, .unsubscribe, .createWebhook, .listWebhooks, .getWebhook, .deleteWebhook, .listDeliveries,
            .redeliver:
            0
        case .createToken, .revokeToken: 1
        // One entry for the whole erasure (`Dispatcher+Erasure`).
        case .eraseCustomer: 1
        // The resource, then one entry per initial rule layer (`ResourceDirectory.create`).
        case .createResource(_, let rules, _): 1 + rules.count
        case .hold, .transition, .changeRules, .bookSeries, .cancelSeries, .waitlistJoin, .waitlistLeave: 1
        // A pool holds on the first member that accepts; refusals append nothing. A group's change, whatever its
        // size, is one atomic entry (`Dispatcher+Atomic`); so is an atomic batch.
        case .holdMany, .groupTransition: 1
        case .batch(let batch) where batch.atomic: 1
        case .batch(let batch):
            batch.items.reduce(0) { sum, item in sum + ((try? item.request.get())?.operation.journalEntriesMax ?? 0) }
        }
    }
}
