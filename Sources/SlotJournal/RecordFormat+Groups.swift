import SlotDomain

/// Format 6 records (decision 0020): a group member's `held` record names every member (`group`), and an
/// `atomic` record holds the parts of one all-or-nothing change, each as a record of its own kind (`parts`), and
/// the reply kept under the request's key (`idempotency_key`, `fingerprint`, `reply`, kept from `at`).
extension RecordCodec {
    /// The snapshot version whose layout of a kept reply a record's `reply` holds. Fixed: later snapshot versions
    /// may change that layout, and format 6 records must still read.
    static let replyLayoutVersion: UInt16 = 6

    /// An atomic record's `resource` is its first part's and its `at` the kept reply's, else the first part's.
    static func record(for atomic: AtomicEntry) -> JournalRecord {
        let first = atomic.parts[0]
        var atomicRecord = JournalRecord(
            kind: .atomic, resource: first.resource.rawValue,
            at: (atomic.remembered?.at ?? first.event.at).secondsSinceEpoch)
        atomicRecord.parts = atomic.parts.map { record(for: .schedule($0.resource, $0.event)) }
        if let remembered = atomic.remembered {
            atomicRecord.stamp(remembered.stamp)
            var writer = BinaryWriter(reservingCapacity: 256)
            SnapshotFormatV1.write(remembered.reply, version: replyLayoutVersion, to: &writer)
            atomicRecord.reply = Hex.text(writer.bytes)
        }
        return atomicRecord
    }

    /// Nil unless every part is a schedule event without a key of its own (`AtomicEntry` traps on one) on a
    /// valid resource, the first on the record's resource, and a key comes with a reply and a reply with a key.
    static func atomicEntry(from record: JournalRecord, idempotency stamp: IdempotencyStamp?) -> JournalEntry? {
        guard let stored = record.parts, stored.first?.resource == record.resource else { return nil }
        var parts: [(resource: ResourceID, event: ScheduleEvent)] = []
        for part in stored {
            guard part.kind != .atomic, part.kind != .resourceCreated, part.kind != .keyRecorded,
                case .schedule(let resource, let event)? = entry(from: part), event.idempotency == nil
            else { return nil }
            parts.append((resource, event))
        }
        var remembered: RememberedReply?
        switch (stamp, record.reply) {
        case (nil, nil): break
        case (let stamp?, let text?):
            guard let reply = storedReply(hex: text) else { return nil }
            remembered = RememberedReply(stamp: stamp, reply: reply, at: Instant(secondsSinceEpoch: record.at))
        default: return nil
        }
        return .atomic(AtomicEntry(parts: parts, remembered: remembered))
    }

    /// The reply a record's `reply` holds; nil unless it is exactly one well-formed kept reply.
    static func storedReply(hex text: String) -> StoredReply? {
        guard let bytes = Hex.bytes(text) else { return nil }
        var reader = BinaryReader(bytes)
        guard
            let reply = try? SnapshotFormatV1.readReply(
                &reader, version: replyLayoutVersion, kept: "of an atomic record"),
            reader.remaining == 0
        else { return nil }
        return reply
    }

    /// A `held` record's `group` (`resource/N` each) as the membership of `booking`; nil when malformed.
    static func membership(_ members: [String], of booking: BookingID) -> GroupMembership? {
        guard let ids = allPresent(members.map { BookingID(parsing: $0, stored: true) }) else { return nil }
        return SnapshotFormatV1.membership(ids, of: booking)
    }
}

/// Lower-case hexadecimal, two digits a byte: how a record's JSON (the dump's view) shows its binary `reply`.
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func text(_ bytes: [UInt8]) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            utf8.append(digits[Int(byte >> 4)])
            utf8.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Nil unless `text` is an even number of lower-case hex digits.
    static func bytes(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
