import Logging
import ServiceLifecycle
import SlotDomain

/// Sends the webhooks: turns committed events into deliveries, sends those due (within the outbox's limits and
/// breakers), and records each answer. A `Service` of the server's group; on shutdown it stops claiming and lets
/// the attempts in flight finish (each bounded by the sender's timeout), so their answers are recorded.
///
/// It never waits for booking traffic nor holds it up: the journal only wakes it (`signal`), and it reads
/// committed events through its own connection.
public struct WebhookDispatcher: Service {
    let outbox: Outbox
    let senderConfiguration: WebhookSender.Configuration
    let signal: WakeSignal
    let logger: Logger
    /// How long it sleeps when nothing wakes it: due retries and breaker cool-downs are found at this pace.
    static let pollMilliseconds: Int64 = 1_000
    /// Delivered deliveries older than the retention are pruned at this pace.
    static let pruneEverySeconds: Int64 = 3_600
    /// The shortest time between two passes over the outbox, however often commits wake it: what its reading and
    /// writing may cost the server is bounded by this, whatever the booking traffic.
    static let passIntervalMillisecondsMin: Int64 = 100

    public init(
        outbox: Outbox, sender senderConfiguration: WebhookSender.Configuration, signal: WakeSignal, logger: Logger
    ) {
        self.outbox = outbox
        self.senderConfiguration = senderConfiguration
        self.signal = signal
        self.logger = logger
    }

    public func run() async throws {
        // Made here so that it is shut down whatever happens: an HTTP client released without it stops the
        // process in a debug build.
        let sender = WebhookSender(configuration: senderConfiguration)
        var prunedAt = Instant(secondsSinceEpoch: 0)
        var maintainedAt = Instant(secondsSinceEpoch: 0)
        await withDiscardingTaskGroup { group in
            while !Task.isShuttingDownGracefully {
                let now = Outbox.now()
                do {
                    // Whole-table work (aging, the pending gauge) once a second, not at every pass.
                    let maintains = now > maintainedAt
                    if maintains {
                        try await outbox.expireOverdue(now: now)
                        maintainedAt = now
                    }
                    if now.secondsSinceEpoch - prunedAt.secondsSinceEpoch >= Self.pruneEverySeconds {
                        try await outbox.pruneDelivered(now: now)
                        prunedAt = now
                    }
                    let more = try await outbox.enqueueCommitted(now: now)
                    for claim in try await outbox.claimDue(now: now) {
                        group.addTask { [outbox, sender, signal, logger] in
                            let outcome = await sender.send(claim.outgoing)
                            do {
                                try await outbox.finish(claim, outcome, now: Outbox.now())
                            } catch {
                                logger.error("recording a webhook answer failed", metadata: ["error": "\(error)"])
                            }
                            signal.wake()
                        }
                    }
                    if maintains { try await outbox.reportGauges() }
                    if more { continue }
                } catch {
                    logger.error("webhook outbox failed; trying again", metadata: ["error": "\(error)"])
                }
                try? await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .milliseconds(Self.passIntervalMillisecondsMin))
                }
                await cancelWhenGracefulShutdown { await signal.wait(milliseconds: Self.pollMilliseconds) }
            }
        }
        await outbox.close()
        try await sender.shutdown()
    }
}

extension Outbox {
    func pruneDelivered(now: Instant) throws {
        let pruned = try store.pruneDelivered(now: now)
        if pruned > 0 { logger.info("delivered webhook deliveries pruned", metadata: ["count": "\(pruned)"]) }
    }
}
