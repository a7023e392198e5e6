import Logging
import NIOCore

/// The connection's writing side: replies sent in order once durable, and what each written reply finishes
/// (metrics, spans, `--log-requests` lines).
extension ConnectionHandler {
    /// Returns once every reply written so far is in the socket. `outbound.write` returns when NIO has the bytes,
    /// not when they are sent, and `executeThenClose` then closes the channel at once, which drops whatever a
    /// client reading slowly has not taken yet (swift-nio#2795): the tail of a large reply, or replies to
    /// requests already made durable. Writes complete in order, so the completion of an empty write means that
    /// everything before it went out.
    static func flushed(_ channel: any Channel) async throws {
        try await withTaskCancellationHandler {
            try await channel.writeAndFlush(ByteBuffer()).get()
        } onCancel: {
            channel.close(promise: nil)
        }
    }

    /// After the last reply at shutdown: closes the sending side, so that the client reads every reply and then the
    /// end of the stream, and waits for the client to close its side while the reader drops what it still sends,
    /// for at most `seconds`. Then the connection is closed. Closing at once with requests unread in the socket
    /// makes the kernel answer with a reset, and a reset throws away the replies still on their way to the client.
    static func closeLingering(_ channel: any Channel, inputEnded: AsyncStream<Void>, seconds: Int) async {
        defer { channel.close(promise: nil) }
        do { try await channel.close(mode: .output).get() } catch { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await _ in inputEnded {} }
            group.addTask { try? await Task.sleep(for: .seconds(seconds)) }
            await group.next()
            group.cancelAll()
        }
    }

    /// A batch this large stays counted until the socket has it: NIO's default high-water mark of a channel's write
    /// buffer. Below it, what NIO holds uncounted is at most about twice this (the writer stops at the mark).
    static let flushWaitBytesMin = 65_536

    /// Sends each batch once durable, then finishes its replies' spans and log lines and counts them in the metrics.
    /// A batch stays counted in the queue (and the server's reply budget) until the socket has it: `outbound.write` returns once NIO has it, so for a large batch, or when the channel is not
    /// writable (the client is not reading), the writer also waits for the flush; small batches of a reading client,
    /// the common case, cost no extra wait. The replies' arrays are dropped as soon as they are copied into the
    /// buffer, so a batch is not held twice while a slow client takes it.
    /// Returns true when it stopped at a line that closes the connection (`line_too_long`, `stream.lagged`),
    /// false once the reader finished and everything queued was written.
    func writeReplies(
        from queue: ReplyQueue, to outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, of channel: any Channel,
        activity: ConnectionActivity, logger: Logger
    ) async throws -> Bool {
        // Kept between batches, so that recording costs no allocation once it has grown to a batch's size.
        var answered: [AnsweredRequest] = []
        var followUps: [(ReplyFollowUp, code: String?, arrived: UInt64)] = []
        while true {
            var batch = await queue.takeAll()
            guard !batch.isEmpty else { return false }
            let awaitedSequence = batch.lazy.map(\.awaitedSequence).max() ?? 0
            try await journal.waitUntilDurable(awaitedSequence)
            let bytes = batch.reduce(0) { $0 + $1.bytes.count }
            let count = batch.count
            // Stream lines answer no request: the sweeper compares replies with requests taken.
            let replies = batch.count { !$0.isEventLine }
            activity.durable.add(UInt64(replies), ordering: .relaxed)
            let closeAfter = batch.contains(where: \.closeAfter)
            let startsStream = batch.lazy.compactMap(\.startsStream).last
            var eventBytes = 0
            var buffer = ByteBufferAllocator().buffer(capacity: bytes)
            answered.removeAll(keepingCapacity: true)
            followUps.removeAll(keepingCapacity: true)
            for reply in batch {
                buffer.writeBytes(reply.bytes)
                if reply.isEventLine { eventBytes += reply.bytes.count }
                if let followUp = reply.followUp {
                    followUps.append((followUp, reply.errorCode, reply.arrivedNanoseconds))
                }
                if let series = reply.series {
                    answered.append(
                        AnsweredRequest(series: series, code: reply.errorCode, arrived: reply.arrivedNanoseconds))
                }
            }
            batch = []
            try await outbound.write(buffer)
            let writtenNanoseconds = NIODeadline.now().uptimeNanoseconds
            for (followUp, code, arrived) in followUps {
                followUp.finish(code: code, nanoseconds: writtenNanoseconds &- arrived, logger: logger)
            }
            for request in answered {
                request.series.record(code: request.code, nanoseconds: writtenNanoseconds &- request.arrived)
            }
            if !answered.isEmpty {
                metrics?.live.record(
                    answered.lazy.map {
                        (op: $0.series.op, failed: $0.code != nil, nanoseconds: writtenNanoseconds &- $0.arrived)
                    })
            }
            if bytes >= Self.flushWaitBytesMin || !channel.isWritable { try await Self.flushed(channel) }
            queue.written(count, bytes: bytes, eventBytes: eventBytes)
            activity.answered.add(UInt64(replies), ordering: .relaxed)
            if closeAfter { return true }
            if let startsStream, let hub, !(try await catchUp(startsStream, hub: hub, to: outbound)) { return true }
        }
    }
}

/// What a written reply adds to the metrics.
private struct AnsweredRequest {
    let series: RequestSeries
    let code: String?
    let arrived: UInt64
}
