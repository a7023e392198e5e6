import SlotDomain

/// One decoding function per op. Each reads exactly the fields its op documents (docs/PROTOCOL.md) and builds
/// the fingerprint that an idempotency key is checked against: the op and its normalized fields, so two requests
/// are "the same request" when they would do the same thing.
enum OperationDecoder {
    /// The fields each op accepts besides `id` and `op`; any other field is refused.
    static let fields: [String: Set<String>] = {
        // `tz` is the request's zone: for `*_local` wall times (with `fold`) and for local times in the reply.
        let local: Set<String> = ["tz", "fold"]
        let booking: Set<String> = local.union([
            "resource", "resources", "pool", "start", "end", "start_local", "end_local", "customer", "actor",
            "idempotency_key",
        ])
        let transition: Set<String> = ["booking", "actor", "idempotency_key", "tz"]
        let range: Set<String> = local.union(["resource", "from", "to", "from_local", "to_local"])
        return [
            "ping": [],
            "create_resource": [
                "resource", "tz", "slot_minutes", "capacity", "buffer_before_minutes", "buffer_after_minutes",
                "hold_ttl_seconds", "horizon_days", "idempotency_key", "weekly_hours", "min_notice_minutes",
                "max_bookings_per_day", "reminders_minutes_before",
            ],
            "get_resource": ["resource"],
            "list_resources": ["after", "limit"],
            "hold": booking.union(["ttl_seconds"]),
            "book": booking,
            "confirm": transition,
            "cancel": transition.union(["reason"]),
            "reschedule": transition.union(local).union(["start", "end", "start_local", "end_local"]),
            "complete": transition,
            "no_show": transition,
            "get_booking": ["booking", "tz"],
            "list_bookings": range.union(["after", "limit"]),
            "availability": range.union(["duration_minutes", "resources", "mode"]),
            "snapshot": [],
            "stats": [],
            "monitor": ["seconds"],
            "set_weekly_hours": ["resource", "weekly_hours", "actor", "idempotency_key"],
            "set_override": ["resource", "date", "closed", "hours", "actor", "idempotency_key"],
            "clear_override": ["resource", "date", "actor", "idempotency_key"],
            "add_block": local.union([
                "resource", "start", "end", "start_local", "end_local", "label", "actor", "idempotency_key",
            ]),
            "remove_block": ["resource", "block", "actor", "idempotency_key"],
            "set_limits": ["resource", "min_notice_minutes", "max_bookings_per_day", "actor", "idempotency_key"],
            "get_rules": ["resource"],
            "batch": ["ops", "atomic", "idempotency_key"],
        ].merging(seriesFields) { first, _ in first }.merging(groupFields) { first, _ in first }
            .merging(tokenFields) { first, _ in first }.merging(eventFields) { first, _ in first }
    }()

