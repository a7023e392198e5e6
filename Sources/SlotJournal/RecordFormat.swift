import Foundation
import SlotDomain

/// The on-disk form of a journal entry: a flat set of fields. Kept apart from the in-memory types on purpose:
/// those may change freely, this may not. Instants are whole seconds since the Unix epoch, UTC. Formats 1 and 2
/// store it as a JSON object (readable with the `sqlite3` shell); format 2 adds the series and waitlist kinds
/// and their fields (`ranges`, `bookings`, `entry`), so a format 1 row is a format 2 row that uses none of them.
/// Format 3 stores the same fields in binary (`RecordBinary.swift`). Format 4 is format 3 plus an idempotency
/// key on the rule, series and waitlist kinds and a series' skipped occurrences (`skipped`); a record that uses
/// neither is still written as format 3, so a journal whose clients send no such key stays readable by a server
/// that knows only format 3 (decision 0018). Format 5 is format 4 plus the kind `expiries_noticed` (decision
/// 0019), the only kind written as format 5, so a server that knows only format 4 reads every other record and
/// refuses that one by its format instead of misreading it. Format 6 is format 5 plus a group's membership on a
/// `held` record (`group`) and the kind `atomic` (`parts`, `reply`; `RecordFormat+Groups.swift`, decision 0020);
/// only records that use one of them are format 6. Format 7 is format 6 plus the server-wide kinds
/// `token_created` and `token_revoked` (`RecordFormat+Tokens.swift`, decision 0021), the only kinds written as
/// format 7. Format 8 is format 7 plus the kind `customer_erased` (`RecordFormat+Erasure.swift`, decision
/// 0022), which uses the token records' `tenant`; it is the only kind written as format 8. Format 9 is format 8
/// plus a resource's reminder setting on `resource_created` (`minutes_before`) and the kind `reminders_due`
/// (`bookings`, `minutes_before`, `late`; `RecordFormat+Reminders.swift`); only records that use one of them are
/// format 9, so a server that knows only format 8 reads every journal of a server whose resources set no
/// reminders. Format 10 is format 9 plus the kind `external_busy` (`link`, `ranges`; `RecordFormat+ExternalBusy.swift`),
/// the only kind written as format 10. All ten are read.
struct JournalRecord: Codable, Equatable {
    /// The newest format written.
    static let format = 10
    static let formatsRead = 1...10
    /// The formats whose body is JSON.
    static let jsonFormats = 1...2

    /// Reads a stored body of `format`; nil when it does not decode, or uses a field its format does not have.
    init?(body: [UInt8], format: Int) {
        if Self.jsonFormats.contains(format) { self.init(json: body) } else { self.init(binary: body) }
        guard format >= 4 || writtenFormat < 4, format >= 5 || kind != .expiriesNoticed,
            format >= 6 || writtenFormat < 6, format >= 7 || writtenFormat < 7,
            format >= 8 || writtenFormat < 8, format >= 9 || writtenFormat < 9, format >= 10 || writtenFormat < 10
        else { return nil }
    }

    /// The kinds that carry an idempotency key from format 4 on.
    static let kindsKeyedSinceFormat4: Set<Kind> = [
        .rulesChanged, .seriesBooked, .seriesCanceled, .waitlistJoined, .waitlistLeft,
    ]

    /// The format this record is written in: the oldest that holds every field it uses.
    var writtenFormat: Int {
        if kind == .externalBusy || link != nil { return 10 }
        if kind == .remindersDue || minutesBefore != nil || late != nil { return 9 }
        if kind == .customerErased { return 8 }
        if kind.isTokenKind || hasTokenFields { return 7 }
        if kind == .atomic || group != nil || parts != nil || reply != nil { return 6 }
        if kind == .expiriesNoticed { return 5 }
        let keyed = idempotencyKey != nil && Self.kindsKeyedSinceFormat4.contains(kind)
        return keyed || skipped != nil ? 4 : 3
    }

