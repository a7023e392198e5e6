import SlotDomain

/// A reply kept under an idempotency key, by kind: 1 booking, 2 resource; from version 5: 3 rules, 4 series,
/// 5 waitlist entry; from version 6: 6 group, 7 atomic batch. The same layout, at version 6, holds the reply
/// of an `atomic` journal record (`RecordFormat+Groups.swift`), so a kept reply has one encoding on disk. From
/// version 8 a kept resource (kind 2) is followed by its reminder setting (u32 count, u32 minutes each).
extension SnapshotFormatV1 {
    /// The oldest version that holds `reply`: 6 for a group or a batch and for any kept booking that names its
    /// group (a kept booking takes a group field from version 6 on), 5 for the kinds 3 to 5, 8 for a resource
    /// with reminders, else 4.
    static func versionNeeded(by reply: StoredReply) -> UInt16 {
        switch reply {
        case .booking(let summary): summary.group == nil ? 4 : 6
        case .resource(let settings): settings.remindersMinutesBefore.isEmpty ? 4 : 8
        case .rules: 5
        case .series(let outcome): outcome.bookings.contains { $0.group != nil } ? 6 : 5
        case .waitlist(let outcome): outcome.booking?.group == nil ? 5 : 6
        case .group, .batch: 6
        }
    }

    static func write(_ reply: StoredReply, version: UInt16, to writer: inout BinaryWriter) {
        switch reply {
        case .booking(let summary):
            writer.write(UInt8(1))
            writer.write(summary.id.resource.rawValue)
            write(summary, version: version, to: &writer)
        case .resource(let settings):
            writer.write(UInt8(2))
            write(settings, to: &writer)
            if version >= 8 { writeReminderSetting(settings, to: &writer) }
        case .rules(let outcome):
            writer.write(UInt8(3))
            write(outcome, to: &writer)
        case .series(let outcome):
            writer.write(UInt8(4))
            write(outcome, version: version, to: &writer)
        case .waitlist(let outcome):
            writer.write(UInt8(5))
            write(outcome, version: version, to: &writer)
        case .group(let outcome):
            writer.write(UInt8(6))
            write(outcome, to: &writer)
        case .batch(let resource, let results):
            writer.write(UInt8(7))
            writer.write(resource.rawValue)
            writer.write(UInt32(results.count))
            for result in results { write(result, version: version, to: &writer) }
        }
    }

    /// Kind 6: the group's id (its lead booking: resource, number), then each member as a kept booking after
    /// its resource.
    static func write(_ outcome: GroupOutcome, to writer: inout BinaryWriter) {
        writer.write(outcome.id.lead.resource.rawValue)
        writer.write(outcome.id.lead.sequence)
        writer.write(UInt32(outcome.bookings.count))
        for booking in outcome.bookings {
            writer.write(booking.id.resource.rawValue)
            write(booking, version: 6, to: &writer)
        }
    }

    /// A kept booking's group (version 6): 0, or 1 and the group's lead booking (resource, number).
    static func write(group: GroupID?, to writer: inout BinaryWriter) {
        guard let group else { return writer.write(UInt8(0)) }
        writer.write(UInt8(1))
        writer.write(group.lead.resource.rawValue)
        writer.write(group.lead.sequence)
    }

    /// The fewest bytes a kept reply takes (kind 6 with no bookings and a one-byte resource id): a batch's count
    /// of results is checked against it.
    static let keptReplyBytesMin = 18
    /// The fewest bytes a group member takes in kind 6: its resource id and a kept booking.
    static let groupMemberBytesMin = 43

    /// Reads a reply of any kind that `version` has; a batch inside a batch is refused (a batch cannot hold one).
    static func readReply(_ reader: inout BinaryReader, version: UInt16, kept key: String, inBatch: Bool = false)
        throws -> StoredReply
    {
        let kind = try reader.read(UInt8.self)
        switch kind {
        case 1:
            let resource = try readResourceID(&reader)
            return .booking(try readSummary(&reader, of: resource, version: version, kept: key))
        case 2:
            var settings = try readSettings(&reader)
            if version >= 8 { try readReminderSetting(&reader, into: &settings) }
            return .resource(settings)
        case 3 where version >= 5:
            return .rules(try readRulesOutcome(&reader, kept: key))
        case 4 where version >= 5:
            return .series(try readSeriesOutcome(&reader, version: version, kept: key))
        case 5 where version >= 5:
            return .waitlist(try readWaitlistOutcome(&reader, version: version, kept: key))
        case 6 where version >= 6:
            return .group(try readGroupOutcome(&reader, kept: key))
        case 7 where version >= 6 && !inBatch:
            let resource = try readResourceID(&reader)
            let count = Int(try reader.read(UInt32.self))
            try checkCount(count, of: "batch results", itemBytesMin: keptReplyBytesMin, in: reader)
            var results: [StoredReply] = []
            for _ in 0..<count { results.append(try readReply(&reader, version: version, kept: key, inBatch: true)) }
            return .batch(resource: resource, results: results)
        default:
            throw SnapshotError.invalid("idempotency reply kind \(kind)\(inBatch ? " in a batch" : "")")
        }
    }

    static func readGroupOutcome(_ reader: inout BinaryReader, kept key: String) throws -> GroupOutcome {
        let id = try readGroupID(&reader, kept: key)
        let count = Int(try reader.read(UInt32.self))
        try checkCount(count, of: "group members", itemBytesMin: groupMemberBytesMin, in: reader)
        var bookings: [BookingSummary] = []
        for _ in 0..<count {
            let resource = try readResourceID(&reader)
            bookings.append(try readSummary(&reader, of: resource, version: 6, kept: key))
        }
        return GroupOutcome(id: id, bookings: bookings)
    }

    static func readGroup(_ reader: inout BinaryReader, kept key: String) throws -> GroupID? {
        switch try reader.read(UInt8.self) {
        case 0: return nil
        case 1: return try readGroupID(&reader, kept: key)
        case let flag: throw SnapshotError.invalid("group flag \(flag) kept with key '\(key)'")
        }
    }

    /// A group's lead booking: its resource and number (bookings are numbered from 1).
    static func readGroupID(_ reader: inout BinaryReader, kept key: String) throws -> GroupID {
        let lead = BookingID(resource: try readResourceID(&reader), sequence: try reader.read(UInt64.self))
        guard lead.sequence > 0 else { throw SnapshotError.invalid("a group led by booking 0 kept with key '\(key)'") }
        return GroupID(lead: lead)
    }
}
