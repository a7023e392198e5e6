import SlotDomain
import SlotOutbox
import SlotWire

/// The webhook ops (`create_webhook`, `list_webhooks`, `get_webhook`, `delete_webhook`, `list_deliveries`,
/// `redeliver`), answered by the outbox. A request confined to a tenant sees only that tenant's webhooks: another
/// tenant's is `unknown_webhook`, as one that does not exist.
extension Dispatcher {
    func handleWebhook(_ operation: Operation) async -> Outcome {
        guard let webhooks else {
            return Outcome(
                reply: .failure(.invalid("op", "webhooks are not served by this server")), awaitedSequence: 0)
        }
        do {
            return Outcome(reply: try await webhooks.answer(operation), awaitedSequence: 0)
        } catch {
            webhooks.outbox.logger.error("the webhook outbox failed", metadata: ["error": "\(error)"])
            return Outcome(reply: .failure(WireError(.internal, "the webhook outbox failed")), awaitedSequence: 0)
        }
    }
}

/// What the dispatcher needs for the webhook ops: the outbox, and the newest event (a new webhook gets the events
/// committed after it).
struct WebhookOps: Sendable {
    let outbox: Outbox
    let events: EventHub

    func answer(_ operation: Operation) async throws -> Result<ReplyBody, WireError> {
        let now = Outbox.now()
        switch operation {
        case .createWebhook(let spec):
            return try await create(spec, now: now)
        case .listWebhooks(let tenant):
            var views: [WebhookView] = []
            // A request in no tenant sees every webhook, as `get_webhook` does.
            for endpoint in try await outbox.endpoints(inTenant: tenant.map { .some($0) } ?? nil) {
                if let status = try await outbox.status(of: endpoint.id) { views.append(Self.view(status)) }
            }
            return .success(.webhooks(views))
        case .getWebhook(let id, let tenant):
            guard let status = try await status(id, tenant: tenant) else { return .failure(.unknownWebhook(id)) }
            return .success(.webhook(Self.view(status)))
        case .deleteWebhook(let id, let tenant):
            guard try await status(id, tenant: tenant) != nil, try await outbox.delete(id.rawValue) else {
                return .failure(.unknownWebhook(id))
            }
            return .success(.webhookDeleted(id))
        case .listDeliveries(let id, let state, let limit, let tenant):
            guard try await status(id, tenant: tenant) != nil else { return .failure(.unknownWebhook(id)) }
            // One more than asked for tells whether the list was cut.
            let listed = try await outbox.deliveries(
                of: id.rawValue, state: state.flatMap { Delivery.State(rawValue: $0.rawValue) }, limit: limit + 1)
            return .success(.deliveries(listed.prefix(limit).compactMap(Self.view), truncated: listed.count > limit))
        case .redeliver(let id, let tenant):
            guard let delivery = try await outbox.delivery(id), let webhook = WebhookID(delivery.webhook),
                try await status(webhook, tenant: tenant) != nil,
                let redelivered = try await outbox.redeliver(id, now: now), let view = Self.view(redelivered)
            else { return .failure(.unknownDelivery(id)) }
            return .success(.delivery(view))
        default:
            preconditionFailure("\(operation.name) is not a webhook op")
        }
    }

    private func create(_ spec: WebhookSpec, now: Instant) async throws -> Result<ReplyBody, WireError> {
        let created = try await outbox.create(
            url: spec.url, secret: spec.secret, types: spec.types.map { $0.sorted { $0.rawValue < $1.rawValue } },
            resources: spec.resources, tenant: spec.tenant, head: events.head, now: now)
        switch created {
        case .success(let endpoint):
            guard let status = try await outbox.status(of: endpoint.id) else {
                preconditionFailure("a webhook just created is gone")
            }
            var view = Self.view(status)
            view.secret = endpoint.secret
            return .success(.webhook(view))
        case .failure(.url(let refusal)):
            return .failure(WireError(code: refusal.code.rawValue, message: refusal.message, details: ["field": "url"]))
        case .failure(.secret):
            return .failure(.invalid("secret", "a whsec_ secret must be base64 after its prefix"))
        case .failure(.limit(.tooManyWebhooks(let max))):
            return .failure(.tooManyWebhooks(limit: max))
        }
    }

    /// The webhook `id`, if it exists and the request may see it (its tenant, or any for a request in none).
    private func status(_ id: WebhookID, tenant: TenantID?) async throws -> Outbox.EndpointStatus? {
        guard let status = try await outbox.status(of: id.rawValue) else { return nil }
        if let tenant, status.endpoint.tenant != tenant { return nil }
        return status
    }

    static func view(_ status: Outbox.EndpointStatus) -> WebhookView {
        let endpoint = status.endpoint
        let breaker: WebhookView.Breaker
        switch status.breaker.state {
        case .closed:
            breaker = .init(state: .closed, consecutiveFailures: status.breaker.consecutiveFailures, openedAt: nil)
        case .open(let since):
            breaker = .init(state: .open, consecutiveFailures: status.breaker.consecutiveFailures, openedAt: since)
        case .halfOpen:
            breaker = .init(state: .halfOpen, consecutiveFailures: status.breaker.consecutiveFailures, openedAt: nil)
        }
        let counts = status.counts
        return WebhookView(
            id: WebhookID(endpoint.id) ?? { preconditionFailure("a stored webhook id is malformed") }(),
            url: endpoint.url, types: endpoint.types.map(Set.init), resources: endpoint.resources,
            tenant: endpoint.tenant, createdAt: endpoint.createdAt,
            deliveries: .init(
                delivered: counts.delivered, pending: counts.pending, failed: counts.failed, dead: counts.dead),
            breaker: breaker)
    }

    static func view(_ delivery: Delivery) -> DeliveryView? {
        guard let webhook = WebhookID(delivery.webhook), let state = DeliveryState(rawValue: delivery.state.rawValue)
        else { return nil }
        return DeliveryView(
            id: delivery.id, webhook: webhook, eventSeq: delivery.eventSeq, eventType: delivery.eventType, state: state,
            attempts: delivery.attempts, createdAt: delivery.createdAt, nextAttemptAt: delivery.nextAttemptAt,
            lastAttemptAt: delivery.lastAttemptAt, lastStatus: delivery.lastStatus, lastError: delivery.lastError)
    }
}
