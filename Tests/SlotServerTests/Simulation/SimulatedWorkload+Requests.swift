import SlotClient
import SlotDomain

/// The request builders of `SimulatedWorkload`, one per family of ops.
extension SimulatedWorkload {
    /// Single-resource holds and books, and every transition of a booking.
    mutating func bookingRequest(now: Instant) -> JSONValue {
        let resource = anyResource()
        let range = resource.range(after: now, using: &random)
        var fields = resource.rangeFields(range, using: &random)
        switch Int.random(in: 0..<43, using: &random) {
        case 0..<12:
            fields["op"] = "hold"
            fields["resource"] = .string(resource.id)
            fields["customer"] = .string("c\(Int.random(in: 0..<5, using: &random))")
            if Bool.random(using: &random) { fields["ttl_seconds"] = .number(Double(ttlSeconds())) }
        case 12..<21:
            fields["op"] = "book"
            fields["resource"] = .string(resource.id)
            fields["customer"] = .string("c\(Int.random(in: 0..<5, using: &random))")
        case 21..<28:
            fields = ["op": "confirm", "booking": .string(pickID(bookings, or: "\(resource.id)/1"))]
        case 28..<34:
            fields = ["op": "cancel", "booking": .string(pickID(bookings, or: "\(resource.id)/1"))]
            if Bool.random(using: &random) { fields["reason"] = "changed plans" }
        case 34..<39:
            fields["op"] = "reschedule"
            // Mostly on its own resource, where the new time is checked against the same grid.
            let booking = pickID(bookings, or: "\(resource.id)/1")
            fields["booking"] = .string(booking)
            if let own = resources.first(where: { booking.hasPrefix($0.id + "/") }), Bool.random(using: &random) {
                fields.merge(own.rangeFields(own.range(after: now, using: &random), using: &random)) { _, new in new }
            }
        default:
            fields = [
                "op": Bool.random(using: &random) ? "complete" : "no_show",
                "booking": .string(pickID(bookings, or: "\(resource.id)/1")),
            ]
        }
        if Int.random(in: 0..<4, using: &random) == 0 { fields["actor"] = "front-desk" }
        return finish(fields, keyed: true)
    }

    private mutating func ttlSeconds() -> Int {
        [30, 120, 600, 7_200].randomElement(using: &random) ?? 120
    }

