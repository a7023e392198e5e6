/// Why a time cannot be booked now, as a plain value: cheap to produce for every candidate start of an
/// `availability` query, and turned into a `Rejection` (message, details, the conflicting stretch) only when a
/// request is actually refused. One function decides for `hold`, `availability`, series and the waitlist, so none
/// of them can disagree.
public enum PlacementFailure: Hashable, Sendable {
    case emptyRange
    case tooLong
    case misaligned
    case inPast
    case beyondHorizon(horizonEnd: Instant)
    case tooSoon(earliest: Instant)
    case outsideHours(LocalDate)
    case closedByOverride(LocalDate)
    case blocked(Block)
    case externalBusy(CalendarLinkID, TimeRange)
    case dailyLimitReached(LocalDate, count: Int, limit: Int)
    case slotUnavailable
}

/// Why a time is `slot_unavailable`, for the refusal's `reason` detail: a client told `buffer` knows that a
/// time right beside the conflict may well be free, one told `capacity` that the time itself is taken.
public enum ConflictReason: String, Hashable, Sendable {
    case capacity
    case buffer
}

extension ResourceSchedule {
    var bookingLengthSecondsMax: Int64 { Int64(limits.bookingLengthDaysMax) * 86_400 }

    /// The first reason `range` cannot be booked now, in this order of precedence: end not after start,
    /// `booking_too_long`, `misaligned`, `in_past`, `beyond_horizon`, then the rules (`too_soon`, `outside_hours` or
    /// `closed_by_override`, `blocked`, `external_busy`, `daily_limit_reached`), then `slot_unavailable`; nil when it can.
    public func placementFailure(_ range: TimeRange, now: Instant, excluding: TimeRange? = nil) -> PlacementFailure? {
        guard range.end > range.start else { return .emptyRange }
        guard range.end.seconds(since: range.start) <= bookingLengthSecondsMax else { return .tooLong }
        guard grid.isBoundary(range.start), grid.isBoundary(range.end) else { return .misaligned }
        guard range.start >= now else { return .inPast }
        let horizonEnd = now.adding(seconds: Int64(settings.horizonDays) * 86_400)
        guard range.end <= horizonEnd else { return .beyondHorizon(horizonEnd: horizonEnd) }
        if let refusal = ruleFailure(range, now: now, excluding: excluding) { return refusal }
        if hasConflict(range, excluding: excluding) { return .slotUnavailable }
        return nil
    }

    /// `placementFailure` as the refusal a client sees. `hold` and `availability` both decide through
    /// `placementFailure`, so availability never offers a start that hold refuses.
    public func checkPlacement(_ range: TimeRange, now: Instant, excluding: TimeRange? = nil) -> Rejection? {
        placementFailure(range, now: now, excluding: excluding).map {
            rejection(for: $0, range: range, now: now, excluding: excluding)
        }
    }

    func rejection(for failure: PlacementFailure, range: TimeRange, now: Instant, excluding: TimeRange?)
        -> Rejection
    {
        switch failure {
        case .emptyRange:
            return .invalid("end", "must be after start")
        case .tooLong:
            return Rejection(
                .bookingTooLong, "a booking may last at most \(limits.bookingLengthDaysMax) days",
                details: ["limit_days": String(limits.bookingLengthDaysMax)])
        case .misaligned:
            return Rejection(
                .misaligned,
                "start and end must lie on \(settings.slotMinutes)-minute slot boundaries in \(settings.timeZoneIdentifier)",
                details: ["slot_minutes": String(settings.slotMinutes), "tz": settings.timeZoneIdentifier])
        case .inPast:
            return Rejection(.inPast, "start is in the past", instantDetails: ["now": now])
        case .beyondHorizon(let horizonEnd):
            return Rejection(
                .beyondHorizon, "end is more than \(settings.horizonDays) days ahead",
                instantDetails: ["horizon_end": horizonEnd])
        case .tooSoon(let earliest):
            return Rejection(
                .tooSoon, "start is sooner than min_notice_minutes (\(rules.minNoticeMinutes)) allows",
                details: ["min_notice_minutes": String(rules.minNoticeMinutes)], instantDetails: ["earliest": earliest])
        case .outsideHours(let date):
            return Rejection(
                .outsideHours, "the time is outside the opening hours", details: ["date": date.description])
        case .closedByOverride(let date):
            return Rejection(
                .closedByOverride, "\(date) has special hours that do not cover this time",
                details: ["date": date.description])
        case .blocked(let block):
            return Rejection(
                .blocked, "the time overlaps block \(block.id)" + (block.label.isEmpty ? "" : " (\(block.label))"),
                details: ["block": String(block.id), "label": block.label],
                instantDetails: ["block_start": block.range.start, "block_end": block.range.end])
        case .externalBusy(let link, let busy):
            // The stretch only, never what the calendar's event says: who may read it is the calendar's business.
            return Rejection(
                .externalBusy, "the time is busy in the calendar linked as \(link)", details: ["link": link.rawValue],
                instantDetails: ["busy_start": busy.start, "busy_end": busy.end])
        case .dailyLimitReached(let day, _, let limit):
            return Rejection(
                .dailyLimitReached, "\(day) has reached max_bookings_per_day (\(limit))",
                details: ["date": day.description, "limit": String(limit)])
        case .slotUnavailable:
            let conflict = firstConflict(range, excluding: excluding) ?? range
            let reason = conflictReason(range, excluding: excluding)
            return Rejection(
                .slotUnavailable,
                reason == .capacity
                    ? "the requested time is booked to capacity"
                    : "the requested time lies in another booking's buffer, or its own buffer would cover another booking",
                details: ["reason": reason.rawValue],
                instantDetails: ["conflict_start": conflict.start, "conflict_end": conflict.end])
        }
    }
}
