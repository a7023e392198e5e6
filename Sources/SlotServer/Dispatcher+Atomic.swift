import Foundation
import SlotDomain
import SlotJournal
import SlotWire

/// Changes of several resources at once, all or nothing: a group's hold, book, confirm, cancel or reschedule, a
/// pool's hold, `get_group`, and an atomic batch. The change takes every resource it touches (in resource-id
/// order, `ResourceActor+Exclusive.swift`), decides its ops in order against copies (`AtomicWork`), and only when
/// all are accepted applies them on each actor and appends one atomic journal entry. A refused change has applied
/// nothing, held nothing and journaled nothing; other requests to its resources waited for it, none was refused.
extension Dispatcher {
    /// Runs `requests` as one change under `stamp`. `asBatch` gives the batch's reply (`results`, or
    /// `batch_refused` naming the op refused); otherwise `requests` is a single op and the reply is its own.
    func runAtomically(_ requests: [BatchItem], stamp: IdempotencyStamp?, asBatch: Bool, as principal: Principal)
        async -> Outcome
    {
        var touched = Set<ResourceID>()
        for (index, item) in requests.enumerated() {
            guard case .success(let request) = item.request else { preconditionFailure("an atomic batch decoded") }
            if asBatch, principal.token != nil, let denied = await refusal(of: request.operation, by: principal) {
                return refusal(denied, index: index, of: requests, asBatch: asBatch, awaitedSequence: 0)
            }
            switch await resources(of: request.operation) {
            case .success(let resources): touched.formUnion(resources)
            case .failure(let error):
                return refusal(error, index: index, of: requests, asBatch: asBatch, awaitedSequence: 0)
            }
        }
        let ordered = touched.sorted()
        let actors = ordered.compactMap(directory.actor)
        guard actors.count == ordered.count else { preconditionFailure("a resource vanished") }
        let token = directory.nextChangeToken()
        var taken: [TakenResource] = []
        for actor in actors {
            let (schedule, lastJournaled) = await actor.take(for: token)
            taken.append(TakenResource(actor: actor, schedule: schedule, lastJournaled: lastJournaled))
        }
        let (outcome, journaled) = await decideAndApply(
            requests, taken: taken, token: token, stamp: stamp, asBatch: asBatch)
        for resource in taken {
            let changed = journaled?.resources.contains(resource.actor.id) ?? false
            await resource.actor.letGo(from: token, journaled: changed ? journaled?.sequence : nil)
        }
        return outcome
    }

    /// A group op naming no group there is (or that the batch makes before it).
    static func noGroup(_ group: GroupID) -> WireError {
        WireError(Rejection(.notFound, "no group \(group)", field: "group"))
    }

    /// The resources an op of an atomic change touches, to take before anything is decided.
    private func resources(of operation: SlotWire.Operation) async
        -> Result<[ResourceID], WireError>
    {
        switch operation {
        case .ping, .getResource, .listResources:
            return .success([])
        case .holdMany(let resources, _, _):
            for resource in resources where directory.actor(resource) == nil {
                return .failure(WireError(ResourceDirectory.notFoundRejection(resource)))
            }
            return .success(resources)
        case .getGroup(let group), .groupTransition(let group, _, _, _):
            guard let lead = directory.actor(group.lead.resource) else { return .failure(Self.noGroup(group)) }
            // A group the batch itself makes earlier has no membership yet: its resources are taken for the op
            // that makes it, and the membership is read from the decided state (`AtomicWork.membership`).
            guard let membership = await lead.groupMembership(group.lead.sequence) else {
                return .success([group.lead.resource])
            }
            return .success(membership.members.map { $0.resource })
        case .multiAvailability:
            return .failure(
                .invalid("resources", "availability over several resources cannot be part of an atomic batch"))
        case .createResource, .snapshot, .stats, .monitor, .batch:
            preconditionFailure("\(operation.name) is refused in an atomic batch when decoded")
        default:
            guard let target = Self.target(of: operation) else { preconditionFailure("an op about one resource") }
            guard directory.actor(target.resource) != nil else {
                return .failure(WireError(target.notFoundRejection))
            }
            return .success([target.resource])
        }
    }

