import Foundation
import Logging
import ServiceLifecycle
import SlotDomain
import SlotJournal
import SlotOutbox
import SlotWire
import UnixSignals

/// The assembled server: journal opened and replayed, actors built, services ready to run in one `ServiceGroup`
/// (journal writer → hold expiry → TCP listener; shutdown runs in reverse). The tests build it directly; `slotd`
/// through `SlotStartup`, which runs the HTTP port while this is built.
public final class SlotRuntime: Sendable {
    public let configuration: ServerConfiguration
    public let journal: Journal
    public let directory: ResourceDirectory
    public let services: [any Service]
    public let snapshots: SnapshotCoordinator
    /// Where every decoded request goes; the listener's connections use it, and so can a test without sockets.
    public let dispatcher: Dispatcher
    /// Shared by every connection, in-process ones included.
    public let rateLimiter: RateLimiter
    public let authThrottle: AuthThrottle
    /// Journal entries replayed at start (after the snapshot, if one was used).
    public let recoveredEntries: Int
    /// The snapshot start-up began from, if any.
    public let recoveredSnapshot: String?
    /// What `/metrics` serves; nil without the HTTP port, which is the server's one switch for metrics: with nothing
    /// to read them, none are recorded.
    public let metrics: ServerMetrics?
    /// Committed change events, handed to the connections that subscribed.
    let events: EventHub

    /// Recovers on the calling thread, and binds the HTTP port (when configured) as the first of `services`.
    public convenience init(
        configuration: ServerConfiguration, clock: any WallClock = SystemClock(), logger: Logger,
        onListening: @escaping @Sendable (TCPServerService.ListeningAddress) -> Void = { _ in }
    ) throws {
        try self.init(
            configuration: configuration, clock: clock, logger: logger, prelude: Prelude(configuration),
            onListening: onListening)
    }

    /// What exists before a runtime built by `SlotStartup`: the metrics (nil when the HTTP port is off), the HTTP
    /// port already listening (its service is not among `services` then), and the flag that stops recovery.
    struct Prelude: Sendable {
        var metrics: ServerMetrics?
        var http: HTTPSite?
        var stop = RecoveryStop()

        init(metrics: ServerMetrics?, http: HTTPSite? = nil) {
            self.metrics = metrics
            self.http = http
        }

        /// Metrics exactly when `configuration` has an HTTP port to read them.
        init(_ configuration: ServerConfiguration) {
            self.init(metrics: ServerMetrics.forPort(configuration.http.port))
        }
    }

