import SlotDomain

/// The idempotency section: each remembered key, its fingerprint, its expiry and the reply kept under it
/// (`SnapshotFormat+Replies.swift`); and the layouts of the reply kinds 3 to 5.
extension SnapshotFormatV1 {
    static func write(_ record: IdempotencyTable.Record, version: UInt16, to writer: inout BinaryWriter) {
        writer.write(record.key)
        writer.write(record.fingerprint)
        writer.write(record.expiresAt.secondsSinceEpoch)
        write(record.reply, version: version, to: &writer)
    }

    /// A booking as a reply showed it, its resource written before it; from version 6 the group it belongs to.
    static func write(_ summary: BookingSummary, version: UInt16, to writer: inout BinaryWriter) {
        writer.write(summary.id.sequence)
        write(summary.range, to: &writer)
        writer.write(summary.customer)
        writer.write(code(summary.state))
        writer.write(summary.expiresAt?.secondsSinceEpoch ?? absent)
        if version >= 6 { write(group: summary.group, to: &writer) }
    }

    /// Kind 3: the resource, every rule layer after the change, the affected bookings' numbers, the added block.
    static func write(_ outcome: RulesOutcome, to writer: inout BinaryWriter) {
        writer.write(outcome.resource.rawValue)
        write(outcome.rules, to: &writer)
        writer.write(UInt32(outcome.affected.count))
        for booking in outcome.affected { writer.write(booking.sequence) }
        writer.write(UInt8(outcome.addedBlock == nil ? 0 : 1))
        if let block = outcome.addedBlock {
            writer.write(block.id)
            write(block.range, to: &writer)
            writer.write(block.label)
        }
    }

    /// Kind 4: the resource, the series' number, its bookings as the reply showed them, the skipped occurrences.
    static func write(_ outcome: SeriesOutcome, version: UInt16, to writer: inout BinaryWriter) {
        writer.write(outcome.series.resource.rawValue)
        writer.write(outcome.series.sequence)
        writer.write(UInt32(outcome.bookings.count))
        for booking in outcome.bookings { write(booking, version: version, to: &writer) }
        writer.write(UInt32(outcome.skipped.count))
        for skipped in outcome.skipped {
            writer.write(skipped.date.days)
            writer.write(skipped.range?.start.secondsSinceEpoch ?? absent)
            writer.write(skipped.range?.end.secondsSinceEpoch ?? absent)
            writer.write(skipped.code.rawValue)
            writer.write(skipped.message)
        }
    }

    /// Kind 5: the resource, the entry as it stood, its place in the queue (or absent), the hold it was given.
    static func write(_ outcome: WaitlistOutcome, version: UInt16, to writer: inout BinaryWriter) {
        writer.write(outcome.entry.id.resource.rawValue)
        write(outcome.entry, to: &writer)
        writer.write(outcome.position.map(Int64.init) ?? absent)
        writer.write(UInt8(outcome.booking == nil ? 0 : 1))
        if let booking = outcome.booking { write(booking, version: version, to: &writer) }
    }

    static func readRecord(_ reader: inout BinaryReader, version: UInt16) throws -> IdempotencyTable.Record {
        let key = try reader.readString()
        let fingerprint = try reader.readString(maxBytes: 4_096)
        let expiresAt = try readInstant(&reader, of: "the expiry of key '\(key)'")
        let reply = try readReply(&reader, version: version, kept: key)
        return IdempotencyTable.Record(key: key, fingerprint: fingerprint, reply: reply, expiresAt: expiresAt)
    }

    /// A tenant, `|` and a name, each at most 64 bytes.
    static let storedResourceIDBytesMax = 129

    static func readResourceID(_ reader: inout BinaryReader) throws -> ResourceID {
        let text = try reader.readString(maxBytes: Self.storedResourceIDBytesMax)
        guard let resource = ResourceID(stored: text) else {
            throw SnapshotError.invalid("resource id '\(text)' in a key")
        }
        return resource
    }

