import Foundation
import SlotClient
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
    var start: Int64
    var end: Int64
    var expected: Expected
}

/// One request in flight: its op and what its reply will change in the ledger.
private struct Pending {
    var op: Operation
    var resource: Int
    var booking: String?
    var start: Int64
    var end: Int64
}

/// One connection's share of the load: `pipeline` requests written at once, then their replies read in order
/// (as redis-benchmark's `-P`), until its request budget or the run's deadline is used up.
struct LoadWorker: Sendable {
    let index: Int
    let plan: Plan
    let host: String
    let port: Int
    let pipeline: Int
    let requests: Int
    let deadline: ContinuousClock.Instant?
    let seed: UInt64
    let recorder: Recorder

    struct Result: Sendable {
        var ledger: [String: LedgerEntry] = [:]
        var transportError: String?
    }

    func run() async -> Result {
        var result = Result()
        do {
            try await SlotConnection.withConnection(host: host, port: port) { client in
                var state = MixState()
                var random = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37_79B9)
                var sent = 0
                while sent < requests, deadline.map({ ContinuousClock.now < $0 }) ?? true {
                    var batch: [Pending] = []
                    var text = ""
                    while batch.count < min(pipeline, requests - sent) {
                        let (pending, line) = next(&state, round: sent, random: &random)
                        batch.append(pending)
                        text += line
                        sent += 1
                    }
                    let started = ContinuousClock.now
                    try await client.sendRaw(Array(text.utf8))
                    var samples: [Sample] = []
                    samples.reserveCapacity(batch.count)
                    for pending in batch {
                        let reply = ReplyFields(try await client.receiveBytes())
                        let elapsed = ContinuousClock.now - started
                        let confirmed = apply(reply, to: pending, state: &state, ledger: &result.ledger)
                        samples.append(
                            Sample(
                                op: pending.op, latencyMicroseconds: Self.microseconds(elapsed), code: reply.code,
                                confirmedBooking: confirmed))
                    }
                    recorder.record(samples)
                }
            }
        } catch {
            recorder.recordTransportError()
            result.transportError = "connection \(index): \(error)"
        }
        return result
    }

    static func microseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds)) * 1_000_000 + UInt64(max(0, attoseconds)) / 1_000_000_000_000
    }

    /// The bookings this connection may still move, for `mixed`.
    struct MixState {
        var holdsToConfirm: [String] = []
        var confirmed: [String] = []
        var ranges: [String: (resource: Int, start: Int64, end: Int64)] = [:]
    }

    private func next(_ state: inout MixState, round: Int, random: inout SplitMix64) -> (Pending, String) {
        let customer = "c\(index)"
        let resource = plan.resourceIndex(using: &random)
        let name = plan.resources[resource]
        func newBooking(_ op: Operation) -> (Pending, String) {
            let start = plan.slotStart(plan.scenario == .flashSale ? round : plan.randomSlot(using: &random))
            let end = start + plan.slotSeconds
            return (
                Pending(op: op, resource: resource, start: start, end: end),
                RequestText.booking(op.rawValue, resource: name, start: start, end: end, customer: customer)
            )
        }
        func availability() -> (Pending, String) {
            let day = plan.firstDaySeconds + Int64(Int.random(in: 0..<plan.days, using: &random)) * 86_400
            return (
                Pending(op: .availability, resource: resource, start: day, end: day + 86_400),
                RequestText.availability(resource: name, from: day, durationMinutes: Int(plan.slotSeconds / 60))
            )
        }
        switch plan.scenario {
        case .uniform, .hot, .flashSale:
            return newBooking(.book)
        case .availability:
            return Int.random(in: 0..<10, using: &random) == 0 ? newBooking(.book) : availability()
        case .mixed:
            let roll = Int.random(in: 0..<100, using: &random)
            if roll < 22, !state.holdsToConfirm.isEmpty {
                let booking = state.holdsToConfirm.removeFirst()
                return (moving(.confirm, booking, state), RequestText.move("confirm", booking: booking))
            }
            if roll < 28, !state.confirmed.isEmpty {
                let booking = state.confirmed.remove(at: Int.random(in: 0..<state.confirmed.count, using: &random))
                return (moving(.cancel, booking, state), RequestText.move("cancel", booking: booking))
            }
            if roll < 34, !state.confirmed.isEmpty {
                let booking = state.confirmed.remove(at: Int.random(in: 0..<state.confirmed.count, using: &random))
                var pending = moving(.reschedule, booking, state)
                pending.start = plan.slotStart(plan.randomSlot(using: &random))
                pending.end = pending.start + plan.slotSeconds
                return (pending, RequestText.reschedule(booking: booking, start: pending.start, end: pending.end))
            }
            if roll < 64 { return availability() }
            return newBooking(roll < 70 ? .book : .hold)
        }
    }

    private func moving(_ op: Operation, _ booking: String, _ state: MixState) -> Pending {
        let range = state.ranges[booking]!
        return Pending(op: op, resource: range.resource, booking: booking, start: range.start, end: range.end)
    }

    /// Records what an acknowledged reply changed. Returns true when it acknowledged a confirmed booking.
    private func apply(
        _ reply: ReplyFields, to pending: Pending, state: inout MixState, ledger: inout [String: LedgerEntry]
    ) -> Bool {
        switch pending.op {
        case .book, .hold:
            guard reply.ok, let id = reply.bookingID else { return false }
            let confirmed = pending.op == .book
            let expires = reply.expiresAt.flatMap { RFC3339.parse($0)?.instant.secondsSinceEpoch } ?? 0
            ledger[id] = LedgerEntry(
                resource: pending.resource, start: pending.start, end: pending.end,
                expected: confirmed ? .confirmed : .held(expiresAtSeconds: expires))
            state.ranges[id] = (pending.resource, pending.start, pending.end)
            if confirmed {
                state.confirmed.append(id)
            } else if (Int(id.split(separator: "/").last ?? "") ?? 0) % 4 != 0 {
                state.holdsToConfirm.append(id)  // about one hold in four is left to lapse
            }
            return confirmed
        case .confirm:
            guard let id = pending.booking else { return false }
            if reply.ok {
                ledger[id]?.expected = .confirmed
                state.confirmed.append(id)
            } else if reply.code == "hold_expired" {
                ledger[id]?.expected = .inactive
            }
            return reply.ok
        case .cancel:
            if reply.ok, let id = pending.booking { ledger[id]?.expected = .inactive }
            return false
        case .reschedule:
            guard let id = pending.booking else { return false }
            if reply.ok {
                ledger[id]?.start = pending.start
                ledger[id]?.end = pending.end
                state.ranges[id] = (pending.resource, pending.start, pending.end)
            }
            state.confirmed.append(id)
            return false
        case .availability:
            return false
        }
    }
}
