import Logging
import NIOCore
import NIOExtras
import NIOPosix
import NIOSSL
import ServiceLifecycle
import SlotJournal
import SlotWire
import Synchronization

/// The TCP listener: one child task per connection in a discarding task group, so one connection's failure never
/// touches another. On graceful shutdown it stops accepting, lets every connection finish the requests it has
/// read, and returns once they have all closed.
public final class TCPServerService: Service {
    public struct ListeningAddress: Sendable {
        public var host: String
        public var port: Int
        /// The HTTP side port's, once it listens too; nil when it is off.
        public var httpPort: Int?
    }

    private let configuration: ServerConfiguration
    /// Built once from `configuration.tls` at start-up; nil: plain TCP.
    private let tlsContext: NIOSSLContext?
    private let handler: ConnectionHandler
    private let logger: Logger
    private let onListening: @Sendable (ListeningAddress) -> Void
    private let connections: ConnectionCounter
    private let budget: BufferBudget
    /// Nil when the server keeps no metrics.
    private let refusals: ConnectionRefusals?
    private let nextConnectionID = Atomic<UInt64>(0)

    init(
        configuration: ServerConfiguration, tlsContext: NIOSSLContext?, handler: ConnectionHandler,
        connections: ConnectionCounter, budget: BufferBudget, refusals: ConnectionRefusals?, logger: Logger,
        onListening: @escaping @Sendable (ListeningAddress) -> Void
    ) {
        self.refusals = refusals
        self.configuration = configuration
        self.tlsContext = tlsContext
        self.connections = connections
        self.budget = budget
        self.handler = handler
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let server: NIOAsyncChannel<AcceptedConnection, Never>
        do {
            server = try await bind()
        } catch {
            // Said as a log line too, so that an operator reading the JSON logs sees why the server stopped.
            logger.critical(
                "cannot listen",
                metadata: ["host": "\(configuration.host)", "port": "\(configuration.port)", "error": "\(error)"])
            throw error
        }
        let address = ListeningAddress(host: configuration.host, port: server.channel.localAddress?.port ?? 0)
        logger.notice(
            "listening",
            metadata: [
                "host": "\(address.host)", "port": "\(address.port)", "tls": "\(tlsContext != nil)",
                "client_certificates": "\(configuration.tls?.clientCA != nil)",
            ])
        onListening(address)
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { connections in
                // On shutdown the listening socket is closed, which ends the stream. Not `cancelOnGracefulShutdown()`:
                // its merged sequence suspends the loop for every connection, and a suspended accept loop waits
                // its turn behind every request in flight. The plain stream hands over every connection already
                // accepted without suspending (docs/decisions/0008-accept-loop.md).
                try await withGracefulShutdownHandler {
                    for try await connection in connections {
                        let connectionID = nextConnectionID.wrappingAdd(1, ordering: .relaxed).newValue
                        group.addTask { await self.serve(connection, connectionID: connectionID) }
                    }
                } onGracefulShutdown: {
                    server.channel.close(promise: nil)
                }
            }
            logger.notice("stopped accepting connections; draining")
            if await !drained(withinSeconds: configuration.shutdownDrainSeconds) {
                logger.warning(
                    "drain time is up; closing the connections still open",
                    metadata: [
                        "connections": "\(connections.current)",
                        "limit_seconds": "\(configuration.shutdownDrainSeconds)",
                    ])
                // Each connection's task ends its waits and closes its channel when cancelled.
                group.cancelAll()
            }
        }
        logger.notice("all connections closed")
    }

    /// The listening socket. A burst of clients connecting at once (a flash sale opening) is accepted without
    /// stalling: the kernel's queue holds as many pending connections as the server would serve (it caps this at
    /// somaxconn), each readable event accepts several, and accepted channels wait in a buffer for the accept
    /// loop's turn instead of NIO pausing accepts after ten (its default), while the accept task queues behind
    /// requests.
    private func bind() async throws -> NIOAsyncChannel<AcceptedConnection, Never> {
        let lineBytesMax = configuration.lineBytesMax
        let configuration = configuration
        let budget = budget
        let tlsContext = tlsContext
        let logger = logger
        let refusals = refusals
        return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: Int32(clamping: configuration.connectionsMax))
            .serverChannelOption(.maxMessagesPerRead, value: 16)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // A client may send its requests and then close its side (`printf … | nc`); it still gets its replies.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(
                host: configuration.host, port: configuration.port,
                serverBackPressureStrategy: .init(lowWatermark: 64, highWatermark: 256)
            ) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let queue = ReplyQueue(
                        capacity: configuration.inFlightRequestsPerConnectionMax,
                        bytesMax: configuration.unsentReplyBytesPerConnectionMax, budget: budget)
                    let activity = ConnectionActivity(
                        channel: channel, queue: queue, address: channel.remoteAddress?.ipAddress ?? "?")
                    if let tlsContext {
                        // First, so that everything after it sees the decrypted lines; a failed handshake closes
                        // only this connection.
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tlsContext))
                        try channel.pipeline.syncOperations.addHandler(
                            TLSHandshakeDeadline(
                                seconds: configuration.tlsHandshakeSeconds, refusals: refusals, logger: logger))
                    }
                    try channel.pipeline.syncOperations.addHandler(PartialLineTracker(activity))
                    // The bound is a partial line held in memory; a complete longer line is refused after framing.
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(LineBasedFrameDecoder(), maximumBufferSize: lineBytesMax + 1))
                    // The deinit-closing wrapper, deprecated as it is: a connection accepted while the listening
                    // socket closes (shutdown) can be dropped before the accept loop takes it, and this one is then
                    // closed, where the other stops the process ("Deinited NIOAsyncWriter without calling
                    // finish()", swift-nio#2813; ConnectionEndTests connects during shutdown).
                    return AcceptedConnection(
                        channel: try NIOAsyncChannel<ByteBuffer, ByteBuffer>(synchronouslyWrapping: channel),
                        activity: activity)
                }
            }
    }

    /// Waits until every connection has closed, for at most `seconds`; false if some are still open. Polled: it
    /// only runs during shutdown.
    private func drained(withinSeconds seconds: Int) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while connections.current > 0 {
            guard ContinuousClock.now < deadline else { return false }
            do { try await Task.sleep(for: .milliseconds(20)) } catch { return false }
        }
        return true
    }

    private func serve(_ connection: AcceptedConnection, connectionID: UInt64) async {
        let address = connection.activity.address
        let admission = connections.admit(
            address: address, limit: configuration.connectionsMax,
            perAddressLimit: configuration.connectionsPerAddressMax)
        guard admission == .admitted else {
            await refuse(connection.channel, address: address, perAddress: admission == .addressFull)
            return
        }
        defer { connections.release(address: address) }
        connections.register(connectionID, connection.activity)
        defer { connections.unregister(connectionID) }
        await handler.run(connection.channel, activity: connection.activity, connectionID: connectionID)
    }

    /// Tells a connection over the server's or its address's connection limit so, and closes it unread.
    private func refuse(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, address: String, perAddress: Bool) async
    {
        refusals?.count(perAddress ? .addressConnectionsMax : .connectionsMax)
        let error: WireError
        if perAddress {
            let limit = configuration.connectionsPerAddressMax
            logger.warning(
                "connection refused: limit per address reached", metadata: ["limit": "\(limit)", "peer": "\(address)"])
            error = WireError(
                .overloaded, "this address already has the most connections one address may open (\(limit))",
                details: ["limit": String(limit), "scope": "address"])
        } else {
            let limit = configuration.connectionsMax
            logger.warning("connection refused: limit reached", metadata: ["limit": "\(limit)"])
            error = WireError(
                .overloaded, "the server already has the most connections it serves at once (\(limit))",
                details: ["limit": String(limit)])
        }
        try? await connection.executeThenClose { _, outbound in
            try await outbound.write(ByteBuffer(bytes: ReplyEncoder.failure(id: .null, error)))
            try await ConnectionHandler.flushed(connection.channel)
        }
    }
}

/// An accepted connection, with what the sweeper watches of it.
struct AcceptedConnection: Sendable {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    let activity: ConnectionActivity
}
