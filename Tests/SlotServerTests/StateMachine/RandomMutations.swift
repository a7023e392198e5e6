import SlotClient
import SlotDomain
import SlotServer
import SlotTesting

/// Random requests of every mutating kind against four resources (capacities 1 and 2, buffers, two zones).
/// Ids of bookings, series and waitlist entries the server handed out are remembered and reused, so
/// transitions, reschedules and cancels hit real targets; many requests are refused, which is part of the test.
/// Groups (multi-resource holds and books) are remembered too, for the group ops and for single-booking changes of
/// their members (refused as `group_member`); batches mix those ops over one to three resources, atomic or not.
struct RandomMutations {
    var random: SplitMix64
    let clock: ManualClock
    var bookings: [String] = []
    var series: [String] = []
    var entries: [String] = []
    var groups: [String] = []
    var groupMembers: [String: [String]] = [:]
    /// The latest time held or booked on each resource: what a waiting customer asks for.
    var taken: [String: (start: String, end: String)] = [:]
    var sent: [JSONValue] = []
    var succeeded = 0
    var refusals: [String: Int] = [:]
    /// Successful replies by op (`hold/group`, `hold/pool`, `batch/atomic`, `batch/each` for the new forms).
    var succeededByOp: [String: Int] = [:]
    static let resources = ["a", "b", "c", "d"]
    enum Days { case allDays, weekdays }

    static func hours(_ days: Days, _ opens: String, _ closes: String) -> JSONValue {
        let names = ["mon", "tue", "wed", "thu", "fri"] + (days == .allDays ? ["sat", "sun"] : [])
        return .object(Dictionary(uniqueKeysWithValues: names.map { ($0, [[.string(opens), .string(closes)]]) }))
    }

    init(seed: UInt64, clock: ManualClock) {
        random = SplitMix64(seed: seed)
        self.clock = clock
    }

    mutating func step(_ client: SlotConnection) async throws {
        if sent.isEmpty {
            for (index, id) in Self.resources.enumerated() {
                let extra: [String: JSONValue] = [
                    "capacity": .number(Double(index % 2 + 1)), "buffer_after_minutes": index == 1 ? 15 : 0,
                    "hold_ttl_seconds": index == 3 ? 60 : 600, "idempotency_key": .string("create-\(id)"),
                ]
                let request = Requests.createResource(id, tz: index < 2 ? "Europe/Berlin" : "UTC", extra: extra)
                try await send(request, client)
                try await send(request, client)
            }
        }
        let request = nextRequest()
        try await send(request, client)
        if Int.random(in: 0..<5, using: &random) == 0, request["idempotency_key"] != nil {
            try await send(request, client)
        }
        if Int.random(in: 0..<6, using: &random) == 0 {
            clock.advance(seconds: Int64.random(in: 1...900, using: &random))
        }
    }

    private mutating func send(_ request: JSONValue, _ client: SlotConnection) async throws {
        sent.append(request)
        let reply = try await client.call(request)
        guard reply.ok else {
            refusals[reply.errorCode ?? "?", default: 0] += 1
            return
        }
        succeeded += 1
        let form =
            request["atomic"].map { $0 == .bool(true) ? "/atomic" : "/each" }
            ?? (request["resources"] != nil ? "/group" : request["pool"] != nil ? "/pool" : "")
        succeededByOp[(request["op"]?.string ?? "?") + form, default: 0] += 1
        learn(from: reply)
    }

    /// Remembers the ids a successful reply (or a successful op's result in a batch) hands out.
    private mutating func learn(from reply: JSONValue) {
        for result in reply["results"]?.array ?? [] where result.ok { learn(from: result) }
        if let group = reply["group"], let id = group["id"]?.string {
            remember(id, in: \.groups)
            let members = group["bookings"]?.array?.compactMap { $0["id"]?.string } ?? []
            groupMembers[id] = members
            for member in members { remember(member, in: \.bookings) }
        }
        for booking in reply["bookings"]?.array ?? [] { remember(booking["id"]?.string, in: \.bookings) }
        remember(reply["booking"]?["id"]?.string, in: \.bookings)
        if let booking = reply["booking"], let resource = booking["resource"]?.string,
            let start = booking["start"]?.string, let end = booking["end"]?.string
        {
            taken[resource] = (start, end)
        }
        remember(reply["series"]?.string, in: \.series)
        remember(reply["entry"]?["id"]?.string, in: \.entries)
    }

    private mutating func remember(_ id: String?, in list: WritableKeyPath<RandomMutations, [String]>) {
        if let id, !self[keyPath: list].contains(id) { self[keyPath: list].append(id) }
    }

