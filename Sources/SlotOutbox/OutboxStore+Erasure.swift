import SlotDomain
import SlotJSON

/// `erase_customer` in the outbox (decisions 0022 and 0028): deliveries keep a copy of their event's body, so the
/// customer's text is replaced there too, as the journal's entries are, and then scrubbed off the file.
extension OutboxStore {
    /// Replaces, in the bodies of deliveries for events up to `seq` about `tenant`'s resources, every string that
    /// holds `customer`'s text with the erasure's placeholder, as the erasure does in bookings (a customer field,
    /// a reason, an actor). Later events are left alone: they follow the erasure, and keep the text as its entries
    /// do. Returns how many bodies changed. Does not scrub; `scrub` does, once.
    public func eraseCustomer(_ customer: String, tenant: TenantID?, throughEvent seq: UInt64) throws -> Int {
        // The text as the event's writer escaped it: a string holding it holds this, byte for byte.
        var quoted = JSONWriter()
        quoted.string(customer)
        let escaped = Array(quoted.bytes.dropFirst().dropLast())
        return try transaction {
            let query = try statement("SELECT id, body FROM deliveries WHERE event_seq <= ? AND instr(body, ?) > 0")
            query.bind(1, Int64(clamping: seq))
            query.bind(2, escaped)
            var holding: [(id: Int64, body: [UInt8])] = []
            while try query.step() { holding.append((query.int64(0), query.blob(1))) }
            let update = try statement("UPDATE deliveries SET body = ? WHERE id = ?")
            var changed = 0
            for (id, body) in holding {
                guard let event = try? JSONValue.parse(bytes: body) else {
                    throw OutboxError.corruptRow(table: "deliveries", id: String(id), reason: "body is not JSON")
                }
                // An event in no tenant has no `tenant`: nil matches nil.
                guard event["tenant"]?.string == tenant?.rawValue else { continue }
                var writer = JSONWriter()
                Self.erasing(customer, in: event).write(to: &writer)
                update.bind(1, writer.bytes)
                update.bind(2, id)
                defer { update.reset() }
                _ = try update.step()
                changed += 1
            }
            return changed
        }
    }

    /// Leaves no byte of a replaced body in the file: `VACUUM` rewrites it without free pages, and the WAL is
    /// checkpointed and emptied (its older frames hold the rows as they were).
    public func scrub() throws {
        guard !isClosed else { throw OutboxError.closed }
        try database.execute("VACUUM")
        let checkpoint = try statement("PRAGMA wal_checkpoint(TRUNCATE)")
        guard try checkpoint.step(), checkpoint.int64(0) == 0 else {
            throw OutboxError.scrubBlocked
        }
    }

    static func erasing(_ customer: String, in value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text) where text.contains(customer): .string(CustomerErasure.placeholder)
        case .array(let values): .array(values.map { erasing(customer, in: $0) })
        case .object(let members): .object(members.mapValues { erasing(customer, in: $0) })
        default: value
        }
    }
}
