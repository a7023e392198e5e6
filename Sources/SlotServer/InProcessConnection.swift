import Logging
import NIOCore
import SlotJournal
import SlotWire
import Synchronization

/// A client connection without a socket: request lines in, reply lines out, through the same decoder, dispatcher
/// and reply encoder as a TCP connection (`ConnectionHandler.handle`). For tests that run the whole server in one
/// process, with a manual clock and without its services: the deterministic simulation, which decides itself when
/// the journal commits, and in-process test servers.
///
/// What belongs to the socket is not done here: framing (a line is one request without its newline; the line
/// limit and blank lines are the reader's), per-connection back-pressure, and the wait for durability, which
/// `decide` leaves to the caller and `send` does with the journal.
public final class InProcessConnection: Sendable {
    /// One reply line (newline included) and the journal position it depends on: a TCP connection sends it only
    /// once that position is durable.
    public struct Reply: Sendable {
        public var bytes: [UInt8]
        public var awaitedSequence: UInt64
    }

    private let handler: ConnectionHandler
    private let connectionID: UInt64
    private let logger: Logger
    /// Numbers the requests for the log, as a TCP connection numbers its lines.
    private let requests = Atomic<UInt64>(0)
    /// Who the connection authenticated as. Requests of one connection are decided one at a time.
    private let session = Mutex(ConnectionSession(address: "", clientAddress: ClientAddress(text: "127.0.0.1")))

    /// A connection to `runtime`; `connectionID` only names it in log lines.
    public init(
        runtime: SlotRuntime, connectionID: UInt64 = 0,
        logger: Logger = Logger(label: "slotd-in-process") { _ in SwiftLogNoOpLogHandler() }
    ) {
        let directory = runtime.directory
        let dispatcher = Dispatcher(
            directory: directory, snapshots: runtime.snapshots, connections: ConnectionCounter(),
            liveSamples: runtime.metrics?.live, startedAt: directory.clock.now(),
            replyBytesMax: runtime.configuration.replyBytesMax)
        handler = ConnectionHandler(
            dispatcher: dispatcher, decoder: RequestDecoder(limits: runtime.configuration.domainLimits),
            journal: runtime.journal, configuration: runtime.configuration, rateLimiter: runtime.rateLimiter,
            authThrottle: runtime.authThrottle, metrics: runtime.metrics, logger: logger)
        self.connectionID = connectionID
        self.logger = logger
    }

    /// Decodes, decides and encodes one request line. The reply may depend on journal entries not yet durable
    /// (`Reply.awaitedSequence`): nothing is acknowledged until the caller has seen that position committed.
    public func decide(_ line: [UInt8]) async -> Reply {
        let number = requests.add(1, ordering: .relaxed).newValue
        let buffer = ByteBuffer(bytes: line)
        var current = session.withLock { $0 }
        let pending = await handler.handle(
            buffer.readableBytesView, session: &current, connectionID: connectionID, line: number, logger: logger)
        session.withLock { [current] in $0 = current }
        // No socket, so no moment the reply is written: a span or a `--log-requests` line ends with the decision.
        pending.followUp?.finish(code: pending.errorCode, nanoseconds: 0, logger: logger)
        return Reply(bytes: pending.bytes, awaitedSequence: pending.awaitedSequence)
    }

    /// As `decide`, then waits until the reply's journal position is durable, as a TCP connection does before it
    /// sends: needs a journal writer (the thread, or an owner calling `Journal.commitQueued`).
    public func send(_ line: [UInt8]) async throws -> [UInt8] {
        let reply = await decide(line)
        try await handler.journal.waitUntilDurable(reply.awaitedSequence)
        return reply.bytes
    }
}