    mutating func pick(_ options: [String]) -> String? {
        options.isEmpty ? nil : options[Int.random(in: 0..<options.count, using: &random)]
    }

    /// A slot within the next three days, on the quarter hour, 30 or 60 minutes long.
    mutating func range() -> (start: String, end: String) {
        let start = clock.now().secondsSinceEpoch / 900 * 900 + Int64.random(in: 4...288, using: &random) * 900
        let minutes = Int64.random(in: 1...2, using: &random) * 30
        return (
            RFC3339.format(Instant(secondsSinceEpoch: start)),
            RFC3339.format(Instant(secondsSinceEpoch: start + minutes * 60))
        )
    }

    private mutating func nextRequest() -> JSONValue {
        let resource = pick(Self.resources) ?? "a"
        let (start, end) = range()
        var key: JSONValue? = Bool.random(using: &random) ? .string("k\(sent.count)") : nil
        let request: JSONValue
        switch Int.random(in: 0..<22, using: &random) {
        case 0..<4:
            request =
                Bool.random(using: &random)
                ? Requests.hold(resource, start, end, extra: ["ttl_seconds": Bool.random(using: &random) ? 30 : 300])
                : Requests.hold(resource, start, end, op: "book")
        case 4..<8:
            let op = pick(["confirm", "cancel", "complete", "no_show", "reschedule"]) ?? "confirm"
            var extra: [String: JSONValue] = [:]
            if op == "reschedule" { extra = ["start": .string(start), "end": .string(end)] }
            request = Requests.move(op, pick(bookings) ?? "a/1", extra: extra)
        case 8, 20:
            let pair = Array(Self.resources.shuffled(using: &random).prefix(2)).map { JSONValue.string($0) }
            request = [
                "op": Bool.random(using: &random) ? "hold" : "book", "resources": .array(pair),
                "start": .string(start), "end": .string(end), "customer": "group",
            ]
        case 9:
            request = [
                "op": "book_series", "resource": .string(resource), "start": .string(start), "end": .string(end),
                "customer": "series", "rule": ["freq": "daily", "count": 3], "skip_conflicts": true,
            ]
        case 10:
            request =
                Bool.random(using: &random)
                ? ["op": "cancel_series", "series": .string(pick(series) ?? "a/1")]
                : ["op": "waitlist_leave", "entry": .string(pick(entries) ?? "a/w1")]
        case 11, 12:
            // Mostly for a time just taken, so that it is waited for.
            let wanted =
                Bool.random(using: &random) ? (taken[resource] ?? (start: start, end: end)) : (start: start, end: end)
            request = [
                "op": "waitlist_join", "resource": .string(resource), "start": .string(wanted.start),
                "end": .string(wanted.end), "customer": .string("waiter\(sent.count % 3)"),
            ]
        case 13, 14:
            request = ruleChange(resource, start: start, end: end)
        case 15:
            let pool = Array(Self.resources.shuffled(using: &random).prefix(Int.random(in: 2...3, using: &random)))
            request = [
                "op": "hold", "pool": .array(pool.map { .string($0) }), "start": .string(start), "end": .string(end),
                "customer": "pool",
            ]
        case 16, 21:
            request = groupOperation(start: start, end: end)
            if request["op"] == "get_group" { key = nil }
        case 17, 18:
            request = batch(atomic: true)
        default:
            key = nil
            request = batch(atomic: false)
        }
        guard let key, case .object(var fields) = request else { return request }
        fields["idempotency_key"] = key
        return .object(fields)
    }

    mutating func ruleChange(_ resource: String, start: String, end: String) -> JSONValue {
        switch Int.random(in: 0..<4, using: &random) {
        case 0:
            return ["op": "add_block", "resource": .string(resource), "start": .string(start), "end": .string(end)]
        case 1:
            return [
                "op": "remove_block", "resource": .string(resource),
                "block": .number(Double(Int.random(in: 1...3, using: &random))),
            ]
        case 2:
            let date = JSONValue.string(String(start.prefix(10)))
            return Bool.random(using: &random)
                ? ["op": "set_override", "resource": .string(resource), "date": date, "closed": true]
                : ["op": "set_override", "resource": .string(resource), "date": date, "hours": [["10:00", "16:00"]]]
        default:
            return [
                "op": "set_weekly_hours", "resource": .string(resource),
                "weekly_hours": Bool.random(using: &random)
                    ? Self.hours(.allDays, "06:00", "23:00") : Self.hours(.weekdays, "07:00", "21:00"),
            ]
        }
    }
}
