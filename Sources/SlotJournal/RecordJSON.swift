import SlotJSON

/// The record's JSON text (formats 1 and 2; for later formats, what `slotctl journal dump` prints), written and
/// read by hand with keys sorted and absent fields omitted, byte for byte what Foundation's encoder writes for
/// these records, at a fraction of its cost (decision 0005). A token's secret hash is never written here: the dump
/// is what gets pasted into tickets, and nothing reads a token record back from JSON (formats 1 and 2 have none).
extension JournalRecord {
    func jsonBytes() -> [UInt8] {
        var writer = JSONWriter(capacity: 224)
        write(to: &writer)
        return writer.bytes
    }

    /// An atomic record's parts are written inside it, each as its own object.
    private func write(to writer: inout JSONWriter) {
        writer.beginObject()
        func string(_ name: String, _ value: String?) {
            guard let value else { return }
            writer.key(name)
            writer.string(value)
        }
        func integer<Value: BinaryInteger>(_ name: String, _ value: Value?) {
            guard let value else { return }
            writer.key(name)
            writer.integer(value)
        }
        // In sorted key order.
        string("actor", actor)
        integer("at", at)
        integer("booking", booking)
        if let bookings {
            writer.key("bookings")
            JSONValue.array(bookings.map { .number(Double($0)) }).write(to: &writer)
        }
        integer("buffer_after_minutes", bufferAfterMinutes)
        integer("buffer_before_minutes", bufferBeforeMinutes)
        integer("capacity", capacity)
        if let confirmed {
            writer.key("confirmed")
            writer.bool(confirmed)
        }
        string("customer", customer)
        integer("end", end)
        integer("entry", entry)
        integer("expires_at", expiresAt)
        string("fingerprint", fingerprint)
        if let group {
            writer.key("group")
            JSONValue.array(group.map(JSONValue.string)).write(to: &writer)
        }
        integer("hold_ttl_seconds", holdTTLSeconds)
        integer("horizon_days", horizonDays)
        string("idempotency_key", idempotencyKey)
        string("kind", kind.rawValue)
        if let late {
            writer.key("late")
            JSONValue.array(late.map { .number(Double($0)) }).write(to: &writer)
        }
        string("link", link)
        if let minutesBefore {
            writer.key("minutes_before")
            JSONValue.array(minutesBefore.map { .number(Double($0)) }).write(to: &writer)
        }
        string("name", name)
        if let parts {
            writer.key("parts")
            writer.beginArray()
            for part in parts { part.write(to: &writer) }
            writer.endArray()
        }
        if let ranges {
            writer.key("ranges")
            JSONValue.array(ranges.map { .array($0.map { .number(Double($0)) }) }).write(to: &writer)
        }
        string("reason", reason)
        string("reply", reply)
        string("resource", resource)
        integer("revoked_at", revokedAt)
        string("role", role)
        if let rule {
            writer.key("rule")
            rule.jsonValue.write(to: &writer)
        }
        if let skipped {
            writer.key("skipped")
            JSONValue.array(skipped.map(\.jsonValue)).write(to: &writer)
        }
        integer("slot_minutes", slotMinutes)
        integer("start", start)
        string("tenant", tenant)
        string("to", to)
        string("token", token)
        string("tz", tz)
        writer.endObject()
    }

    /// Nil when the text is not a record object (a field of the wrong type, an unknown kind).
    init?(json bytes: [UInt8]) {
        guard let value = try? JSONValue.parse(bytes: bytes) else { return nil }
        self.init(json: value, isPart: false)
    }

