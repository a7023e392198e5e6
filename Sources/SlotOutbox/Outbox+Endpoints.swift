import SlotDomain

/// The operators' side of the outbox: the ops `create_webhook`, `list_webhooks`, `get_webhook`,
/// `delete_webhook`, `list_deliveries` and `redeliver` end here.
extension Outbox {
    /// Why an endpoint was not created: its URL, or the number of endpoints.
    public enum CreationRefusal: Error, Hashable, Sendable {
        case url(WebhookURLRefusal)
        case limit(OutboxRejection)
    }

    /// An endpoint with what `get_webhook` shows of its deliveries and its breaker.
    public struct EndpointStatus: Sendable {
        public var endpoint: WebhookEndpoint
        public var counts: DeliveryCounts
        public var breaker: CircuitBreaker
    }

    /// A new endpoint receiving the events committed after `head`. Its URL is checked here (scheme, host,
    /// private addresses); the host a name resolves to is checked again at each delivery.
    public func create(
        url text: String, secret: String?, types: [ChangeEvent.Kind]?, resources: [ResourceID]?, tenant: TenantID?,
        head: UInt64, now: Instant
    ) throws -> Result<WebhookEndpoint, CreationRefusal> {
        switch WebhookURLPolicy.check(text, allowPrivate: configuration.allowsPrivateURLs) {
        case .failure(let refusal):
            return .failure(.url(refusal))
        case .success:
            let created = try store.createWebhook(
                url: text, secret: secret, types: types, resources: resources, tenant: tenant, startingAfter: head,
                at: now)
            if case .success(let endpoint) = created {
                logger.info("webhook created", metadata: ["webhook.id": .string(endpoint.id), "url": .string(text)])
            }
            return created.mapError { .limit($0) }
        }
    }

    /// Every endpoint, oldest first; `tenant` keeps only those of one tenant (nil: those in no tenant).
    public func endpoints(inTenant tenant: TenantID??) throws -> [WebhookEndpoint] {
        let all = try store.webhooks()
        guard let tenant else { return all }
        return all.filter { $0.tenant == tenant }
    }

    public func status(of id: String) throws -> EndpointStatus? {
        guard let endpoint = try store.webhook(id: id) else { return nil }
        return EndpointStatus(endpoint: endpoint, counts: try store.counts(webhook: id), breaker: breaker(id))
    }

    /// Deletes the endpoint and its deliveries; one in flight finishes, and its answer is dropped.
    public func delete(_ id: String) throws -> Bool {
        guard try store.deleteWebhook(id: id) else { return false }
        breakers[id] = nil
        logger.info("webhook deleted", metadata: ["webhook.id": .string(id)])
        try reportGauges()
        return true
    }

    public func deliveries(of webhook: String, state: Delivery.State?, limit: Int) throws -> [Delivery] {
        try store.deliveries(webhook: webhook, state: state, limit: limit)
    }

    public func delivery(_ id: Int64) throws -> Delivery? {
        try store.delivery(id: id)
    }

    /// Sends a dead or delivered delivery again, now; nil when there is none.
    public func redeliver(_ id: Int64, now: Instant) throws -> Delivery? {
        let delivery = try store.redeliver(id, now: now)
        if delivery != nil { try reportGauges() }
        return delivery
    }
}
