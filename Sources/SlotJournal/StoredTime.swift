import SlotDomain

/// What every instant and range read back from a snapshot or a journal record must satisfy before it reaches the
/// domain. A checksum only proves the bytes are the ones written: a bit flipped before the write, or a file made
/// by hand, gets past it. Restoring walks a booking's occupancy day by day, so one flipped bit that made a
/// booking 203 million days long (the `restore` fuzz target's finding) kept start-up busy for good.
enum StoredTime {
    /// The longest booking or waitlist entry any resource could ever have accepted: a booking lies between now and
    /// now + `horizon_days`, and no resource's horizon exceeds `horizonDaysMax`. Deliberately not
    /// `bookingLengthDaysMax`: files written before that limit existed may hold longer bookings, and they must
    /// keep loading.
    static let bookingSecondsMax = Int64(DomainLimits.standard.horizonDaysMax) * 86_400

    /// Why `seconds` cannot be an instant slotd wrote, or nil.
    static func problem(_ seconds: Int64, of what: String) -> String? {
        guard Instant.writable.contains(Instant(secondsSinceEpoch: seconds)) else {
            return "\(what) (\(seconds) s after 1970) is outside years 0001–9999"
        }
        return nil
    }

    /// Why `[start, end)` cannot be the range of `what`, or nil. `isBooking`: a booking's, an occurrence's or a
    /// waitlist entry's range, also bounded in length; a block's is not (a block may cover any stretch).
    static func problem(start: Int64, end: Int64, of what: String, isBooking: Bool = true) -> String? {
        if let problem = problem(start, of: "the start of \(what)") ?? problem(end, of: "the end of \(what)") {
            return problem
        }
        guard start < end else { return "\(what) does not end after it starts" }
        guard !isBooking || end - start <= bookingSecondsMax else {
            return "\(what) lasts \((end - start) / 86_400) days, longer than any horizon allows "
                + "(\(DomainLimits.standard.horizonDaysMax) days)"
        }
        return nil
    }

    /// 0001-01-01 … 9999-12-31 as days since 1970-01-01: the dates an override can name (`set_override` takes
    /// four-digit years only). A date far outside cannot even be written back in `get_rules`.
    static let overrideDays =
        CivilCalendar.days(
            year: 1, month: 1, day: 1)...CivilCalendar.days(
            year: 9_999, month: 12, day: 31)

    /// Whether a record's range is one slotd could have written.
    /// The test `problem(start:end:of:)` makes, without building its message: replay asks it of every record.
    static func isValid(start: Int64, end: Int64, isBooking: Bool = true) -> Bool {
        let writable = Instant.writable
        return writable.contains(Instant(secondsSinceEpoch: start))
            && writable.contains(Instant(secondsSinceEpoch: end))
            && start < end && (!isBooking || end - start <= bookingSecondsMax)
    }

    /// Whether an optional instant in a record (an expiry) is one slotd could have written.
    static func isValid(_ seconds: Int64?) -> Bool {
        seconds.map { problem($0, of: "instant") == nil } ?? true
    }
}

/// Instants and ranges in a snapshot, each checked by `StoredTime` as it is read.
extension SnapshotFormatV1 {
    /// A range as `StoredTime` allows it: within years 0001–9999, ending after it starts, and for anything but a
    /// block no longer than any horizon.
    static func readRange(_ reader: inout BinaryReader, of what: String, isBooking: Bool = true) throws -> TimeRange {
        let start = try reader.read(Int64.self)
        let end = try reader.read(Int64.self)
        if let problem = StoredTime.problem(start: start, end: end, of: what, isBooking: isBooking) {
            throw SnapshotError.invalid(problem)
        }
        return TimeRange(start: Instant(secondsSinceEpoch: start), end: Instant(secondsSinceEpoch: end))
    }

    static func readInstant(_ reader: inout BinaryReader, of what: String) throws -> Instant {
        try instant(try reader.read(Int64.self), of: what)
    }

    /// A rescheduled booking's earlier range, stored as two optional instants (`absent` both, or neither).
    static func previousRange(_ start: Int64, _ end: Int64, of what: String) throws -> TimeRange? {
        guard start != absent, end != absent else { return nil }
        if let problem = StoredTime.problem(start: start, end: end, of: "an earlier range of \(what)") {
            throw SnapshotError.invalid(problem)
        }
        return TimeRange(start: Instant(secondsSinceEpoch: start), end: Instant(secondsSinceEpoch: end))
    }

    static func readOptionalInstant(_ reader: inout BinaryReader, of what: String) throws -> Instant? {
        let seconds = try reader.read(Int64.self)
        return seconds == absent ? nil : try Self.instant(seconds, of: what)
    }

    static func instant(_ seconds: Int64, of what: String) throws -> Instant {
        if let problem = StoredTime.problem(seconds, of: what) { throw SnapshotError.invalid(problem) }
        return Instant(secondsSinceEpoch: seconds)
    }
}
