import SlotDomain

/// Decoding the recurring-series and waitlist ops (docs/PROTOCOL.md, "Recurring series" and "Waitlist").
extension OperationDecoder {
    static let seriesFields: [String: Set<String>] = {
        let local: Set<String> = ["tz", "fold"]
        let times: Set<String> = ["start", "end", "start_local", "end_local"]
        return [
            "book_series": local.union(times).union([
                "resource", "customer", "actor", "rule", "skip_conflicts", "idempotency_key",
            ]),
            "cancel_series": local.union(["series", "from", "from_local", "reason", "actor", "idempotency_key"]),
            "waitlist_join": local.union(times).union(["resource", "customer", "actor", "idempotency_key"]),
            "waitlist_leave": ["entry", "actor", "idempotency_key"],
            "waitlist_status": ["entry", "resource", "tz"],
        ]
    }()

    /// The fields of a series' `rule` object.
    static let recurrenceFields: Set<String> = ["freq", "interval", "weekdays", "count", "until"]

    static func seriesOperation(_ op: String, _ reader: inout FieldReader) throws(WireError) -> Operation {
        switch op {
        case "book_series":
            let resource = try reader.resource()
            let start = try reader.instant("start", boundary: true)
            let end = try reader.instant("end", boundary: true)
            guard end > start else { throw .invalid("end", "must be after start") }
            let customer = try reader.customer()
            var command = SeriesCommand(
                first: TimeRange(start: start, end: end), recurrence: try reader.recurrence(),
                zone: try reader.requestZone()?.0, customer: customer, actor: try reader.actor(),
                skipConflicts: try reader.optionalBool("skip_conflicts") ?? false)
            command.idempotency = try reader.idempotency(
                fingerprint: MutationFingerprint.series(command, resource: resource))
            return .bookSeries(resource, command)
        case "cancel_series":
            let series = try reader.booking("series")
            let from =
                reader.has("from")
                    || reader.has("from_local")
                ? try reader.instant("from") : nil
            let reason = try reader.optionalString("reason", maxBytes: reader.limits.reasonMaxBytes)
            let actor = try reader.actor()
            let stamp = try reader.idempotency(
                fingerprint: MutationFingerprint.cancelSeries(series, from: from, reason: reason, actor: actor))
            return .cancelSeries(series, from: from, reason: reason, actor: actor, idempotency: stamp)
        case "waitlist_join":
            let resource = try reader.resource()
            let start = try reader.instant("start", boundary: true)
            let end = try reader.instant("end", boundary: true)
            let customer = try reader.customer()
            let range = TimeRange(start: start, end: end)
            let actor = try reader.actor()
            let stamp = try reader.idempotency(
                fingerprint: MutationFingerprint.waitlistJoin(resource, range, customer: customer, actor: actor))
            return .waitlistJoin(resource, range, customer: customer, actor: actor, idempotency: stamp)
        case "waitlist_leave":
            let entry = try reader.waitlistEntry()
            let actor = try reader.actor()
            let stamp = try reader.idempotency(fingerprint: MutationFingerprint.waitlistLeave(entry, actor: actor))
            return .waitlistLeave(entry, actor: actor, idempotency: stamp)
        default:  // waitlist_status
            let hasEntry = reader.has("entry")
            let hasResource = reader.has("resource")
            guard hasEntry != hasResource else {
                throw WireError(Rejection(.invalidRequest, "give exactly one of entry or resource", field: "entry"))
            }
            if hasEntry { return .waitlistStatus(try reader.waitlistEntry()) }
            return .waitlistQueue(try reader.resource(), customer: reader.scope.customer)
        }
    }
}

extension FieldReader {
    mutating func waitlistEntry() throws(WireError) -> WaitlistEntryID {
        let text = try string("entry", maxBytes: 256)
        guard let id = WaitlistEntryID(parsing: text) else {
            throw .invalid("entry", "must be a waitlist entry id such as dr-smith/w3")
        }
        return id.inTenant(tenant)
    }

    /// The `rule` object: `freq` `daily` or `weekly`, `interval` (default 1), `weekdays` (weekly only, `mon` …
    /// `sun`; default the first occurrence's weekday), and exactly one of `count` or `until` (a local date).
    mutating func recurrence() throws(WireError) -> Recurrence {
        guard has("rule") else { throw .invalid("rule", "is required") }
        guard case .object(let nested)? = value("rule") else {
            throw .invalid("rule", "must be an object such as {\"freq\": \"weekly\", \"count\": 10}")
        }
        if let unknown = nested.keys.sorted().first(where: { !OperationDecoder.recurrenceFields.contains($0) }) {
            throw .invalid("rule.\(unknown)", "is not a field of rule")
        }
        do throws(WireError) {
            return try Self.recurrence(in: nested, limits: limits)
        } catch {
            // The nested reader names its own fields; the client sees them as fields of `rule`.
            var error = error
            if let field = error.details["field"], !field.hasPrefix("rule") {
                error.details["field"] = "rule.\(field)"
                error.message = "rule.\(error.message)"
            }
            throw error
        }
    }

    private static func recurrence(in nested: [String: JSONValue], limits: DomainLimits)
        throws(WireError) -> Recurrence
    {
        var rule = FieldReader(fields: nested, limits: limits, scope: .anonymous, tenant: nil)
        let frequency: Recurrence.Frequency
        switch try rule.string("freq", maxBytes: 16) {
        case "daily": frequency = .daily
        case "weekly": frequency = .weekly
        default: throw .invalid("freq", "must be \"daily\" or \"weekly\"")
        }
        let interval = try rule.integer("interval", default: 1, range: 1...366)
        var weekdays: Set<Int>?
        if let list = rule.value("weekdays") {
            guard frequency == .weekly else { throw .invalid("weekdays", "is for weekly rules only") }
            guard let names = list.stringList else {
                throw .invalid("weekdays", "must be a list of days: mon, tue, wed, thu, fri, sat, sun")
            }
            let indices = names.compactMap { RulesReply.dayNames.firstIndex(of: $0) }
            guard !names.isEmpty, indices.count == names.count else {
                throw .invalid("weekdays", "must be a list of days: mon, tue, wed, thu, fri, sat, sun")
            }
            weekdays = Set(indices)
        }
        let count = try rule.optionalInteger("count", range: 1...limits.seriesOccurrencesMax)
        let until = rule.value("until") == nil ? nil : try rule.date("until")
        guard (count == nil) != (until == nil) else {
            throw .invalid("count", "or until is required (one of them, not both)")
        }
        return Recurrence(frequency: frequency, interval: interval, weekdays: weekdays, count: count, until: until)
    }
}
