/// The availability layers: opening hours (weekly, overridden per date), blocks, minimum notice and a daily
/// limit. `placementFailure` runs `ruleFailure` for `hold`, `book`, `reschedule` and `availability` alike.
extension ResourceSchedule {
    /// Active bookings starting on `date` (local): what the daily limit counts, and a pool's load.
    public func bookingsStarting(on date: LocalDate) -> Int {
        startsPerLocalDay[date.days] ?? 0
    }

    public func localDate(of instant: Instant) -> LocalDate {
        LocalDate(days: CivilCalendar.split(instant.secondsSinceEpoch + grid.offsetSeconds(at: instant)).days)
    }

    /// The first rule that refuses `range` now, in this order: `too_soon`, `outside_hours` or
    /// `closed_by_override`, `blocked`, `external_busy`, `daily_limit_reached`. `excluding` is a rescheduled
    /// booking's old range.
    func ruleFailure(_ range: TimeRange, now: Instant, excluding: TimeRange?) -> PlacementFailure? {
        let earliest = now.adding(seconds: Int64(rules.minNoticeMinutes) * 60)
        if range.start < earliest { return .tooSoon(earliest: earliest) }
        if let refusal = hoursFailure(range) { return refusal }
        if !rules.blocks.isEmpty {
            let paddedRange = padded(range)
            // The index answers whether any block is hit; only a refusal reads them all, to name the first.
            if blockIndex?.overlaps(paddedRange) ?? true {
                let overlapping = rules.blocks.values.filter { $0.range.overlaps(paddedRange) }
                if let block = overlapping.min(by: { $0.id < $1.id }) { return .blocked(block) }
            }
        }
        if let externalBusy, let busy = externalBusy.firstOverlap(padded(range)) {
            return .externalBusy(externalBusy.link, busy)
        }
        if let limit = rules.maxBookingsPerDay {
            let day = localDate(of: range.start)
            var count = startsPerLocalDay[day.days] ?? 0
            if let excluding, localDate(of: excluding.start) == day { count -= 1 }
            if count >= limit { return .dailyLimitReached(day, count: count, limit: limit) }
        }
        return nil
    }

    /// Every granule of the booking must fall in the open hours of its own local day, so a booking crossing
    /// midnight or a DST change is judged minute by minute in wall time.
    private func hoursFailure(_ range: TimeRange) -> PlacementFailure? {
        guard rules.weeklyHours != nil || !rules.overrides.isEmpty else { return nil }
        var instant = range.start
        while instant < range.end {
            if let refusal = hoursFailure(atGranuleStarting: instant) { return refusal }
            instant = instant.adding(seconds: grid.granuleSeconds)
        }
        return nil
    }

    /// Whether the granule starting at `instant` lies outside the open hours of its own local day.
    func hoursFailure(atGranuleStarting instant: Instant) -> PlacementFailure? {
        let (days, secondOfDay) = CivilCalendar.split(instant.secondsSinceEpoch + grid.offsetSeconds(at: instant))
        let date = LocalDate(days: days)
        let minute = secondOfDay / 60
        let (intervals, overridden) = rules.hours(on: date)
        if let intervals, !intervals.contains(where: { $0.contains(minute: minute) }) {
            return overridden ? .closedByOverride(date) : .outsideHours(date)
        }
        return nil
    }

    /// Why `change` would take the resource past a limit on its rules (`too_many_rules`), or nil. Only growth is
    /// refused: replacing a date's override, removing or clearing anything always goes. Checked when a client asks,
    /// never on replay or restore, so rules stored before a limit existed (or under a higher one) still load.
    public func ruleLimitRefusal(_ change: RuleChange) -> Rejection? {
        switch change {
        case .addBlock where rules.blocks.count >= limits.blocksPerResourceMax:
            return Self.tooManyRules(
                "\(id) already has \(rules.blocks.count) blocks (the limit); remove past ones with remove_block",
                rule: "blocks", limit: limits.blocksPerResourceMax)
        case .override(let date, _?)
        where rules.overrides[date] == nil && rules.overrides.count >= limits.dateOverridesPerResourceMax:
            return Self.tooManyRules(
                "\(id) already has overrides on \(rules.overrides.count) dates (the limit); clear past ones with "
                    + "clear_override", rule: "overrides", limit: limits.dateOverridesPerResourceMax)
        default:
            return nil
        }
    }

    private static func tooManyRules(_ message: String, rule: String, limit: Int) -> Rejection {
        Rejection(.tooManyRules, message, details: ["rule": rule, "limit": String(limit)])
    }

    /// Decides a rule change; it never refuses (rules are the operator's to set), but reports the active future
    /// bookings the new rules would no longer accept. They stay valid.
    public func decide(_ change: RuleChange, actor: String, idempotency: IdempotencyStamp? = nil, now: Instant)
        -> (event: ScheduleEvent, affected: [BookingID])
    {
        var after = self
        after.applyRule(change)
        let affected = after.bookingsAgainstRules(now: now)
        let event = RulesChangedEvent(change: change, actor: actor, at: now, idempotency: idempotency)
        return (.rulesChanged(event), affected)
    }

    /// Active bookings from now on that the current rules would refuse if they were asked for again.
    /// Notice is not applied: a booking made long ago is not "too soon" now.
    public func bookingsAgainstRules(now: Instant) -> [BookingID] {
        var relaxed = self
        relaxed.rules.minNoticeMinutes = 0
        return bookings.values.filter { $0.state.isActive && $0.range.start >= now }
            .sorted { $0.id.sequence < $1.id.sequence }
            .filter { relaxed.ruleFailure($0.range, now: now, excluding: $0.range) != nil }
            .map(\.id)
    }

    mutating func applyRule(_ change: RuleChange) {
        switch change {
        case .weeklyHours(let hours): rules.weeklyHours = hours
        case .override(let date, let override): rules.overrides[date] = override
        case .addBlock(let block):
            precondition(block.id == rules.lastBlockID + 1, "block id gap in \(id)")
            rules.lastBlockID = block.id
            rules.blocks[block.id] = block
            refreshBlockIndex()
        case .removeBlock(let blockID):
            rules.blocks[blockID] = nil
            refreshBlockIndex()
        case .limits(let minNotice, let maxPerDay):
            rules.minNoticeMinutes = minNotice
            rules.maxBookingsPerDay = maxPerDay
        }
    }
}
