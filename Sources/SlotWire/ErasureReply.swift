import SlotDomain

extension ReplyEncoder {
    /// `erase_customer`'s reply: `"erased":{"bookings":…,"waitlist_entries":…,"idempotency_keys":…,"tokens":…}`
    /// and `"journal_compacted_through"`. Never the customer's text: the reply says how much went, not what.
    static func writeErasure(_ counts: ErasureCounts, compactedThrough: UInt64, to writer: inout JSONWriter) {
        writer.key("erased")
        writer.beginObject()
        writer.key("bookings")
        writer.integer(counts.bookings)
        writer.key("waitlist_entries")
        writer.integer(counts.waitlistEntries)
        writer.key("idempotency_keys")
        writer.integer(counts.idempotencyKeys)
        writer.key("tokens")
        writer.integer(counts.tokens)
        writer.endObject()
        writer.key("journal_compacted_through")
        writer.integer(compactedThrough)
    }
}
