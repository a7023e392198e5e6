import NIOCore
import SlotClient

/// Authenticates one load connection before its traffic: sends the `auth` line as soon as the connection is open,
/// takes the first reply line, and removes itself, so that the run's timed part holds no authentication.
/// `authenticated` fails when the server refuses the token, and the refusal goes on to `LoadChannelHandler` as an
/// error.
final class LoadAuthentication: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let line: String
    let authenticated: EventLoopPromise<Void>

    init(line: String, authenticated: EventLoopPromise<Void>) {
        self.line = line
        self.authenticated = authenticated
    }

    func channelActive(context: ChannelHandlerContext) {
        // With TLS, the TLS handler holds the line until its handshake is done.
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: line)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let text = String(buffer: unwrapInboundIn(data))
        do {
            guard let reply = try? JSONValue.parse(text) else { throw SlotClientError.malformedReply(text) }
            try SlotEndpoint.checkAuthentication(reply)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            authenticated.succeed()
        } catch {
            authenticated.fail(error)
            // `LoadChannelHandler` records it as the connection's transport error and closes the connection.
            context.fireErrorCaught(error)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        authenticated.fail(error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        authenticated.fail(SlotClientError.connectionClosed)
        context.fireChannelInactive()
    }
}
