import Foundation
import SlotClient
import SlotTesting

/// The torture load: eight clients holding, booking, confirming, canceling and rescheduling with idempotency
/// keys, one asking for snapshots, until `crash` kills the server. Now and then a client drops its connection
/// on purpose and retries the request on a new one.
enum TortureLoad {
    static func drive(
        port: Int, ledger: TortureLedger, cycle: Int, crash: @escaping @Sendable () async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for clientIndex in 0..<8 {
                group.addTask {
                    var step = 0
                    // Reconnect after a deliberate drop; stop for good once the server is gone.
                    while step < 100_000 {
                        do {
                            try await SlotConnection.withConnection(port: port) { client in
                                while step < 100_000 {
                                    step += 1
                                    let key = "c\(cycle)-\(clientIndex)-\(step)"
                                    let request = await nextRequest(ledger: ledger, key: key)
                                    await ledger.sent(key: key, request: request)
                                    if step % 97 == 0 {
                                        try await client.send(request)
                                        return  // drop the connection with the reply unread; retried below
                                    }
                                    let reply = try await client.call(request)
                                    await ledger.received(key: key, request: request, reply: reply)
                                }
                            }
                            let key = "c\(cycle)-\(clientIndex)-\(step)"
                            if let request = await ledger.unanswered[key] {
                                let reply = try await SlotConnection.withConnection(port: port) {
                                    try await $0.call(request)
                                }
                                await ledger.received(key: key, request: request, reply: reply)
                            }
                        } catch {
                            return
                        }
                    }
                }
            }
            group.addTask {
                try? await SlotConnection.withConnection(port: port) { client in
                    while true {
                        try await Task.sleep(for: .milliseconds(60))
                        _ = try await client.call(["op": "snapshot"])
                    }
                }
            }
            group.addTask { try await crash() }
            try await group.waitForAll()
        }
    }

    static func nextRequest(ledger: TortureLedger, key: String) async -> JSONValue {
        let roll = Int.random(in: 0..<100)
        let keyField: [String: JSONValue] = ["idempotency_key": .string(key)]
        if roll < 15, let booking = await ledger.bookings(in: ["pending_confirmation"]).randomElement() {
            return Requests.move("confirm", booking, extra: keyField)
        }
        if roll < 25, let booking = await ledger.bookings(in: ["confirmed", "rescheduled"]).randomElement() {
            return Requests.move("cancel", booking, extra: keyField)
        }
        if roll < 35, let booking = await ledger.bookings(in: ["confirmed", "rescheduled"]).randomElement() {
            let (start, end) = randomRange()
            return Requests.move(
                "reschedule", booking, extra: keyField.merging(["start": .string(start), "end": .string(end)]) { $1 })
        }
        let (start, end) = randomRange()
        return Requests.hold(
            CrashTortureTests.resources.randomElement()!, start, end, op: roll < 70 ? "book" : "hold", customer: key,
            extra: keyField.merging(["ttl_seconds": 3_600]) { $1 }.filter { roll < 70 ? $0.key != "ttl_seconds" : true }
        )
    }

    static func randomRange() -> (String, String) {
        let day = 5 + Int.random(in: 0..<3)
        let hour = 9 + Int.random(in: 0..<8)
        let minute = [0, 15, 30, 45].randomElement()!
        return (
            String(format: "2027-01-%02dT%02d:%02d:00Z", day, hour, minute),
            String(format: "2027-01-%02dT%02d:%02d:00Z", day, hour + 1, minute)
        )
    }
}
