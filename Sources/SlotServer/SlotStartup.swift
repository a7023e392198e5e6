import Logging
import NIOPosix
import ServiceLifecycle
import UnixSignals

/// `slotd`'s start-up in two stages (docs/decisions/0024-ready-while-replaying.md): the HTTP port listens at once,
/// answering `/health` and, with 503 and the reason `replaying`, `/ready`, while the journal replays on a thread of
/// NIO's blocking pool; then the built runtime's routes take over that port and its services run, the TCP port
/// among them. A graceful shutdown during recovery stops it between two journal entries.
public struct SlotStartup: Sendable {
    /// The runtime's metrics, made before it: the process bootstraps swift-metrics with them before recovery. Nil
    /// when the HTTP port is off.
    public let metrics: ServerMetrics?
    private let configuration: ServerConfiguration
    private let clock: any WallClock
    private let logger: Logger
    private let onListening: @Sendable (TCPServerService.ListeningAddress) -> Void

    public init(
        configuration: ServerConfiguration, clock: any WallClock = SystemClock(), logger: Logger,
        onListening: @escaping @Sendable (TCPServerService.ListeningAddress) -> Void
    ) {
        self.metrics = ServerMetrics.forPort(configuration.http.port)
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.onListening = onListening
    }

    /// The HTTP port (unless it is off), then the service that recovers and runs the runtime's own group;
    /// shutdown runs in reverse, so the HTTP port answers until everything else has stopped. `outer` services (the
    /// process's own, such as the trace exporter) go first, so they stop last: what the runtime does while it
    /// drains still reaches them. `signals` start a graceful shutdown.
    public func makeServiceGroup(signals: [UnixSignal] = [.sigterm, .sigint], outer: [any Service] = [])
        -> ServiceGroup
    {
        let site = HTTPSite(readiness: Readiness(.replaying))
        let http = configuration.http.port.map { _ in
            HTTPServerService(configuration: configuration, site: site, logger: logger)
        }
        let prelude = SlotRuntime.Prelude(metrics: metrics, http: http == nil ? nil : site)
        let recovering = RecoveringService(
            build: { [configuration, clock, logger, onListening] in
                try SlotRuntime(
                    configuration: configuration, clock: clock, logger: logger, prelude: prelude,
                    onListening: onListening)
            }, stop: prelude.stop, readiness: site.readiness, logger: logger)
        let services: [any Service] = outer + (http.map { [$0] } ?? []) + [recovering]
        return ServiceGroup(endingTogether: services, signals: signals, logger: logger)
    }
}

/// Builds the runtime (journal opened and replayed: seconds for a large journal) on a thread of NIO's blocking
/// pool, so no thread of Swift's cooperative pool waits on SQLite meanwhile, then runs the runtime's services as a
/// group within this one, which hands its graceful shutdown down to them.
struct RecoveringService: Service {
    let build: @Sendable () throws -> SlotRuntime
    let stop: RecoveryStop
    let readiness: Readiness
    let logger: Logger

    func run() async throws {
        let runtime: SlotRuntime
        do {
            runtime = try await withTaskCancellationOrGracefulShutdownHandler {
                try await NIOThreadPool.singleton.runIfActive(build)
            } onCancelOrGracefulShutdown: {
                readiness.shuttingDown()
                stop.request()
            }
        } catch is Recovery.Stopped {
            logger.notice("shutting down before recovery finished")
            return
        }
        try await runtime.makeServiceGroup(logger: logger, signals: []).run()
    }
}
