import Foundation
import SlotDomain

/// The request's `id`, echoed back unchanged: a string or a number (or null when it was missing or unreadable).
public enum RequestID: Hashable, Sendable {
    case null
    case integer(Int64)
    case number(Double)
    case string(String)

    public func write(to writer: inout JSONWriter) {
        switch self {
        case .null: writer.null()
        case .integer(let value): writer.integer(value)
        case .number(let value): writer.double(value)
        case .string(let value): writer.string(value)
        }
    }
}

/// A decoded, validated request: every field has its type, range and format checked at the edge, so the server
/// and domain work on sanitized values only.
public struct Request: Sendable {
    public var id: RequestID
    public var operation: Operation
    /// The request's `tz`: the reply shows its instants in this zone too.
    public var displayZone: TimeZone?
    /// The request's `trace`, echoed in the reply and logged with it; a batch's ops have none of their own.
    public var trace: TraceParent?

    public init(id: RequestID, operation: Operation, displayZone: TimeZone? = nil, trace: TraceParent? = nil) {
        self.id = id
        self.operation = operation
        self.displayZone = displayZone
        self.trace = trace
    }
}

public enum Operation: Sendable {
    case ping
    /// With the rule layers given at creation (`weekly_hours`, `min_notice_minutes`, `max_bookings_per_day`).
    case createResource(ResourceSettings, rules: [RuleChange], idempotency: IdempotencyStamp?)
    case getResource(ResourceID)
    /// The resources of one tenant (nil: those in no tenant).
    case listResources(tenant: TenantID?, after: ResourceID?, limit: Int)
    /// `hold` and `book` (`command.confirm`).
    case hold(ResourceID, HoldCommand)
    case transition(BookingID, BookingAction, actor: String, idempotency: IdempotencyStamp?)
    case getBooking(BookingID)
    /// `customer`: only that customer's (the request's token is bound to it).
    case listBookings(ResourceID, from: Instant, to: Instant, after: BookingID?, limit: Int, customer: String?)
    case availability(ResourceID, from: Instant, to: Instant, durationMinutes: Int)
    /// `hold` or `book` on every resource or on none (`resources`), or on the first free one of a pool (`pool`).
    case holdMany([ResourceID], HoldCommand, pool: Bool)
    /// `all`: starts at which every resource is free; `any`: starts at which at least one is (a pool).
    case multiAvailability([ResourceID], all: Bool, from: Instant, to: Instant, durationMinutes: Int)
    case snapshot
    /// Counts over one tenant's resources, or over every resource (nil).
    case stats(tenant: TenantID?)
    /// The last `seconds` per-second samples of the server's activity (`slotctl top`).
    case monitor(seconds: Int)
    case changeRules(ResourceID, RuleRequest, actor: String, idempotency: IdempotencyStamp?)
    case getRules(ResourceID)
    case bookSeries(ResourceID, SeriesCommand)
    /// The active occurrences of a series (named by its first booking) from `from` (default now) on.
    case cancelSeries(BookingID, from: Instant?, reason: String?, actor: String, idempotency: IdempotencyStamp?)
    case waitlistJoin(ResourceID, TimeRange, customer: String, actor: String, idempotency: IdempotencyStamp?)
    case waitlistLeave(WaitlistEntryID, actor: String, idempotency: IdempotencyStamp?)
    case waitlistStatus(WaitlistEntryID)
    /// Everyone waiting on a resource, in queue order.
    case waitlistQueue(ResourceID, customer: String?)
    case getGroup(GroupID)
    /// `confirm_group`, `cancel_group`, `reschedule_group`: every member, or none.
    case groupTransition(GroupID, BookingAction, actor: String, idempotency: IdempotencyStamp?)
    case batch(Batch)
    /// Authenticates the connection with a token's secret; handled by the connection, not dispatched.
    case auth(secret: String)
    case createToken(TokenRequest)
    case listTokens
    case revokeToken(TokenID)
    /// Replaces one customer's personal data (in `tenant`) everywhere slotd keeps it, then rewrites the files.
    case eraseCustomer(customer: String, tenant: TenantID?)
    /// Starts (or replaces) this connection's event stream; handled with the connection, which then carries event
    /// lines between replies.
    case subscribe(SubscriptionRequest)
    /// Ends this connection's event stream.
    case unsubscribe
    case createWebhook(WebhookSpec)
    /// The webhooks of one tenant; nil (a request in no tenant): every webhook.
    case listWebhooks(tenant: TenantID?)
    /// `tenant` as in `listWebhooks`: a webhook of another tenant is `unknown_webhook`.
    case getWebhook(WebhookID, tenant: TenantID?)
    case deleteWebhook(WebhookID, tenant: TenantID?)
    /// A webhook's deliveries, newest first, in one state or in any (nil).
    case listDeliveries(WebhookID, state: DeliveryState?, limit: Int, tenant: TenantID?)
    /// Sends a delivery again (delivered or dead ones); `tenant` as in `listWebhooks`, through its webhook.
    case redeliver(delivery: Int64, tenant: TenantID?)

