import NIOCore
import NIOExtras
import NIOPosix
import SlotClient

/// One `--subscribers` connection, on its event loop: sends `subscribe` (all the server's resources, from the
/// head) as soon as it is open, keeps what `SeenEvent` reads of every event line, and on `stop` sends
/// `unsubscribe`, whose reply ends the events it will see. Sendable only to be handed to its event loop: every
/// use of it is on that loop (`Subscribers` submits its calls there).
final class SubscriberHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let resources: [String: Int]
    private let subscribed: EventLoopPromise<Void>
    private var log = SubscriberLog()
    private var highestSeq: UInt64 = 0
    /// Waiting for an event at or above a seq: `reached(_:)`.
    private var waiting: (seq: UInt64, promise: EventLoopPromise<Void>)?
    private var unsubscribed: EventLoopPromise<SubscriberLog>?
    private var isSubscribed = false
    /// Set once `subscribed` is completed, which may be only once.
    private var subscribeAnswered = false
    /// Set when the reply to `unsubscribe` came: the connection's end is slotload's own.
    private var ended = false

    init(resources: [String: Int], subscribed: EventLoopPromise<Void>) {
        self.resources = resources
        self.subscribed = subscribed
    }

    func channelActive(context: ChannelHandlerContext) {
        // After the `auth` line, if `LoadAuthentication` sent one: the server answers in order.
        let line = #"{"id":1,"op":"subscribe","all":true}"# + "\n"
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: line)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = Array(unwrapInboundIn(data).readableBytesView)
        guard line.starts(with: SeenEvent.lineStart) else { return reply(line, context: context) }
        log.eventLines += 1
        let (type, event) = SeenEvent.parse(line, resources: resources)
        if type == "stream.lagged" {
            log.lagged = true
            return
        }
        guard let event else { return }
        log.events.append(event)
        highestSeq = max(highestSeq, event.seq)
        if let waiting, highestSeq >= waiting.seq {
            self.waiting = nil
            waiting.promise.succeed()
        }
    }

    private func reply(_ line: [UInt8], context: ChannelHandlerContext) {
        let text = String(decoding: line, as: UTF8.self)
        let reply = try? JSONValue.parse(text)
        if !isSubscribed {
            guard let reply, reply.ok, let from = reply["subscription"]?["from_seq"]?.int else {
                return fail("subscribe failed: \(text)", context: context)
            }
            isSubscribed = true
            log.fromSeq = UInt64(from)
            highestSeq = log.fromSeq
            subscribeAnswered = true
            subscribed.succeed()
        } else if let unsubscribed {
            self.unsubscribed = nil
            ended = true
            log.lastSeq = reply?["unsubscribed"]?["last_seq"]?.int.map(UInt64.init)
            if log.lastSeq == nil { log.failure = "unsubscribe failed: \(text)" }
            unsubscribed.succeed(log)
            context.close(promise: nil)
        } else {
            fail("a reply with no request: \(text)", context: context)
        }
    }

    /// Succeeds once an event with a seq of at least `seq` was read, or after `timeout`.
    func reached(_ seq: UInt64, timeout: TimeAmount, context loop: any EventLoop) -> EventLoopFuture<Void> {
        loop.preconditionInEventLoop()
        guard highestSeq < seq, log.failure == nil, !log.lagged else { return loop.makeSucceededVoidFuture() }
        let promise = loop.makePromise(of: Void.self)
        waiting = (seq, promise)
        loop.scheduleTask(in: timeout) { [weak self] in
            guard let self, let waiting = self.waiting, waiting.promise.futureResult === promise.futureResult else {
                return
            }
            self.waiting = nil
            promise.succeed()
        }
        return promise.futureResult
    }

    /// Sends `unsubscribe` and returns what was seen up to its reply (at once if the connection is gone).
    func stop(channel: any Channel) -> EventLoopFuture<SubscriberLog> {
        channel.eventLoop.preconditionInEventLoop()
        guard channel.isActive, log.failure == nil, !log.lagged else {
            return channel.eventLoop.makeSucceededFuture(log)
        }
        let promise = channel.eventLoop.makePromise(of: SubscriberLog.self)
        unsubscribed = promise
        let line = #"{"id":2,"op":"unsubscribe"}"# + "\n"
        channel.writeAndFlush(channel.allocator.buffer(string: line), promise: nil)
        return promise.futureResult
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail("\(error)", context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if log.failure == nil, !log.lagged, !ended {
            log.failure = "the server closed the connection"
        }
        finish()
        context.fireChannelInactive()
    }

    private func fail(_ reason: String, context: ChannelHandlerContext) {
        if log.failure == nil { log.failure = reason }
        finish()
        context.close(promise: nil)
    }

    private func finish() {
        struct Ended: Error {}
        if !subscribeAnswered {
            subscribeAnswered = true
            subscribed.fail(Ended())
        }
        waiting?.promise.succeed()
        waiting = nil
        unsubscribed?.succeed(log)
        unsubscribed = nil
    }
}
