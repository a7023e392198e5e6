import SlotClient
import SlotDomain

/// What the simulation does next, drawn from one seeded generator: a request, or something that happens to the
/// server (time passing, a sweep, a commit, a snapshot, a crash, a restart).
enum SimulatedAction {
    case request(JSONValue)
    /// An idempotent retry: the same line again, whose reply must be the first one, byte for byte.
    case retry(RememberedRequest)
    /// The same key with another body: `idempotency_conflict`.
    case conflictingRetry(JSONValue, of: RememberedRequest)
    case advanceClock(seconds: Int64)
    case sweepExpiredHolds
    case pruneKeys
    case commit
    case snapshot
    /// `kill -9`: what was not committed is lost.
    case crash
    /// `kill -9`, and the newest snapshot is damaged on disk: recovery falls back to the one before it (or the
    /// journal alone), which compaction keeps possible.
    case crashWithDamagedSnapshot
    /// A commit, then `kill -9`: nothing is lost.
    case commitThenCrash
    /// `kill -9` while a commit is being written: the entries after some point in it never reach the disk.
    case crashDuringCommit
    /// A graceful stop (the journal commits what is queued) and a start on the same data folder.
    case restart
}

/// A keyed request whose change the server remembered under its key, and the reply it gave.
struct RememberedRequest {
    var request: JSONValue
    var reply: [UInt8]
    var at: Instant
    /// The reply's journal position was durable (it survives a crash); until then a crash may forget the key.
    var acknowledged: Bool
}

