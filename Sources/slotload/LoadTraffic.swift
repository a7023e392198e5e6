import SlotDomain
import SlotWire

/// What slotload was told about one booking: the last acknowledged state is what the server must show.
struct LedgerEntry: Sendable {
    enum Expected: Sendable {
        case confirmed
        case held(expiresAtSeconds: Int64)
        /// Canceled, or a hold that lapsed: the server must not show it as active.
        case inactive
    }

    var resource: Int
    /// The booking is `resource/sequence`.
    var sequence: UInt64
    var start: Int64
    var end: Int64
    var expected: Expected
}

/// A booking, by resource (index in the plan) and number.
struct BookingRef: Hashable, Sendable {
    var resource: Int
    var sequence: UInt64
}

/// A group slotload saw created. Each member also has its own ledger entry; at the end, `get_group` must show
/// these members, all in one state.
struct GroupEntry: Sendable {
    var id: String
    var members: [BookingRef]
}

/// One request sent: its op and what its reply will change in the ledger.
struct Pending {
    var op: Operation
    var resource: Int
    /// The second resource of a group hold.
    var otherResource: Int?
    /// The ledger entry a confirm, cancel or reschedule moves; for a group op, its first member's (the members'
    /// entries follow one another).
    var entry: Int?
    var start: Int64
    var end: Int64
}

/// One connection's choice of requests and its record of what the server acknowledged, with no I/O and no
/// framing: `LoadWorker` decides how the requests travel (one a line or `batch` lines) and hands each reply back.
struct LoadTraffic: Sendable {
    /// The resources of every group `mixed` makes.
    static let groupResources = 2

    let index: Int
    let plan: Plan
    private let customer: String
    private var random: SplitMix64
    private var state = MixState()
    private(set) var result = Result()

    struct Result: Sendable {
        /// Every booking this connection saw acknowledged, in order; an array, so recording one costs no hashing.
        var ledger: [LedgerEntry] = []
        /// Every group this connection saw created.
        var groups: [GroupEntry] = []
        var transportError: String?
    }

    /// The bookings and groups this connection may still move, for `mixed`, as positions in its ledger.
    struct MixState {
        var holdsToConfirm: [Int] = []
        var confirmed: [Int] = []
        var groupsToSettle: [(group: Int, firstEntry: Int)] = []
    }

