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

/// One request in flight: its op and what its reply will change in the ledger.
private struct Pending {
    var op: Operation
    var resource: Int
    /// The ledger entry a confirm, cancel or reschedule moves.
    var entry: Int?
    var start: Int64
    var end: Int64
}

/// One connection's share of the load, as a state machine with no I/O: `pipeline` requests written at once, then
/// their replies taken in order (as redis-benchmark's `-P`), until its request budget or the run's deadline is used
/// up. `LoadChannelHandler` drives it on the connection's event loop, from the moment every connection of the run
/// is open.
struct LoadWorker: Sendable {
    let index: Int
    let plan: Plan
    let pipeline: Int
    let requests: Int
    /// When the connection stops starting batches, for a timed run; set when the run starts.
    var deadline: ContinuousClock.Instant?
    private let customer: String
    private var random: SplitMix64
    private var state = MixState()
    private var sent = 0
    /// The batch in flight, its replies taken so far, and when it was written.
    private var batch: [Pending] = []
    private var taken = 0
    private var batchStarted = ContinuousClock.now
    /// The samples of the batch in flight; all of them once `take` returns true. Kept from batch to batch (cleared
    /// when the next starts), so recording a batch allocates nothing.
    private(set) var batchSamples: [Sample] = []
    private(set) var result = Result()

    struct Result: Sendable {
        /// Every booking this connection saw acknowledged, in order; an array, so recording one costs no hashing.
        var ledger: [LedgerEntry] = []
        var transportError: String?
    }

