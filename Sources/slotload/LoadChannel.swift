import NIOCore
import NIOExtras
import NIOPosix

/// Drives one `LoadWorker` over one connection, entirely on the connection's event loop: a batch is written when
/// the last reply of the one before it is read, with no task and no thread hop per reply. The load generator
/// shares the machine with the server, so every microsecond it spends per request is one the server cannot use.
final class LoadChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var worker: LoadWorker
    private let recorder: Recorder
    private let finished: EventLoopPromise<LoadWorker.Result>
    /// The next batch's request lines, reused from batch to batch.
    private var text: [UInt8] = []
    private var done = false

    init(worker: LoadWorker, recorder: Recorder, finished: EventLoopPromise<LoadWorker.Result>) {
        self.worker = worker
        self.recorder = recorder
        self.finished = finished
    }

    func channelActive(context: ChannelHandlerContext) {
        sendNextBatch(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        guard worker.isAwaitingReply else {
            fail("a reply came with no request in flight", context: context)
            return
        }
        let reply = ReplyFields(Array(unwrapInboundIn(data).readableBytesView))
        guard let samples = worker.take(reply) else { return }
        recorder.record(samples)
        sendNextBatch(context)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail("\(error)", context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done { fail("the server closed the connection", context: context) }
        finished.succeed(worker.result)
        context.fireChannelInactive()
    }

    private func sendNextBatch(_ context: ChannelHandlerContext) {
        text.removeAll(keepingCapacity: true)
        guard worker.nextBatch(into: &text) else {
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

enum LoadChannels {
    /// Connects every worker and returns when all of them are done; a worker that cannot connect reports that.
    static func run(
        _ workers: [LoadWorker], host: String, port: Int, recorder: Recorder
    ) async -> [LoadWorker.Result] {
        let group = MultiThreadedEventLoopGroup.singleton
        let results = workers.map { worker in
            let loop = group.next()
            let finished = loop.makePromise(of: LoadWorker.Result.self)
            ClientBootstrap(group: loop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers(
                            ByteToMessageHandler(LineBasedFrameDecoder(), maximumBufferSize: 256 * 1_024 * 1_024),
                            LoadChannelHandler(worker: worker, recorder: recorder, finished: finished))
                    }
                }
                .connect(host: host, port: port)
                .whenFailure { error in
                    recorder.recordTransportError()
                    var failed = LoadWorker.Result()
                    failed.transportError = "connection \(worker.index): cannot connect: \(error)"
                    finished.succeed(failed)
                }
            return finished.futureResult
        }
        var collected: [LoadWorker.Result] = []
        collected.reserveCapacity(results.count)
        for result in results {
            // The promise is only ever succeeded.
            if let result = try? await result.get() { collected.append(result) }
        }
        return collected
    }
}