    static func decode(_ op: String, _ reader: inout FieldReader) throws(WireError) -> Operation {
        switch op {
        case "ping": return .ping
        case "snapshot": return .snapshot
        case "set_weekly_hours", "set_override", "clear_override", "add_block", "remove_block", "set_limits":
            return try ruleOperation(op, &reader)
        case "get_rules": return .getRules(try reader.resource())
        case "book_series", "cancel_series", "waitlist_join", "waitlist_leave", "waitlist_status":
            return try seriesOperation(op, &reader)
        case "stats": return .stats(tenant: reader.tenant)
        case "monitor":
            return .monitor(seconds: try reader.integer("seconds", default: 1, range: 1...LiveSample.secondsKept))
        case "get_group", "confirm_group", "cancel_group", "reschedule_group": return try groupOperation(op, &reader)
        case "batch": return try batch(&reader)
        case "auth", "create_token", "list_tokens", "revoke_token", "erase_customer":
            return try tokenOperation(op, &reader)
        case "subscribe", "unsubscribe", "create_webhook", "list_webhooks", "get_webhook", "delete_webhook",
            "list_deliveries", "redeliver":
            return try eventOperation(op, &reader)
        case "create_resource": return try createResource(&reader)
        case "get_resource": return .getResource(try reader.resource())
        case "list_resources":
            let after = try reader.optionalResource("after")
            let limit = try reader.integer("limit", default: 1_000, range: 1...reader.limits.listedBookingsMax)
            return .listResources(tenant: reader.tenant, after: after, limit: limit)
        case "hold", "book": return try hold(&reader, confirm: op == "book")
        case "confirm": return try transition(&reader, .confirm)
        case "cancel":
            let reason = try reader.optionalString("reason", maxBytes: reader.limits.reasonMaxBytes)
            return try transition(&reader, .cancel(reason: reason))
        case "reschedule":
            let start = try reader.instant("start", boundary: true)
            let end = try reader.instant("end", boundary: true)
            return try transition(&reader, .reschedule(TimeRange(start: start, end: end)))
        case "complete": return try transition(&reader, .complete)
        case "no_show": return try transition(&reader, .noShow)
        case "get_booking": return .getBooking(try reader.booking())
        case "list_bookings":
            let resource = try reader.resource()
            let from = try reader.instant("from")
            let to = try reader.instant("to")
            let after = try reader.optionalBooking("after")
            let limit = try reader.integer("limit", default: 1_000, range: 1...reader.limits.listedBookingsMax)
            return .listBookings(
                resource, from: from, to: to, after: after, limit: limit, customer: reader.scope.customer)
        case "availability":
            let resources = try reader.resourceList("resources")
            let resource = resources == nil ? try reader.resource() : nil
            if resources != nil, reader.has("resource") {
                throw WireError(Rejection(.invalidRequest, "give resource or resources, not both", field: "resources"))
            }
            let mode = try reader.optionalString("mode", maxBytes: 8)
            guard mode == nil || mode == "all" || mode == "any" else {
                throw .invalid("mode", "must be \"all\" or \"any\"")
            }
            let from = try reader.instant("from")
            let to = try reader.instant("to")
            let duration = try reader.required(
                "duration_minutes", range: 1...1_440 * reader.limits.bookingLengthDaysMax)
            if let resources {
                return .multiAvailability(resources, all: mode != "any", from: from, to: to, durationMinutes: duration)
            }
            guard let resource else { throw .invalid("resource", "is required") }
            return .availability(resource, from: from, to: to, durationMinutes: duration)
        default:
            preconditionFailure("op \(op) is in the field table but has no decoder")
        }
    }

    private static func createResource(_ reader: inout FieldReader) throws(WireError) -> Operation {
        let limits = reader.limits
        let id = try reader.resource()
        let tz = try reader.string("tz", maxBytes: 64)
        let settings = ResourceSettings(
            id: id, timeZoneIdentifier: tz,
            slotMinutes: try reader.integer("slot_minutes", default: 15, range: 1...1_440),
            capacity: try reader.integer("capacity", default: 1, range: 1...limits.capacityMax),
            bufferBeforeMinutes: try reader.integer(
                "buffer_before_minutes", default: 0, range: 0...limits.bufferMinutesMax),
            bufferAfterMinutes: try reader.integer(
                "buffer_after_minutes", default: 0, range: 0...limits.bufferMinutesMax),
            holdTTLSeconds: try reader.integer("hold_ttl_seconds", default: 300, range: 1...limits.holdTTLSecondsMax),
            horizonDays: try reader.integer("horizon_days", default: 365, range: 1...limits.horizonDaysMax),
            remindersMinutesBefore: try reader.remindersMinutesBefore())
        // The rules across fields (slot_minutes divides a day, buffers are whole slots) are the domain's.
        if let rejection = settings.validate(limits: reader.limits) { throw WireError(rejection) }
        var rules: [RuleChange] = []
        if reader.has("weekly_hours") {
            rules.append(.weeklyHours(try reader.weeklyHours()))
        }
        let notice = try reader.optionalInteger("min_notice_minutes", range: 0...(limits.horizonDaysMax * 1_440))
        let perDay = try reader.optionalInteger("max_bookings_per_day", range: 0...100_000)
        if notice != nil || perDay != nil {
            rules.append(.limits(minNoticeMinutes: notice ?? 0, maxBookingsPerDay: perDay == 0 ? nil : perDay))
        }
        let fields = [
            "create_resource", id.rawValue, tz, "\(settings.slotMinutes)", "\(settings.capacity)",
            "\(settings.bufferBeforeMinutes)", "\(settings.bufferAfterMinutes)", "\(settings.holdTTLSeconds)",
            "\(settings.horizonDays)", canonical(rules),
        ]
        // Added only when set, so a key used before reminders existed keeps its fingerprint.
        let reminders = settings.remindersMinutesBefore.map(String.init).joined(separator: ",")
        let fingerprint = (fields + (reminders.isEmpty ? [] : ["reminders:" + reminders])).joined(separator: "\u{1F}")
        return .createResource(settings, rules: rules, idempotency: try reader.idempotency(fingerprint: fingerprint))
    }

