import SlotJSON

/// Record formats 3 to 7: the same fields as the JSON of formats 1 and 2, in binary (format 4 adds `skipped`,
/// format 5 the kind `expiries_noticed`, format 6 `group` and the kind `atomic` with `parts` and `reply`, format 7
/// the kinds `token_created` and `token_revoked` with `token`, `name`, `role`, `tenant`, `secret_hash` and
/// `revoked_at`, format 9 `minutes_before`, `late` and the kind `reminders_due`, format 10 `link` and the kind
/// `external_busy`). One
/// byte for the kind, then each present field as a one-byte tag and its value, tags in increasing order:
/// integers as varints (instants and other signed values zigzag-encoded), strings and lists with a varint length
/// first, `confirmed` as one byte 0 or 1, a rule change as the JSON object format 2 wrote (rules change rarely;
/// bookings are the bulk), each part of an atomic record as a record of its own with a varint length first, and
/// the kept reply as its bytes.
///
/// Why: every booking is encoded by the journal writer and written by SQLite to the WAL and the table; the binary
/// form of a held record is about a third of its JSON (decision 0006). `slotctl journal dump` prints any record,
/// whatever its format, as the JSON it stands for.
extension JournalRecord {
    /// Tags, stable forever: a new field takes a new number.
    private enum Tag: UInt8 {
        case resource = 1
        case at, tz, slotMinutes, capacity, bufferBeforeMinutes, bufferAfterMinutes, holdTTLSeconds
        case horizonDays, booking, start, end, customer, expiresAt, confirmed, actor, to, reason, idempotencyKey
        case fingerprint, rule, ranges, bookings, entry
        /// Format 4.
        case skipped
        /// Format 6.
        case group, parts, reply
        /// Format 7 (29 to 34). Format 8 adds no tag.
        case token = 29
        case name, role, tenant, secretHash, revokedAt
        /// Format 9 (40 and 41).
        case minutesBefore = 40
        case late
        /// Format 10 (42); tags from 43 on are free.
        case link
    }

    /// Kind codes, stable forever; a switch, so a new kind cannot be written without a code.
    private static func code(of kind: Kind) -> UInt8 {
        switch kind {
        case .resourceCreated: 1
        case .held: 2
        case .transitioned: 3
        case .keyRecorded: 4
        case .rulesChanged: 5
        case .seriesBooked: 6
        case .seriesCanceled: 7
        case .waitlistJoined: 8
        case .waitlistLeft: 9
        case .expiriesNoticed: 10
        case .atomic: 11
        case .tokenCreated: 12
        case .tokenRevoked: 13
        case .customerErased: 14
        case .remindersDue: 15
        case .externalBusy: 16
        }
    }

    /// The inverse of `code(of:)`, indexed by code and derived from it, so that the two cannot disagree.
    private static let kindsByCode: [Kind?] = {
        var table = [Kind?](repeating: nil, count: 256)
        for kind in Kind.allCases {
            precondition(table[Int(code(of: kind))] == nil, "two record kinds share code \(code(of: kind))")
            table[Int(code(of: kind))] = kind
        }
        return table
    }()

    /// Bound on any one string or list in a record, far above what request limits let through.
    private static let fieldMaxBytes = 1 << 20