    /// All-or-none groups of two or three resources, and pools of two to four.
    mutating func multiResourceRequest(now: Instant) -> JSONValue {
        let first = anyResource()
        let range = first.range(after: now, using: &random)
        var fields = first.rangeFields(range, using: &random)
        var ids = [first.id]
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let other = anyResource().id
            if !ids.contains(other) { ids.append(other) }
        }
        fields["op"] = Bool.random(using: &random) ? "hold" : "book"
        fields[Bool.random(using: &random) ? "resources" : "pool"] = .array(ids.map { .string($0) })
        fields["customer"] = "group"
        return finish(fields, keyed: true)
    }

    /// Daily and weekly series, all-or-nothing or skipping conflicts; and canceling the rest of one.
    mutating func seriesRequest(now: Instant) -> JSONValue {
        guard Int.random(in: 0..<5, using: &random) < 3 else {
            var fields: [String: JSONValue] = ["op": "cancel_series", "series": .string(pickID(series, or: "r0/1"))]
            if Bool.random(using: &random) {
                fields["from"] = .string(
                    RFC3339.format(now.adding(seconds: Int64.random(in: 0...3, using: &random) * 86_400)))
            }
            return finish(fields)
        }
        let resource = anyResource()
        let range = resource.range(after: now, using: &random)
        var fields = resource.rangeFields(range, using: &random)
        var rule: [String: JSONValue] = ["freq": Bool.random(using: &random) ? "daily" : "weekly"]
        if Int.random(in: 0..<4, using: &random) == 0 {
            rule["interval"] = 2
        }
        if Int.random(in: 0..<4, using: &random) == 0, rule["freq"] == "weekly" {
            rule["weekdays"] = ["mon", "wed", "sat"]
        }
        if Int.random(in: 0..<4, using: &random) == 0 {
            let last = range.start.adding(seconds: Int64.random(in: 1...10, using: &random) * 86_400)
            rule["until"] = .string(String(LocalTimeText.format(last, in: TimeZones.zone(resource.zone)).prefix(10)))
        } else {
            rule["count"] = .number(Double(Int.random(in: 2...6, using: &random)))
        }
        fields["op"] = "book_series"
        fields["resource"] = .string(resource.id)
        fields["customer"] = "series"
        fields["rule"] = .object(rule)
        fields["skip_conflicts"] = .bool(Int.random(in: 0..<3, using: &random) > 0)
        return finish(fields)
    }

    /// Joining the waitlist, mostly for times that are taken; and leaving it.
    mutating func waitlistRequest(now: Instant) -> JSONValue {
        guard Int.random(in: 0..<3, using: &random) < 2 else {
            let resource = anyResource()
            return finish(["op": "waitlist_leave", "entry": .string(pickID(entries, or: "\(resource.id)/w1"))])
        }
        let resource = anyResource()
        var fields = resource.rangeFields(resource.hotRange(after: now, using: &random), using: &random)
        fields["op"] = "waitlist_join"
        fields["resource"] = .string(resource.id)
        fields["customer"] = .string("w\(Int.random(in: 0..<4, using: &random))")
        return finish(fields)
    }

    /// Every kind of availability rule change.
    mutating func ruleChange(now: Instant, on chosen: SimulatedResource? = nil) -> JSONValue {
        let resource = chosen ?? anyResource()
        let range = resource.range(after: now, using: &random)
        let id = JSONValue.string(resource.id)
        let date = JSONValue.string(
            String(LocalTimeText.format(range.start, in: TimeZones.zone(resource.zone)).prefix(10)))
        switch Int.random(in: 0..<7, using: &random) {
        case 0:
            return finish([
                "op": "add_block", "resource": id, "start": .string(RFC3339.format(range.start)),
                "end": .string(RFC3339.format(range.end)), "label": "maintenance",
            ])
        case 1:
            return finish([
                "op": "remove_block", "resource": id, "block": .number(Double(Int.random(in: 1...4, using: &random))),
            ])
        case 2:
            return finish(["op": "set_override", "resource": id, "date": date, "closed": true])
        case 3:
            return finish(["op": "set_override", "resource": id, "date": date, "hours": [["09:00", "13:00"]]])
        case 4:
            return finish(["op": "clear_override", "resource": id, "date": date])
        case 5:
            return finish([
                "op": "set_limits", "resource": id,
                "min_notice_minutes": .number(Double(Int.random(in: 0...4, using: &random) * 30)),
                "max_bookings_per_day": .number(Double(Int.random(in: 0...6, using: &random))),
            ])
        default:
            let hours =
                Bool.random(using: &random)
                ? SimulatedResource.weeklyHours(.allDays, "00:00", "24:00")
                : SimulatedResource.weeklyHours(.weekdays, "08:00", "18:00")
            return finish(["op": "set_weekly_hours", "resource": id, "weekly_hours": hours])
        }
    }

    /// Reads change nothing but the passing of time (they expire what is due first).
    mutating func read(now: Instant) -> JSONValue {
        let resource = anyResource()
        let range = resource.range(after: now, using: &random)
        let from = JSONValue.string(RFC3339.format(now))
        let to = JSONValue.string(RFC3339.format(range.end.adding(seconds: 86_400)))
        switch Int.random(in: 0..<6, using: &random) {
        case 0: return finish(["op": "get_booking", "booking": .string(pickID(bookings, or: "\(resource.id)/1"))])
        case 1: return finish(["op": "list_bookings", "resource": .string(resource.id), "from": from, "to": to])
        case 2:
            return finish([
                "op": "availability", "resource": .string(resource.id), "from": from, "to": to,
                "duration_minutes": .number(Double(resource.slotMinutes)),
            ])
        case 3: return finish(["op": "waitlist_status", "resource": .string(resource.id)])
        case 4: return finish(["op": "get_rules", "resource": .string(resource.id)])
        default:
            return finish([
                "op": "availability", "resources": [.string(resource.id), .string(anyResource().id)], "from": from,
                "to": to, "duration_minutes": .number(Double(resource.slotMinutes)),
                "mode": Bool.random(using: &random) ? "all" : "any",
            ])
        }
    }
}
