import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The HTTP side port (`ServerConfiguration.HTTP`): one request per connection, answered by `HTTPSite` and
/// closed. It is the first service to start and the last to stop, so `/health` and `/ready` answer (503) while the
/// journal replays (`SlotStartup`), while the TCP port drains its connections and while the journal flushes.
final class HTTPServerService: Service {
    private let configuration: ServerConfiguration.HTTP
    private let host: String
    private let port: Int
    private let site: HTTPSite
    private let logger: Logger
    private let open = Atomic<Int>(0)

    init(configuration: ServerConfiguration, site: HTTPSite, logger: Logger) {
        self.configuration = configuration.http
        self.host = configuration.httpHost
        self.port = configuration.http.port ?? 0
        self.site = site
        self.logger = logger
    }

    func run() async throws {
        let server: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
        do {
            server = try await bind()
        } catch {
            logger.critical(
                "cannot listen for HTTP", metadata: ["host": "\(host)", "port": "\(port)", "error": "\(error)"])
            throw error
        }
        let boundPort = server.channel.localAddress?.port ?? 0
        logger.notice("listening for HTTP", metadata: ["host": "\(host)", "port": "\(boundPort)"])
        site.listening(on: boundPort)
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { connections in
                try await withGracefulShutdownHandler {
                    for try await connection in connections {
                        group.addTask { await self.serve(connection) }
                    }
                } onGracefulShutdown: {
                    server.channel.close(promise: nil)
                }
            }
        }
    }

    private func bind() async throws
        -> NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = configuration.headBytesMax
        limits.maxHeaderListSize = configuration.headBytesMax
        let headBytesMax = configuration.headBytesMax
        return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(
                            HTTPRequestDecoder(limitConfiguration: limits), maximumBufferSize: headBytesMax))
                    try channel.pipeline.syncOperations.addHandler(HTTPResponseEncoder())
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                        wrappingChannelSynchronously: channel)
                }
            }
    }

    /// One connection: at most `connectionsMax` at once, closed after one reply or after `requestSeconds`.
    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        defer { open.subtract(1, ordering: .relaxed) }
        guard open.add(1, ordering: .relaxed).newValue <= configuration.connectionsMax else {
            try? await connection.channel.close()
            return
        }
        let channel = connection.channel
        let deadline = channel.eventLoop.scheduleTask(in: .seconds(Int64(configuration.requestSeconds))) {
            channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        do {
            try await connection.executeThenClose { inbound, outbound in
                let response = await readRequest(inbound)
                try await write(response, to: outbound)
            }
        } catch {
            logger.debug("HTTP connection ended with an error", metadata: ["error": "\(error)"])
        }
    }

    /// The reply to the connection's first request; the request's body, if any, is read and dropped.
    private func readRequest(_ inbound: NIOAsyncChannelInboundStream<HTTPServerRequestPart>) async -> HTTPReply {
        var head: HTTPRequestHead?
        var bodyBytes = 0
        do {
            for try await part in inbound {
                switch part {
                case .head(let received):
                    head = received
                case .body(let buffer):
                    bodyBytes += buffer.readableBytes
                    if bodyBytes > configuration.bodyBytesMax {
                        return .text(
                            .payloadTooLarge, "a request body may be at most \(configuration.bodyBytesMax) bytes\n")
                    }
                case .end:
                    guard let head else { return .text(.badRequest, "no request\n") }
                    return await site.reply(to: head)
                }
            }
        } catch {
            return .text(.badRequest, "malformed request\n")
        }
        return .text(.badRequest, "incomplete request\n")
    }

    private func write(_ reply: HTTPReply, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>)
        async throws
    {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: reply.contentType)
        headers.add(name: "Content-Length", value: String(reply.body.count))
        headers.add(name: "Connection", value: "close")
        for (name, value) in reply.headers { headers.add(name: name, value: value) }
        let head = HTTPResponseHead(version: .http1_1, status: reply.status, headers: headers)
        try await outbound.write(.head(head))
        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: reply.body))))
        try await outbound.write(.end(nil))
    }
}

/// A reply of the side port: status, body and its type, and extra headers.
struct HTTPReply: Sendable {
    var status: HTTPResponseStatus
    var contentType: String
    var body: [UInt8]
    var headers: [(String, String)] = []

    static func text(_ status: HTTPResponseStatus, _ text: String) -> HTTPReply {
        HTTPReply(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }
}
