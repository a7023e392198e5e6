/// Every bound the domain enforces, in one place, with units in the names. The server's own limits (line length,
/// connections, in-flight requests) live in `SlotServer.ServerConfiguration`; docs/PROTOCOL.md lists them all.
public struct DomainLimits: Sendable, Equatable {
    /// Longest resource id, in characters (`[A-Za-z0-9._:-]`).
    public var resourceIDMaxLength = 64
    /// Longest tenant id and token name, in characters (`[A-Za-z0-9._-]`).
    public var tenantIDMaxLength = 64
    public var tokenNameMaxLength = 64
    /// Most tokens the server keeps, revoked ones included (their names stay taken, for the audit trail); one more
    /// gets `too_many_tokens`. Bounds `list_tokens`, which has no paging.
    public var tokensMax = 10_000
    /// Longest customer, actor, reason, or idempotency key, in UTF-8 bytes.
    public var customerMaxBytes = 256
    public var actorMaxBytes = 64
    public var reasonMaxBytes = 256
    public var idempotencyKeyMaxBytes = 128
    /// Largest `capacity` a resource may have.
    public var capacityMax = 1_000
    /// Largest `horizon_days` a resource may have (ten years).
    public var horizonDaysMax = 3_660
    /// Largest hold time-to-live, in seconds (one day).
    public var holdTTLSecondsMax = 86_400
    /// Largest buffer before or after a booking, in minutes (one day).
    public var bufferMinutesMax = 1_440
    /// Longest single booking, from start to end, in days (a month's hotel stay or equipment rental). Bounds the
    /// occupancy counters one booking touches and the work of placing it or of an `availability` query; longer
    /// uses are booked as consecutive bookings or a series.
    public var bookingLengthDaysMax = 31
    /// Most entries a booking's history keeps in memory and in `get_booking`: the creation and the latest moves.
    /// Older moves stay in the journal; the reply counts them as `history_omitted`.
    public var historyEntriesPerBookingMax = 100
    /// Most unexpired holds one resource may carry at once; further holds get `too_many_holds`.
    public var activeHoldsPerResourceMax = 10_000
    /// Longest range one `availability` or `list_bookings` request may ask about, in days.
    public var queryRangeDaysMax = 92
    /// Most resources one multi-resource `availability` request may name.
    public var resourcesPerQueryMax = 50
    /// Most operations one `batch` may carry. An atomic batch holds every resource it touches for its whole
    /// decision, so this bounds how long others wait on them as well as the request's work and reply.
    public var batchOperationsMax = 100
    /// Most bookings one `list_bookings` reply carries; the reply says `truncated` and the client pages on.
    public var listedBookingsMax = 10_000
    /// Most occurrences one `book_series` may generate (a daily series for a year and a bit).
    public var seriesOccurrencesMax = 400
    /// Most customers waiting on one resource's waitlist at once; further joins get `waitlist_full`.
    public var waitingEntriesPerResourceMax = 1_000
    /// Most blocks one resource may carry at once; `add_block` past it gets `too_many_rules` (remove past blocks
    /// with `remove_block`). Bounds their memory, the index rebuilt at each block change, and a `blocked` refusal,
    /// which reads them all to name the first one hit.
    public var blocksPerResourceMax = 1_000
    /// Most dates with an override on one resource at once; `set_override` on a further date gets `too_many_rules`
    /// (replacing a date's override is always allowed; `clear_override` frees a place). Over two years of daily
    /// overrides.
    public var dateOverridesPerResourceMax = 1_000
    /// Most opening intervals on one day, in a weekday of `weekly_hours` or in an override's `hours`; a request
    /// with more is refused as `invalid_request` naming the field. Each granule of a booking is checked against
    /// its day's intervals.
    public var hoursIntervalsPerDayMax = 48
    /// Most busy stretches a resource's `external_busy` layer may hold (after joining overlapping ones and leaving
    /// out those wholly past or beyond the horizon): bounds the journal entry a pull writes, its memory, and the
    /// conflict check over the bookings when it changes. A pull with more is refused whole, and the last good one
    /// stays.
    public var externalBusyStretchesMax = 10_000
    /// Most reminders one resource's `reminders_minutes_before` may list; each is one entry per confirmed booking
    /// in the schedule's reminder queue, and one `booking.reminder` event per booking.
    public var remindersPerResourceMax = 5
    /// Longest a reminder may come before its booking's start, in minutes (30 days).
    public var reminderMinutesBeforeMax = 43_200
    /// How long after its due time a reminder may go out and still not be `late`, in seconds. Above the server's
    /// expiry sweep interval (`ServerConfiguration.expirySweepIntervalSeconds`), so only a reminder that fell due
    /// while the server was down, or stalled, is marked late.
    public var reminderLatenessSecondsMax: Int64 = 60
    /// How long an idempotency key is remembered after its first use, in seconds (24 hours).
    public var idempotencyRetentionSeconds: Int64 = 86_400
    /// Most idempotency keys remembered on the server at once; a new key past it gets `too_many_keys` (refused
    /// loudly rather than an older key forgotten inside its retention). Its memory cost is in docs/OPERATIONS.md.
    public var idempotencyKeysMax = 1_000_000
    /// Most idempotency keys remembered for one resource at once, so one busy or hostile client's resource cannot
    /// take the whole server's table; a new key past it gets `too_many_keys`.
    public var idempotencyKeysPerResourceMax = 100_000

    /// Longest webhook `url`, in UTF-8 bytes. The outbox's URL policy reads the same limit.
    public var webhookURLMaxBytes = 2_048
    /// Shortest and longest webhook signing `secret` a client may give, in UTF-8 bytes: a shorter one would be
    /// guessable, a longer one only costs memory on every delivery.
    public var webhookSecretMinBytes = 24
    public var webhookSecretMaxBytes = 256
    /// Most deliveries one `list_deliveries` reply carries (and its default `limit`); the reply says `truncated`.
    public var listedDeliveriesMax = 1_000

    public init() {}

    public static let standard = DomainLimits()
}