    enum Kind: String, Codable, CaseIterable {
        case resourceCreated = "resource_created"
        case held
        case transitioned = "moved"
        case keyRecorded = "key_recorded"
        case rulesChanged = "rules_changed"
        case seriesBooked = "series_booked"
        case seriesCanceled = "series_canceled"
        case waitlistJoined = "waitlist_joined"
        case waitlistLeft = "waitlist_left"
        /// Format 5.
        case expiriesNoticed = "expiries_noticed"
        /// Format 6.
        case atomic
        /// Format 7: about the server, not a resource (`resource` is empty).
        case tokenCreated = "token_created"
        case tokenRevoked = "token_revoked"

        var isTokenKind: Bool { self == .tokenCreated || self == .tokenRevoked }
        /// Format 8: about a tenant, not a resource (`resource` is empty).
        case customerErased = "customer_erased"
        /// Format 9.
        case remindersDue = "reminders_due"
        /// Format 10.
        case externalBusy = "external_busy"
    }

    var kind: Kind
    var resource: String
    var at: Int64
    // resource_created
    var tz: String?
    var slotMinutes: Int?
    var capacity: Int?
    var bufferBeforeMinutes: Int?
    var bufferAfterMinutes: Int?
    var holdTTLSeconds: Int?
    var horizonDays: Int?
    // held and moved
    var booking: UInt64?
    var start: Int64?
    var end: Int64?
    var customer: String?
    var expiresAt: Int64?
    var confirmed: Bool?
    var actor: String?
    var to: String?
    var reason: String?
    // any mutation
    var idempotencyKey: String?
    var fingerprint: String?
    // rules_changed
    var rule: RuleRecord?
    // series_booked: each occurrence's [start, end]; series_canceled: the bookings canceled; waitlist_*: the entry
    var ranges: [[Int64]]?
    var bookings: [UInt64]?
    var entry: UInt64?
    // series_booked, format 4: the occurrences skipped (absent when none was)
    var skipped: [SkippedRecord]?
    // held, format 6: every member of the booking's group, as `resource/N` in resource order
    var group: [String]?
    // atomic (format 6): each part as a record of its own kind, and the reply kept under the record's key (the
    // layout of a kept reply in a snapshot, `StoredReplyCoding.swift`, in hex)
    var parts: [JournalRecord]?
    var reply: String?
    // token_created and token_revoked (format 7): the token's id (`tN`); token_created also its name, role,
    // tenant, `customer`, `expires_at`, `revoked_at` (when created revoked) and the SHA-256 of its secret (`at` is
    // its creation). The hash is never part of the record's JSON, so `journal dump` never prints it.
    var token: String?
    var name: String?
    var role: String?
    // and customer_erased (format 8): the tenant erased in, absent for resources without one
    var tenant: String?
    var revokedAt: Int64?
    var secretHash: [UInt8]?
    // resource_created, format 9: its `reminders_minutes_before` (absent when none); reminders_due: each
    // reminder's minutes, with `bookings` and `late` (1 for late, else 0) in the same order
    var minutesBefore: [Int]?
    var late: [UInt64]?
    // external_busy (format 10): the calendar link; `ranges` holds the busy stretches, absent when the link's
    // layer is removed
    var link: String?

    var hasTokenFields: Bool {
        token != nil || name != nil || role != nil || tenant != nil || revokedAt != nil || secretHash != nil
    }

    enum CodingKeys: String, CodingKey {
        case kind, resource, at, tz, capacity, booking, start, end, customer, confirmed, actor, to, reason
        case fingerprint, rule, ranges, bookings, entry, skipped, group, parts, reply
        case token, name, role, tenant
        case revokedAt = "revoked_at"
        case minutesBefore = "minutes_before"
        case late, link
        case slotMinutes = "slot_minutes"
        case bufferBeforeMinutes = "buffer_before_minutes"
        case bufferAfterMinutes = "buffer_after_minutes"
        case holdTTLSeconds = "hold_ttl_seconds"
        case horizonDays = "horizon_days"
        case expiresAt = "expires_at"
        case idempotencyKey = "idempotency_key"
    }

    init(kind: Kind, resource: String, at: Int64) {
        self.kind = kind
        self.resource = resource
        self.at = at
    }
}