/// The simulation's requests: every mutating op, reads, and the events around them, in proportions that keep
/// most resources busy (so that capacity, buffers and the waitlist are exercised) while many requests are still
/// refused. Ids the server hands out are remembered, so that transitions, reschedules and cancels hit real targets.
struct SimulatedWorkload {
    var random: SplitMix64
    let resources: [SimulatedResource]
    /// The ids of `resources` the server has (as its replies and, after a crash, its recovered state say), in
    /// the order of `resources`.
    private(set) var created: [String] = []
    var bookings: [String] = []
    var series: [String] = []
    var entries: [String] = []
    var groups: [String] = []
    /// Each group's members, as its latest reply listed them.
    var groupMembers: [String: [String]] = [:]
    var remembered: [RememberedRequest] = []
    var requestsMade = 0

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
        let count = Int.random(in: 6...12, using: &random)
        var resources: [SimulatedResource] = []
        for index in 0..<count { resources.append(.random(index: index, using: &random)) }
        self.resources = resources
    }

    /// The first instant of the run: a day in January, or a few days before a change of daylight saving time in
    /// one of the zones (New York on 2027-03-14, Berlin on 03-28 and 10-31, Lord Howe on 04-04 and 10-03, New
    /// York on 11-07), at a random quarter hour.
    mutating func startInstant() -> Instant {
        // 2027-01-04, 03-10, 03-25, 04-01, 10-01 and 10-29, at midnight UTC.
        let starts: [Int64] = [
            1_799_020_800, 1_804_636_800, 1_805_932_800, 1_806_537_600, 1_822_348_800, 1_824_768_000,
        ]
        let start = starts.randomElement(using: &random) ?? starts[0]
        return Instant(secondsSinceEpoch: start + Int64.random(in: 0..<96, using: &random) * 900)
    }

    mutating func next(now: Instant) -> SimulatedAction {
        if created.count < max(4, resources.count / 2) { return .request(create()) }
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<38: return .request(bookingRequest(now: now))
        case 38..<47: return .request(multiResourceRequest(now: now))
        case 47..<51: return .request(groupRequest(now: now))
        case 51..<55: return .request(batchRequest(now: now))
        case 55..<59: return .request(seriesRequest(now: now))
        case 59..<64: return .request(waitlistRequest(now: now))
        case 64..<67: return .request(ruleChange(now: now))
        case 67: return .request(create())
        case 68..<72: return remembered.isEmpty ? .request(read(now: now)) : .retry(pick(remembered))
        case 72..<74:
            guard !remembered.isEmpty else { return .request(read(now: now)) }
            let original = pick(remembered)
            return .conflictingRetry(otherBody(original.request), of: original)
        case 74..<78: return .request(read(now: now))
        case 78..<85: return .advanceClock(seconds: clockJump())
        case 85..<88: return .sweepExpiredHolds
        case 88: return .pruneKeys
        case 89..<96: return .commit
        case 96: return .snapshot
        case 97:
            switch Int.random(in: 0..<4, using: &random) {
            case 0: return .crashWithDamagedSnapshot
            case 1: return .crash
            default: return .crashDuringCommit
            }
        case 98: return .restart
        default: return .commitThenCrash
        }
    }

    /// Minutes mostly, hours often, days now and then: holds expire, bookings start (so they can be completed),
    /// idempotency keys age out, and DST changes pass.
    /// Now and then the wall clock is set back a little (as NTP may): the server's own time never runs backwards.
    private mutating func clockJump() -> Int64 {
        switch Int.random(in: 0..<20, using: &random) {
        case 0: -Int64.random(in: 1...900, using: &random)
        case 1..<12: Int64.random(in: 1...30, using: &random) * 60
        case 12..<18: Int64.random(in: 1...12, using: &random) * 3_600
        default: Int64.random(in: 1...4, using: &random) * 86_400 + Int64.random(in: 0...95, using: &random) * 900
        }
    }

    mutating func pick<Element>(_ options: [Element]) -> Element {
        options[Int.random(in: 0..<options.count, using: &random)]
    }

    mutating func pickID(_ options: [String], or fallback: String) -> String {
        options.isEmpty || Int.random(in: 0..<20, using: &random) == 0 ? fallback : pick(options)
    }

    /// A resource already created (or, now and then, one that is not: `not_found`).
    mutating func anyResource() -> SimulatedResource {
        guard !created.isEmpty, Int.random(in: 0..<25, using: &random) > 0 else { return pick(resources) }
        let id = pick(created)
        return resources.first { $0.id == id } ?? resources[0]
    }

    /// Records which resources exist: after a create succeeds, and after a crash (which may lose creations).
    mutating func resourcesExist(_ ids: some Sequence<String>) {
        let existing = Set(ids).union(created)
        created = resources.map(\.id).filter { existing.contains($0) }
    }

    mutating func resourcesLost(keeping ids: Set<String>) {
        created = created.filter { ids.contains($0) }
    }

    /// Numbered, so replies can be told apart in a failure report.
    mutating func finish(_ fields: [String: JSONValue], keyed: Bool = false) -> JSONValue {
        requestsMade += 1
        var fields = fields
        fields["id"] = .number(Double(requestsMade))
        if keyed && Int.random(in: 0..<5, using: &random) < 2 {
            fields["idempotency_key"] = .string("k\(requestsMade)")
        }
        return .object(fields)
    }

    /// The next resource not created yet, or (when all are, and now and then) one that exists: `already_exists`.
    private mutating func create() -> JSONValue {
        let next = resources.first { !created.contains($0.id) }
        let resource = next.flatMap { Int.random(in: 0..<8, using: &random) > 0 ? $0 : nil } ?? pick(resources)
        guard case .object(let fields) = resource.createRequest else { preconditionFailure("an object") }
        return finish(fields, keyed: true)
    }

    /// The same key with one field changed: a different request under a key already used. (The remembered request
    /// may itself be such a retry, which found its key expired: the change is made on its own values.) A batch
    /// gets its last op twice.
    private func otherBody(_ request: JSONValue) -> JSONValue {
        guard case .object(var fields) = request else { return request }
        if let customer = fields["customer"]?.string {
            fields["customer"] = .string(customer + "-other")
        } else if let ops = fields["ops"]?.array, let last = ops.last {
            fields["ops"] = .array(ops + [last])
        } else if fields["booking"] != nil || fields["group"] != nil {
            fields["actor"] = .string((fields["actor"]?.string ?? "client") + "-other")
        } else {
            fields["capacity"] = .number(Double((fields["capacity"]?.int ?? 1) + 1))
        }
        return .object(fields)
    }

    /// Remembers the ids a successful reply (or a successful op's result in a batch) hands out.
    mutating func learn(from reply: JSONValue) {
        func remember(_ id: String?, in list: inout [String]) {
            if let id, !list.contains(id) { list.append(id) }
        }
        for result in reply["results"]?.array ?? [] where result.ok { learn(from: result) }
        if let group = reply["group"], let id = group["id"]?.string {
            remember(id, in: &groups)
            let members = group["bookings"]?.array?.compactMap { $0["id"]?.string } ?? []
            groupMembers[id] = members
            for member in members { remember(member, in: &bookings) }
        }
        for booking in reply["bookings"]?.array ?? [] { remember(booking["id"]?.string, in: &bookings) }
        remember(reply["booking"]?["id"]?.string, in: &bookings)
        remember(reply["entry"]?["booking"]?["id"]?.string, in: &bookings)
        remember(reply["series"]?.string, in: &series)
        remember(reply["entry"]?["id"]?.string, in: &entries)
        if let resource = reply["resource"]?["id"]?.string { resourcesExist([resource]) }
    }
}
