import SlotDomain
import SlotWire

/// Routes a decoded request to the directory, the resource actor that owns it, or the snapshot coordinator.
public struct Dispatcher: Sendable {
    public let directory: ResourceDirectory
    let snapshots: SnapshotCoordinator
    let connections: ConnectionCounter
    /// The per-second samples `monitor` reads (`ServerMetrics.live`); nil when slotd records no metrics
    /// (`--http-port off`).
    let liveSamples: LiveSamples?
    let startedAt: Instant
    /// `ServerConfiguration.replyBytesMax`: multi-resource availability stops early when it cannot fit.
    let replyBytesMax: Int
    /// The webhook ops' outbox; nil where webhooks are not served (an in-process connection of a test).
    var webhooks: WebhookOps? = nil

    public func handle(_ operation: Operation) async -> Outcome {
        await handle(operation, as: .anonymous)
    }

    /// `operation` from `principal`: refused when its role may not send it or it names another customer's
    /// booking (`Dispatcher+Access`); a batch's ops are checked one by one as they run.
    public func handle(_ operation: Operation, as principal: Principal) async -> Outcome {
        if principal.token != nil, let refusal = await refusal(of: operation, by: principal) {
            return Outcome(reply: .failure(refusal), awaitedSequence: 0)
        }
        guard let target = Self.target(of: operation) else { return await handleServerWide(operation, as: principal) }
        guard let actor = directory.actor(target.resource) else { return target.notFound }
        return await handle(operation, on: actor)
    }

    /// The one resource a request is about, found once here: its actor serializes the request with every other
    /// one of that resource. Nil for requests about the server or about several resources.
    enum Target {
        case resource(ResourceID)
        /// A booking: a request naming a booking of an unknown resource is refused as an unknown booking.
        case booking(BookingID)

        var resource: ResourceID {
            switch self {
            case .resource(let id): id
            case .booking(let booking): booking.resource
            }
        }

        var notFound: Outcome { .refused(notFoundRejection, awaitedSequence: 0) }

        var notFoundRejection: Rejection {
            switch self {
            case .resource(let id): ResourceDirectory.notFoundRejection(id)
            case .booking(let booking): Rejection(.notFound, "no booking \(booking)", field: "booking")
            }
        }
    }

    static func target(of operation: Operation) -> Target? {
        switch operation {
        case .ping, .createResource, .getResource, .listResources, .holdMany, .multiAvailability, .snapshot, .stats,
            .monitor, .getGroup, .groupTransition, .batch, .auth, .createToken, .listTokens, .revokeToken,
            .eraseCustomer, .subscribe, .unsubscribe, .createWebhook, .listWebhooks, .getWebhook, .deleteWebhook,
            .listDeliveries, .redeliver:
            nil
        case .transition(let booking, _, _, _), .getBooking(let booking): .booking(booking)
        case .hold(let resource, _), .listBookings(let resource, _, _, _, _, _), .availability(let resource, _, _, _),
            .changeRules(let resource, _, _, _), .getRules(let resource), .bookSeries(let resource, _),
            .waitlistJoin(let resource, _, _, _, _), .waitlistQueue(let resource, _):
            .resource(resource)
        case .cancelSeries(let series, _, _, _, _): .resource(series.resource)
        case .waitlistLeave(let entry, _, _), .waitlistStatus(let entry): .resource(entry.resource)
        }
    }

    /// A request about one resource, on its actor (`target(of:)` named it).
    private func handle(_ operation: Operation, on actor: ResourceActor) async -> Outcome {
        switch operation {
        case .hold(_, let command): await actor.hold(command)
        case .transition(let booking, let action, let actorName, let stamp):
            await actor.transition(action, booking: booking.sequence, actor: actorName, stamp: stamp)
        case .getBooking, .listBookings, .availability, .getRules, .waitlistStatus, .waitlistQueue:
            await actor.read(operation)
        case .changeRules(_, _, _, let stamp), .cancelSeries(_, _, _, _, let stamp),
            .waitlistJoin(_, _, _, _, let stamp),
            .waitlistLeave(_, _, let stamp):
            await actor.change(operation, stamp: stamp)
        case .bookSeries(_, let command): await actor.change(operation, stamp: command.idempotency)
        case .ping, .createResource, .getResource, .listResources, .holdMany, .multiAvailability, .snapshot, .stats,
            .monitor, .getGroup, .groupTransition, .batch, .auth, .createToken, .listTokens, .revokeToken,
            .eraseCustomer, .subscribe, .unsubscribe, .createWebhook, .listWebhooks, .getWebhook, .deleteWebhook,
            .listDeliveries, .redeliver:
            preconditionFailure("\(operation.name) is not about one resource")
        }
    }

