import SlotDomain

/// What `subscribe` asks for: which events, from where. The connection that sent it then carries event lines.
public struct SubscriptionRequest: Hashable, Sendable {
    /// The resources whose events are sent; nil: every resource `tenant` covers.
    public var resources: [ResourceID]?
    /// The event types sent; nil: every type.
    public var types: Set<ChangeEvent.Kind>?
    /// The last `seq` the client has seen: events after it are sent. Nil: from the head (only new events).
    public var fromSeq: UInt64?
    /// The journal `fromSeq` was counted in (the `journal` of an earlier subscription's reply): a server restored
    /// from a snapshot numbers events anew, so a cursor from before is refused rather than misread.
    public var journal: String?
    /// With `resources == nil`, the tenant whose resources the subscription covers: the token's, or the one the
    /// request named. Nil covers every resource on the server; only a request that may name any tenant (a token
    /// without one, or no authentication) gets nil, and then only by naming none.
    public var tenant: TenantID?

    public init(
        resources: [ResourceID]?, types: Set<ChangeEvent.Kind>?, fromSeq: UInt64?, journal: String? = nil,
        tenant: TenantID? = nil
    ) {
        self.resources = resources
        self.types = types
        self.fromSeq = fromSeq
        self.journal = journal
        self.tenant = tenant
    }

    /// Whether `event` goes to this subscriber: its type is wanted, and its resource is named (a group event's
    /// members count: a subscriber to any member's resource sees it) or, with `resources == nil`, in `tenant`.
    /// The server applies this to every event it fans out; nothing else filters.
    public func matches(_ event: ChangeEvent) -> Bool {
        if let types, !types.contains(event.kind) { return false }
        guard let resources else {
            guard let tenant else { return true }
            return event.resource.tenant == tenant
        }
        if resources.contains(event.resource) { return true }
        return event.members.contains { resources.contains($0.id.resource) }
    }
}

/// A webhook endpoint's id: `wh_` and 16 lowercase hexadecimal digits, made by the outbox.
public struct WebhookID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// Nil unless `text` has exactly that form.
    public init?(_ text: String) {
        guard PrefixedHexID.isValid(text, prefix: Self.prefix) else { return nil }
        rawValue = text
    }

    static let prefix = "wh_"

    public var description: String { rawValue }
}

/// What `create_webhook` asks for, as given: the URL's syntax is checked here, its address (private networks)
/// by the outbox's policy when the webhook is created.
public struct WebhookSpec: Hashable, Sendable {
    public var url: String
    /// Nil: every event type.
    public var types: Set<ChangeEvent.Kind>?
    /// Nil: every resource `tenant` covers (as for `SubscriptionRequest`).
    public var resources: [ResourceID]?
    /// Nil: the server generates one.
    public var secret: String?
    /// The tenant the webhook belongs to: the token's, or the one the request named; nil for none (every tenant).
    public var tenant: TenantID?

    public init(
        url: String, types: Set<ChangeEvent.Kind>?, resources: [ResourceID]?, secret: String?,
        tenant: TenantID? = nil
    ) {
        self.url = url
        self.types = types
        self.resources = resources
        self.secret = secret
        self.tenant = tenant
    }
}

/// Where a webhook delivery stands: waiting for its first attempt or after a redeliver, failed and waiting for a
/// retry, delivered, or given up after the maximum age (kept for `redeliver`).
public enum DeliveryState: String, Hashable, Sendable, CaseIterable {
    case pending
    case failed
    case delivered
    case dead
}
