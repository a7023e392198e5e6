import SlotDomain

/// Why a snapshot file cannot be used. Reported in the log, and the previous snapshot is tried instead.
public enum SnapshotError: Error, CustomStringConvertible, Sendable {
    case notASnapshot
    case unsupportedVersion(UInt16)
    case checksumMismatch
    case truncated(offset: Int)
    case invalid(String)
    case io(String)

    public var description: String {
        switch self {
        case .notASnapshot: "not a slotd snapshot (bad magic)"
        case .unsupportedVersion(let version): "snapshot format version \(version) is not supported"
        case .checksumMismatch: "checksum mismatch: the file is damaged"
        case .truncated(let offset): "truncated or malformed at byte \(offset)"
        case .invalid(let reason): "invalid content: \(reason)"
        case .io(let reason): reason
        }
    }
}

extension SnapshotError {
    /// Any failure while reading a snapshot, as a `SnapshotError`.
    init(reading error: any Error) {
        switch error {
        case let error as SnapshotError: self = error
        case let error as BinaryReader.Truncated: self = .truncated(offset: error.offset)
        default: self = .invalid("\(error)")
        }
    }
}

/// A snapshot's header: what `slotctl snapshot inspect` shows without rebuilding anything.
public struct SnapshotHeader: Sendable, Equatable {
    public var version: UInt16
    public var journalID: String
    public var journalSequence: UInt64
    public var createdAt: Instant
    public var resourceCount: Int
    public var bookingCount: Int
    public var idempotencyKeyCount: Int
    public var checksum: UInt32
    public var sizeBytes: Int
}

extension SnapshotFormatV1 {
    /// Checks magic, version, trailer and checksum, and reads the header.
    static func header(of bytes: [UInt8]) throws(SnapshotError) -> (SnapshotHeader, BinaryReader) {
        let trailerSize = 4 + trailerMagic.count
        guard bytes.count >= magic.count + 2 + trailerSize, Array(bytes.prefix(magic.count)) == magic else {
            throw .notASnapshot
        }
        var reader = BinaryReader(bytes, offset: magic.count)
        do {
            let version = try reader.read(UInt16.self)
            guard SnapshotFormatV1.versionsRead.contains(version) else {
                throw SnapshotError.unsupportedVersion(version)
            }
            guard Array(bytes.suffix(trailerMagic.count)) == trailerMagic else {
                throw SnapshotError.truncated(offset: bytes.count)
            }
            var trailer = BinaryReader(bytes, offset: bytes.count - trailerSize)
            let stored = try trailer.read(UInt32.self)
            guard stored == CRC32.checksum(bytes[0..<(bytes.count - trailerSize)]) else {
                throw SnapshotError.checksumMismatch
            }
            let journalID = try reader.readString(maxBytes: 64)
            let journalSequence = try reader.read(UInt64.self)
            let createdAt = Instant(secondsSinceEpoch: try reader.read(Int64.self))
            let resourceCount = Int(try reader.read(UInt32.self))
            let storedBookingCount = try reader.read(UInt64.self)
            guard let bookingCount = Int(exactly: storedBookingCount) else {
                throw SnapshotError.invalid("header counts \(storedBookingCount) bookings")
            }
            let header = SnapshotHeader(
                version: version, journalID: journalID, journalSequence: journalSequence, createdAt: createdAt,
                resourceCount: resourceCount, bookingCount: bookingCount,
                idempotencyKeyCount: Int(try reader.read(UInt32.self)), checksum: stored, sizeBytes: bytes.count)
            return (header, reader)
        } catch {
            throw SnapshotError(reading: error)
        }
    }

    /// Decodes and checks a whole snapshot.
    static func decode(_ bytes: [UInt8]) throws(SnapshotError) -> SnapshotImage {
        let (header, start) = try header(of: bytes)
        var reader = start
        do {
            try checkCount(header.resourceCount, of: "resources", itemBytesMin: resourceBytesMin, in: reader)
            var resources: [ResourceImage] = []
            resources.reserveCapacity(header.resourceCount)
            for _ in 0..<header.resourceCount { resources.append(try readResource(&reader, version: header.version)) }
            var records: [IdempotencyTable.Record] = []
            for _ in 0..<header.idempotencyKeyCount {
                records.append(try readRecord(&reader, version: header.version))
            }
            var tokens = (table: TokenTable(), capturedAt: header.journalSequence)
            if header.version >= 7 { tokens = try readTokens(&reader, journalSequence: header.journalSequence) }
            guard reader.remaining == 4 + trailerMagic.count else {
                throw SnapshotError.invalid("\(reader.remaining) unexpected bytes before the trailer")
            }
            let image = SnapshotImage(
                journalID: header.journalID, journalSequence: header.journalSequence, createdAt: header.createdAt,
                resources: resources, idempotency: records, tokens: tokens.table,
                tokensJournalSequence: tokens.capturedAt)
            guard image.bookingCount == header.bookingCount else {
                throw SnapshotError.invalid("header counts \(header.bookingCount) bookings, body \(image.bookingCount)")
            }
            return image
        } catch {
            throw SnapshotError(reading: error)
        }
    }