    static func readSummary(_ reader: inout BinaryReader, of resource: ResourceID, version: UInt16, kept key: String)
        throws -> BookingSummary
    {
        let sequence = try reader.read(UInt64.self)
        let range = try readRange(&reader, of: "the booking kept with key '\(key)'")
        let customer = try reader.readString()
        let state = try readState(&reader)
        let expires = try readOptionalInstant(&reader, of: "an expiry kept with key '\(key)'")
        let group = version >= 6 ? try readGroup(&reader, kept: key) : nil
        return BookingSummary(
            id: BookingID(resource: resource, sequence: sequence), range: range, customer: customer, state: state,
            expiresAt: expires, group: group)
    }

    static func readRulesOutcome(_ reader: inout BinaryReader, kept key: String) throws -> RulesOutcome {
        let resource = try readResourceID(&reader)
        let rules = try readRules(&reader)
        let count = Int(try reader.read(UInt32.self))
        try checkCount(count, of: "affected bookings", itemBytesMin: 8, in: reader)
        var affected: [BookingID] = []
        for _ in 0..<count { affected.append(BookingID(resource: resource, sequence: try reader.read(UInt64.self))) }
        var added: Block?
        if try reader.read(UInt8.self) == 1 {
            let id = try reader.read(UInt64.self)
            let range = try readRange(&reader, of: "the block kept with key '\(key)'", isBooking: false)
            added = Block(id: id, range: range, label: try reader.readString())
        }
        return RulesOutcome(resource: resource, rules: rules, affected: affected, addedBlock: added)
    }

    static func readSeriesOutcome(_ reader: inout BinaryReader, version: UInt16, kept key: String) throws
        -> SeriesOutcome
    {
        let resource = try readResourceID(&reader)
        let series = BookingID(resource: resource, sequence: try reader.read(UInt64.self))
        let count = Int(try reader.read(UInt32.self))
        try checkCount(count, of: "series bookings", itemBytesMin: bookingBytesMin, in: reader)
        var bookings: [BookingSummary] = []
        for _ in 0..<count {
            bookings.append(try readSummary(&reader, of: resource, version: version, kept: key))
        }
        let skippedCount = Int(try reader.read(UInt32.self))
        try checkCount(skippedCount, of: "skipped occurrences", itemBytesMin: 32, in: reader)
        var skipped: [SeriesConflict] = []
        for _ in 0..<skippedCount {
            let days = try reader.read(Int64.self)
            guard StoredTime.overrideDays.contains(days) else {
                throw SnapshotError.invalid("a skipped occurrence on day \(days), outside years 0001–9999")
            }
            let start = try reader.read(Int64.self)
            let end = try reader.read(Int64.self)
            var range: TimeRange?
            if start != absent || end != absent {
                if let problem = StoredTime.problem(start: start, end: end, of: "an occurrence kept with key '\(key)'")
                {
                    throw SnapshotError.invalid(problem)
                }
                range = TimeRange(start: Instant(secondsSinceEpoch: start), end: Instant(secondsSinceEpoch: end))
            }
            let codeText = try reader.readString(maxBytes: 64)
            guard let code = Rejection.Code(rawValue: codeText) else {
                throw SnapshotError.invalid("rejection code '\(codeText)'")
            }
            let message = try reader.readString()
            skipped.append(
                SeriesConflict(date: LocalDate(days: days), range: range, rejection: Rejection(code, message)))
        }
        return SeriesOutcome(series: series, bookings: bookings, skipped: skipped)
    }

    static func readWaitlistOutcome(_ reader: inout BinaryReader, version: UInt16, kept key: String) throws
        -> WaitlistOutcome
    {
        let resource = try readResourceID(&reader)
        let entry = try readWaitlistEntry(&reader, of: resource)
        let position = try reader.read(Int64.self)
        guard position == absent || (1...Int64(Int32.max)).contains(position) else {
            throw SnapshotError.invalid("waitlist position \(position) kept with key '\(key)'")
        }
        let booking =
            try reader.read(UInt8.self) == 1 ? try readSummary(&reader, of: resource, version: version, kept: key) : nil
        return WaitlistOutcome(entry: entry, position: position == absent ? nil : Int(position), booking: booking)
    }
}
