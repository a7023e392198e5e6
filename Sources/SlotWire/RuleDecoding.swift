import SlotDomain

/// Decoding the rule ops: opening hours are `"HH:MM"` pairs per weekday (`mon` … `sun`), `"24:00"` allowed as
/// an end; dates are `YYYY-MM-DD` in the resource's zone.
extension OperationDecoder {
    static func ruleOperation(_ op: String, _ reader: inout FieldReader) throws(WireError) -> Operation {
        let resource = try reader.resource()
        let actor = try reader.actor()
        let request: RuleRequest
        switch op {
        case "set_weekly_hours":
            guard reader.has("weekly_hours") else {
                throw .invalid("weekly_hours", "is required (null opens the resource around the clock)")
            }
            request = .weeklyHours(try reader.weeklyHours())
        case "set_override":
            let date = try reader.date("date")
            let closed = try reader.optionalBool("closed") ?? false
            let hours = try reader.optionalIntervals("hours")
            switch (closed, hours) {
            case (true, nil): request = .override(date, .closed)
            case (false, let hours?): request = .override(date, .hours(hours))
            default:
                throw WireError(
                    Rejection(
                        .invalidRequest, "give either \"closed\": true or \"hours\": [[\"HH:MM\", \"HH:MM\"], …]",
                        field: "hours"))
            }
        case "clear_override":
            request = .override(try reader.date("date"), nil)
        case "add_block":
            let start = try reader.instant("start")
            let end = try reader.instant("end")
            guard end > start else { throw .invalid("end", "must be after start") }
            let label = try reader.optionalString("label", maxBytes: reader.limits.reasonMaxBytes) ?? ""
            request = .addBlock(TimeRange(start: start, end: end), label: label)
        case "remove_block":
            request = .removeBlock(UInt64(try reader.required("block", range: 1...Int.max)))
        default:  // set_limits
            let notice = try reader.optionalInteger(
                "min_notice_minutes", range: 0...(reader.limits.horizonDaysMax * 1_440))
            let perDay = try reader.optionalInteger("max_bookings_per_day", range: 0...100_000)
            guard notice != nil || perDay != nil else {
                throw .invalid("min_notice_minutes", "or max_bookings_per_day is required")
            }
            request = .limits(minNoticeMinutes: notice, maxBookingsPerDay: perDay)
        }
        let stamp = try reader.idempotency(
            fingerprint: MutationFingerprint.rules(op, request, resource: resource, actor: actor))
        return .changeRules(resource, request, actor: actor, idempotency: stamp)
    }
}

extension FieldReader {
    /// A list of distinct resource ids, 1 to `resourcesPerQueryMax` of them; nil when absent.
    mutating func resourceList(_ name: String) throws(WireError) -> [ResourceID]? {
        guard let raw = value(name) else { return nil }
        guard let texts = raw.stringList else { throw .invalid(name, "must be a list of resource ids") }
        let ids = texts.compactMap { ResourceID($0, limits: limits)?.inTenant(tenant) }
        guard ids.count == texts.count, !ids.isEmpty, ids.count <= limits.resourcesPerQueryMax,
            Set(ids).count == ids.count
        else {
            throw .invalid(name, "must list 1 to \(limits.resourcesPerQueryMax) distinct resource ids")
        }
        return ids
    }

    mutating func optionalBool(_ name: String) throws(WireError) -> Bool? {
        guard let raw = value(name) else { return nil }
        guard case .bool(let flag) = raw else { throw .invalid(name, "must be true or false") }
        return flag
    }

    mutating func date(_ name: String) throws(WireError) -> LocalDate {
        let text = Array(try string(name, maxBytes: 16).utf8)
        guard text.count == 10, text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"),
            let year = DecimalDigits.fixedWidth(text[0..<4], count: 4),
            let month = DecimalDigits.fixedWidth(text[5..<7], count: 2),
            let day = DecimalDigits.fixedWidth(text[8..<10], count: 2),
            let date = LocalDate(year: year, month: month, day: day)
        else { throw .invalid(name, "must be a date such as 2026-12-24 (YYYY-MM-DD)") }
        return date
    }