    private func decideAndApply(
        _ requests: [BatchItem], taken: [TakenResource], token: UInt64, stamp: IdempotencyStamp?, asBatch: Bool
    ) async -> (Outcome, JournaledChange?) {
        let actors = taken.map(\.actor)
        let lead = actors.first?.id
        var now = directory.clock.now()
        if let stamp, let lead {
            switch directory.idempotency.begin(stamp, resource: lead, now: now) {
            case .proceed: break
            case .replay(let stored):
                let body = replayed(stored, requests: requests, asBatch: asBatch)
                return (Outcome(reply: .success(body), awaitedSequence: directory.journal.appendedSequence), nil)
            case .full(let rejection): return (.refused(rejection, awaitedSequence: 0), nil)
            case .conflict:
                return (.refused(.idempotencyConflict, awaitedSequence: directory.journal.appendedSequence), nil)
            }
        }
        var schedules: [ResourceID: ResourceSchedule] = [:]
        var awaitedSequence: UInt64 = 0
        for resource in taken {
            schedules[resource.actor.id] = resource.schedule
            awaitedSequence = max(awaitedSequence, resource.lastJournaled)
            now = max(now, resource.schedule.clock)
        }
        var work = AtomicWork(schedules: schedules, now: now)
        var recipes: [ReplyRecipe] = []
        var budget = ReplyBudget(bytesMax: replyBytesMax)
        for (index, item) in requests.enumerated() {
            guard case .success(let request) = item.request else { preconditionFailure("an atomic batch decoded") }
            switch decide(request.operation, in: &work)
                .flatMap({ budget.admit($0, zone: request.displayZone) })
            {
            case .success(let recipe): recipes.append(recipe)
            case .failure(let error):
                if let stamp { directory.idempotency.abandon(stamp) }
                let refused = refusal(
                    error, index: index, of: requests, asBatch: asBatch, awaitedSequence: awaitedSequence)
                return (refused, nil)
            }
        }
        let decided = DecidedChange(work: work, recipes: recipes, now: now, awaitedSequence: awaitedSequence)
        return await apply(decided, requests, actors: actors, token: token, stamp: stamp, asBatch: asBatch)
    }

    /// A resource a change has taken, with its schedule and newest journal entry as of taking it.
    struct TakenResource {
        var actor: ResourceActor
        var schedule: ResourceSchedule
        var lastJournaled: UInt64
    }

    /// The atomic entry a change appended, and the resources it changed (their journal position moves to it).
    struct JournaledChange {
        var sequence: UInt64
        var resources: Set<ResourceID>
    }

    /// What an atomic change decided, all of it accepted: the events, how to read each op's reply, and when.
    private struct DecidedChange {
        var work: AtomicWork
        var recipes: [ReplyRecipe]
        var now: Instant
        /// The newest journal entry of the resources taken, for a change that turns out to change nothing.
        var awaitedSequence: UInt64
    }