/// Converts between `JournalEntry` and `JournalRecord`, checking every record on the way back in.
enum RecordCodec {
    static func record(for entry: JournalEntry) -> JournalRecord {
        switch entry {
        case .tokenCreated, .tokenRevoked:
            return tokenRecord(for: entry)
        case .resourceCreated(let settings, let at, let stamp):
            var record = JournalRecord(kind: .resourceCreated, resource: settings.id.rawValue, at: at.secondsSinceEpoch)
            record.tz = settings.timeZoneIdentifier
            record.slotMinutes = settings.slotMinutes
            record.capacity = settings.capacity
            record.bufferBeforeMinutes = settings.bufferBeforeMinutes
            record.bufferAfterMinutes = settings.bufferAfterMinutes
            record.holdTTLSeconds = settings.holdTTLSeconds
            record.horizonDays = settings.horizonDays
            if !settings.remindersMinutesBefore.isEmpty { record.minutesBefore = settings.remindersMinutesBefore }
            record.stamp(stamp)
            return record
        case .schedule(let resource, .held(let held)):
            var record = JournalRecord(kind: .held, resource: resource.rawValue, at: held.at.secondsSinceEpoch)
            record.booking = held.sequence
            record.start = held.range.start.secondsSinceEpoch
            record.end = held.range.end.secondsSinceEpoch
            record.customer = held.customer
            record.expiresAt = held.expiresAt?.secondsSinceEpoch
            record.confirmed = held.confirmed
            record.actor = held.actor
            record.stamp(held.idempotency)
            record.group = held.group?.members.map(\.storedText)
            return record
        case .schedule(let resource, .transitioned(let moved)):
            var record = JournalRecord(kind: .transitioned, resource: resource.rawValue, at: moved.at.secondsSinceEpoch)
            record.booking = moved.sequence
            record.to = moved.to.rawValue
            record.actor = moved.actor
            record.start = moved.newRange?.start.secondsSinceEpoch
            record.end = moved.newRange?.end.secondsSinceEpoch
            record.reason = moved.reason
            record.stamp(moved.idempotency)
            return record
        case .schedule(let resource, .rulesChanged(let event)):
            return record(for: event, resource: resource)
        case .schedule(let resource, .expiriesNoticed(let noticed)):
            return JournalRecord(kind: .expiriesNoticed, resource: resource.rawValue, at: noticed.at.secondsSinceEpoch)
        case .schedule(let resource, .remindersDue(let due)):
            return record(for: due, resource: resource)
        case .schedule(let resource, .externalBusyChanged(let changed)):
            return record(for: changed, resource: resource)
        case .schedule(let resource, let event):
            return waitlistOrSeriesRecord(for: event, resource: resource)
        case .keyRecorded(let stamp, let summary, let at):
            var record = JournalRecord(
                kind: .keyRecorded, resource: summary.id.resource.rawValue, at: at.secondsSinceEpoch)
            record.booking = summary.id.sequence
            record.start = summary.range.start.secondsSinceEpoch
            record.end = summary.range.end.secondsSinceEpoch
            record.customer = summary.customer
            record.to = summary.state.rawValue
            record.expiresAt = summary.expiresAt?.secondsSinceEpoch
            record.stamp(stamp)
            return record
        case .atomic(let atomic):
            return record(for: atomic)
        case .customerErased(let erasure):
            return record(for: erasure)
        }
    }