    /// Nil when the field is absent or null.
    mutating func optionalIntervals(_ name: String) throws(WireError) -> [LocalInterval]? {
        guard let raw = value(name) else { return nil }
        guard let pairs = raw.stringPairs else {
            throw .invalid(name, "must be a list of [\"HH:MM\", \"HH:MM\"] pairs")
        }
        return try Self.intervals(pairs, field: name, countMax: limits.hoursIntervalsPerDayMax)
    }

    /// `weekly_hours`: null opens around the clock; otherwise each named day gets its intervals and the rest are
    /// closed.
    mutating func weeklyHours() throws(WireError) -> WeeklyHours? {
        guard let raw = value("weekly_hours") else { return nil }
        guard case .object(let members) = raw, let object = members.mapValuesIfAll(\.stringPairs) else {
            throw .invalid("weekly_hours", "must be an object such as {\"mon\": [[\"09:00\", \"17:00\"]]}, or null")
        }
        var days = Array(repeating: [LocalInterval](), count: 7)
        // In name order: with two bad days, the one reported may not depend on hash order.
        for (name, pairs) in object.sorted(by: { $0.key < $1.key }) {
            guard let index = RulesReply.dayNames.firstIndex(of: name) else {
                throw .invalid("weekly_hours", "has an unknown day '\(name)' (use mon, tue, wed, thu, fri, sat, sun)")
            }
            days[index] = try Self.intervals(
                pairs, field: "weekly_hours.\(name)", countMax: limits.hoursIntervalsPerDayMax)
        }
        guard let hours = WeeklyHours(days: days) else { throw .invalid("weekly_hours", "has overlapping intervals") }
        return hours
    }

    /// At most `countMax` intervals (`hoursIntervalsPerDayMax`): every granule of a booking is checked against
    /// its day's list.
    static func intervals(_ pairs: [[String]], field: String, countMax: Int) throws(WireError) -> [LocalInterval] {
        guard pairs.count <= countMax else { throw .invalid(field, "may hold at most \(countMax) intervals") }
        var result: [LocalInterval] = []
        for pair in pairs {
            guard pair.count == 2, let start = minute(pair[0]), let end = minute(pair[1]),
                let interval = LocalInterval(startMinute: start, endMinute: end)
            else { throw .invalid(field, "must hold [\"HH:MM\", \"HH:MM\"] pairs with the start before the end") }
            result.append(interval)
        }
        let sorted = result.sorted()
        guard !zip(sorted, sorted.dropFirst()).contains(where: { $0.endMinute > $1.startMinute }) else {
            throw .invalid(field, "has overlapping intervals")
        }
        return sorted
    }

    /// `HH:MM`, two digits each, as minutes after midnight; `24:00` is the end of the day.
    static func minute(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 5, bytes[2] == UInt8(ascii: ":"),
            let hours = DecimalDigits.fixedWidth(bytes[0..<2], count: 2),
            let minutes = DecimalDigits.fixedWidth(bytes[3..<5], count: 2),
            (0...24).contains(hours), (0...59).contains(minutes), hours < 24 || minutes == 0
        else { return nil }
        return hours * 60 + minutes
    }
}

extension JSONValue {
    /// A list of strings, or nil when this is anything else.
    var stringList: [String]? {
        guard case .array(let elements) = self else { return nil }
        return elements.mapIfAll(\.string)
    }

    /// A list of lists of strings (`[["09:00", "12:00"], …]`), or nil.
    var stringPairs: [[String]]? {
        guard case .array(let elements) = self else { return nil }
        return elements.mapIfAll(\.stringList)
    }
}

extension Array {
    /// Each element transformed, or nil when any transform gives nil.
    func mapIfAll<T>(_ transform: (Element) -> T?) -> [T]? {
        var result: [T] = []
        result.reserveCapacity(count)
        for element in self {
            guard let value = transform(element) else { return nil }
            result.append(value)
        }
        return result
    }
}

extension Dictionary {
    func mapValuesIfAll<T>(_ transform: (Value) -> T?) -> [Key: T]? {
        var result: [Key: T] = [:]
        for (key, value) in self {
            guard let mapped = transform(value) else { return nil }
            result[key] = mapped
        }
        return result
    }
}
