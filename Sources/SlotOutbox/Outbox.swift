import Foundation
import Logging
import SlotDomain
import SlotJournal

/// The webhooks' one owner: the endpoints and deliveries (`OutboxStore`), each endpoint's circuit breaker and the
/// deliveries in flight. The operators' ops and the dispatcher both go through it, one at a time. Its SQLite
/// writes are short (a delivery's row, a batch of answers in one transaction), and it runs beside the journal,
/// never inside a commit.
public actor Outbox {
    public struct Configuration: Sendable {
        public var store = OutboxStore.Configuration()
        /// When failed deliveries are tried again, and when they are given up (`dead`).
        public var schedule = RetrySchedule()
        /// Consecutive failures of one endpoint that open its breaker.
        public var breakerFailuresMax = CircuitBreaker().failureThreshold
        /// How long an open breaker waits before it lets one probe through.
        public var breakerCoolDownSeconds = CircuitBreaker().coolDownSeconds
        /// Deliveries being sent at once, in all and to one endpoint.
        public var deliveriesInFlightMax = 32
        public var deliveriesInFlightPerEndpointMax = 4
        /// Events read from the journal at a time for one endpoint.
        public var eventsReadPerEndpointMax = 1_000
        /// URLs on loopback or private networks are refused unless this is set (`--allow-private-webhooks`).
        public var allowsPrivateURLs = false

        public init() {}
    }

    /// One delivery handed to the dispatcher to send.
    public struct Claim: Sendable {
        public var delivery: Delivery
        public var outgoing: OutgoingDelivery
        /// The endpoint's breaker was half-open: this attempt is its probe.
        public var isProbe: Bool
    }

    public let configuration: Configuration
    let store: OutboxStore
    let reader: EventReader
    let observer: OutboxObserver
    public nonisolated let logger: Logger
    var breakers: [String: CircuitBreaker] = [:]
    var inFlight: [String: Int] = [:]
    /// The deliveries being sent: still due in the store until their answer is recorded, and not claimed twice.
    var claimed: Set<Int64> = []
    private var random = SystemRandomNumberGenerator()

    /// Opens `outbox.sqlite` in `directory`, beside the journal whose events `reader` reads.
    public init(
        directory: URL, reader: EventReader, configuration: Configuration = .init(), observer: OutboxObserver = .init(),
        logger: Logger
    ) throws {
        store = try OutboxStore(directory: directory, configuration: configuration.store)
        self.reader = reader
        self.configuration = configuration
        self.observer = observer
        self.logger = logger
    }

    /// The time deliveries are scheduled by: real time, since receivers check `webhook-timestamp` against theirs.
    public static func now() -> Instant {
        Instant(secondsSinceEpoch: Int64(Date().timeIntervalSince1970.rounded(.down)))
    }

    func breaker(_ webhook: String) -> CircuitBreaker {
        breakers[webhook]
            ?? CircuitBreaker(
                failureThreshold: configuration.breakerFailuresMax,
                coolDownSeconds: configuration.breakerCoolDownSeconds)
    }

    // MARK: The dispatcher's steps

    /// Creates the deliveries of every endpoint for the events committed after its cursor (and at most `through`),
    /// up to `eventsReadPerEndpointMax` per endpoint. Returns whether any endpoint has more to read.
    func enqueueCommitted(now: Instant, through: UInt64 = .max) throws -> Bool {
        var more = false
        for endpoint in try store.webhooks() where endpoint.cursor < through {
            let events = try reader.events(
                after: endpoint.cursor, through: through, limit: configuration.eventsReadPerEndpointMax)
            guard let first = events.first, let last = events.last else { continue }
            if first.seq > endpoint.cursor + 1 {
                // Compaction deleted them before they were read: a dispatcher far behind (the outbox failing for
                // longer than two snapshots apart). Said loudly, as they are never sent.
                logger.error(
                    "webhook events compacted away before they were enqueued; they are not sent",
                    metadata: [
                        "webhook.id": .string(endpoint.id), "event.first_missing": "\(endpoint.cursor + 1)",
                        "event.last_missing": "\(first.seq - 1)",
                    ])
            }
            more = more || events.count == configuration.eventsReadPerEndpointMax
            let matching = events.filter {
                endpoint.accepts($0.kind, resource: $0.resource, memberResources: $0.memberResources)
            }
            try store.enqueue(
                webhook: endpoint.id, deliveries: matching.map { ($0.seq, $0.kind.rawValue, $0.body) },
                cursorThrough: last.seq, at: now)
        }
        return more
    }

    /// The deliveries due now that may be sent: within the in-flight limits, and not to an endpoint whose breaker
    /// is open. An endpoint whose breaker's cool-down is over gets one delivery through, its probe.
    func claimDue(now: Instant) throws -> [Claim] {
        let room = configuration.deliveriesInFlightMax - inFlight.values.reduce(0, +)
        guard room > 0 else { return [] }
        let endpoints = Set(try store.webhooks().map(\.id))
        let notClosed = Set(
            breakers.compactMap { id, breaker -> String? in
                if case .closed = breaker.state { return nil }
                return id
            })
        var claims: [Claim] = []
        for webhook in notClosed.sorted() where inFlight[webhook, default: 0] == 0 && claims.count < room {
            // Asked only with a delivery due: a breaker that let a probe through waits for its answer.
            guard
                let delivery = try store.due(now: now, limit: 1, excluding: endpoints.subtracting([webhook])).first,
                !claimed.contains(delivery.id)
            else { continue }
            var breaker = breaker(webhook)
            let before = breaker.state
            let permission = breaker.mayAttempt(now: now)
            breakers[webhook] = breaker
            guard case .probe = permission else { continue }
            logTransition(webhook, from: before, to: breaker.state)
            if let claim = try claim(delivery, isProbe: true, now: now) { claims.append(claim) }
        }
        var full = notClosed
        for (webhook, count) in inFlight where count >= configuration.deliveriesInFlightPerEndpointMax {
            full.insert(webhook)
        }
        let due = try store.due(now: now, limit: room + claimed.count, excluding: full)
        for delivery in due where claims.count < room && !claimed.contains(delivery.id) {
            guard inFlight[delivery.webhook, default: 0] < configuration.deliveriesInFlightPerEndpointMax else {
                continue
            }
            if let claim = try claim(delivery, isProbe: false, now: now) { claims.append(claim) }
        }
        return claims
    }

    /// The claim to send `delivery`; nil, with the attempt recorded as failed, when its endpoint can no longer be
    /// sent to as stored (its URL refused by a policy the flags changed since it was created).
    private func claim(_ delivery: Delivery, isProbe: Bool, now: Instant) throws -> Claim? {
        guard let endpoint = try store.webhook(id: delivery.webhook) else { return nil }
        let url: WebhookURL
        switch WebhookURLPolicy.check(endpoint.url, allowPrivate: configuration.allowsPrivateURLs) {
        case .success(let checked): url = checked
        case .failure(let refusal):
            _ = try store.recordAttempts(
                [(id: delivery.id, outcome: .failed(status: nil, reason: refusal.message))], at: now,
                schedule: configuration.schedule, random: &random)
            return nil
        }
        guard let signer = WebhookSigner(secret: endpoint.secret) else {
            preconditionFailure("webhook \(endpoint.id) holds a secret its own checks refuse")
        }
        inFlight[delivery.webhook, default: 0] += 1
        claimed.insert(delivery.id)
        return Claim(
            delivery: delivery,
            outgoing: OutgoingDelivery(
                url: url, messageID: delivery.messageID, timestampSeconds: Self.now().secondsSinceEpoch,
                body: delivery.body, signer: signer),
            isProbe: isProbe)
    }

    /// Records what an attempt came to: the delivery's next state and the endpoint's breaker.
    func finish(_ claim: Claim, _ outcome: AttemptOutcome, now: Instant) throws {
        let webhook = claim.delivery.webhook
        inFlight[webhook, default: 1] -= 1
        if inFlight[webhook] == 0 { inFlight[webhook] = nil }
        claimed.remove(claim.delivery.id)
        let recorded = try store.recordAttempts(
            [(id: claim.delivery.id, outcome: outcome)], at: now, schedule: configuration.schedule, random: &random)
        if try store.webhook(id: webhook) != nil {
            var breaker = breaker(webhook)
            let before = breaker.state
            if breaker.record(outcome, now: now) != nil { logTransition(webhook, from: before, to: breaker.state) }
            breakers[webhook] = breaker
        }
        for delivery in recorded {
            observer.attempted(delivery.state)
            if delivery.state == .dead {
                logger.warning(
                    "webhook delivery dead: retried until its maximum age",
                    metadata: [
                        "webhook.id": .string(webhook), "delivery.id": "\(delivery.id)",
                        "event.seq": "\(delivery.eventSeq)", "attempts": "\(delivery.attempts)",
                        "error": .string(delivery.lastError ?? ""),
                    ])
            }
        }
        try reportGauges()
    }

    func reportGauges() throws {
        observer.gauges(
            store.pendingCount,
            breakers.values.count {
                if case .closed = $0.state { return false }
                return true
            })
    }

    private func logTransition(_ webhook: String, from: CircuitBreaker.State, to: CircuitBreaker.State) {
        logger.notice(
            "webhook circuit breaker \(to.name)",
            metadata: [
                "webhook.id": .string(webhook), "breaker.from": .string(from.name), "breaker.to": .string(to.name),
            ])
    }
}

/// Where the outbox reports what the server's metrics count: each attempt's result (the delivery's state after
/// it), and the pending deliveries and open breakers after each change.
public struct OutboxObserver: Sendable {
    public var attempted: @Sendable (Delivery.State) -> Void
    public var gauges: @Sendable (_ pending: Int, _ breakersNotClosed: Int) -> Void

    public init(
        attempted: @escaping @Sendable (Delivery.State) -> Void = { _ in },
        gauges: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) {
        self.attempted = attempted
        self.gauges = gauges
    }
}
