import SlotDomain

/// What the journal's compaction and `erase_customer` need of the outbox.
extension Outbox {
    /// Creates, for every endpoint, the deliveries of the events of journal entries up to `entry`: the snapshot
    /// coordinator calls it before compacting through `entry`, which deletes those events, so that none is
    /// deleted before the dispatcher has read it, however far behind it is. They are on disk when it returns.
    public func catchUp(throughEntry entry: UInt64) throws {
        guard let newest = try reader.newestSeq(throughEntry: entry) else { return }
        while try enqueueCommitted(now: Self.now(), through: newest) {}
        try store.makeDurable()
    }

    /// Replaces the customer's text in the bodies of deliveries for events up to `seq` (those of the erasure's
    /// entry and before) about `tenant`'s resources, then scrubs the file (decision 0022). Returns how many bodies
    /// changed.
    public func erase(customer: String, tenant: TenantID?, throughEvent seq: UInt64) throws -> Int {
        let changed = try store.eraseCustomer(customer, tenant: tenant, throughEvent: seq)
        try store.scrub()
        logger.notice("customer erased from webhook deliveries", metadata: ["deliveries": "\(changed)"])
        return changed
    }
}