    /// Applies a decided change on each actor, appends its one atomic entry, and remembers its key: every
    /// resource is still taken, so nobody sees it applied before it is journaled.
    private func apply(
        _ decided: DecidedChange, _ requests: [BatchItem], actors: [ResourceActor], token: UInt64,
        stamp: IdempotencyStamp?, asBatch: Bool
    ) async -> (Outcome, JournaledChange?) {
        let parts = decided.work.parts
        var partReplies = [StoredReply?](repeating: nil, count: parts.count)
        var partEvents = [ChangeEvents](repeating: [], count: parts.count)
        for actor in actors {
            let indexes = parts.indices.filter { parts[$0].resource == actor.id }
            guard !indexes.isEmpty else { continue }
            let applied = await actor.applyTaken(indexes.map { parts[$0].event }, for: token)
            for (index, part) in zip(indexes, applied) {
                partReplies[index] = part.reply
                partEvents[index] = part.events
            }
        }
        let results = decided.recipes.map { $0.reply(parts: partReplies.map { $0! }, zoneOf: zone) }
        guard !parts.isEmpty else {
            // Nothing changed, so nothing is kept under the key, as for any single request that changes nothing.
            if let stamp { directory.idempotency.abandon(stamp) }
            let outcome = Outcome(
                reply: .success(body(results.map(\.body), requests, asBatch)),
                awaitedSequence: decided.awaitedSequence)
            return (outcome, nil)
        }
        let remembered = stamp.map { stamp in
            let stored = results.map { result -> StoredReply in
                guard let stored = result.stored else { preconditionFailure("a keyed batch holds only changes") }
                return stored
            }
            return RememberedReply(
                stamp: stamp, reply: asBatch ? .batch(resource: actors[0].id, results: stored) : stored[0],
                at: decided.now)
        }
        // In part order, then the group events: what `ServerState.apply` yields for this entry on replay.
        let events = ChangeEvent.addingGroupEvents(to: partEvents.flatMap { $0 })
        let sequence = directory.journal.append(
            .atomic(AtomicEntry(parts: parts, remembered: remembered)), events: events)
        if let remembered { directory.idempotency.remember(remembered) }
        let outcome = Outcome(
            reply: .success(body(results.map(\.body), requests, asBatch)), awaitedSequence: sequence)
        return (outcome, JournaledChange(sequence: sequence, resources: Set(parts.map(\.resource))))
    }

    private func decide(_ operation: SlotWire.Operation, in work: inout AtomicWork) -> Result<ReplyRecipe, WireError> {
        switch operation {
        case .ping: return .success(.fixed(.empty, stored: nil))
        case .getResource(let id): return directory.get(id).reply.map { .fixed($0, stored: nil) }
        case .listResources(let tenant, let after, let limit):
            return directory.list(tenant: tenant, after: after, limit: limit).reply.map { .fixed($0, stored: nil) }
        case .holdMany(let resources, let command, let pool):
            return pool ? work.decidePoolHold(resources, command) : work.decideGroupHold(resources, command)
        case .getGroup(let group):
            guard let membership = work.membership(group) else { return .failure(Self.noGroup(group)) }
            return .success(work.readGroup(membership))
        case .groupTransition(let group, let action, let actor, _):
            guard let membership = work.membership(group) else { return .failure(Self.noGroup(group)) }
            return work.decideGroupChange(membership, action, actor: actor)
        default:
            guard let target = Self.target(of: operation) else { preconditionFailure("an op about one resource") }
            return work.decide(operation, on: target.resource)
        }
    }

    private func zone(of resource: ResourceID) -> TimeZone {
        TimeZones.zone(directory.actor(resource)?.settings.timeZoneIdentifier ?? "UTC")
    }

    private func body(_ bodies: [ReplyBody], _ requests: [BatchItem], _ asBatch: Bool) -> ReplyBody {
        guard asBatch else { return bodies[0] }
        return .batch(
            zip(requests, bodies).map { item, body in
                BatchResult(id: item.id, reply: .success(body), zone: try? item.request.get().displayZone)
            })
    }

    /// The reply kept under the key, shown as the first one was: a batch's results get back the ops' own ids and
    /// zones from the request, which is the same request (the fingerprint says so).
    private func replayed(_ stored: StoredReply, requests: [BatchItem], asBatch: Bool) -> ReplyBody {
        guard asBatch, case .batch(_, let results) = stored else { return ReplyBody(stored, zoneOf: zone) }
        return body(results.map { ReplyBody($0, zoneOf: zone) }, requests, true)
    }

    private func refusal(
        _ error: WireError, index: Int, of requests: [BatchItem], asBatch: Bool, awaitedSequence: UInt64
    ) -> Outcome {
        guard asBatch else { return Outcome(reply: .failure(error), awaitedSequence: awaitedSequence) }
        let name = (try? requests[index].request.get().operation.name) ?? "?"
        return Outcome(
            reply: .failure(.batchRefused(index: index, op: name, cause: error)), awaitedSequence: awaitedSequence)
    }
}