    /// The fewest bytes a resource, a booking and a history entry take in a file (empty strings, no rules): a
    /// count is checked against them before it sizes an array.
    static let resourceBytesMin = 68
    static let bookingBytesMin = 41
    static let transitionBytesMin = 31

    /// Refuses a count of items that the bytes left cannot hold, before any array is sized by it: a damaged or
    /// hostile count (4 billion bookings in a 2 KB file) would otherwise reserve gigabytes and stop the process.
    static func checkCount(_ count: Int, of items: String, itemBytesMin: Int, in reader: BinaryReader) throws {
        guard count <= reader.remaining / itemBytesMin else {
            throw SnapshotError.invalid("\(count) \(items) cannot fit in the \(reader.remaining) bytes left")
        }
    }

    static func readSettings(_ reader: inout BinaryReader) throws -> ResourceSettings {
        let idText = try reader.readString(maxBytes: Self.storedResourceIDBytesMax)
        guard let id = ResourceID(stored: idText) else { throw SnapshotError.invalid("resource id '\(idText)'") }
        let tz = try reader.readString(maxBytes: 64)
        var numbers: [Int] = []
        for _ in 0..<6 { numbers.append(Int(try reader.read(UInt32.self))) }
        let settings = ResourceSettings(
            id: id, timeZoneIdentifier: tz, slotMinutes: numbers[0], capacity: numbers[1],
            bufferBeforeMinutes: numbers[2], bufferAfterMinutes: numbers[3], holdTTLSeconds: numbers[4],
            horizonDays: numbers[5])
        if let rejection = settings.validate() { throw SnapshotError.invalid("resource \(id): \(rejection.message)") }
        return settings
    }

    static func readResource(_ reader: inout BinaryReader, version: UInt16) throws -> ResourceImage {
        let settings = try readSettings(&reader)
        let clock = try readInstant(&reader, of: "the clock of \(settings.id)")
        let lastBookingSequence = try reader.read(UInt64.self)
        let created = try reader.read(UInt64.self)
        let captured = try reader.read(UInt64.self)
        let count = Int(try reader.read(UInt32.self))
        try checkCount(count, of: "bookings", itemBytesMin: bookingBytesMin, in: reader)
        var bookings: [Booking] = []
        bookings.reserveCapacity(count)
        for _ in 0..<count {
            let sequence = try reader.read(UInt64.self)
            let what = "booking \(settings.id)/\(sequence)"
            // Bookings are numbered 1, 2, 3, … and never removed, and the table that holds them is indexed by
            // number: a number past the count (or 0) is damage, and restoring it trapped or sized the table by it.
            guard sequence >= 1, sequence <= UInt64(count) else {
                throw SnapshotError.invalid("\(what) is numbered outside 1…\(count), the bookings in the file")
            }
            let range = try readRange(&reader, of: what)
            let customer = try reader.readString()
            let state = try readState(&reader)
            let expiresAt = try readOptionalInstant(&reader, of: "the expiry of \(what)")
            let series = version >= 3 ? try reader.read(UInt64.self) : 0
            let historyCount = Int(try reader.read(UInt32.self))
            // Every booking's history starts with its creation; `Booking` traps on an empty one.
            guard historyCount >= 1 else { throw SnapshotError.invalid("booking \(sequence) has no history") }
            try checkCount(historyCount, of: "history entries", itemBytesMin: transitionBytesMin, in: reader)
            var history: [Transition] = []
            history.reserveCapacity(historyCount)
            for _ in 0..<historyCount {
                let fromCode = try reader.read(UInt8.self)
                let from = fromCode == 0 ? nil : try Self.state(for: fromCode)
                let to = try readState(&reader)
                let actor = try reader.readString()
                let at = try readInstant(&reader, of: "a history entry of \(what)")
                let previousStart = try reader.read(Int64.self)
                let previousEnd = try reader.read(Int64.self)
                let reason = try reader.read(UInt8.self) == 1 ? try reader.readString() : nil
                let previous = try previousRange(previousStart, previousEnd, of: what)
                history.append(
                    Transition(from: from, to: to, actor: actor, at: at, previousRange: previous, reason: reason))
            }
            let historyOmitted = version >= 4 ? Int(try reader.read(UInt32.self)) : 0
            bookings.append(
                Booking(
                    id: BookingID(resource: settings.id, sequence: sequence), range: range, customer: customer,
                    state: state, expiresAt: expiresAt, history: history, historyOmitted: historyOmitted,
                    series: series == 0 ? nil : series))
        }
        var image = ResourceImage(
            settings: settings, clock: clock, lastBookingSequence: lastBookingSequence, createdJournalSequence: created,
            capturedJournalSequence: captured, bookings: bookings,
            rules: version >= 2 ? try readRules(&reader) : AvailabilityRules())
        if version >= 3 { (image.waitlist, image.lastWaitlistNumber) = try readWaitlist(&reader, of: settings.id) }
        if version >= 6 { image.groups = try readGroups(&reader, of: settings.id, bookings: UInt64(count)) }
        if version >= 8 { try readReminders(&reader, into: &image) }
        if version >= 9 { try readExternalBusy(&reader, into: &image) }
        return image
    }

