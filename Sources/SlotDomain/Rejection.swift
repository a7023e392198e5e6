/// A business rejection: a returned value with a stable snake_case code, never a thrown error. The wire layer
/// turns it into `{"ok":false,"error":{"code":…,"message":…,…details}}`.
public struct Rejection: Error, Hashable, Sendable {
    public enum Code: String, Sendable, CaseIterable {
        case invalidRequest = "invalid_request"
        case notFound = "not_found"
        case alreadyExists = "already_exists"
        case slotUnavailable = "slot_unavailable"
        case misaligned
        case inPast = "in_past"
        case beyondHorizon = "beyond_horizon"
        case invalidTransition = "invalid_transition"
        case holdExpired = "hold_expired"
        case notStarted = "not_started"
        case unknownTimeZone = "unknown_time_zone"
        case idempotencyConflict = "idempotency_conflict"
        case tooManyHolds = "too_many_holds"
        case rangeTooLarge = "range_too_large"
        case outsideHours = "outside_hours"
        case closedByOverride = "closed_by_override"
        case blocked
        case tooSoon = "too_soon"
        case dailyLimitReached = "daily_limit_reached"
        case nonexistentLocalTime = "nonexistent_local_time"
        case ambiguousLocalTime = "ambiguous_local_time"
        case seriesConflict = "series_conflict"
        case waitlistFull = "waitlist_full"
        case tooManyKeys = "too_many_keys"
        case tooManyTokens = "too_many_tokens"
        case bookingTooLong = "booking_too_long"
        case tooManyRules = "too_many_rules"
        case groupMember = "group_member"
        case externalBusy = "external_busy"
    }

    public var code: Code
    public var message: String
    /// Extra machine-readable details (`field`, `from`, `to`, `conflict_start`, …), all strings.
    public var details: [String: String]
    /// Instants in the details (`conflict_start`, `conflict_end`), kept typed so the wire layer formats them.
    public var instantDetails: [String: Instant]
    /// For `series_conflict`: each occurrence that could not be booked, and why.
    public var conflicts: [SeriesConflict] = []

    public init(
        _ code: Code, _ message: String, details: [String: String] = [:], instantDetails: [String: Instant] = [:]
    ) {
        self.code = code
        self.message = message
        self.details = details
        self.instantDetails = instantDetails
    }

    public init(_ code: Code, _ message: String, field: String) {
        self.init(code, message, details: ["field": field])
    }

    /// An idempotency key already used with a different request.
    public static let idempotencyConflict = Rejection(
        .idempotencyConflict, "idempotency_key was already used with a different request", field: "idempotency_key")

    public static func invalid(_ field: String, _ message: String) -> Rejection {
        Rejection(.invalidRequest, "\(field) \(message)", field: field)
    }
}

/// One occurrence of a recurring series that cannot be booked: its local date, its instants when it has them,
/// and the refusal `hold` would have given it.
public struct SeriesConflict: Hashable, Sendable {
    public var date: LocalDate
    public var range: TimeRange?
    public var code: Rejection.Code
    public var message: String

    public init(date: LocalDate, range: TimeRange?, rejection: Rejection) {
        self.date = date
        self.range = range
        self.code = rejection.code
        self.message = rejection.message
    }
}