    init(index: Int, plan: Plan, seed: UInt64) {
        self.index = index
        self.plan = plan
        customer = "c\(index)"
        random = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37_79B9)
    }

    mutating func fail(_ reason: String) {
        if result.transportError == nil { result.transportError = "connection \(index): \(reason)" }
    }

    /// Picks the next request and appends its object to `text`.
    mutating func next(round: Int, into text: inout [UInt8]) -> Pending {
        switch plan.scenario {
        case .uniform, .hot, .flashSale:
            return newBooking(.book, round: round, into: &text)
        case .availability:
            return Int.random(in: 0..<10, using: &random) == 0
                ? newBooking(.book, round: round, into: &text) : availability(into: &text)
        case .mixed:
            return nextMixed(round: round, into: &text)
        }
    }

    private mutating func nextMixed(round: Int, into text: inout [UInt8]) -> Pending {
        let roll = Int.random(in: 0..<100, using: &random)
        if roll < 6, !state.groupsToSettle.isEmpty {
            return settle(state.groupsToSettle.removeFirst(), into: &text)
        }
        if roll < 22, !state.holdsToConfirm.isEmpty {
            return move(.confirm, state.holdsToConfirm.removeFirst(), into: &text)
        }
        if roll < 28, !state.confirmed.isEmpty {
            let entry = state.confirmed.remove(at: Int.random(in: 0..<state.confirmed.count, using: &random))
            return move(.cancel, entry, into: &text)
        }
        if roll < 34, !state.confirmed.isEmpty {
            let entry = state.confirmed.remove(at: Int.random(in: 0..<state.confirmed.count, using: &random))
            var pending = moving(.reschedule, entry)
            pending.start = plan.slotStart(plan.randomSlot(using: &random))
            pending.end = pending.start + plan.slotSeconds
            let id = plan.bookingID(resource: pending.resource, sequence: result.ledger[entry].sequence)
            text.append(contentsOf: RequestText.reschedule(booking: id, start: pending.start, end: pending.end).utf8)
            return pending
        }
        if roll < 64 { return availability(into: &text) }
        if roll >= 90, plan.resources.count >= Self.groupResources { return groupHold(into: &text) }
        return newBooking(roll < 70 ? .book : .hold, round: round, into: &text)
    }

    private mutating func newBooking(_ op: Operation, round: Int, into text: inout [UInt8]) -> Pending {
        let (resource, slot): (Int, Int)
        switch plan.scenario {
        case .uniform: (resource, slot) = plan.freeSlot(connection: index, round: round)
        case .flashSale: (resource, slot) = (0, round)
        default: (resource, slot) = (plan.resourceIndex(using: &random), plan.randomSlot(using: &random))
        }
        let start = plan.slotStart(slot)
        let end = start + plan.slotSeconds
        RequestText.appendBooking(
            op.rawValue, resource: plan.resources[resource], start: start, end: end, customer: customer, to: &text)
        return Pending(op: op, resource: resource, start: start, end: end)
    }

    /// A hold of one slot on two distinct resources: the server makes it a group.
    private mutating func groupHold(into text: inout [UInt8]) -> Pending {
        let first = plan.resourceIndex(using: &random)
        let second = (first + Int.random(in: 1..<plan.resources.count, using: &random)) % plan.resources.count
        let start = plan.slotStart(plan.randomSlot(using: &random))
        let end = start + plan.slotSeconds
        RequestText.appendGroupHold(
            resources: [plan.resources[first], plan.resources[second]], start: start, end: end, customer: customer,
            to: &text)
        return Pending(op: .groupHold, resource: first, otherResource: second, start: start, end: end)
    }

    private mutating func availability(into text: inout [UInt8]) -> Pending {
        let resource = plan.resourceIndex(using: &random)
        let day = plan.firstDaySeconds + Int64(Int.random(in: 0..<plan.days, using: &random)) * 86_400
        let object = RequestText.availability(
            resource: plan.resources[resource], from: day, durationMinutes: Int(plan.slotSeconds / 60))
        text.append(contentsOf: object.utf8)
        return Pending(op: .availability, resource: resource, start: day, end: day + 86_400)
    }

    private func moving(_ op: Operation, _ entry: Int) -> Pending {
        let booked = result.ledger[entry]
        return Pending(op: op, resource: booked.resource, entry: entry, start: booked.start, end: booked.end)
    }

    private func move(_ op: Operation, _ entry: Int, into text: inout [UInt8]) -> Pending {
        let pending = moving(op, entry)
        let id = plan.bookingID(resource: pending.resource, sequence: result.ledger[entry].sequence)
        text.append(contentsOf: RequestText.move(op.rawValue, booking: id).utf8)
        return pending
    }

    /// Confirms a held group or, for about one in three, cancels it (about one in four was left to lapse).
    private func settle(_ group: (group: Int, firstEntry: Int), into text: inout [UInt8]) -> Pending {
        let op: Operation = result.ledger[group.firstEntry].sequence % 3 == 0 ? .cancelGroup : .confirmGroup
        text.append(contentsOf: RequestText.groupMove(op.rawValue, group: result.groups[group.group].id).utf8)
        return moving(op, group.firstEntry)
    }

    /// Records what an acknowledged reply changed. Returns how many bookings it confirmed (a `book`, a
    /// `confirm`, every member of a `confirm_group`).
    mutating func apply(_ reply: ReplyFields, to pending: Pending) -> Int {
        switch pending.op {
        case .book, .hold: return applyNewBooking(reply, pending)
        case .groupHold:
            applyGroupHold(reply, pending)
            return 0
        case .confirm:
            guard let entry = pending.entry else { return 0 }
            if reply.ok {
                result.ledger[entry].expected = .confirmed
                state.confirmed.append(entry)
            } else if reply.code == "hold_expired" {
                result.ledger[entry].expected = .inactive
            }
            return reply.ok ? 1 : 0
        case .cancel:
            if reply.ok, let entry = pending.entry { result.ledger[entry].expected = .inactive }
            return 0
        case .reschedule:
            guard let entry = pending.entry else { return 0 }
            if reply.ok {
                result.ledger[entry].start = pending.start
                result.ledger[entry].end = pending.end
            }
            state.confirmed.append(entry)
            return 0
        case .confirmGroup, .cancelGroup:
            return applyGroupMove(reply, pending)
        case .availability:
            return 0
        }
    }

    private mutating func applyNewBooking(_ reply: ReplyFields, _ pending: Pending) -> Int {
        guard reply.ok, let sequence = reply.bookingSequence else { return 0 }
        let confirmed = pending.op == .book
        let expires = confirmed ? 0 : reply.expiresAt.flatMap { RFC3339.parse($0)?.instant.secondsSinceEpoch } ?? 0
        result.ledger.append(
            LedgerEntry(
                resource: pending.resource, sequence: sequence, start: pending.start, end: pending.end,
                expected: confirmed ? .confirmed : .held(expiresAtSeconds: expires)))
        guard plan.scenario == .mixed else { return confirmed ? 1 : 0 }
        if confirmed {
            state.confirmed.append(result.ledger.count - 1)
        } else if sequence % 4 != 0 {
            state.holdsToConfirm.append(result.ledger.count - 1)  // about one hold in four is left to lapse
        }
        return confirmed ? 1 : 0
    }

    /// A group's reply is parsed whole: groups are a few percent of `mixed`, and their members are an array.
    private mutating func applyGroupHold(_ reply: ReplyFields, _ pending: Pending) {
        guard reply.ok, let parsed = try? JSONValue.parse(bytes: reply.bytes), let group = parsed["group"],
            let id = group["id"]?.string, let bookings = group["bookings"]?.array
        else { return }
        let firstEntry = result.ledger.count
        var members: [BookingRef] = []
        for booking in bookings {
            guard let bookingID = booking["id"]?.string.flatMap({ BookingID(parsing: $0) }),
                let resource = [pending.resource, pending.otherResource].compactMap({ $0 })
                    .first(where: { plan.resources[$0] == bookingID.resource.rawValue })
            else { continue }
            let expires = booking["expires_at"]?.string.flatMap { RFC3339.parse($0)?.instant.secondsSinceEpoch }
            result.ledger.append(
                LedgerEntry(
                    resource: resource, sequence: bookingID.sequence, start: pending.start, end: pending.end,
                    expected: .held(expiresAtSeconds: expires ?? 0)))
            members.append(BookingRef(resource: resource, sequence: bookingID.sequence))
        }
        result.groups.append(GroupEntry(id: id, members: members))
        // About one group in four is left to lapse, as single holds are.
        if members.count == Self.groupResources, members[0].sequence % 4 != 0 {
            state.groupsToSettle.append((result.groups.count - 1, firstEntry))
        }
    }

    private mutating func applyGroupMove(_ reply: ReplyFields, _ pending: Pending) -> Int {
        guard let first = pending.entry else { return 0 }
        let members = first..<(first + Self.groupResources)
        if reply.ok {
            for entry in members {
                result.ledger[entry].expected = pending.op == .confirmGroup ? .confirmed : .inactive
            }
            return pending.op == .confirmGroup ? members.count : 0
        }
        if reply.code == "hold_expired" {
            for entry in members { result.ledger[entry].expected = .inactive }
        }
        return 0
    }
}