    /// Requests about the server, or about several resources (each visited through its own actor).
    private func handleServerWide(_ operation: Operation, as principal: Principal) async -> Outcome {
        switch operation {
        case .ping:
            return Outcome(reply: .success(.empty), awaitedSequence: 0)
        case .createResource(let settings, let rules, let stamp):
            return directory.create(settings, rules: rules, stamp: stamp)
        case .getResource(let id):
            return directory.get(id)
        case .listResources(let tenant, let after, let limit):
            return directory.list(tenant: tenant, after: after, limit: limit)
        case .holdMany(_, let command, _):
            return await runAtomically([.single(operation)], stamp: command.idempotency, asBatch: false, as: principal)
        case .getGroup:
            return await runAtomically([.single(operation)], stamp: nil, asBatch: false, as: principal)
        case .groupTransition(_, _, _, let stamp):
            return await runAtomically([.single(operation)], stamp: stamp, asBatch: false, as: principal)
        case .batch(let batch):
            guard batch.atomic else { return await runEach(batch.items, as: principal) }
            return await runAtomically(batch.items, stamp: batch.idempotency, asBatch: true, as: principal)
        case .multiAvailability(let resources, let all, let from, let to, let durationMinutes):
            return await multiAvailability(resources, all: all, from: from, to: to, durationMinutes: durationMinutes)
        case .snapshot:
            do {
                let summary = try await snapshots.take(reason: "request")
                return Outcome(
                    reply: .success(.snapshot(principal.seesPaths ? summary : summary.withoutDirectory)),
                    awaitedSequence: 0)
            } catch {
                directory.logger.error("snapshot on request failed", metadata: ["error": "\(error)"])
                let detail = principal.seesPaths ? ": \(error)" : "; the server's log says why"
                return Outcome(
                    reply: .failure(WireError(.internal, "the snapshot failed" + detail)), awaitedSequence: 0)
            }
        case .stats(let tenant):
            var stats = await stats(tenant: tenant)
            if !principal.seesPaths { stats.lastSnapshot = stats.lastSnapshot?.withoutDirectory }
            return Outcome(reply: .success(.stats(stats)), awaitedSequence: 0)
        case .monitor(let seconds):
            guard let liveSamples else {
                let error = WireError.invalid("op", "slotd keeps no samples when it runs with --http-port off")
                return Outcome(reply: .failure(error), awaitedSequence: 0)
            }
            return Outcome(reply: .success(.liveSamples(liveSamples.recent(seconds: seconds))), awaitedSequence: 0)
        case .auth:
            // A connection answers `auth` itself: it is about the connection, not the server's state.
            return Outcome(
                reply: .failure(WireError.invalid("op", "auth is answered by the connection")), awaitedSequence: 0)
        case .createToken(let request):
            return createToken(request)
        case .listTokens:
            return listTokens()
        case .revokeToken(let id):
            return revokeToken(id)
        case .eraseCustomer(let customer, let tenant):
            return await eraseCustomer(customer, tenant: tenant)
        case .subscribe, .unsubscribe:
            // The connection answers these before they come here; only a connection without a stream gets here.
            return Outcome(
                reply: .failure(.invalid("op", "the change stream is served on TCP connections only")),
                awaitedSequence: 0)
        case .createWebhook, .listWebhooks, .getWebhook, .deleteWebhook, .listDeliveries, .redeliver:
            return await handleWebhook(operation)
        case .hold, .transition, .getBooking, .listBookings, .availability, .changeRules, .getRules, .bookSeries,
            .cancelSeries, .waitlistJoin, .waitlistLeave, .waitlistStatus, .waitlistQueue:
            preconditionFailure("\(operation.name) is about one resource")
        }
    }

