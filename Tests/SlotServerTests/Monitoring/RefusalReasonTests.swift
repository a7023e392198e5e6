import Logging
import NIOCore
import NIOPosix
import Prometheus
import SlotTesting
import Testing

@testable import SlotServer

/// The refusal reasons the protocol tests do not reach quickly: the sweeper's, with its clock passed in, and the
/// TLS handshake deadline's, against a real TLS listener.
@Suite struct RefusalReasonTests {
    /// A sweeper over one registered connection, counting into its own registry. The channel is a listening
    /// socket: the sweeper only closes it.
    static func withSweeper(
        _ body: (ConnectionSweeper, ConnectionActivity, PrometheusCollectorRegistry) throws -> Void
    ) async throws {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        defer { channel.close(promise: nil) }
        var configuration = ServerConfiguration()
        configuration.idleTimeoutSeconds = 2
        configuration.lineCompletionSeconds = 1
        let budget = BufferBudget()
        let queue = ReplyQueue(capacity: 16, bytesMax: 1_048_576, budget: budget)
        let activity = ConnectionActivity(channel: channel, queue: queue, address: "127.0.0.1")
        let connections = ConnectionCounter()
        connections.register(1, activity)
        let registry = PrometheusCollectorRegistry()
        let sweeper = ConnectionSweeper(
            connections: connections, budget: budget, configuration: configuration,
            refusals: ConnectionRefusals(registry: registry),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        try body(sweeper, activity, registry)
    }

    /// The reasons with a count of 1 in `registry`'s exposition; every other reason must read 0.
    static func counted(_ registry: PrometheusCollectorRegistry) -> [String] {
        let text = registry.emitToString()
        return ConnectionRefusal.allCases.map(\.label).filter { reason in
            let line = "slotd_connections_refused_total{reason=\"\(reason)\"} "
            #expect(text.contains(line + "0") || text.contains(line + "1"), "\(reason) missing")
            return text.contains(line + "1")
        }
    }

    @Test func repliesNotReadAreTheirOwnReason() async throws {
        try await Self.withSweeper { sweeper, activity, registry in
            var state = ConnectionSweeper.State()
            let start = ContinuousClock.now
            activity.taken.add(1, ordering: .relaxed)
            activity.queue.push(PendingReply(bytes: Array(#"{"ok":true}"#.utf8), awaitedSequence: 1))
            activity.durable.add(1, ordering: .relaxed)
            sweeper.sweep(&state, now: start)
            sweeper.sweep(&state, now: start + .seconds(2))
            #expect(activity.isClosing)
            #expect(Self.counted(registry) == ["replies_not_read"])
        }
    }

    @Test func aLineLeftUnfinishedIsALineTimeout() async throws {
        try await Self.withSweeper { sweeper, activity, registry in
            var state = ConnectionSweeper.State()
            let start = ContinuousClock.now
            activity.lineState.store(1, ordering: .relaxed)  // odd: a line begun and not ended
            sweeper.sweep(&state, now: start)
            sweeper.sweep(&state, now: start + .seconds(1))
            #expect(activity.isClosing)
            sweeper.sweep(&state, now: start + .seconds(5))
            #expect(Self.counted(registry) == ["line_timeout"], "counted once, however often it is swept")
        }
    }

    @Test func aTLSHandshakeNotDoneInTimeIsCounted() async throws {
        try await TLSTests.withTLSServer(handshakeSeconds: 1) { server, _ in
            #expect(try await TLSTests.plainTCPOutcome(port: server.port, sending: nil) == "closed")
            let httpPort = try #require(server.httpPort)
            let scrape = try await HTTPProbe.get(port: httpPort, "/metrics")
            #expect(scrape.value("slotd_connections_refused_total", ["reason": "tls_handshake_timeout"]) == 1)
        }
    }
}