    init(
        configuration: ServerConfiguration, clock: any WallClock, logger: Logger, prelude: Prelude,
        onListening: @escaping @Sendable (TCPServerService.ListeningAddress) -> Void
    ) throws {
        self.configuration = configuration
        let tlsContext = try configuration.tls.map(ServerTLS.makeContext)
        let metrics = prelude.metrics
        self.metrics = metrics
        let wakeDispatcher = WakeSignal()
        let hub = EventHub(
            configuration: configuration.events, subscribersGauge: metrics?.subscribersGauge,
            afterPublish: wakeDispatcher.wake)
        var journalConfiguration = configuration.journal
        journalConfiguration.eventEncoder = { event, seq in EventJSON.body(of: event, seq: seq) }
        let journal = try Journal(
            directory: configuration.dataDirectory, configuration: journalConfiguration,
            onFailure: { error in
                logger.critical(
                    "journal write failed; stopping so a restart can recover", metadata: ["error": "\(error)"])
                fatalError("journal write failed: \(error)")
            },
            commitObserver: metrics?.journalCommitObserver, eventObserver: hub.publish)
        try hub.journalOpened(directory: configuration.dataDirectory, head: journal.openedEventSequence)
        self.events = hub
        let snapshotStore = SnapshotStore(directory: configuration.snapshotDirectory)
        let recovered = try Recovery.recover(
            journal: journal, snapshots: snapshotStore, restore: configuration.restoreSnapshot,
            limits: configuration.domainLimits, logger: logger, stop: prelude.stop)
        Self.removeStaleTemporaryFiles(snapshotStore, journalID: journal.journalID, logger: logger)
        let idempotency = IdempotencyRegistry(recovered.state.keys)
        var actors: [ResourceID: ResourceActor] = [:]
        actors.reserveCapacity(recovered.state.resources.count)
        for (id, state) in recovered.state.resources {
            actors[id] = ResourceActor(
                state: state, journal: journal, idempotency: idempotency, clock: clock, metrics: metrics?.bookings,
                logger: logger)
        }
        let directory = ResourceDirectory(
            actors: actors, journal: journal, idempotency: idempotency, tokens: TokenRegistry(recovered.state.tokens),
            clock: clock,
            limits: configuration.domainLimits, resourcesMax: configuration.resourcesMax, metrics: metrics?.bookings,
            logger: logger)
        try Self.checkAuthentication(configuration, tokens: directory.tokens, now: clock.now(), logger: logger)
        let outbox = try Outbox(
            directory: configuration.dataDirectory, reader: EventReader(directory: configuration.dataDirectory),
            configuration: configuration.webhooks.outbox, observer: metrics?.webhooks.observer ?? OutboxObserver(),
            logger: logger)
        let snapshots = SnapshotCoordinator(
            directory: directory, store: snapshotStore, journal: journal, kept: configuration.snapshotsKept,
            metrics: metrics?.snapshots, beforeCompacting: { try await outbox.catchUp(throughEntry: $0) },
            logger: logger)
        let rateLimiter = RateLimiter(limits: configuration.rateLimits)
        let authThrottle = AuthThrottle(limits: configuration.rateLimits)
        self.rateLimiter = rateLimiter
        self.authThrottle = authThrottle
        let connections = ConnectionCounter()
        let budget = BufferBudget()
        var dispatcher = Dispatcher(
            directory: directory, snapshots: snapshots, connections: connections, liveSamples: metrics?.live,
            startedAt: clock.now(), replyBytesMax: configuration.replyBytesMax)
        dispatcher.webhooks = WebhookOps(outbox: outbox, events: hub)
        let handler = ConnectionHandler(
            dispatcher: dispatcher, decoder: RequestDecoder(limits: configuration.domainLimits), journal: journal,
            configuration: configuration, rateLimiter: rateLimiter, authThrottle: authThrottle, metrics: metrics,
            hub: hub, logger: logger)
        let site = prelude.http ?? HTTPSite(readiness: Readiness())
        let readiness = site.readiness
        let report = ListeningReport(httpOn: configuration.http.port != nil, readiness: readiness, then: onListening)
        self.journal = journal
        self.directory = directory
        self.snapshots = snapshots
        self.dispatcher = dispatcher
        self.recoveredEntries = recovered.summary.entries
        self.recoveredSnapshot = recovered.summary.snapshot
        if let metrics {
            site.serve(
                HTTPRoutes(
                    metrics: metrics, readiness: readiness, journal: journal, connections: connections,
                    directory: directory, requiresAuthentication: configuration.requiresAuthentication,
                    page: OperatorRoutes(
                        dispatcher: dispatcher, live: metrics.live,
                        access: HTTPAccess(
                            directory: directory, requiresAuthentication: configuration.requiresAuthentication),
                        busiestMax: configuration.http.busiestResourcesMax, replyBytesMax: configuration.replyBytesMax)),
                report: report)
        } else {
            // No HTTP port: no routes to hand over, only the readiness to move on.
            readiness.recovered()
        }
        // The HTTP port first: it starts first and stops last, answering `/ready` (503) while the rest shuts down.
        // `SlotStartup` runs its own, bound before recovery.
        let http =
            prelude.http == nil
            ? configuration.http.port.map { _ in
                HTTPServerService(configuration: configuration, site: site, logger: logger)
            } : nil
        let sampler = metrics.map {
            LiveSampler(samples: $0.live, journal: journal, connections: connections, clock: clock)
        }
        let services: [(any Service)?] = [
            http,
            JournalService(journal: journal, logger: logger, beforeStop: hub.close),
            // After the journal: it stops before the journal does, its attempts in flight answered.
            WebhookDispatcher(
                outbox: outbox, sender: configuration.webhooks.sender, signal: wakeDispatcher, logger: logger),
            ExpiryService(directory: directory, intervalSeconds: configuration.expirySweepIntervalSeconds),
            SnapshotService(
                coordinator: snapshots, journal: journal, everyMinutes: configuration.snapshotEveryMinutes,
                everyEntries: configuration.snapshotEveryEntries, logger: logger),
            ConnectionSweeper(
                connections: connections, budget: budget, configuration: configuration, refusals: metrics?.refusals,
                logger: logger),
            sampler,
            TCPServerService(
                configuration: configuration, tlsContext: tlsContext, handler: handler, connections: connections,
                budget: budget, refusals: metrics?.refusals, logger: logger, onListening: report.tcp),
            // Last, so that it is the first to hear of a graceful shutdown.
            ShutdownNotice(readiness: readiness),
        ]
        self.services = services.compactMap { $0 }
    }

