import NIOCore
import NIOExtras
import NIOPosix
import SlotClient

/// Drives one `LoadWorker` over one connection, entirely on the connection's event loop: a round of lines is
/// written when the last reply of the one before it is read, with no task and no thread hop per reply. The load generator
/// shares the machine with the server, so every microsecond it spends per request is one the server cannot use.
/// Nothing is sent before the `Start` event: every connection of the run opens first, then all start together.
final class LoadChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Sent through the pipeline once every connection is open.
    struct Start {
        var deadline: ContinuousClock.Instant?
    }

    private var worker: LoadWorker
    private let recorder: Recorder
    private let finished: EventLoopPromise<LoadTraffic.Result>
    /// The next round's request lines, reused from round to round.
    private var text: [UInt8] = []
    private var started = false
    private var done = false

    init(worker: LoadWorker, recorder: Recorder, finished: EventLoopPromise<LoadTraffic.Result>) {
        self.worker = worker
        self.recorder = recorder
        self.finished = finished
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let start = event as? Start else { return context.fireUserInboundEventTriggered(event) }
        guard !started, !done else { return }
        started = true
        worker.deadline = start.deadline
        sendNextRound(context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        let line = Array(unwrapInboundIn(data).readableBytesView)
        guard worker.isAwaitingReply else {
            // Such as `overloaded` from a server at its connection limit, which then closes the connection.
            fail("the server sent \(ReplyFields(line).code) with no request in flight", context: context)
            return
        }
        do {
            guard try worker.take(line) else { return }
        } catch {
            fail("\(error)", context: context)
            return
        }
        recorder.record(worker.roundSamples)
        sendNextRound(context)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail("\(error)", context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done { fail("the server closed the connection", context: context) }
        finished.succeed(worker.result)
        context.fireChannelInactive()
    }

    private func sendNextRound(_ context: ChannelHandlerContext) {
        text.removeAll(keepingCapacity: true)
        guard worker.nextRound(into: &text) else {
            done = true
            context.close(promise: nil)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: text.count)
        buffer.writeBytes(text)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    private func fail(_ reason: String, context: ChannelHandlerContext) {
        guard !done else { return }
        done = true
        recorder.recordTransportError()
        worker.fail(reason)
        context.close(promise: nil)
    }
}

/// The run's connections: all opened first, then started at one moment, so that the measured part is the
/// traffic and not a storm of connects (slotd's clients are front ends that keep their connections open, and a
/// flash sale is a race among connections that are already there).
struct LoadChannels {
    private var channels: [any Channel] = []
    private var results: [EventLoopFuture<LoadTraffic.Result>] = []

    /// Opens one connection per worker, with TLS and authenticated if the endpoint says so; a worker that cannot
    /// connect (or whose token is refused) reports that as its result.
    static func connect(_ workers: [LoadWorker], endpoint: SlotEndpoint, recorder: Recorder) async -> LoadChannels {
        let group = MultiThreadedEventLoopGroup.singleton
        let authenticationLine = endpoint.authenticationLine()
        var opening:
            [(EventLoopFuture<any Channel>, EventLoopFuture<Void>, LoadWorker, EventLoopPromise<LoadTraffic.Result>)] =
                []
        for worker in workers {
            let loop = group.next()
            let finished = loop.makePromise(of: LoadTraffic.Result.self)
            let authenticated = loop.makePromise(of: Void.self)
            let channel = ClientBootstrap(group: loop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try endpoint.addTLS(to: channel)
                        let pipeline = channel.pipeline.syncOperations
                        try pipeline.addHandler(
                            ByteToMessageHandler(LineBasedFrameDecoder(), maximumBufferSize: 256 * 1_024 * 1_024))
                        if let authenticationLine {
                            try pipeline.addHandler(
                                LoadAuthentication(line: authenticationLine, authenticated: authenticated))
                        } else {
                            authenticated.succeed()
                        }
                        try pipeline.addHandler(
                            LoadChannelHandler(worker: worker, recorder: recorder, finished: finished))
                    }
                }
                .connect(host: endpoint.host, port: endpoint.port)
            // A connect that fails never runs the initializer.
            channel.whenFailure { authenticated.fail($0) }
            opening.append((channel, authenticated.futureResult, worker, finished))
        }
        var connected = LoadChannels()
        for (channel, authenticated, worker, finished) in opening {
            do {
                let open = try await channel.get()
                // A refused token or a failed handshake reached `LoadChannelHandler` too, which recorded it and
                // closes the connection, completing `finished`.
                if (try? await authenticated.get()) != nil { connected.channels.append(open) }
            } catch {
                recorder.recordTransportError()
                var failed = LoadTraffic.Result()
                failed.transportError = "connection \(worker.index): cannot connect: \(error)"
                finished.succeed(failed)
            }
            connected.results.append(finished.futureResult)
        }
        return connected
    }

    /// Starts every open connection and returns when all of them are done.
    func run(deadline: ContinuousClock.Instant?) async -> [LoadTraffic.Result] {
        for channel in channels {
            channel.pipeline.fireUserInboundEventTriggered(LoadChannelHandler.Start(deadline: deadline))
        }
        var collected: [LoadTraffic.Result] = []
        collected.reserveCapacity(results.count)
        for result in results {
            // The promise is only ever succeeded.
            if let result = try? await result.get() { collected.append(result) }
        }
        return collected
    }
}
