import SlotDomain

/// A webhook endpoint as `create_webhook`, `get_webhook` and `list_webhooks` show it.
public struct WebhookView: Hashable, Sendable {
    /// How many of the webhook's deliveries stand in each state.
    public struct Counts: Hashable, Sendable {
        public var delivered: Int
        public var pending: Int
        public var failed: Int
        public var dead: Int

        public init(delivered: Int, pending: Int, failed: Int, dead: Int) {
            self.delivered = delivered
            self.pending = pending
            self.failed = failed
            self.dead = dead
        }
    }

    /// The endpoint's circuit breaker: `closed` (deliveries go), `open` (none until the cool-down ends), or
    /// `half_open` (one probe is let through).
    public struct Breaker: Hashable, Sendable {
        public enum State: String, Hashable, Sendable {
            case closed
            case open
            case halfOpen = "half_open"
        }

        public var state: State
        public var consecutiveFailures: Int
        /// When it last opened; nil while closed.
        public var openedAt: Instant?

        public init(state: State, consecutiveFailures: Int, openedAt: Instant?) {
            self.state = state
            self.consecutiveFailures = consecutiveFailures
            self.openedAt = openedAt
        }
    }

    public var id: WebhookID
    public var url: String
    /// Nil: every type.
    public var types: Set<ChangeEvent.Kind>?
    /// Nil: every resource of its tenant (of every tenant, for a webhook in none).
    public var resources: [ResourceID]?
    public var tenant: TenantID?
    public var createdAt: Instant
    /// Only in `create_webhook`'s reply: the signing secret is shown once.
    public var secret: String?
    public var deliveries: Counts
    public var breaker: Breaker

    public init(
        id: WebhookID, url: String, types: Set<ChangeEvent.Kind>?, resources: [ResourceID]?, tenant: TenantID?,
        createdAt: Instant, secret: String? = nil, deliveries: Counts, breaker: Breaker
    ) {
        self.id = id
        self.url = url
        self.types = types
        self.resources = resources
        self.tenant = tenant
        self.createdAt = createdAt
        self.secret = secret
        self.deliveries = deliveries
        self.breaker = breaker
    }
}

/// One delivery of one event to one webhook, as `list_deliveries` and `redeliver` show it.
public struct DeliveryView: Hashable, Sendable {
    public var id: Int64
    public var webhook: WebhookID
    public var eventSeq: UInt64
    /// The event's type name (`booking.held`, …).
    public var eventType: String
    public var state: DeliveryState
    public var attempts: Int
    public var createdAt: Instant
    /// When the next attempt is due; nil once delivered or dead.
    public var nextAttemptAt: Instant?
    public var lastAttemptAt: Instant?
    /// The HTTP status of the last answer; nil when there was none (no connection, no answer in time).
    public var lastStatus: Int?
    /// What went wrong at the last failed attempt, in words (`status 500`, `timed out after 10 s`).
    public var lastError: String?

    public init(
        id: Int64, webhook: WebhookID, eventSeq: UInt64, eventType: String, state: DeliveryState, attempts: Int,
        createdAt: Instant, nextAttemptAt: Instant? = nil, lastAttemptAt: Instant? = nil, lastStatus: Int? = nil,
        lastError: String? = nil
    ) {
        self.id = id
        self.webhook = webhook
        self.eventSeq = eventSeq
        self.eventType = eventType
        self.state = state
        self.attempts = attempts
        self.createdAt = createdAt
        self.nextAttemptAt = nextAttemptAt
        self.lastAttemptAt = lastAttemptAt
        self.lastStatus = lastStatus
        self.lastError = lastError
    }
}

