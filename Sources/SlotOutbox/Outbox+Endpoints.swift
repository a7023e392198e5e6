import SlotDomain

/// The operators' side of the outbox: the ops `create_webhook`, `list_webhooks`, `get_webhook`,
/// `delete_webhook`, `list_deliveries` and `redeliver` end here.
extension Outbox {
    /// Why an endpoint was not created: its URL, or the number of endpoints.
    public enum CreationRefusal: Error, Hashable, Sendable {
        case url(WebhookURLRefusal)
        /// A `whsec_` secret whose rest is not base64: nothing could be signed with it.
        case secret
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
            if let secret, WebhookSigner(secret: secret) == nil { return .failure(.secret) }
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

    /// Gives up, in one statement, every delivery past its maximum age that is still waiting: those of an endpoint
    /// whose breaker is open are never attempted, so the schedule alone would never say they are dead.
    func expireOverdue(now: Instant) throws {
        let expired = try store.expireOverdue(now: now, maxAgeSeconds: configuration.schedule.maxAgeSeconds)
        for _ in 0..<expired { observer.attempted(.dead) }
        if expired > 0 {
            logger.warning("webhook deliveries dead: past their maximum age", metadata: ["count": "\(expired)"])
        }
    }

    /// Closes the outbox's files (at shutdown, once no attempt is in flight).
    func close() {
        store.close()
        reader.close()
    }

    /// Sends a dead or delivered delivery again, now; nil when there is none.
    public func redeliver(_ id: Int64, now: Instant) throws -> Delivery? {
        let delivery = try store.redeliver(id, now: now)
        if delivery != nil { try reportGauges() }
        return delivery
    }
}