    public var name: String {
        switch self {
        case .ping: "ping"
        case .createResource: "create_resource"
        case .getResource: "get_resource"
        case .listResources: "list_resources"
        case .hold(_, let command), .holdMany(_, let command, _): command.confirm ? "book" : "hold"
        case .transition(_, let action, _, _):
            switch action {
            case .confirm: "confirm"
            case .cancel: "cancel"
            case .reschedule: "reschedule"
            case .complete: "complete"
            case .noShow: "no_show"
            }
        case .getBooking: "get_booking"
        case .listBookings: "list_bookings"
        case .availability, .multiAvailability: "availability"
        case .snapshot: "snapshot"
        case .stats: "stats"
        case .monitor: "monitor"
        case .changeRules(_, let request, _, _):
            switch request {
            case .weeklyHours: "set_weekly_hours"
            case .override(_, nil): "clear_override"
            case .override: "set_override"
            case .addBlock: "add_block"
            case .removeBlock: "remove_block"
            case .limits: "set_limits"
            }
        case .getRules: "get_rules"
        case .bookSeries: "book_series"
        case .cancelSeries: "cancel_series"
        case .waitlistJoin: "waitlist_join"
        case .waitlistLeave: "waitlist_leave"
        case .waitlistStatus, .waitlistQueue: "waitlist_status"
        case .getGroup: "get_group"
        case .groupTransition(_, let action, _, _): action.groupOperation
        case .batch: "batch"
        case .auth: "auth"
        case .createToken: "create_token"
        case .listTokens: "list_tokens"
        case .revokeToken: "revoke_token"
        case .eraseCustomer: "erase_customer"
        case .subscribe: "subscribe"
        case .unsubscribe: "unsubscribe"
        case .createWebhook: "create_webhook"
        case .listWebhooks: "list_webhooks"
        case .getWebhook: "get_webhook"
        case .deleteWebhook: "delete_webhook"
        case .listDeliveries: "list_deliveries"
        case .redeliver: "redeliver"
        }
    }
}

/// Errors that belong to the wire rather than the domain.
public enum WireCode: String, Sendable, CaseIterable {
    case badJSON = "bad_json"
    case unknownOp = "unknown_op"
    case lineTooLong = "line_too_long"
    case overloaded
    case replyTooLarge = "reply_too_large"
    case idleTimeout = "idle_timeout"
    case lineTimeout = "line_timeout"
    case tooManyResources = "too_many_resources"
    case batchRefused = "batch_refused"
    /// No valid token yet on a connection that needs one, or a wrong, revoked or expired secret.
    case unauthenticated
    /// The token's role may not use the op, or the request names a tenant or customer that is not the token's.
    case forbidden
    case rateLimited = "rate_limited"
    /// `subscribe` from a `from_seq` older than the oldest event still kept (details `oldest_seq`).
    case cursorExpired = "cursor_expired"
    /// A webhook id no webhook has (or one of another tenant's).
    case unknownWebhook = "unknown_webhook"
    /// A delivery id no delivery has (or one of another tenant's webhook).
    case unknownDelivery = "unknown_delivery"
    /// `create_webhook` when the server already keeps as many webhooks as it may.
    case tooManyWebhooks = "too_many_webhooks"
    /// `create_webhook` with a URL to loopback, a private network or a link-local address, which slotd calls only
    /// when started with `--allow-private-webhooks`.
    case privateWebhookURL = "private_webhook_url"
    case `internal`
}

