import Logging
import NIOCore
import ServiceLifecycle
import SlotJournal
import SlotWire
import Tracing

/// Serves one client connection: reads request lines in order, decides each (requests of one connection are
/// decided in the order sent), and hands the replies to a writer task that sends them, in the same order, once
/// the journal has made them durable. Pipelined requests overlap their durability waits.
struct ConnectionHandler: Sendable {
    let dispatcher: Dispatcher
    let decoder: RequestDecoder
    let journal: Journal
    let configuration: ServerConfiguration
    /// Shared by every connection: requests per token and per client address, failed `auth`s per address.
    let rateLimiter: RateLimiter
    let authThrottle: AuthThrottle
    let logger: Logger
    /// `configuration.requiresAuthentication`, worked out once: it reads the host's text.
    let requiresAuthentication: Bool
    /// Nil when the server keeps no metrics: no reply is then recorded.
    let metrics: ServerMetrics?
    /// The series of lines that never became a request, found once.
    let undecoded: RequestSeries?
    /// The tracer each request gets a span from; nil without `--otlp-endpoint`, and then no span is made at all.
    let tracer: (any Tracer)?
    /// Where subscriptions get their events; nil for in-process connections, which have no stream.
    let hub: EventHub?

    init(
        dispatcher: Dispatcher, decoder: RequestDecoder, journal: Journal, configuration: ServerConfiguration,
        rateLimiter: RateLimiter, authThrottle: AuthThrottle, metrics: ServerMetrics?, hub: EventHub? = nil,
        logger: Logger
    ) {
        self.hub = hub
        self.metrics = metrics
        self.undecoded = metrics?.series(op: RequestMetrics.undecoded)
        self.dispatcher = dispatcher
        self.decoder = decoder
        self.journal = journal
        self.configuration = configuration
        self.rateLimiter = rateLimiter
        self.authThrottle = authThrottle
        self.logger = logger
        self.requiresAuthentication = configuration.requiresAuthentication
        self.tracer = configuration.tracesRequests ? InstrumentationSystem.tracer : nil
    }

