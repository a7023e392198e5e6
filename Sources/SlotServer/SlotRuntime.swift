import Foundation
import Logging
import ServiceLifecycle
import SlotDomain
import SlotJournal
import SlotWire
import UnixSignals

/// The assembled server: journal opened and replayed, actors built, services ready to run in one `ServiceGroup`
/// (journal writer → hold expiry → TCP listener; shutdown runs in reverse). `slotd` and the tests both use it.
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
    /// What `/metrics` serves.
    public let metrics: ServerMetrics

    public init(
        configuration: ServerConfiguration, clock: any WallClock = SystemClock(), logger: Logger,
        onListening: @escaping @Sendable (TCPServerService.ListeningAddress) -> Void = { _ in }
    ) throws {
        self.configuration = configuration
        let tlsContext = try configuration.tls.map(ServerTLS.makeContext)
        let journal = try Journal(
            directory: configuration.dataDirectory, configuration: configuration.journal,
            onFailure: { error in
                logger.critical(
                    "journal write failed; stopping so a restart can recover", metadata: ["error": "\(error)"])
                fatalError("journal write failed: \(error)")
            })
        let snapshotStore = SnapshotStore(directory: configuration.snapshotDirectory)
        let recovered = try Recovery.recover(
            journal: journal, snapshots: snapshotStore, restore: configuration.restoreSnapshot,
            limits: configuration.domainLimits, logger: logger)
        Self.removeStaleTemporaryFiles(snapshotStore, journalID: journal.journalID, logger: logger)
        let idempotency = IdempotencyRegistry(recovered.state.keys)
        var actors: [ResourceID: ResourceActor] = [:]
        actors.reserveCapacity(recovered.state.resources.count)
        for (id, state) in recovered.state.resources {
            actors[id] = ResourceActor(
                state: state, journal: journal, idempotency: idempotency, clock: clock, logger: logger)
        }
        let directory = ResourceDirectory(
            actors: actors, journal: journal, idempotency: idempotency, tokens: TokenRegistry(recovered.state.tokens),
            clock: clock,
            limits: configuration.domainLimits, resourcesMax: configuration.resourcesMax, logger: logger)
        try Self.checkAuthentication(configuration, tokens: directory.tokens, now: clock.now(), logger: logger)
        let snapshots = SnapshotCoordinator(
            directory: directory, store: snapshotStore, journal: journal, kept: configuration.snapshotsKept,
            logger: logger)
        let rateLimiter = RateLimiter(limits: configuration.rateLimits)
        let authThrottle = AuthThrottle(limits: configuration.rateLimits)
        self.rateLimiter = rateLimiter
        self.authThrottle = authThrottle
        let connections = ConnectionCounter()
        let budget = BufferBudget()
        let dispatcher = Dispatcher(
            directory: directory, snapshots: snapshots, connections: connections, startedAt: clock.now(),
            replyBytesMax: configuration.replyBytesMax)
        let metrics = ServerMetrics()
        self.metrics = metrics
        let handler = ConnectionHandler(
            dispatcher: dispatcher, decoder: RequestDecoder(limits: configuration.domainLimits), journal: journal,
            configuration: configuration, rateLimiter: rateLimiter, authThrottle: authThrottle, metrics: metrics,
            logger: logger)
        let readiness = Readiness()
        let report = ListeningReport(httpOn: configuration.http.port != nil, readiness: readiness, then: onListening)
        self.journal = journal
        self.directory = directory
        self.snapshots = snapshots
        self.dispatcher = dispatcher
        self.recoveredEntries = recovered.summary.entries
        self.recoveredSnapshot = recovered.summary.snapshot
        // The HTTP port first: it starts first and stops last, answering `/ready` (503) while the rest shuts down.
        let http = configuration.http.port.map { _ in
            HTTPServerService(
                configuration: configuration,
                routes: HTTPRoutes(
                    metrics: metrics, readiness: readiness, journal: journal, connections: connections,
                    directory: directory, requiresAuthentication: configuration.requiresAuthentication),
                logger: logger, onListening: report.http)
        }
        self.services =
            (http.map { [$0] } ?? []) + [
                JournalService(journal: journal, logger: logger),
                ExpiryService(directory: directory, intervalSeconds: configuration.expirySweepIntervalSeconds),
                SnapshotService(
                    coordinator: snapshots, journal: journal, everyMinutes: configuration.snapshotEveryMinutes,
                    everyEntries: configuration.snapshotEveryEntries, logger: logger),
                ConnectionSweeper(
                    connections: connections, budget: budget, configuration: configuration, logger: logger),
                LiveSampler(samples: metrics.live, journal: journal, connections: connections, clock: clock),
                TCPServerService(
                    configuration: configuration, tlsContext: tlsContext, handler: handler, connections: connections,
                    budget: budget, logger: logger, onListening: report.tcp),
                // Last, so that it is the first to hear of a graceful shutdown.
                ShutdownNotice(readiness: readiness),
            ]
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

    /// One group for every service; SIGTERM and SIGINT start a graceful shutdown. `outer` services (the process's
    /// own, such as the trace exporter) start before the runtime's and stop after them, so that what the runtime
    /// does while it drains still reaches them.
    public func makeServiceGroup(
        logger: Logger, signals: [UnixSignal] = [.sigterm, .sigint], outer: [any Service] = []
    ) -> ServiceGroup {
        ServiceGroup(
            configuration: .init(
                services: (outer + services).map {
                    .init(
                        service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup)
                },
                gracefulShutdownSignals: signals, logger: logger))
    }
}