    func binaryBytes() -> [UInt8] {
        var writer = BinaryWriter(reservingCapacity: 96)
        writer.write(Self.code(of: kind))
        func string(_ tag: Tag, _ value: String?) {
            guard let value else { return }
            writer.write(tag.rawValue)
            writer.writeVarintPrefixed(value.utf8)
        }
        func signed<Value: BinaryInteger>(_ tag: Tag, _ value: Value?) {
            guard let value else { return }
            writer.write(tag.rawValue)
            writer.writeVarint(signed: Int64(value))
        }
        func unsigned(_ tag: Tag, _ value: UInt64?) {
            guard let value else { return }
            writer.write(tag.rawValue)
            writer.writeVarint(value)
        }
        string(.resource, resource)
        signed(.at, at)
        string(.tz, tz)
        signed(.slotMinutes, slotMinutes)
        signed(.capacity, capacity)
        signed(.bufferBeforeMinutes, bufferBeforeMinutes)
        signed(.bufferAfterMinutes, bufferAfterMinutes)
        signed(.holdTTLSeconds, holdTTLSeconds)
        signed(.horizonDays, horizonDays)
        unsigned(.booking, booking)
        signed(.start, start)
        signed(.end, end)
        string(.customer, customer)
        signed(.expiresAt, expiresAt)
        if let confirmed {
            writer.write(Tag.confirmed.rawValue)
            writer.write(UInt8(confirmed ? 1 : 0))
        }
        string(.actor, actor)
        string(.to, to)
        string(.reason, reason)
        string(.idempotencyKey, idempotencyKey)
        string(.fingerprint, fingerprint)
        if let rule {
            var json = JSONWriter(capacity: 128)
            rule.jsonValue.write(to: &json)
            writer.write(Tag.rule.rawValue)
            writer.writeVarintPrefixed(json.bytes)
        }
        if let ranges {
            writer.write(Tag.ranges.rawValue)
            writer.writeVarint(UInt64(ranges.count))
            for pair in ranges {
                writer.writeVarint(UInt64(pair.count))
                for value in pair { writer.writeVarint(signed: value) }
            }
        }
        if let bookings {
            writer.write(Tag.bookings.rawValue)
            writer.writeVarint(UInt64(bookings.count))
            for booking in bookings { writer.writeVarint(booking) }
        }
        unsigned(.entry, entry)
        if let skipped {
            // As JSON, like a rule: a series with skipped occurrences is rare.
            var json = JSONWriter(capacity: 128)
            JSONValue.array(skipped.map(\.jsonValue)).write(to: &json)
            writer.write(Tag.skipped.rawValue)
            writer.writeVarintPrefixed(json.bytes)
        }
        if let group {
            writer.write(Tag.group.rawValue)
            writer.writeVarint(UInt64(group.count))
            for member in group { writer.writeVarintPrefixed(member.utf8) }
        }
        if let parts {
            writer.write(Tag.parts.rawValue)
            writer.writeVarint(UInt64(parts.count))
            for part in parts { writer.writeVarintPrefixed(part.binaryBytes()) }
        }
        if let reply {
            // The record's own text holds hex digits only (`Hex`); anything else would be a bug in this file.
            guard let bytes = Hex.bytes(reply) else { preconditionFailure("a record's reply is not hex") }
            writer.write(Tag.reply.rawValue)
            writer.writeVarintPrefixed(bytes)
        }
        string(.token, token)
        string(.name, name)
        string(.role, role)
        string(.tenant, tenant)
        if let secretHash {
            writer.write(Tag.secretHash.rawValue)
            writer.writeVarintPrefixed(secretHash)
        }
        signed(.revokedAt, revokedAt)
        if let minutesBefore {
            writer.write(Tag.minutesBefore.rawValue)
            writer.writeVarint(UInt64(minutesBefore.count))
            for minutes in minutesBefore { writer.writeVarint(signed: Int64(minutes)) }
        }
        if let late {
            writer.write(Tag.late.rawValue)
            writer.writeVarint(UInt64(late.count))
            for flag in late { writer.writeVarint(flag) }
        }
        string(.link, link)
        return writer.bytes
    }

    /// Nil unless `bytes` is exactly one well-formed record: a known kind, known tags in increasing order, each
    /// value whole, `resource` and `at` present, nothing after the last field. A part of an atomic record
    /// (`isPart`) holds no parts of its own, so a damaged record cannot nest parts deep enough to exhaust the stack.
    init?(binary bytes: [UInt8], isPart: Bool = false) {
        var reader = BinaryReader(bytes)
        do {
            // `resource` and `at` are in every record and have the lowest tags, so a record starts with them.
            guard let kind = Self.kindsByCode[Int(try reader.read(UInt8.self))],
                try reader.read(UInt8.self) == Tag.resource.rawValue
            else { return nil }
            let resource = try Self.string(&reader)
            guard try reader.read(UInt8.self) == Tag.at.rawValue else { return nil }
            self.init(kind: kind, resource: resource, at: try reader.readVarintSigned())
            var lastTag = Tag.at.rawValue
            while reader.remaining > 0 {
                let raw = try reader.read(UInt8.self)
                guard raw > lastTag, let tag = Tag(rawValue: raw), !(isPart && tag == .parts),
                    try readField(tag, from: &reader)
                else { return nil }
                lastTag = raw
            }
        } catch {
            return nil
        }
    }