    /// Asks each resource in turn (each answer is exact for that resource at that moment) and combines them:
    /// the intersection for `all`, the union for `any`, each start listing the resources free then.
    ///
    /// What it holds stays in proportion to `replyBytesMax`: `all` keeps only the running intersection, and `any`
    /// stops with `reply_too_large` as soon as the answers so far could not fit in a reply (every free resource
    /// at every start is written out as its quoted id). Keeping a dictionary of every start to its resources, then
    /// filtering, sorting and mapping it, held several copies of 50 resources' answers before the encoder ran.
    func multiAvailability(_ resources: [ResourceID], all: Bool, from: Instant, to: Instant, durationMinutes: Int)
        async -> Outcome
    {
        let ordered = resources.sorted()
        var answers: [[Instant]] = []
        var common: [Instant]?
        var awaitedSequence: UInt64 = 0
        var replyBytesAtLeast = 0
        for resource in ordered {
            guard let actor = directory.actor(resource) else { return ResourceDirectory.notFound(resource) }
            let outcome = await actor.read(
                .availability(resource, from: from, to: to, durationMinutes: durationMinutes))
            awaitedSequence = max(awaitedSequence, outcome.awaitedSequence)
            guard case .success(.slots(let starts)) = outcome.reply else { return outcome }
            if all {
                common = common.map { Self.intersection($0, starts) } ?? starts
            } else {
                replyBytesAtLeast += starts.count * (resource.rawValue.utf8.count + Self.quotesAndCommaBytes)
                guard replyBytesAtLeast <= replyBytesMax else {
                    return Outcome(
                        reply: .failure(.replyTooLarge(limitBytes: replyBytesMax)), awaitedSequence: awaitedSequence)
                }
                answers.append(starts)
            }
        }
        if all {
            return Outcome(
                reply: .success(.pooledSlots((common ?? []).map { ($0, ordered) })), awaitedSequence: awaitedSequence)
        }
        return Outcome(
            reply: .success(.pooledSlots(Self.union(answers, of: ordered))), awaitedSequence: awaitedSequence)
    }

    /// The `"` … `",` around each id in a reply.
    static let quotesAndCommaBytes = 3

    /// The starts in both ascending lists.
    static func intersection(_ left: [Instant], _ right: [Instant]) -> [Instant] {
        var result: [Instant] = []
        var leftIndex = left.startIndex
        var rightIndex = right.startIndex
        while leftIndex < left.endIndex, rightIndex < right.endIndex {
            if left[leftIndex] < right[rightIndex] {
                leftIndex += 1
            } else if right[rightIndex] < left[leftIndex] {
                rightIndex += 1
            } else {
                result.append(left[leftIndex])
                leftIndex += 1
                rightIndex += 1
            }
        }
        return result
    }

    /// Every start in any of the ascending `answers`, in order, with the resources (`answers[i]` is
    /// `resources[i]`'s) free then: a merge that walks each answer once.
    static func union(_ answers: [[Instant]], of resources: [ResourceID]) -> [(start: Instant, resources: [ResourceID])]
    {
        var next = answers.map(\.startIndex)
        var slots: [(start: Instant, resources: [ResourceID])] = []
        while true {
            var earliest: Instant?
            for (index, answer) in answers.enumerated() where next[index] < answer.endIndex {
                let start = answer[next[index]]
                if earliest.map({ start < $0 }) ?? true { earliest = start }
            }
            guard let start = earliest else { return slots }
            var free: [ResourceID] = []
            for (index, answer) in answers.enumerated()
            where next[index] < answer.endIndex && answer[next[index]] == start {
                free.append(resources[index])
                next[index] += 1
            }
            slots.append((start, free))
        }
    }

    /// Visits every resource (one actor hop each): an operator's question, not a hot path. `each` sees every
    /// resource's counts on the way (the operator page's busiest resources).
    func stats(
        tenant: TenantID? = nil,
        each: (ResourceActor, (bookings: Int, activeBookings: Int, activeHolds: Int)) -> Void = { _, _ in }
    ) async -> ServerStats {
        var bookings = 0
        var active = 0
        var holds = 0
        let actors =
            tenant.map { tenant in directory.allActors().filter { $0.id.tenant == tenant } } ?? directory.allActors()
        for actor in actors {
            let counts = await actor.counts()
            each(actor, counts)
            bookings += counts.bookings
            active += counts.activeBookings
            holds += counts.activeHolds
        }
        let journal = directory.journal
        return ServerStats(
            startedAt: startedAt, now: directory.clock.now(), resources: actors.count, bookings: bookings,
            activeBookings: active, activeHolds: holds, idempotencyKeys: directory.idempotency.count,
            connections: connections.current, journalID: journal.journalID, journalSequence: journal.appendedSequence,
            durableSequence: journal.durableSequence, journalCommits: journal.commitCount,
            lastSnapshot: await snapshots.last)
    }
}
