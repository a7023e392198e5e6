import SlotDomain

/// One event to be delivered to one endpoint, as the outbox holds it.
public struct Delivery: Hashable, Sendable {
    public enum State: String, Hashable, Sendable, CaseIterable {
        /// Not attempted yet (or redelivered): due at `nextAttemptAt`.
        case pending
        /// Attempted and failed; tried again at `nextAttemptAt`.
        case failed
        /// The receiver answered 2xx.
        case delivered
        /// Failed until its maximum age; kept for `redeliver`.
        case dead

        /// Still to be made: pending or failed, and counted in `OutboxStore.pendingCount`.
        public var isWaiting: Bool { self == .pending || self == .failed }
    }

    public var id: Int64
    public var webhook: String
    public var eventSeq: UInt64
    public var eventType: String
    /// The event's JSON, exactly as it is posted (and signed).
    public var body: [UInt8]
    public var state: State
    /// Attempts since it was created or last redelivered.
    public var attempts: Int
    public var createdAt: Instant
    /// When its retries started: `createdAt`, or the instant of the last `redeliver`. Its maximum age counts from
    /// here, so a redelivered dead delivery gets a whole schedule again.
    public var retriesSince: Instant
    /// When it is due: set while pending or failed, nil once delivered or dead.
    public var nextAttemptAt: Instant?
    public var lastAttemptAt: Instant?
    /// The receiver's status code at the last attempt, when it answered.
    public var lastStatus: Int?
    /// Why the last attempt failed; nil after a success.
    public var lastError: String?

    public init(
        id: Int64, webhook: String, eventSeq: UInt64, eventType: String, body: [UInt8], state: State, attempts: Int,
        createdAt: Instant, retriesSince: Instant, nextAttemptAt: Instant?, lastAttemptAt: Instant?, lastStatus: Int?,
        lastError: String?
    ) {
        self.id = id
        self.webhook = webhook
        self.eventSeq = eventSeq
        self.eventType = eventType
        self.body = body
        self.state = state
        self.attempts = attempts
        self.createdAt = createdAt
        self.retriesSince = retriesSince
        self.nextAttemptAt = nextAttemptAt
        self.lastAttemptAt = lastAttemptAt
        self.lastStatus = lastStatus
        self.lastError = lastError
    }

    /// The `webhook-id` header: the same for every attempt and redelivery of this event to this endpoint, so a
    /// receiver deduplicates by it.
    public var messageID: String { Self.messageID(webhook: webhook, eventSeq: eventSeq) }

    public static func messageID(webhook: String, eventSeq: UInt64) -> String { "msg_\(webhook)_\(eventSeq)" }
}

/// An endpoint's deliveries by state, for `get_webhook`.
public struct DeliveryCounts: Hashable, Sendable {
    public var delivered = 0
    public var pending = 0
    public var failed = 0
    public var dead = 0

    public init(delivered: Int = 0, pending: Int = 0, failed: Int = 0, dead: Int = 0) {
        self.delivered = delivered
        self.pending = pending
        self.failed = failed
        self.dead = dead
    }
}