    init(index: Int, plan: Plan, pipeline: Int, requests: Int, seed: UInt64) {
        self.index = index
        self.plan = plan
        self.pipeline = pipeline
        self.requests = requests
        customer = "c\(index)"
        random = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37_79B9)
        batch.reserveCapacity(pipeline)
        batchSamples.reserveCapacity(pipeline)
    }

    /// Appends the next batch's request lines to `text` and starts its clock; false when the connection is done.
    mutating func nextBatch(into text: inout [UInt8]) -> Bool {
        precondition(taken == batch.count, "a batch is still in flight")
        guard sent < requests, deadline.map({ ContinuousClock.now < $0 }) ?? true else { return false }
        batch.removeAll(keepingCapacity: true)
        batchSamples.removeAll(keepingCapacity: true)
        taken = 0
        while batch.count < min(pipeline, requests - sent) {
            batch.append(next(round: sent, into: &text))
            sent += 1
        }
        batchStarted = ContinuousClock.now
        return true
    }

    var isAwaitingReply: Bool { taken < batch.count }

    /// Takes the next reply of the batch in flight. True once its last reply is in (see `batchSamples`).
    mutating func take(_ reply: ReplyFields) -> Bool {
        precondition(taken < batch.count, "a reply with no request in flight")
        let elapsed = ContinuousClock.now - batchStarted
        let pending = batch[taken]
        taken += 1
        let confirmed = apply(reply, to: pending)
        batchSamples.append(
            Sample(
                op: pending.op, latencyMicroseconds: Self.microseconds(elapsed), code: reply.code,
                confirmedBooking: confirmed))
        return taken == batch.count
    }

    /// The connection failed: what it saw acknowledged stays in the ledger, and the run is judged with that.
    mutating func fail(_ reason: String) {
        if result.transportError == nil { result.transportError = "connection \(index): \(reason)" }
    }

    static func microseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds)) * 1_000_000 + UInt64(max(0, attoseconds)) / 1_000_000_000_000
    }

    /// The bookings this connection may still move, for `mixed`, as positions in its ledger.
    struct MixState {
        var holdsToConfirm: [Int] = []
        var confirmed: [Int] = []
    }

    /// Picks the next request and appends its line to `text`.
    private mutating func next(round: Int, into text: inout [UInt8]) -> Pending {
        func newBooking(_ op: Operation) -> Pending {
            let (resource, slot): (Int, Int)
            switch plan.scenario {
            case .uniform: (resource, slot) = plan.freeSlot(connection: index, round: round)
            case .flashSale: (resource, slot) = (0, round)
            default: (resource, slot) = (plan.resourceIndex(using: &random), plan.randomSlot(using: &random))
            }
            let start = plan.slotStart(slot)
            let end = start + plan.slotSeconds
            RequestText.appendBooking(
                op.rawValue, resource: plan.resources[resource], start: start, end: end, customer: customer,
                to: &text)
            return Pending(op: op, resource: resource, start: start, end: end)
        }
        func availability() -> Pending {
            let resource = plan.resourceIndex(using: &random)
            let day = plan.firstDaySeconds + Int64(Int.random(in: 0..<plan.days, using: &random)) * 86_400
            let line = RequestText.availability(
                resource: plan.resources[resource], from: day, durationMinutes: Int(plan.slotSeconds / 60))
            text.append(contentsOf: line.utf8)
            return Pending(op: .availability, resource: resource, start: day, end: day + 86_400)
        }
        func moving(_ op: Operation, _ entry: Int) -> (Pending, id: String) {
            let booked = result.ledger[entry]
            let pending = Pending(op: op, resource: booked.resource, entry: entry, start: booked.start, end: booked.end)
            return (pending, plan.bookingID(resource: booked.resource, sequence: booked.sequence))
        }
        func move(_ op: Operation, _ entry: Int) -> Pending {
            let (pending, id) = moving(op, entry)
            text.append(contentsOf: RequestText.move(op.rawValue, booking: id).utf8)
            return pending
        }
        switch plan.scenario {
        case .uniform, .hot, .flashSale:
            return newBooking(.book)
        case .availability:
            return Int.random(in: 0..<10, using: &random) == 0 ? newBooking(.book) : availability()
        case .mixed:
            let roll = Int.random(in: 0..<100, using: &random)
            if roll < 22, !state.holdsToConfirm.isEmpty {
                return move(.confirm, state.holdsToConfirm.removeFirst())
            }
            if roll < 28, !state.confirmed.isEmpty {
                return move(
                    .cancel, state.confirmed.remove(at: Int.random(in: 0..<state.confirmed.count, using: &random)))
            }
            if roll < 34, !state.confirmed.isEmpty {
                let entry = state.confirmed.remove(at: Int.random(in: 0..<state.confirmed.count, using: &random))
                let (moved, id) = moving(.reschedule, entry)
                var pending = moved
                pending.start = plan.slotStart(plan.randomSlot(using: &random))
                pending.end = pending.start + plan.slotSeconds
                text.append(
                    contentsOf: RequestText.reschedule(booking: id, start: pending.start, end: pending.end).utf8)
                return pending
            }
            if roll < 64 { return availability() }
            return newBooking(roll < 70 ? .book : .hold)
        }
    }

    /// Records what an acknowledged reply changed. Returns true when it acknowledged a confirmed booking.
    private mutating func apply(_ reply: ReplyFields, to pending: Pending) -> Bool {
        switch pending.op {
        case .book, .hold:
            guard reply.ok, let sequence = reply.bookingSequence else { return false }
            let confirmed = pending.op == .book
            let expires = confirmed ? 0 : reply.expiresAt.flatMap { RFC3339.parse($0)?.instant.secondsSinceEpoch } ?? 0
            result.ledger.append(
                LedgerEntry(
                    resource: pending.resource, sequence: sequence, start: pending.start, end: pending.end,
                    expected: confirmed ? .confirmed : .held(expiresAtSeconds: expires)))
            guard plan.scenario == .mixed else { return confirmed }
            if confirmed {
                state.confirmed.append(result.ledger.count - 1)
            } else if sequence % 4 != 0 {
                state.holdsToConfirm.append(result.ledger.count - 1)  // about one hold in four is left to lapse
            }
            return confirmed
        case .confirm:
            guard let entry = pending.entry else { return false }
            if reply.ok {
                result.ledger[entry].expected = .confirmed
                state.confirmed.append(entry)
            } else if reply.code == "hold_expired" {
                result.ledger[entry].expected = .inactive
            }
            return reply.ok
        case .cancel:
            if reply.ok, let entry = pending.entry { result.ledger[entry].expected = .inactive }
            return false
        case .reschedule:
            guard let entry = pending.entry else { return false }
            if reply.ok {
                result.ledger[entry].start = pending.start
                result.ledger[entry].end = pending.end
            }
            state.confirmed.append(entry)
            return false
        case .availability:
            return false
        }
    }
}