/// An error reply's content: a stable snake_case code, a sentence for people, and string details.
public struct WireError: Error, Hashable, Sendable {
    public var code: String
    public var message: String
    public var details: [String: String]
    public var instantDetails: [String: Instant]
    /// For `series_conflict`: the occurrences that cannot be booked.
    public var conflicts: [SeriesConflict] = []
    /// For `batch_refused`: the refused op's place in the batch (from 0).
    public var index: Int?
    /// For `batch_refused`: the refused op's own error (at most one; an array only because a struct cannot hold
    /// itself).
    public var causes: [WireError] = []

    public init(
        code: String, message: String, details: [String: String] = [:], instantDetails: [String: Instant] = [:]
    ) {
        self.code = code
        self.message = message
        self.details = details
        self.instantDetails = instantDetails
    }

    public init(_ code: WireCode, _ message: String, details: [String: String] = [:]) {
        self.init(code: code.rawValue, message: message, details: details)
    }

    public init(_ rejection: Rejection) {
        self.init(
            code: rejection.code.rawValue, message: rejection.message, details: rejection.details,
            instantDetails: rejection.instantDetails)
        conflicts = rejection.conflicts
    }

    /// A reply that would be longer than `limitBytes` (`ServerConfiguration.replyBytesMax`).
    public static func replyTooLarge(limitBytes: Int) -> WireError {
        WireError(
            .replyTooLarge,
            "the reply would be longer than \(limitBytes) bytes; ask for a shorter range, fewer resources or a "
                + "smaller limit",
            details: ["limit_bytes": String(limitBytes)])
    }

    /// `subscribe` from `fromSeq`, when events after it are no longer all kept (the oldest kept is `oldestSeq`): the
    /// client cannot learn what it missed from the stream, so it reads the state again and starts from the head.
    public static func cursorExpired(fromSeq: UInt64, oldestSeq: UInt64) -> WireError {
        WireError(
            .cursorExpired,
            "from_seq \(fromSeq) is too old: the oldest event still kept is \(oldestSeq); reread the state you "
                + "need, then subscribe without from_seq",
            details: ["oldest_seq": String(oldestSeq)])
    }

    /// `subscribe` with a cursor counted in another journal (this server was restored from a snapshot since, and
    /// numbers events anew): like an expired cursor, the client rereads the state and starts from the head.
    public static func journalChanged(given: String, current: String, oldestSeq: UInt64) -> WireError {
        WireError(
            .cursorExpired,
            "from_seq was counted in journal \(given), and this server's events are numbered in journal \(current) "
                + "(it was restored from a snapshot); reread the state you need, then subscribe without from_seq",
            details: ["oldest_seq": String(oldestSeq), "journal": current])
    }

    public static func unknownWebhook(_ id: WebhookID) -> WireError {
        WireError(.unknownWebhook, "no webhook \(id)", details: ["webhook": id.rawValue])
    }

    public static func unknownDelivery(_ id: Int64) -> WireError {
        WireError(.unknownDelivery, "no delivery \(id)", details: ["delivery": String(id)])
    }

    /// `limit` is the outbox's most webhooks.
    public static func tooManyWebhooks(limit: Int) -> WireError {
        WireError(
            .tooManyWebhooks, "slotd already keeps \(limit) webhooks; delete one first",
            details: ["limit": String(limit)])
    }

    public static func invalid(_ field: String, _ message: String) -> WireError {
        WireError(Rejection.invalid(field, message))
    }

    /// An atomic batch refused as a whole because op `index` (named `op`) was.
    public static func batchRefused(index: Int, op: String, cause: WireError) -> WireError {
        var error = WireError(.batchRefused, "op \(index) (\(op)) was refused, so none ran: \(cause.message)")
        error.index = index
        error.causes = [cause]
        return error
    }
}
