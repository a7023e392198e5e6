import SlotAuth
import SlotDomain
import SlotWire
import Testing

/// Who may follow the event stream and manage webhooks (docs/PROTOCOL.md §16, the role matrix).
@Suite struct EventAccessTests {
    static func token(_ role: Role, tenant: TenantID? = nil, customer: String? = nil) -> TokenRecord {
        TokenRecord(
            id: TokenID(number: 1), name: "t", role: role, tenant: tenant, customer: customer,
            createdAt: Instant(secondsSinceEpoch: 0), expiresAt: nil, secretHash: Array(repeating: 0, count: 32))
    }

    static let webhook = WebhookID("wh_0123456789abcdef")!
    static let subscribe = Operation.subscribe(SubscriptionRequest(resources: nil, types: nil, fromSeq: nil))
    static let webhookOps: [Operation] = [
        .createWebhook(WebhookSpec(url: "https://e.com", types: nil, resources: nil, secret: nil)),
        .listWebhooks(tenant: nil), .getWebhook(webhook, tenant: nil), .deleteWebhook(webhook, tenant: nil),
        .listDeliveries(webhook, state: nil, limit: 10, tenant: nil), .redeliver(delivery: 1, tenant: nil),
    ]

    /// The stream needs the role that may list bookings: it shows them all as they change.
    @Test func theStreamNeedsAClient() {
        for operation in [Self.subscribe, .unsubscribe] {
            #expect(
                AccessPolicy.requiredRole(operation)
                    == AccessPolicy.requiredRole(
                        .listBookings(
                            ResourceID("r")!, from: Instant(secondsSinceEpoch: 0), to: Instant(secondsSinceEpoch: 1),
                            after: nil,
                            limit: 1, customer: nil)))
            #expect(AccessPolicy.refusal(operation, token: Self.token(.reader))?.code == "forbidden")
            #expect(AccessPolicy.refusal(operation, token: Self.token(.client)) == nil)
            #expect(AccessPolicy.refusal(operation, token: Self.token(.client, tenant: TenantID("acme"))) == nil)
            #expect(AccessPolicy.refusal(operation, token: Self.token(.operator)) == nil)
            #expect(AccessPolicy.refusal(operation, token: nil) == nil, "no authentication, no refusal")
        }
    }

    /// Events carry every customer's bookings: a token bound to one customer gets none of them.
    @Test func aTokenBoundToACustomerMayNotSubscribe() throws {
        let bound = Self.token(.client, customer: "ana")
        let refusal = try #require(AccessPolicy.refusal(Self.subscribe, token: bound))
        #expect(refusal.code == "forbidden")
        #expect(refusal.details["op"] == "subscribe")
        #expect(AccessPolicy.refusal(.unsubscribe, token: bound)?.code == "forbidden")
        // Its other ops are unchanged.
        #expect(
            AccessPolicy.refusal(
                .getGroup(GroupID(lead: BookingID(resource: ResourceID("r")!, sequence: 1))),
                token: bound) == nil)
    }

    @Test(arguments: webhookOps)
    func webhooksNeedAnOperator(operation: Operation) {
        #expect(AccessPolicy.requiredRole(operation) == .operator)
        #expect(AccessPolicy.refusal(operation, token: Self.token(.client))?.details["required_role"] == "operator")
        #expect(AccessPolicy.refusal(operation, token: Self.token(.reader))?.code == "forbidden")
        #expect(AccessPolicy.refusal(operation, token: Self.token(.operator, tenant: TenantID("acme"))) == nil)
        #expect(AccessPolicy.refusal(operation, token: Self.token(.admin)) == nil)
    }
}