    func run(_ channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, activity: ConnectionActivity, connectionID: UInt64)
        async
    {
        var logger = logger
        logger[metadataKey: "connection.id"] = "\(connectionID)"
        logger.debug("connection opened", metadata: ["peer": "\(channel.channel.remoteAddress.map { "\($0)" } ?? "?")"])
        do {
            try await channel.executeThenClose { inbound, outbound in
                let queue = activity.queue
                let gate = ShutdownGate()
                let (inputEnded, inputEndedContinuation) = AsyncStream<Void>.makeStream()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { [logger] in
                        defer { queue.close() }
                        let closing = try await writeReplies(
                            from: queue, to: outbound, of: channel.channel, activity: activity, logger: logger)
                        try await Self.flushed(channel.channel)
                        if closing {
                            // The reader may be waiting for a line that will never come (the writer closes on a
                            // `stream.lagged` the reader knows nothing of): the close ends its stream.
                            try? await channel.channel.close()
                        } else if gate.isStopping {
                            await Self.closeLingering(
                                channel.channel, inputEnded: inputEnded, seconds: configuration.shutdownLingerSeconds)
                        }
                    }
                    // On shutdown the reader keeps reading but takes no new request (`ShutdownGate`). Not closing the
                    // input instead: the requests still unread would make the final close a reset. Not wrapping the
                    // stream in `cancelOnGracefulShutdown()`: that puts a merged sequence on every line (decision 0008).
                    var session = ConnectionSession(
                        address: channel.channel.remoteAddress?.ipAddress ?? "?",
                        clientAddress: ClientAddress(channel.channel.remoteAddress))
                    session.channel = channel.channel
                    await withGracefulShutdownHandler {
                        await readRequests(
                            from: inbound, into: queue, activity: activity, gate: gate, connectionID: connectionID,
                            session: session, logger: logger)
                    } onGracefulShutdown: {
                        gate.stop(finishing: queue)
                    }
                    inputEndedContinuation.finish()
                    queue.finish()
                    try await group.waitForAll()
                }
            }
        } catch {
            logger.debug("connection ended with an error", metadata: ["error": "\(error)"])
        }
        logger.debug("connection closed")
    }

    private func readRequests(
        from inbound: NIOAsyncChannelInboundStream<ByteBuffer>, into queue: ReplyQueue, activity: ConnectionActivity,
        gate: ShutdownGate, connectionID: UInt64, session: ConnectionSession, logger: Logger
    ) async {
        var session = session
        var lineNumber: UInt64 = 0
        defer {
            if let hub, let subscription = session.subscription { endSubscription(subscription, hub: hub) }
        }
        do {
            for try await line in inbound {
                // Room first, then the line is taken in: a reply is not built while there is no room for it, and a
                // line still waiting when shutdown begins is dropped unexecuted like the ones after it.
                await queue.awaitRoom()
                guard gate.beginRequest() else { continue }
                defer { gate.endRequest(finishing: queue) }
                lineNumber += 1
                let bytes = line.readableBytesView
                let arrivedNanoseconds = NIODeadline.now().uptimeNanoseconds
                guard bytes.count <= configuration.lineBytesMax else {
                    activity.taken.add(1, ordering: .relaxed)
                    queue.push(lineTooLong(arrivedNanoseconds: arrivedNanoseconds))
                    return
                }
                // A blank line is not a request (people pressing Enter in `nc`): no reply.
                if bytes.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }
                activity.taken.add(1, ordering: .relaxed)
                var reply = await handle(
                    bytes, session: &session, connectionID: connectionID, line: lineNumber, queue: queue,
                    logger: logger)
                reply.arrivedNanoseconds = arrivedNanoseconds
                activity.subscribed.store(session.subscription != nil, ordering: .relaxed)
                queue.push(reply)
                if reply.closeAfter { return }
            }
        } catch is ByteToMessageDecoderError.PayloadTooLargeError {
            guard gate.beginRequest() else { return }
            activity.taken.add(1, ordering: .relaxed)
            queue.push(lineTooLong(arrivedNanoseconds: NIODeadline.now().uptimeNanoseconds))
            gate.endRequest(finishing: queue)
        } catch {
            logger.debug("connection read ended", metadata: ["error": "\(error)"])
        }
    }

    private func lineTooLong(arrivedNanoseconds: UInt64) -> PendingReply {
        metrics?.refusals.count(.lineTooLong)
        let error = WireError(
            .lineTooLong, "a request line may be at most \(configuration.lineBytesMax) bytes; closing the connection",
            details: ["limit_bytes": String(configuration.lineBytesMax)])
        var reply = PendingReply.failure(id: .null, error, awaitedSequence: 0)
        reply.closeAfter = true
        reply.series = undecoded
        reply.arrivedNanoseconds = arrivedNanoseconds
        return reply
    }

    /// Decodes, dispatches and encodes one request. Never throws: every problem becomes an error reply.
    func handle(
        _ line: ByteBufferView, session: inout ConnectionSession, connectionID: UInt64, line lineNumber: UInt64,
        queue: ReplyQueue? = nil, logger: Logger
    ) async -> PendingReply {
        let startedAt = tracer == nil ? nil : DefaultTracerClock.now
        var identity = RequestIdentity(connectionID: connectionID, line: lineNumber)
        var reply: PendingReply
        var op = RequestMetrics.undecoded
        var context: Logger.Metadata = [:]
        switch decoder.decode(Array(line), scope: session.scope) {
        case .failure(let failure):
            identity.clientID = failure.id
            identity.trace = failure.trace
            if logger.logLevel <= .info {
                var metadata: Logger.Metadata = [
                    "error.code": .string(failure.error.code), "error.message": .string(failure.error.message),
                ]
                identity.add(to: &metadata)
                logger.info("request refused", metadata: metadata)
            }
            reply = PendingReply.failure(id: failure.id, failure.error, awaitedSequence: 0)
            reply.series = undecoded
        case .success(let request):
            identity.clientID = request.id
            identity.trace = request.trace
            op = request.operation.name
            reply = await answer(request, session: &session, identity: identity, queue: queue, logger: logger)
            reply.series = metrics?.series(op: op)
            if tracer != nil { request.operation.logContext(into: &context) }
        }
        if let trace = identity.trace {
            reply.bytes = ReplyEncoder.tracing(reply.bytes, id: identity.clientID, trace: trace)
        }
        if let tracer, let startedAt {
            reply.followUp = reply.followUp ?? ReplyFollowUp()
            reply.followUp?.span = startSpan(tracer, op: op, at: startedAt, identity: identity, context: context)
        }
        return reply
    }

    /// The reply to a decoded request: refused at the gate, or decided.
    private func answer(
        _ request: Request, session: inout ConnectionSession, identity: RequestIdentity, queue: ReplyQueue?,
        logger: Logger
    ) async -> PendingReply {
        if let refused = gate(request, session: &session, logger: logger) { return refused }
        if let streamReply = await answerStream(request, session: &session, queue: queue) { return streamReply }
        guard let outcome = await decide(request.operation, as: session.principal) else {
            let error = WireError(.internal, "the journal is closed: the server is stopping")
            logRejection(error, of: request, identity: identity, logger: logger)
            return .failure(id: request.id, error, awaitedSequence: 0)
        }
        switch outcome.reply {
        case .success(let body):
            // Room for the `trace` the reply gains afterwards, so that the line sent stays within the limit.
            let bytesMax = configuration.replyBytesMax - (request.trace == nil ? 0 : TraceParent.replyFieldBytes)
            guard
                let bytes = ReplyEncoder.success(
                    id: request.id, body, zone: request.displayZone, bytesMax: bytesMax)
            else {
                let error = WireError.replyTooLarge(limitBytes: configuration.replyBytesMax)
                logRejection(error, of: request, identity: identity, logger: logger)
                return .failure(id: request.id, error, awaitedSequence: outcome.awaitedSequence)
            }
            var reply = PendingReply(bytes: bytes, awaitedSequence: outcome.awaitedSequence)
            reply.followUp = logServed(request, identity: identity, logger: logger)
            return reply
        case .failure(let error):
            logRejection(error, of: request, identity: identity, logger: logger)
            return .failure(id: request.id, error, awaitedSequence: outcome.awaitedSequence)
        }
    }

    /// Decides `operation` with room reserved in the journal's queue for every entry it may append, given back
    /// when the decision returns (its entries are queued by then): this is what bounds the queue. Nil when the
    /// journal has closed, which happens only after the listener stopped taking requests.
    private func decide(_ operation: Operation, as principal: Principal) async -> Outcome? {
        let entries = operation.journalEntriesMax
        do {
            try await journal.admit(entries: entries)
        } catch {
            return nil
        }
        defer { journal.release(entries: entries) }
        return await dispatcher.handle(operation, as: principal)
    }
}
