import Logging
import SlotDomain
import SlotJournal
import SlotWire
import Synchronization

/// Every resource's actor, by id. Creating a resource journals it under the directory's lock, so its creation
/// entry precedes every entry of its own, and two creations of one id cannot both succeed.
public final class ResourceDirectory: Sendable {
    /// The actors by id, and each tenant's ids in order for listing; both change together under the one lock.
    private struct Entries {
        var byID: [ResourceID: ResourceActor]
        var order: [TenantID?: OrderedResourceIDs]
    }

    private let actors: Mutex<Entries>
    let journal: Journal
    let idempotency: IdempotencyRegistry
    public let tokens: TokenRegistry
    let clock: any WallClock
    let limits: DomainLimits
    let resourcesMax: Int
    let logger: Logger
    /// Given to each resource's actor; nil when the server keeps no metrics.
    let metrics: BookingMetrics?
    private let changeTokens = Atomic<UInt64>(0)

    init(
        actors: [ResourceID: ResourceActor], journal: Journal, idempotency: IdempotencyRegistry,
        tokens: TokenRegistry, clock: any WallClock, limits: DomainLimits, resourcesMax: Int,
        metrics: BookingMetrics?, logger: Logger
    ) {
        self.logger = logger
        self.metrics = metrics
        let order = Dictionary(grouping: actors.keys, by: \.tenant).mapValues { OrderedResourceIDs($0) }
        self.actors = Mutex(Entries(byID: actors, order: order))
        self.journal = journal
        self.idempotency = idempotency
        self.tokens = tokens
        self.clock = clock
        self.limits = limits
        self.resourcesMax = resourcesMax
    }

    public func actor(_ id: ResourceID) -> ResourceActor? {
        actors.withLock { $0.byID[id] }
    }

    public var count: Int { actors.withLock { $0.byID.count } }

    public func allActors() -> [ResourceActor] {
        actors.withLock { Array($0.byID.values) }
    }

    /// The whole server's state as the journal defines it: every actor's part and the key table. Exact only when no
    /// request is running (tests and the simulation call it between requests).
    public func state() async -> ServerState {
        var resources: [ResourceState] = []
        for actor in allActors() { resources.append(await actor.state()) }
        return ServerState(limits: limits, resources: resources, keys: idempotency.copy(), tokens: tokens.copy())
    }

    /// The resources with a hold or a reminder that may be due at `now`, found without visiting any of them.
    func actorsWithSomethingDue(at now: Instant) -> [ResourceActor] {
        actors.withLock { $0.byID.values.filter { $0.hasSomethingDue(at: now) } }
    }

    /// Creates a resource with its initial rule layers, journaled right after its creation entry, all under the
    /// directory's lock, so nobody sees the resource without its rules.
    public func create(_ settings: ResourceSettings, rules: [RuleChange] = [], stamp: IdempotencyStamp?) -> Outcome {
        let now = clock.now()
        if let stamp {
            switch idempotency.begin(stamp, resource: settings.id, now: now) {
            case .proceed: break
            case .full(let rejection): return .refused(rejection, awaitedSequence: 0)
            case .replay(let reply):
                if case .resource(let stored) = reply, let existing = actor(stored.id) {
                    return Outcome(reply: .success(.resource(stored)), awaitedSequence: existing.createdSequence)
                }
                return conflict()
            case .conflict: return conflict()
            }
        }
        let outcome: Outcome = actors.withLock { entries in
            if let existing = entries.byID[settings.id] {
                return .refused(
                    Rejection(.alreadyExists, "resource \(settings.id) already exists", field: "resource"),
                    awaitedSequence: existing.createdSequence)
            }
            guard entries.byID.count < resourcesMax else {
                return Outcome(
                    reply: .failure(
                        WireError(
                            .tooManyResources, "the server already has \(resourcesMax) resources (the limit)",
                            details: ["limit": String(resourcesMax)])),
                    awaitedSequence: 0)
            }
            // The same steps as `ServerState.apply` for these entries, with each entry journaled as it is applied.
            var (resource, created) = ResourceState.created(
                settings, at: now, idempotency: stamp, limits: limits, journal: journal.append)
            for change in rules {
                let (event, _) = resource.schedule.decide(change, actor: Actors.client, now: now)
                let entry = JournalEntry.schedule(settings.id, event)
                resource.apply(entry, journal: journal.append)
            }
            if let remembered = created.remembered { idempotency.remember(remembered) }
            entries.byID[settings.id] = ResourceActor(
                state: resource, journal: journal, idempotency: idempotency, clock: clock, metrics: metrics,
                logger: logger)
            entries.order[settings.id.tenant, default: OrderedResourceIDs([])].insert(settings.id)
            return Outcome(reply: .success(.resource(settings)), awaitedSequence: resource.lastSequence)
        }
        if let stamp, case .failure = outcome.reply { idempotency.abandon(stamp) }
        return outcome
    }

    public func get(_ id: ResourceID) -> Outcome {
        guard let actor = actor(id) else { return Self.notFound(id) }
        return Outcome(reply: .success(.resource(actor.settings)), awaitedSequence: actor.createdSequence)
    }

    /// One page of a tenant's resources in id order, from the ordered index: the cost follows the page, not the
    /// server.
    public func list(tenant: TenantID?, after: ResourceID?, limit: Int) -> Outcome {
        let (page, more) = actors.withLock { entries in
            guard let order = entries.order[tenant] else { return ([ResourceActor](), false) }
            let (ids, more) = order.page(after: after, limit: limit)
            return (ids.compactMap { entries.byID[$0] }, more)
        }
        let awaitedSequence = page.map(\.createdSequence).max() ?? 0
        return Outcome(
            reply: .success(.resources(page.map(\.settings), truncated: more)), awaitedSequence: awaitedSequence)
    }

    static func notFound(_ id: ResourceID) -> Outcome {
        .refused(notFoundRejection(id), awaitedSequence: 0)
    }

    static func notFoundRejection(_ id: ResourceID) -> Rejection {
        Rejection(.notFound, "no resource \(id)", field: "resource")
    }

    /// The ids of `tenant`'s resources, in id order.
    func resourceIDs(of tenant: TenantID?) -> [ResourceID] {
        actors.withLock { $0.byID.keys.filter { $0.tenant == tenant }.sorted() }
    }

    /// Runs `body` under the directory's lock if `tenant`'s resources are still exactly `expected` (in id order),
    /// else returns nil. Resources are created under the same lock, journaled as they are, so an entry `body`
    /// appends follows the creation of every resource in `expected` and precedes that of any other: in replay it
    /// meets the very same resources (`Dispatcher+Erasure`).
    func whileResources<Value>(of tenant: TenantID?, are expected: [ResourceID], _ body: () -> Value) -> Value? {
        actors.withLock { entries in
            guard entries.byID.keys.filter({ $0.tenant == tenant }).sorted() == expected else { return nil }
            return body()
        }
    }

    /// A number for each multi-resource change, so a resource can check that the change using it is the one that
    /// took it.
    func nextChangeToken() -> UInt64 {
        changeTokens.add(1, ordering: .relaxed).newValue
    }

    private func conflict() -> Outcome {
        .refused(.idempotencyConflict, awaitedSequence: journal.appendedSequence)
    }
}