extension ReplyEncoder {
    static func write(_ webhook: WebhookView, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id")
        writer.string(webhook.id.rawValue)
        writer.key("url")
        writer.string(webhook.url)
        writer.key("types")
        if let types = webhook.types {
            writer.beginArray()
            // In the documented order of types, so the reply does not depend on a set's order.
            for kind in ChangeEvent.Kind.allCases where types.contains(kind) { writer.string(kind.rawValue) }
            writer.endArray()
        } else {
            writer.null()
        }
        writer.key("resources")
        if let resources = webhook.resources {
            writer.beginArray()
            for resource in resources { writer.string(resource.name) }
            writer.endArray()
        } else {
            writer.null()
        }
        if let tenant = webhook.tenant {
            writer.key("tenant")
            writer.string(tenant.rawValue)
        }
        writer.key("created_at")
        writer.instant(webhook.createdAt)
        if let secret = webhook.secret {
            writer.key("secret")
            writer.string(secret)
        }
        writer.key("deliveries")
        writer.beginObject()
        for (name, count) in [
            ("delivered", webhook.deliveries.delivered), ("pending", webhook.deliveries.pending),
            ("failed", webhook.deliveries.failed), ("dead", webhook.deliveries.dead),
        ] {
            writer.key(name)
            writer.integer(count)
        }
        writer.endObject()
        writer.key("breaker")
        writer.beginObject()
        writer.key("state")
        writer.string(webhook.breaker.state.rawValue)
        writer.key("consecutive_failures")
        writer.integer(webhook.breaker.consecutiveFailures)
        if let openedAt = webhook.breaker.openedAt {
            writer.key("opened_at")
            writer.instant(openedAt)
        }
        writer.endObject()
        writer.endObject()
    }

    static func write(_ delivery: DeliveryView, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id")
        writer.integer(delivery.id)
        writer.key("webhook")
        writer.string(delivery.webhook.rawValue)
        writer.key("event_seq")
        writer.integer(delivery.eventSeq)
        writer.key("event_type")
        writer.string(delivery.eventType)
        writer.key("state")
        writer.string(delivery.state.rawValue)
        writer.key("attempts")
        writer.integer(delivery.attempts)
        writer.key("created_at")
        writer.instant(delivery.createdAt)
        for (name, instant) in [
            ("next_attempt_at", delivery.nextAttemptAt), ("last_attempt_at", delivery.lastAttemptAt),
        ] {
            guard let instant else { continue }
            writer.key(name)
            writer.instant(instant)
        }
        if let status = delivery.lastStatus {
            writer.key("last_status")
            writer.integer(status)
        }
        if let error = delivery.lastError {
            writer.key("last_error")
            writer.string(error)
        }
        writer.endObject()
    }

    /// The replies of `subscribe`, `unsubscribe` and the webhook ops.
    static func writeEventReply(_ body: ReplyBody, to writer: inout JSONWriter) {
        switch body {
        case .subscription(let fromSeq, let headSeq, let journal):
            writer.key("subscription")
            writer.beginObject()
            writer.key("from_seq")
            writer.integer(fromSeq)
            writer.key("head_seq")
            writer.integer(headSeq)
            writer.key("journal")
            writer.string(journal)
            writer.endObject()
        case .unsubscribed(let lastSeq):
            writer.key("unsubscribed")
            writer.beginObject()
            writer.key("last_seq")
            writer.integer(lastSeq)
            writer.endObject()
        case .webhook(let view):
            writer.key("webhook")
            write(view, to: &writer)
        case .webhooks(let views):
            writer.key("webhooks")
            writer.beginArray()
            for view in views where !writer.isOverLimit { write(view, to: &writer) }
            writer.endArray()
        case .webhookDeleted(let id):
            writer.key("deleted")
            writer.beginObject()
            writer.key("webhook")
            writer.string(id.rawValue)
            writer.endObject()
        case .deliveries(let views, let truncated):
            writer.key("deliveries")
            writer.beginArray()
            for view in views where !writer.isOverLimit { write(view, to: &writer) }
            writer.endArray()
            writer.key("truncated")
            writer.bool(truncated)
        case .delivery(let view):
            writer.key("delivery")
            write(view, to: &writer)
        default:
            preconditionFailure("not an event or webhook reply")
        }
    }
}