    /// A part of an atomic record (`isPart`) holds no parts of its own.
    private init?(json value: JSONValue, isPart: Bool) {
        guard case .object(let fields) = value,
            let kind = fields["kind"]?.string.flatMap(Kind.init(rawValue:)), let resource = fields["resource"]?.string,
            let at = fields["at"]?.exactInteger
        else { return nil }
        self.init(kind: kind, resource: resource, at: at)
        var wrongType = false
        func string(_ name: String) -> String? {
            guard let value = fields[name] else { return nil }
            if value.string == nil { wrongType = true }
            return value.string
        }
        func integer<Value: FixedWidthInteger>(_ name: String, as type: Value.Type = Value.self) -> Value? {
            guard let value = fields[name] else { return nil }
            guard let number = value.exactInteger, let converted = Value(exactly: number) else {
                wrongType = true
                return nil
            }
            return converted
        }
        tz = string("tz")
        slotMinutes = integer("slot_minutes")
        capacity = integer("capacity")
        bufferBeforeMinutes = integer("buffer_before_minutes")
        bufferAfterMinutes = integer("buffer_after_minutes")
        holdTTLSeconds = integer("hold_ttl_seconds")
        horizonDays = integer("horizon_days")
        booking = integer("booking")
        start = integer("start")
        end = integer("end")
        customer = string("customer")
        expiresAt = integer("expires_at")
        confirmed = fields["confirmed"]?.bool
        actor = string("actor")
        to = string("to")
        reason = string("reason")
        idempotencyKey = string("idempotency_key")
        fingerprint = string("fingerprint")
        entry = integer("entry")
        if let list = fields["bookings"] {
            bookings = list.array?.compactMap { $0.exactInteger.flatMap(UInt64.init(exactly:)) }
            if bookings?.count != list.array?.count { wrongType = true }
        }
        if let list = fields["ranges"] {
            ranges = list.array?.compactMap { pair in pair.array?.compactMap(\.exactInteger) }
            if ranges?.count != list.array?.count { wrongType = true }
        }
        if let value = fields["rule"] {
            rule = RuleRecord(json: value)
            if rule == nil { wrongType = true }
        }
        if let list = fields["skipped"] {
            skipped = list.array?.compactMap(SkippedRecord.init(json:))
            if skipped == nil || skipped?.count != list.array?.count { wrongType = true }
        }
        reply = string("reply")
        token = string("token")
        name = string("name")
        role = string("role")
        tenant = string("tenant")
        revokedAt = integer("revoked_at")
        if let list = fields["group"] {
            group = list.array?.compactMap(\.string)
            if group?.count != list.array?.count { wrongType = true }
        }
        if let list = fields["parts"] {
            parts = isPart ? nil : list.array?.compactMap { JournalRecord(json: $0, isPart: true) }
            if parts == nil || parts?.count != list.array?.count { wrongType = true }
        }
        if wrongType || (fields["confirmed"] != nil && confirmed == nil) { return nil }
    }
}

extension RuleRecord {
    var jsonValue: JSONValue {
        var members: [String: JSONValue] = ["change": .string(change.rawValue)]
        func ints(_ list: [Int]) -> JSONValue { .array(list.map { .number(Double($0)) }) }
        if let weekly { members["weekly"] = .array(weekly.map { .array($0.map(ints)) }) }
        if let date { members["date"] = .number(Double(date)) }
        if let closed { members["closed"] = .bool(closed) }
        if let hours { members["hours"] = .array(hours.map(ints)) }
        if let block { members["block"] = .number(Double(block)) }
        if let label { members["label"] = .string(label) }
        if let minNoticeMinutes { members["min_notice_minutes"] = .number(Double(minNoticeMinutes)) }
        if let maxBookingsPerDay { members["max_bookings_per_day"] = .number(Double(maxBookingsPerDay)) }
        return .object(members)
    }

    init?(json value: JSONValue) {
        guard case .object(let fields) = value, let change = fields["change"]?.string.flatMap(Change.init(rawValue:))
        else { return nil }
        self.init(change: change)
        func ints(_ value: JSONValue) -> [Int]? { value.array?.compactMap { $0.exactInteger.map(Int.init) } }
        weekly = fields["weekly"]?.array?.compactMap { day in day.array?.compactMap(ints) }
        date = fields["date"]?.exactInteger
        closed = fields["closed"]?.bool
        hours = fields["hours"]?.array?.compactMap(ints)
        block = fields["block"]?.exactInteger.flatMap(UInt64.init(exactly:))
        label = fields["label"]?.string
        minNoticeMinutes = fields["min_notice_minutes"]?.exactInteger.map(Int.init)
        maxBookingsPerDay = fields["max_bookings_per_day"]?.exactInteger.map(Int.init)
    }
}

extension JSONValue {
    /// A whole number that a Double holds exactly (every journal number: seconds, sequences, minutes).
    var exactInteger: Int64? {
        guard case .number(let value) = self, value == value.rounded(), abs(value) <= 9_007_199_254_740_992 else {
            return nil
        }
        return Int64(value)
    }
}