    /// Why slotd will not start: authentication is required and no admin token exists to authenticate with.
    public struct AuthenticationUnusable: Error, CustomStringConvertible {
        public let description: String
    }

    /// Listening beyond this machine requires authentication (unless `--auth off`), and that needs an admin token to
    /// exist: otherwise nobody could ever use the server, nor create the tokens to use it with. Without
    /// authentication on such an address, every start says so in the log.
    static func checkAuthentication(
        _ configuration: ServerConfiguration, tokens: TokenRegistry, now: Instant, logger: Logger
    ) throws {
        if configuration.requiresAuthentication, !tokens.hasUsableAdmin(at: now) {
            let data = configuration.dataDirectory.path
            throw AuthenticationUnusable(
                description: "slotd on \(configuration.host) requires authentication, and no usable admin token "
                    + "exists. Create one with `slotctl token create --data-dir \(data) --role admin --name ops` "
                    + "(while slotd is stopped; it prints the secret once), or start with --auth off to serve "
                    + "without authentication.")
        }
        if !configuration.requiresAuthentication, !configuration.listensOnLoopbackOnly {
            logger.warning(
                "authentication is off on an address other machines can reach: anyone who reaches the port can do everything",
                metadata: ["host": "\(configuration.host)", "auth": "\(configuration.auth.rawValue)"])
        }
    }

    /// A crash while a snapshot was being written leaves its temporary file; repeated crashes would fill the disk.
    /// The data folder's lock is held by now (the journal is open), so no write of this journal's snapshots is
    /// under way, and every such file is dead. Logged by name, so an operator sees what was deleted.
    static func removeStaleTemporaryFiles(_ store: SnapshotStore, journalID: String, logger: Logger) {
        let (removed, failed) = store.removeStaleTemporaryFiles(journalID: journalID)
        if !removed.isEmpty {
            logger.notice(
                "stale temporary files removed",
                metadata: [
                    "directory": "\(store.directory.path)",
                    "files": "\(removed.map(\.lastPathComponent).joined(separator: ","))",
                ])
        }
        for (url, reason) in failed {
            logger.warning(
                "cannot remove a stale temporary file", metadata: ["path": "\(url.path)", "error": "\(reason)"])
        }
    }

    /// One group for every service; SIGTERM and SIGINT start a graceful shutdown.
    public func makeServiceGroup(logger: Logger, signals: [UnixSignal] = [.sigterm, .sigint]) -> ServiceGroup {
        ServiceGroup(endingTogether: services, signals: signals, logger: logger)
    }
}

extension ServiceGroup {
    /// A group in which any service ending, however it ends, shuts the others down gracefully: none of slotd's
    /// parts is any use without the rest.
    init(endingTogether services: [any Service], signals: [UnixSignal], logger: Logger) {
        self.init(
            configuration: .init(
                services: services.map {
                    .init(
                        service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup)
                },
                gracefulShutdownSignals: signals, logger: logger))
    }
}