    /// The initial rules as stable text for fingerprints (stored durably, so not Swift's `description`).
    static func canonical(_ rules: [RuleChange]) -> String {
        rules.map { change -> String in
            switch change {
            case .weeklyHours(nil): "hours:always"
            case .weeklyHours(let hours?):
                "hours:"
                    + hours.days.map { $0.map { "\($0.startMinute)-\($0.endMinute)" }.joined(separator: ",") }
                    .joined(separator: "/")
            case .limits(let notice, let perDay): "limits:\(notice):\(perDay.map(String.init) ?? "none")"
            case .override, .addBlock, .removeBlock: ""
            }
        }.joined(separator: ";")
    }

    private static func hold(_ reader: inout FieldReader, confirm: Bool) throws(WireError) -> Operation {
        let many = try reader.resourceList("resources")
        let pool = try reader.resourceList("pool")
        if many != nil || pool != nil {
            let given = [many != nil, pool != nil, reader.has("resource")]
            guard given.filter({ $0 }).count == 1 else { throw Self.oneOfResourcesPool }
            let start = try reader.instant("start", boundary: true)
            let end = try reader.instant("end", boundary: true)
            let customer = try reader.customer()
            let ttl =
                confirm ? nil : try reader.optionalInteger("ttl_seconds", range: 1...reader.limits.holdTTLSecondsMax)
            var command = HoldCommand(
                range: TimeRange(start: start, end: end), customer: customer, ttlSeconds: ttl,
                actor: try reader.actor(),
                confirm: confirm)
            let resources = pool ?? many ?? []
            if pool == nil, Set(resources).count != resources.count {
                throw .invalid("resources", "must name each resource once")
            }
            if pool == nil, resources.count < 2 {
                throw .invalid("resources", "must name at least two resources (use resource for one)")
            }
            command.idempotency = try reader.idempotency(
                fingerprint: MutationFingerprint.holdMany(resources, command, pool: pool != nil))
            return .holdMany(resources, command, pool: pool != nil)
        }
        let resource = try reader.resource()
        let start = try reader.instant("start", boundary: true)
        let end = try reader.instant("end", boundary: true)
        let customer = try reader.customer()
        let ttl = confirm ? nil : try reader.optionalInteger("ttl_seconds", range: 1...reader.limits.holdTTLSecondsMax)
        let actor = try reader.actor()
        let fingerprint = {
            [
                confirm ? "book" : "hold", resource.rawValue, "\(start.secondsSinceEpoch)",
                "\(end.secondsSinceEpoch)", customer, ttl.map(String.init) ?? "", actor,
            ].joined(separator: "\u{1F}")
        }
        let command = HoldCommand(
            range: TimeRange(start: start, end: end), customer: customer, ttlSeconds: ttl, actor: actor,
            confirm: confirm, idempotency: try reader.idempotency(fingerprint: fingerprint()))
        return .hold(resource, command)
    }

    private static let oneOfResourcesPool = WireError(
        Rejection(.invalidRequest, "give exactly one of resource, resources or pool", field: "resources"))

    private static func transition(_ reader: inout FieldReader, _ action: BookingAction) throws(WireError) -> Operation
    {
        let booking = try reader.booking()
        let actor = try reader.actor()
        let fingerprint = {
            var parts = [action.target.rawValue, booking.description, actor]
            switch action {
            case .cancel(let reason): parts.append(reason ?? "")
            case .reschedule(let range):
                parts += ["\(range.start.secondsSinceEpoch)", "\(range.end.secondsSinceEpoch)"]
            case .confirm, .complete, .noShow: break
            }
            return parts.joined(separator: "\u{1F}")
        }
        let stamp = try reader.idempotency(fingerprint: fingerprint())
        return .transition(booking, action, actor: actor, idempotency: stamp)
    }
}
