import Foundation
import SlotDomain

/// Typed, validated access to one request object's fields. Every failure names its field. A field given as
/// JSON `null` counts as absent.
struct FieldReader {
    let fields: [String: JSONValue]
    let limits: DomainLimits
    /// Who sends the request; `tenant` is the tenant its ids are read in (the scope's, or the one it named).
    let scope: RequestScope
    let tenant: TenantID?

    /// Whether the request names the field at all (even as null).
    func has(_ name: String) -> Bool { fields[name] != nil }

    /// The field's value; nil when absent or null.
    func value(_ name: String) -> JSONValue? {
        guard let value = fields[name], value != .null else { return nil }
        return value
    }

    mutating func optionalString(_ name: String, maxBytes: Int) throws(WireError) -> String? {
        let value: String?
        switch self.value(name) {
        case nil: value = nil
        case .string(let text)?: value = text
        case _?: throw .invalid(name, "must be a string")
        }
        if let value, value.utf8.count > maxBytes {
            throw .invalid(name, "must be at most \(maxBytes) bytes")
        }
        return value
    }

    mutating func string(_ name: String, maxBytes: Int) throws(WireError) -> String {
        guard let value = try optionalString(name, maxBytes: maxBytes), !value.isEmpty else {
            throw .invalid(name, "is required and must be a non-empty string")
        }
        return value
    }

    mutating func optionalInteger(_ name: String, range: ClosedRange<Int>) throws(WireError) -> Int? {
        guard let raw = self.value(name) else { return nil }
        guard case .number(let number) = raw, number == number.rounded(), abs(number) < 9.2e18 else {
            throw .invalid(name, "must be a whole number between \(range.lowerBound) and \(range.upperBound)")
        }
        let value = Int64(number)
        guard value >= Int64(range.lowerBound), value <= Int64(range.upperBound) else {
            throw .invalid(name, "must be a whole number between \(range.lowerBound) and \(range.upperBound)")
        }
        return Int(value)
    }

    mutating func integer(_ name: String, default defaultValue: Int, range: ClosedRange<Int>) throws(WireError)
        -> Int
    {
        try optionalInteger(name, range: range) ?? defaultValue
    }

    /// `reminders_minutes_before`: a list of whole minutes (empty when absent). Each is checked against its
    /// range here, naming the field; the count and distinctness are the domain's (`ResourceSettings.validate`).
    func remindersMinutesBefore() throws(WireError) -> [Int] {
        let name = "reminders_minutes_before"
        guard let raw = value(name) else { return [] }
        let range = 1...limits.reminderMinutesBeforeMax
        let problem = "must be a list of whole minutes, each between \(range.lowerBound) and \(range.upperBound)"
        guard case .array(let elements) = raw, elements.count <= limits.remindersPerResourceMax else {
            throw .invalid(name, problem + ", at most \(limits.remindersPerResourceMax)")
        }
        var minutes: [Int] = []
        for element in elements {
            guard case .number(let number) = element, number == number.rounded(),
                number >= Double(range.lowerBound), number <= Double(range.upperBound)
            else { throw .invalid(name, problem) }
            minutes.append(Int(number))
        }
        return minutes
    }

    mutating func required(_ name: String, range: ClosedRange<Int>) throws(WireError) -> Int {
        guard let value = try optionalInteger(name, range: range) else {
            throw .invalid(name, "is required")
        }
        return value
    }

    /// An instant, given either as `name` (RFC 3339, with Z or an offset) or as `name_local` (a wall time in the
    /// request's `tz`). A wall time the zone skips is `nonexistent_local_time`; one it repeats is
    /// `ambiguous_local_time` unless `fold` says `earlier` or `later`. `boundary` fields (a booking's start and
    /// end) may not carry fractions of a second: no slot boundary has one.
    mutating func instant(_ name: String, boundary: Bool = false) throws(WireError) -> Instant {
        let localName = name + "_local"
        switch (try optionalString(name, maxBytes: 64), try optionalString(localName, maxBytes: 64)) {
        case (nil, nil):
            throw .invalid(name, "is required (or \(localName) with tz)")
        case (.some, .some):
            throw WireError(Rejection(.invalidRequest, "give \(name) or \(localName), not both", field: localName))
        case (let text?, nil):
            guard let parsed = RFC3339.parse(text) else {
                throw .invalid(
                    name, "must be an RFC 3339 instant such as 2026-11-23T10:00:00Z or 2026-11-23T11:00:00+01:00")
            }
            if boundary, parsed.hasFraction {
                throw WireError(
                    Rejection(.misaligned, "\(name) must be a whole minute on a slot boundary", field: name))
            }
            return parsed.instant
        case (nil, let text?):
            return try localInstant(text, field: localName)
        }
    }

