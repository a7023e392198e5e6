import SlotDomain

/// Format 8 records (decision 0022): `customer_erased` replaces one customer's text across a tenant. Its
/// `resource` is empty (it is about a tenant, not a resource), `tenant` (the token records' field) is absent for
/// resources without one, and
/// `customer` holds the text erased, until the compaction that follows the erasure deletes the record.
extension RecordCodec {
    static func record(for erasure: CustomerErasure) -> JournalRecord {
        var record = JournalRecord(kind: .customerErased, resource: "", at: erasure.at.secondsSinceEpoch)
        record.customer = erasure.customer
        record.tenant = erasure.tenant?.rawValue
        return record
    }

    /// Nil unless the record holds a customer other than the placeholder, a valid tenant or none, an instant in
    /// range, and no field of another kind.
    static func erasureEntry(from record: JournalRecord) -> JournalEntry? {
        guard record.resource.isEmpty, StoredTime.isValid(record.at), let customer = record.customer,
            customer != CustomerErasure.placeholder
        else { return nil }
        var tenant: TenantID?
        if let text = record.tenant {
            guard let parsed = TenantID(text) else { return nil }
            tenant = parsed
        }
        var bare = JournalRecord(kind: .customerErased, resource: "", at: record.at)
        bare.customer = customer
        bare.tenant = record.tenant
        guard bare == record else { return nil }
        return .customerErased(
            CustomerErasure(customer: customer, tenant: tenant, at: Instant(secondsSinceEpoch: record.at)))
    }
}