    /// The entry `record` stands for; nil when a field is missing or out of range. Every instant must lie in years
    /// 0001–9999 and every booking's range fit a horizon (`StoredTime`): the checksum only proves the bytes are
    /// the ones written, and replay walks a booking's occupancy day by day.
    static func entry(from record: JournalRecord) -> JournalEntry? {
        // About a tenant, not a resource.
        if record.kind == .customerErased { return erasureEntry(from: record) }
        if record.kind.isTokenKind { return tokenEntry(from: record) }
        guard !record.hasTokenFields, let resource = ResourceID(stored: record.resource), StoredTime.isValid(record.at),
            StoredTime.isValid(record.expiresAt)
        else { return nil }
        let at = Instant(secondsSinceEpoch: record.at)
        let stamp = record.idempotencyKey.map { IdempotencyStamp(key: $0, fingerprint: record.fingerprint ?? "") }
        switch record.kind {
        case .resourceCreated:
            guard let tz = record.tz, let slotMinutes = record.slotMinutes, let capacity = record.capacity,
                let before = record.bufferBeforeMinutes, let after = record.bufferAfterMinutes,
                let ttl = record.holdTTLSeconds, let horizon = record.horizonDays
            else { return nil }
            let settings = ResourceSettings(
                id: resource, timeZoneIdentifier: tz, slotMinutes: slotMinutes, capacity: capacity,
                bufferBeforeMinutes: before, bufferAfterMinutes: after, holdTTLSeconds: ttl, horizonDays: horizon,
                remindersMinutesBefore: record.minutesBefore ?? [])
            guard record.minutesBefore != [], record.late == nil, settings.validate() == nil else { return nil }
            return .resourceCreated(settings, at: at, idempotency: stamp)
        case .held:
            guard let booking = record.booking, let start = record.start, let end = record.end,
                StoredTime.isValid(start: start, end: end),
                let customer = record.customer, let confirmed = record.confirmed, let actor = record.actor,
                confirmed || record.expiresAt != nil
            else { return nil }
            var group: GroupMembership?
            if let members = record.group {
                guard let membership = membership(members, of: BookingID(resource: resource, sequence: booking))
                else { return nil }
                group = membership
            }
            let held = HeldEvent(
                sequence: booking,
                range: TimeRange(start: Instant(secondsSinceEpoch: start), end: Instant(secondsSinceEpoch: end)),
                customer: customer, expiresAt: record.expiresAt.map { Instant(secondsSinceEpoch: $0) },
                confirmed: confirmed, actor: actor, at: at, idempotency: stamp, group: group)
            return .schedule(resource, .held(held))
        case .transitioned:
            guard let booking = record.booking, let target = record.to.flatMap(BookingState.init(rawValue:)),
                let actor = record.actor
            else { return nil }
            var newRange: TimeRange?
            if let start = record.start, let end = record.end {
                guard StoredTime.isValid(start: start, end: end) else { return nil }
                newRange = TimeRange(start: Instant(secondsSinceEpoch: start), end: Instant(secondsSinceEpoch: end))
            }
            guard (target == .rescheduled) == (newRange != nil) else { return nil }
            let moved = TransitionEvent(
                sequence: booking, to: target, actor: actor, at: at, newRange: newRange, reason: record.reason,
                idempotency: stamp)
            return .schedule(resource, .transitioned(moved))
        case .rulesChanged:
            return rulesEvent(from: record, idempotency: stamp).map { .schedule(resource, $0) }
        case .expiriesNoticed:
            return .schedule(resource, .expiriesNoticed(ExpiriesNoticedEvent(at: at)))
        case .remindersDue:
            return remindersEvent(from: record).map { .schedule(resource, $0) }
        case .externalBusy:
            return externalBusyEvent(from: record).map { .schedule(resource, $0) }
        case .seriesBooked, .seriesCanceled, .waitlistJoined, .waitlistLeft:
            return waitlistOrSeriesEvent(from: record, idempotency: stamp).map { .schedule(resource, $0) }
        case .atomic:
            return atomicEntry(from: record, idempotency: stamp)
        case .tokenCreated, .tokenRevoked, .customerErased:
            // Read by `tokenEntry` and `erasureEntry` above: their resource is empty, which the guard refuses.
            return nil
        case .keyRecorded:
            guard let stamp, let booking = record.booking, let start = record.start, let end = record.end,
                StoredTime.isValid(start: start, end: end),
                let customer = record.customer, let state = record.to.flatMap(BookingState.init(rawValue:))
            else { return nil }
            let summary = BookingSummary(
                id: BookingID(resource: resource, sequence: booking),
                range: TimeRange(start: Instant(secondsSinceEpoch: start), end: Instant(secondsSinceEpoch: end)),
                customer: customer, state: state, expiresAt: record.expiresAt.map { Instant(secondsSinceEpoch: $0) })
            return .keyRecorded(stamp, summary, at: at)
        }
    }
}

extension JournalRecord {
    mutating func stamp(_ stamp: IdempotencyStamp?) {
        idempotencyKey = stamp?.key
        fingerprint = stamp?.fingerprint
    }
}
