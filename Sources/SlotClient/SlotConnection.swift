import Foundation
import NIOCore
import NIOExtras
import NIOPosix

public enum SlotClientError: Error, CustomStringConvertible {
    /// No connection could be made; `reason` is the system's word for it ("Connection refused", …).
    case cannotConnect(host: String, port: Int, reason: String)
    case connectionClosed
    case malformedReply(String)
    /// A TLS file (`path`) cannot be used.
    case tlsSetup(path: String, reason: String)
    /// The server answered the `auth` request with an error (`unauthenticated` for a wrong, revoked or expired
    /// token).
    case authenticationRefused(code: String, message: String)

    public var description: String {
        switch self {
        case .cannotConnect(let host, let port, let reason): "cannot connect to \(host):\(port): \(reason)"
        case .connectionClosed: "the server closed the connection"
        case .malformedReply(let line): "the server sent a line that is not JSON: \(line.prefix(200))"
        case .tlsSetup(let path, let reason): "cannot use TLS file \(path): \(reason)"
        case .authenticationRefused(let code, let message): "the server refused the token: \(code): \(message)"
        }
    }

    /// The system's reason inside NIO's connect errors.
    static func reason(_ error: any Error) -> String {
        if let failure = error as? NIOConnectionError, let first = failure.connectionErrors.first {
            return reason(first.error)
        }
        if let failure = error as? IOError { return String(cString: strerror(failure.errnoCode)) }
        return "\(error)"
    }
}

/// One connection to a slotd server, used by one task at a time. Requests may be pipelined: `send` several,
/// then `receive` the replies, which come back in the same order.
///
/// After a `subscribe`, event lines (`{"event":…}`) arrive between the replies. The reply methods pass over
/// them, keeping them for `receiveEvent`; `receiveEvent` passes over replies, keeping them for the reply methods.
/// So replies still match requests in order, and no event is lost while the caller waits for a reply. What is
/// kept waits in memory until it is asked for: a subscriber reads its events.
public final class SlotConnection {
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    /// Lines read while waiting for the other kind, oldest first.
    private var keptReplies = LineQueue()
    private var keptEvents = LineQueue()

    init(inbound: NIOAsyncChannelInboundStream<ByteBuffer>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.inbound = inbound.makeAsyncIterator()
        self.outbound = outbound
    }

    /// Connects over plain TCP, runs `body`, and closes the connection whatever happens.
    public static func withConnection<Result: Sendable>(
        host: String = "127.0.0.1", port: Int, _ body: (SlotConnection) async throws -> Result
    ) async throws -> Result {
        try await withConnection(to: try SlotEndpoint(host: host, port: port), body)
    }

    /// Connects (with TLS if the endpoint has it), authenticates with the endpoint's token if it has one, runs
    /// `body`, and closes the connection whatever happens. A failed TLS handshake is thrown as it comes from
    /// NIOSSL; a refused token as `SlotClientError.authenticationRefused`.
    public static func withConnection<Result: Sendable>(
        to endpoint: SlotEndpoint, _ body: (SlotConnection) async throws -> Result
    ) async throws -> Result {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: endpoint.host, port: endpoint.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try endpoint.addTLS(to: channel)
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(LineBasedFrameDecoder(), maximumBufferSize: 256 * 1_024 * 1_024))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SlotClientError.cannotConnect(
                host: endpoint.host, port: endpoint.port, reason: SlotClientError.reason(error))
        }
        return try await channel.executeThenClose { inbound, outbound in
            let connection = SlotConnection(inbound: inbound, outbound: outbound)
            if let line = endpoint.authenticationLine() {
                try await outbound.write(ByteBuffer(string: line))
                try SlotEndpoint.checkAuthentication(try await connection.receive())
            }
            return try await body(connection)
        }
    }

    /// Sends one request line (a `\n` is added).
    public func send(_ line: String) async throws {
        try await outbound.write(ByteBuffer(string: line + "\n"))
    }

    /// Sends raw bytes exactly as given (tests use this for broken input).
    public func sendRaw(_ bytes: [UInt8]) async throws {
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    public func send(_ request: JSONValue) async throws {
        try await send(request.jsonText)
    }

    /// The next reply line.
    public func receiveLine() async throws -> String {
        String(buffer: try await next(event: false))
    }

    /// The next reply line as bytes, unparsed (for load generators that only look at a few fields).
    public func receiveBytes() async throws -> [UInt8] {
        Array(try await next(event: false).readableBytesView)
    }

    /// The next event line's bytes, newline excluded: `{"event":{…}}`, a `stream.lagged` notice included (after
    /// which the server closes the connection).
    public func receiveEvent() async throws -> [UInt8] {
        Array(try await next(event: true).readableBytesView)
    }

    /// The next line of the kind asked for: a kept one, else the next one read of that kind, keeping the others.
    private func next(event: Bool) async throws -> ByteBuffer {
        if let kept = event ? keptEvents.pop() : keptReplies.pop() { return kept }
        while let buffer = try await inbound.next() {
            let isEvent = EventJSON.isEventLine(buffer.readableBytesView)
            if isEvent == event { return buffer }
            if isEvent { keptEvents.push(buffer) } else { keptReplies.push(buffer) }
        }
        throw SlotClientError.connectionClosed
    }

    public func receive() async throws -> JSONValue {
        let line = try await receiveLine()
        do { return try JSONValue.parse(line) } catch { throw SlotClientError.malformedReply(line) }
    }

    /// Sends `request` and waits for its reply.
    public func call(_ request: JSONValue) async throws -> JSONValue {
        try await send(request)
        return try await receive()
    }

    /// Sends every request before reading any reply, then returns the replies in order.
    public func pipeline(_ requests: [JSONValue]) async throws -> [JSONValue] {
        var text = ""
        for request in requests { text += request.jsonText + "\n" }
        try await outbound.write(ByteBuffer(string: text))
        var replies: [JSONValue] = []
        for _ in requests { replies.append(try await receive()) }
        return replies
    }
}

/// A first-in, first-out queue of lines that pops in constant time.
struct LineQueue {
    private var lines: [ByteBuffer] = []
    private var head = 0

    mutating func push(_ line: ByteBuffer) {
        lines.append(line)
    }

    mutating func pop() -> ByteBuffer? {
        guard head < lines.count else { return nil }
        defer {
            head += 1
            if head == lines.count {
                lines.removeAll(keepingCapacity: true)
                head = 0
            }
        }
        return lines[head]
    }
}