    private mutating func localInstant(_ text: String, field: String) throws(WireError) -> Instant {
        guard let local = LocalTimeText.parse(text) else {
            throw .invalid(field, "must be a wall time such as 2026-03-29T09:30 (no offset: tz gives the zone)")
        }
        guard let (zone, zoneName) = try requestZone() else { throw .invalid("tz", "is required with \(field)") }
        let resolution = zone.resolve(local)
        // A wall time near either end of years 0001–9999 can be an instant outside them, which RFC 3339 (and
        // every date slotd writes) cannot show: refused as an instant given in UTC would be.
        let instants: [Instant] =
            switch resolution {
            case .exact(let instant): [instant]
            case .ambiguous(let earlier, let later): [earlier, later]
            case .nonexistent: []
            }
        guard instants.allSatisfy(Instant.writable.contains) else {
            throw .invalid(field, "is outside 0001-01-01T00:00:00Z … 9999-12-31T23:59:59Z in \(zoneName)")
        }
        switch resolution {
        case .exact(let instant):
            return instant
        case .nonexistent:
            throw WireError(
                Rejection(
                    .nonexistentLocalTime, "\(text) does not exist in \(zoneName): the clocks skip it",
                    details: ["field": field, "tz": zoneName]))
        case .ambiguous(let earlier, let later):
            switch try optionalString("fold", maxBytes: 16) {
            case "earlier": return earlier
            case "later": return later
            case nil:
                throw WireError(
                    Rejection(
                        .ambiguousLocalTime,
                        "\(text) happens twice in \(zoneName): say \"fold\": \"earlier\" or \"later\"",
                        details: ["field": field, "tz": zoneName], instantDetails: ["earlier": earlier, "later": later])
                )
            default:
                throw .invalid("fold", "must be \"earlier\" or \"later\"")
            }
        }
    }

    /// `fold` on any request: one of its two values, and only beside a wall time it could resolve. Checked
    /// whether or not the wall time turns out ambiguous, so a typo or a misplaced `fold` is not accepted on the
    /// days the clocks do not change and refused on the one day they do.
    func checkFold() throws(WireError) {
        guard let fold = value("fold") else { return }
        guard fold == .string("earlier") || fold == .string("later") else {
            throw .invalid("fold", "must be \"earlier\" or \"later\"")
        }
        guard fields.contains(where: { $0.key.hasSuffix("_local") && $0.value != .null }) else {
            throw .invalid(
                "fold", "applies only to start_local, end_local, from_local or to_local, and this request has none")
        }
    }

    /// The request's own zone (`tz`, an IANA name), for wall-time fields and for showing replies in local time.
    mutating func requestZone() throws(WireError) -> (TimeZone, String)? {
        guard let name = try optionalString("tz", maxBytes: 64) else { return nil }
        guard TimeZones.isKnown(name) else {
            throw WireError(Rejection(.unknownTimeZone, "'\(name)' is not an IANA time zone name", field: "tz"))
        }
        return (TimeZones.zone(name), name)
    }

    mutating func resource(_ name: String = "resource") throws(WireError) -> ResourceID {
        let text = try string(name, maxBytes: 256)
        guard let id = ResourceID(text, limits: limits) else {
            throw .invalid(name, "must be 1 to \(limits.resourceIDMaxLength) characters from [A-Za-z0-9._:-]")
        }
        return id.inTenant(tenant)
    }

    mutating func optionalResource(_ name: String) throws(WireError) -> ResourceID? {
        guard try optionalString(name, maxBytes: 256) != nil else { return nil }
        return try resource(name)
    }

    mutating func booking(_ name: String = "booking") throws(WireError) -> BookingID {
        let text = try string(name, maxBytes: 256)
        guard let id = BookingID(parsing: text) else {
            throw .invalid(name, "must be a booking id such as dr-smith/17")
        }
        return id.inTenant(tenant)
    }

    mutating func optionalBooking(_ name: String) throws(WireError) -> BookingID? {
        guard try optionalString(name, maxBytes: 256) != nil else { return nil }
        return try booking(name)
    }

    /// Who the request says it acts as; absent or empty is `client`. The names slotd signs its own entries with
    /// are refused here, the one place every op reads `actor`.
    ///
    /// From an authenticated connection the entry is signed by its token (`token:name`) and the given actor is kept
    /// as who the token acted for (`on_behalf_of`): a client cannot make the trail say someone else did it.
    mutating func actor() throws(WireError) -> String {
        guard let actor = try optionalString("actor", maxBytes: limits.actorMaxBytes), !actor.isEmpty else {
            return scope.signature
        }
        guard !Actors.isReserved(actor) else {
            let names = (Actors.reserved + ["token:<name>"]).joined(separator: ", ")
            throw .invalid(
                "actor", "'\(actor)' is reserved: slotd signs its own entries as \(names); choose another name")
        }
        return Actors.signature(principal: scope.signer, onBehalfOf: actor)
    }

    /// The customer a booking or waitlist request is for. A token bound to a customer books for that customer
    /// only: the field may be left out (the token's is used) or repeat it.
    mutating func customer() throws(WireError) -> String {
        guard let bound = scope.customer else {
            return try string("customer", maxBytes: limits.customerMaxBytes)
        }
        guard let given = try optionalString("customer", maxBytes: limits.customerMaxBytes), !given.isEmpty else {
            return bound
        }
        guard given == bound else {
            throw WireError(.forbidden, "this token books only for its own customer", details: ["field": "customer"])
        }
        return bound
    }

    /// The idempotency stamp for a mutation whose canonical form is `fingerprint`.
    /// The fingerprint is built only when a key is given: most requests carry none.
    mutating func idempotency(fingerprint: @autoclosure () -> String) throws(WireError) -> IdempotencyStamp? {
        guard let key = try optionalString("idempotency_key", maxBytes: limits.idempotencyKeyMaxBytes) else {
            return nil
        }
        guard !key.isEmpty else { throw .invalid("idempotency_key", "must not be empty") }
        guard !key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .invalid("idempotency_key", "must not contain control characters")
        }
        let stored = scope.keyNamespace.map { "\($0)" + RequestScope.keySeparator + key } ?? key
        return IdempotencyStamp(key: stored, fingerprint: fingerprint())
    }
}