    static func readWaitlist(_ reader: inout BinaryReader, of resource: ResourceID) throws -> (
        [WaitlistEntry], UInt64
    ) {
        var entries: [WaitlistEntry] = []
        for _ in 0..<Int(try reader.read(UInt32.self)) { entries.append(try readWaitlistEntry(&reader, of: resource)) }
        return (entries, try reader.read(UInt64.self))
    }

    static func readWaitlistEntry(_ reader: inout BinaryReader, of resource: ResourceID) throws -> WaitlistEntry {
        let number = try reader.read(UInt64.self)
        let range = try readRange(&reader, of: "waitlist entry \(resource)/\(number)")
        let customer = try reader.readString()
        let actor = try reader.readString()
        let joinedAt = try readInstant(&reader, of: "the time waitlist entry \(resource)/\(number) joined")
        let code = try reader.read(UInt8.self)
        guard let state = waitlistStatesByCode[code] else { throw SnapshotError.invalid("waitlist state \(code)") }
        let booking = try reader.read(UInt64.self)
        return WaitlistEntry(
            id: WaitlistEntryID(resource: resource, number: number), range: range, customer: customer,
            actor: actor, joinedAt: joinedAt, state: state, booking: booking == 0 ? nil : booking,
            settledAt: try readOptionalInstant(&reader, of: "the time entry \(resource)/\(number) settled"))
    }

    static func readRules(_ reader: inout BinaryReader) throws -> AvailabilityRules {
        func intervals() throws -> [LocalInterval] {
            let count = Int(try reader.read(UInt32.self))
            guard count <= 1_440 else { throw SnapshotError.invalid("\(count) intervals in a day") }
            var list: [LocalInterval] = []
            for _ in 0..<count {
                let start = Int(try reader.read(UInt16.self))
                let end = Int(try reader.read(UInt16.self))
                guard let interval = LocalInterval(startMinute: start, endMinute: end) else {
                    throw SnapshotError.invalid("interval \(start)–\(end)")
                }
                list.append(interval)
            }
            return list
        }
        var rules = AvailabilityRules()
        if try reader.read(UInt8.self) == 1 {
            var days: [[LocalInterval]] = []
            for _ in 0..<7 { days.append(try intervals()) }
            guard let weekly = WeeklyHours(days: days) else { throw SnapshotError.invalid("weekly hours overlap") }
            rules.weeklyHours = weekly
        }
        for _ in 0..<Int(try reader.read(UInt32.self)) {
            let days = try reader.read(Int64.self)
            guard StoredTime.overrideDays.contains(days) else {
                throw SnapshotError.invalid("an override on day \(days) after 1970, outside years 0001–9999")
            }
            let date = LocalDate(days: days)
            switch try reader.read(UInt8.self) {
            case 1: rules.overrides[date] = .closed
            case 2: rules.overrides[date] = .hours(try intervals())
            case let kind: throw SnapshotError.invalid("override kind \(kind)")
            }
        }
        for _ in 0..<Int(try reader.read(UInt32.self)) {
            let id = try reader.read(UInt64.self)
            let range = try readRange(&reader, of: "block \(id)", isBooking: false)
            rules.blocks[id] = Block(id: id, range: range, label: try reader.readString())
        }
        rules.lastBlockID = try reader.read(UInt64.self)
        rules.minNoticeMinutes = Int(try reader.read(UInt32.self))
        let maxPerDay = try reader.read(Int32.self)
        rules.maxBookingsPerDay = maxPerDay < 0 ? nil : Int(maxPerDay)
        return rules
    }

    static func readState(_ reader: inout BinaryReader) throws -> BookingState {
        try state(for: try reader.read(UInt8.self))
    }

    static func state(for code: UInt8) throws -> BookingState {
        guard let state = bookingState(code: code) else {
            throw SnapshotError.invalid("booking state code \(code)")
        }
        return state
    }
}
