import NIOCore
import NIOPosix
import SlotAuth
import SlotDomain
import SlotJournal
import SlotWire

/// The change stream on a client connection: `subscribe` and `unsubscribe`, decided here rather than by the
/// dispatcher because they belong to the connection, and the catch-up its writer does before the stream goes live.
extension ConnectionHandler {
    /// The reply to `subscribe` or `unsubscribe`; nil for every other request.
    func answerStream(_ request: Request, session: inout ConnectionSession, queue: ReplyQueue?) async
        -> PendingReply?
    {
        switch request.operation {
        case .subscribe, .unsubscribe: break
        default: return nil
        }
        guard let hub, let queue else {
            return .failure(
                id: request.id, .invalid("op", "the change stream is served on TCP connections only"),
                awaitedSequence: 0)
        }
        if session.principal.token != nil,
            let refusal = await dispatcher.refusal(of: request.operation, by: session.principal)
        {
            return .failure(id: request.id, refusal, awaitedSequence: 0)
        }
        if case .subscribe(let subscription) = request.operation {
            return subscribe(subscription, id: request.id, session: &session, queue: queue, hub: hub)
        }
        return unsubscribe(id: request.id, session: &session, hub: hub)
    }

    /// `subscribe`: checks the cursor against what the journal keeps, and starts the subscription, which the
    /// writer catches up once this reply is written.
    func subscribe(
        _ request: SubscriptionRequest, id: RequestID, session: inout ConnectionSession, queue: ReplyQueue,
        hub: EventHub
    ) -> PendingReply {
        for resource in request.resources ?? [] where dispatcher.directory.actor(resource) == nil {
            return .failure(id: id, WireError(ResourceDirectory.notFoundRejection(resource)), awaitedSequence: 0)
        }
        let head = hub.head
        let oldest: UInt64
        do {
            oldest = try hub.oldestRetained()
        } catch {
            logger.error("reading the event table failed", metadata: ["error": "\(error)"])
            return .failure(id: id, WireError(.internal, "the journal's events cannot be read"), awaitedSequence: 0)
        }
        let from = request.fromSeq ?? head
        if let given = request.journal, given != journal.journalID {
            let error = WireError.journalChanged(given: given, current: journal.journalID, oldestSeq: oldest)
            return .failure(id: id, error, awaitedSequence: 0)
        }
        if from + 1 < oldest {
            return .failure(id: id, .cursorExpired(fromSeq: from, oldestSeq: oldest), awaitedSequence: 0)
        }
        if from > head {
            var error = WireError.invalid(
                "from_seq", "from_seq \(from) is past the newest event (\(head)); was it from another server?")
            error.details["head_seq"] = String(head)
            return .failure(id: id, error, awaitedSequence: 0)
        }
        // A second subscription replaces the first: events queued before this reply were the first one's.
        if let previous = session.subscription { endSubscription(previous, hub: hub) }
        let channel = session.channel
        let graceSeconds = Int64(hub.configuration.lagGraceSeconds)
        let subscription = Subscription(
            filter: EventFilter(request), after: from, queue: queue,
            bufferedBytesMax: hub.configuration.subscriberBufferedBytesMax,
            cutOff: {
                guard let channel else { return }
                channel.eventLoop.scheduleTask(in: .seconds(graceSeconds)) { channel.close(promise: nil) }
            }, stillAuthorized: tokenStands(session.token), close: { channel?.close(promise: nil) })
        session.subscription = subscription
        var reply = PendingReply(
            bytes: ReplyEncoder.success(id: id, .subscription(fromSeq: from, headSeq: head, journal: journal.journalID))
                ?? [], awaitedSequence: 0)
        reply.startsStream = subscription
        return reply
    }

    /// `unsubscribe`: no event line follows its reply, whose `last_seq` is the last event the subscription was
    /// given or passed over (0 without a subscription: a client may send it whenever it is unsure).
    func unsubscribe(id: RequestID, session: inout ConnectionSession, hub: EventHub) -> PendingReply {
        let last = session.subscription.map { endSubscription($0, hub: hub) }
        session.subscription = nil
        return PendingReply(
            bytes: ReplyEncoder.success(id: id, .unsubscribed(lastSeq: last ?? 0)) ?? [], awaitedSequence: 0)
    }

    /// Whether `token` (nil: none, which always stands) is still neither revoked nor expired: one dictionary
    /// lookup once some token was revoked, one clock reading for a token that expires.
    private func tokenStands(_ token: TokenRecord?) -> @Sendable () -> Bool {
        guard let token else { return { true } }
        let registry = dispatcher.directory.tokens
        let clock = dispatcher.directory.clock
        let revocationsAtStart = registry.revocationCount
        return {
            // A token gone from the registry (erased with its customer) stands no more than a revoked one.
            if registry.revocationCount != revocationsAtStart,
                registry.token(token.id)?.revokedAt != nil
                    || registry.token(token.id) == nil
            {
                return false
            }
            if let expiresAt = token.expiresAt, clock.now() >= expiresAt { return false }
            return true
        }
    }

    /// Stops the hub pushing to `subscription` and its catch-up; returns the last event it was given or passed.
    @discardableResult
    func endSubscription(_ subscription: Subscription, hub: EventHub) -> UInt64 {
        subscription.cancel()
        hub.detach(subscription)
        return subscription.lastConsidered
    }

    /// Brings a new subscription from its cursor to the head, writing the matching events itself at the pace the
    /// client reads them, then makes it live. False when the connection must close: the events it needed were
    /// compacted away meanwhile (it got `stream.lagged` and resumes into `cursor_expired`).
    func catchUp(
        _ subscription: Subscription, hub: EventHub, to outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async throws -> Bool {
        let chunkMax = hub.configuration.catchUpChunkEventsMax
        while !subscription.isCancelled {
            let after = subscription.lastConsidered
            guard case .catchUp(let through) = hub.attach(subscription, after: after) else { return true }
            let chunk = try await NIOThreadPool.singleton.runIfActive {
                try hub.events(after: after, through: through, limit: chunkMax)
            }
            guard let last = chunk.last, chunk.first?.seq == after + 1 else {
                try await outbound.write(ByteBuffer(bytes: EventJSON.laggedLine(resumeFrom: after)))
                return false
            }
            var buffer = ByteBuffer()
            for event in chunk where subscription.filter.matches(event) {
                buffer.writeBytes(EventJSON.line(body: event.body))
            }
            if buffer.readableBytes > 0 { try await outbound.write(buffer) }
            subscription.caughtUp(through: last.seq)
        }
        return true
    }
}