    /// Reads the value of a field after `resource` and `at`; false when it is malformed (or one of those two,
    /// which the increasing-tag rule already keeps out).
    private mutating func readField(_ tag: Tag, from reader: inout BinaryReader) throws(BinaryReader.Truncated)
        -> Bool
    {
        func int() throws(BinaryReader.Truncated) -> Int {
            guard let value = Int(exactly: try reader.readVarintSigned()) else { throw .init(offset: reader.offset) }
            return value
        }
        switch tag {
        case .resource, .at: return false
        case .tz: tz = try Self.string(&reader)
        case .slotMinutes: slotMinutes = try int()
        case .capacity: capacity = try int()
        case .bufferBeforeMinutes: bufferBeforeMinutes = try int()
        case .bufferAfterMinutes: bufferAfterMinutes = try int()
        case .holdTTLSeconds: holdTTLSeconds = try int()
        case .horizonDays: horizonDays = try int()
        case .booking: booking = try reader.readVarint()
        case .start: start = try reader.readVarintSigned()
        case .end: end = try reader.readVarintSigned()
        case .customer: customer = try Self.string(&reader)
        case .expiresAt: expiresAt = try reader.readVarintSigned()
        case .confirmed:
            let byte = try reader.read(UInt8.self)
            guard byte <= 1 else { return false }
            confirmed = byte == 1
        case .actor: actor = try Self.string(&reader)
        case .to: to = try Self.string(&reader)
        case .reason: reason = try Self.string(&reader)
        case .idempotencyKey: idempotencyKey = try Self.string(&reader)
        case .fingerprint: fingerprint = try Self.string(&reader)
        case .rule:
            let json = try reader.readVarintPrefixed(maxBytes: Self.fieldMaxBytes)
            guard let value = try? JSONValue.parse(bytes: Array(json)), let rule = RuleRecord(json: value) else {
                return false
            }
            self.rule = rule
        case .ranges:
            let count = try Self.count(&reader)
            var pairs: [[Int64]] = []
            for _ in 0..<count {
                let length = try Self.count(&reader)
                var pair: [Int64] = []
                for _ in 0..<length { pair.append(try reader.readVarintSigned()) }
                pairs.append(pair)
            }
            ranges = pairs
        case .bookings:
            let count = try Self.count(&reader)
            var list: [UInt64] = []
            for _ in 0..<count { list.append(try reader.readVarint()) }
            bookings = list
        case .entry: entry = try reader.readVarint()
        case .skipped:
            let json = try reader.readVarintPrefixed(maxBytes: Self.fieldMaxBytes)
            guard case .array(let list)? = try? JSONValue.parse(bytes: Array(json)) else { return false }
            let records = list.compactMap(SkippedRecord.init(json:))
            guard records.count == list.count else { return false }
            skipped = records
        case .group:
            let count = try Self.count(&reader)
            var members: [String] = []
            for _ in 0..<count { members.append(try Self.string(&reader)) }
            group = members
        case .parts:
            let count = try Self.count(&reader)
            var records: [JournalRecord] = []
            for _ in 0..<count {
                // Bounded by the record alone: a batch of many rule changes may pass `fieldMaxBytes`.
                let bytes = try reader.readVarintPrefixed(maxBytes: reader.remaining)
                guard let part = JournalRecord(binary: Array(bytes), isPart: true) else { return false }
                records.append(part)
            }
            parts = records
        case .reply:
            // Bounded by the record alone: a batch's reply holds each of its ops' replies.
            reply = Hex.text(Array(try reader.readVarintPrefixed(maxBytes: reader.remaining)))
        case .token: token = try Self.string(&reader)
        case .name: name = try Self.string(&reader)
        case .role: role = try Self.string(&reader)
        case .tenant: tenant = try Self.string(&reader)
        case .secretHash: secretHash = Array(try reader.readVarintPrefixed(maxBytes: Self.fieldMaxBytes))
        case .revokedAt: revokedAt = try reader.readVarintSigned()
        case .minutesBefore:
            let count = try Self.count(&reader)
            var list: [Int] = []
            for _ in 0..<count { list.append(try int()) }
            minutesBefore = list
        case .late:
            let count = try Self.count(&reader)
            var list: [UInt64] = []
            for _ in 0..<count { list.append(try reader.readVarint()) }
            late = list
        case .link: link = try Self.string(&reader)
        }
        return true
    }

    private static func string(_ reader: inout BinaryReader) throws(BinaryReader.Truncated) -> String {
        let bytes = try reader.readVarintPrefixed(maxBytes: fieldMaxBytes)
        guard let string = String(validating: bytes, as: UTF8.self) else { throw .init(offset: reader.offset) }
        return string
    }

    /// A list's length, bounded by the bytes left (every element takes at least one byte).
    private static func count(_ reader: inout BinaryReader) throws(BinaryReader.Truncated) -> Int {
        let count = try reader.readVarint()
        guard count <= UInt64(reader.remaining) else { throw .init(offset: reader.offset) }
        return Int(count)
    }
}
