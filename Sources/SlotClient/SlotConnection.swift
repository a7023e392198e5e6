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
public final class SlotConnection {
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

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
        guard let buffer = try await inbound.next() else { throw SlotClientError.connectionClosed }
        return String(buffer: buffer)
    }

    /// The next reply line as bytes, unparsed (for load generators that only look at a few fields).
    public func receiveBytes() async throws -> [UInt8] {
        guard let buffer = try await inbound.next() else { throw SlotClientError.connectionClosed }
        return Array(buffer.readableBytesView)
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
