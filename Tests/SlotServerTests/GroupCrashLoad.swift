import Foundation
import SlotClient
import SlotDomain

/// The group crash load: clients making groups of two or three resources and confirming, canceling and
/// rescheduling them, and sending atomic batches that book two resources and cancel one of the client's earlier
/// bookings, every request under an idempotency key, until `crash` kills the server.
enum GroupCrashLoad {
    static let resources = ["gc-a", "gc-b", "gc-c", "gc-d"]
    static let capacity = 2
    static let clients = 6
    static let listFrom = "2027-01-05T00:00:00Z"
    static let listTo = "2027-01-10T00:00:00Z"

    /// Runs every client of `ledgers` until the server is gone, and returns the ledgers with what each was told.
    static func drive(
        port: Int, ledgers: [GroupCrashLedger], cycle: Int, seed: UInt64,
        crash: @escaping @Sendable () async throws -> Void
    ) async throws -> [GroupCrashLedger] {
        try await withThrowingTaskGroup(of: GroupCrashLedger?.self) { tasks in
            for start in ledgers {
                tasks.addTask {
                    var ledger = start
                    var random = SplitMix64(seed: seed &+ UInt64(cycle * 1_000 + ledger.client))
                    // Ends when the server dies: the request then in flight stays in `ledger.inFlight`.
                    try? await SlotConnection.withConnection(port: port) { client in
                        for step in 0..<1_000_000 {
                            let key = "g\(cycle)-\(ledger.client)-\(step)"
                            let (request, inFlight) = nextRequest(ledger, key: key, using: &random)
                            ledger.inFlight = inFlight
                            ledger.received(try await client.call(request))
                        }
                    }
                    return ledger
                }
            }
            tasks.addTask {
                try await crash()
                return nil
            }
            var finished: [GroupCrashLedger] = []
            for try await ledger in tasks { if let ledger { finished.append(ledger) } }
            return finished.sorted { $0.client < $1.client }
        }
    }

    static func nextRequest(_ ledger: GroupCrashLedger, key: String, using random: inout SplitMix64) -> (
        JSONValue, GroupCrashLedger.InFlight
    ) {
        let roll = Int.random(in: 0..<100, using: &random)
        let groups = ledger.groups.values.sorted { $0.id < $1.id }
        if roll < 20, let group = groups.filter({ $0.state == "pending_confirmation" }).randomElement(using: &random) {
            return change("confirm_group", group, key: key, state: "confirmed", range: (group.start, group.end))
        }
        if roll < 30, let group = groups.filter({ $0.state != "canceled" }).randomElement(using: &random) {
            return change(
                "cancel_group", group, key: key, state: "canceled", range: (group.start, group.end),
                extra: ["reason": "crash test"])
        }
        if roll < 42,
            let group = groups.filter({ ["confirmed", "rescheduled"].contains($0.state) }).randomElement(using: &random)
        {
            // Another time than the group's own: a move to where it is could change nothing and keep no key.
            var range = randomRange(using: &random)
            while range.start == group.start { range = randomRange(using: &random) }
            return change(
                "reschedule_group", group, key: key, state: "rescheduled", range: range,
                extra: ["start": .string(range.start), "end": .string(range.end)])
        }
        if roll < 70 { return batch(ledger, key: key, using: &random) }
        let members = Int.random(in: 2...3, using: &random)
        let chosen = resources.shuffled(using: &random).prefix(members).sorted()
        let book = Bool.random(using: &random)
        let range = randomRange(using: &random)
        var request: [String: JSONValue] = [
            "op": book ? "book" : "hold", "resources": .array(chosen.map { .string($0) }),
            "start": .string(range.start), "end": .string(range.end), "customer": .string(key),
            "idempotency_key": .string(key),
        ]
        if !book { request["ttl_seconds"] = 3_600 }
        return (.object(request), .groupHold(key: key, request: .object(request), customer: key, members: members))
    }

    private static func change(
        _ op: String, _ group: GroupCrashLedger.Group, key: String, state: String, range: (start: String, end: String),
        extra: [String: JSONValue] = [:]
    ) -> (JSONValue, GroupCrashLedger.InFlight) {
        var request: [String: JSONValue] = [
            "op": .string(op), "group": .string(group.id), "idempotency_key": .string(key),
        ]
        request.merge(extra) { $1 }
        return (
            .object(request),
            .groupChange(
                key: key, request: .object(request), group: group.id, state: state, start: range.start, end: range.end)
        )
    }

    /// Two books on two resources, then a cancel of one of the client's own earlier bookings; now and then of one
    /// already canceled, so that the batch is refused at its last op after two books it had accepted.
    private static func batch(_ ledger: GroupCrashLedger, key: String, using random: inout SplitMix64) -> (
        JSONValue, GroupCrashLedger.InFlight
    ) {
        let pair = resources.shuffled(using: &random).prefix(2)
        let customers = ["\(key)-a", "\(key)-b"]
        var ops: [JSONValue] = zip(pair, customers).map { resource, customer in
            let range = randomRange(using: &random)
            return [
                "op": "book", "resource": .string(resource), "start": .string(range.start), "end": .string(range.end),
                "customer": .string(customer),
            ]
        }
        let owned = ledger.bookings.sorted { $0.key < $1.key }
        let wantCanceled = Int.random(in: 0..<100, using: &random) < 15
        let canceling = owned.filter { ($0.value == "canceled") == wantCanceled }.randomElement(using: &random)?.key
        if let canceling { ops.append(["op": "cancel", "booking": .string(canceling), "reason": "batch"]) }
        let request: JSONValue = ["op": "batch", "atomic": true, "ops": .array(ops), "idempotency_key": .string(key)]
        return (request, .batch(key: key, request: request, customers: customers, canceling: canceling))
    }

    static func randomRange(using random: inout SplitMix64) -> (start: String, end: String) {
        let day = 5 + Int.random(in: 0..<5, using: &random)
        let hour = 8 + Int.random(in: 0..<9, using: &random)
        let minute = [0, 30].randomElement(using: &random)!
        let endHour = minute == 30 ? hour + 1 : hour
        return (
            String(format: "2027-01-%02dT%02d:%02d:00Z", day, hour, minute),
            String(format: "2027-01-%02dT%02d:%02d:00Z", day, endHour, (minute + 30) % 60)
        )
    }
}
