import Foundation
import SlotClient
import SlotTesting
import Testing

/// `kill -9` at random moments (also in the middle of snapshots and journal compaction), restart on the same
/// folders, and check the server against what its clients were told. Some cycles also leave a torn frame at the
/// end of the WAL or damage the newest snapshot. `SLOTD_TORTURE_CYCLES` sets the number of cycles (default 3);
/// `scripts/crash-torture.sh` runs the long version.
@Suite(.serialized) struct CrashTortureTests {
    /// A confirm retried after its booking moved on, decided again: still confirmed or rescheduled, or refused
    /// as the booking is canceled now.
    static func isDecidedAgain(_ request: JSONValue, _ again: JSONValue) -> Bool {
        guard request["op"] == "confirm" else { return false }
        if again.ok { return ["confirmed", "rescheduled"].contains(again["booking"]?["state"]?.string ?? "") }
        return again.errorCode == "invalid_transition"
    }

    static let resources = ["t-a", "t-b", "t-c"]
    static let capacity = 2
    static let cycles = Int(ProcessInfo.processInfo.environment["SLOTD_TORTURE_CYCLES"] ?? "") ?? 3

    struct Totals {
        var cycles = 0
        var lost = 0
        var doubleBooked = 0
        var retriesChecked = 0
    }

    @Test func killNineAtRandomMomentsLosesNothingAcknowledged() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("slotd-torture-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let ledger = TortureLedger()
        let arguments = ["--snapshot-every-entries", "150", "--snapshots-kept", "2"]
        var server = try await SlotdProcess(dataDirectory: root, extraArguments: arguments)
        try await SlotConnection.withConnection(port: server.port) { (client: SlotConnection) async throws in
            for resource in Self.resources {
                #expect(try await client.call(Requests.createResource(resource, extra: ["capacity": 2])).ok)
            }
        }
        var totals = Totals()
        for cycle in 0..<Self.cycles {
            let running = server
            let killAfterMilliseconds = Int.random(in: 150...700)
            try await TortureLoad.drive(port: running.port, ledger: ledger, cycle: cycle) {
                try await Task.sleep(for: .milliseconds(killAfterMilliseconds))
                running.kill9()
            }
            try Self.damage(root, cycle: cycle)
            server = try await SlotdProcess(dataDirectory: root, extraArguments: arguments)
            try await verify(port: server.port, ledger: ledger, cycle: cycle, totals: &totals)
            totals.cycles += 1
        }
        let operations = await ledger.acknowledgedOperations
        print(
            "crash torture: cycles=\(totals.cycles) acknowledged=\(operations) lost=\(totals.lost) "
                + "double_booked=\(totals.doubleBooked) retries_checked=\(totals.retriesChecked)")
        #expect(totals.lost == 0)
        #expect(totals.doubleBooked == 0)
        // A floor that shows the load ran, not a throughput target: a cycle may be killed 150 ms in, on a debug build.
        #expect(operations > 10 * Self.cycles, "the load should have acknowledged a fair number of operations")
        #expect(try await server.terminate() == 0, "SIGTERM is a clean exit")
    }

    /// Every third cycle leaves a torn frame at the end of the WAL (what a crash mid-write looks like); every
    /// fourth damages the newest snapshot, so start-up must fall back to the one before it.
    static func damage(_ root: URL, cycle: Int) throws {
        if cycle % 3 == 2 {
            let wal = root.appendingPathComponent("journal.sqlite-wal")
            if let handle = try? FileHandle(forWritingTo: wal) {
                try handle.seekToEnd()
                try handle.write(contentsOf: Data((0..<3_000).map { _ in UInt8.random(in: 0...255) }))
                try handle.close()
            }
        }
        if cycle % 4 == 3 {
            let folder = root.appendingPathComponent("snapshots")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            if let newest = names.filter({ $0.hasSuffix(".slotsnap") }).sorted().last {
                let url = folder.appendingPathComponent(newest)
                var bytes = try Data(contentsOf: url)
                bytes[bytes.count / 2] ^= 0x5A
                try bytes.write(to: url)
            }
        }
    }

    private func verify(port: Int, ledger: TortureLedger, cycle: Int, totals: inout Totals) async throws {
        try await SlotConnection.withConnection(port: port) { client in
            // Requests whose replies were lost: the same key either replays what happened or decides afresh.
            for (key, request) in await ledger.unanswered {
                let reply = try await client.call(request)
                if reply.ok {
                    await ledger.received(key: key, request: request, reply: reply)
                } else {
                    await ledger.forget(key: key)
                }
            }
            // Answered requests retried with their key get their first reply back, unless the first changed
            // nothing (a confirm of a booking another client had confirmed): that leaves no key, and the retry is
            // decided again against the booking as it is now.
            for (key, request, first) in await ledger.sampleAnswered(15) {
                let again = try await client.call(request)
                #expect(
                    again == first || Self.isDecidedAgain(request, again),
                    "cycle \(cycle): retry of \(key) answered \(again), first \(first)")
                totals.retriesChecked += 1
            }
            for (id, expected) in await ledger.acknowledged {
                let state = try await client.call(["op": "get_booking", "booking": .string(id)])["booking"]?["state"]?
                    .string
                let allowed = TortureRules.successors[expected.state] ?? [expected.state]
                if state == nil || !allowed.contains(state!) {
                    totals.lost += 1
                    Issue.record("cycle \(cycle): \(id) acknowledged \(expected.state), now \(state ?? "missing")")
                }
            }
            let acknowledged = await ledger.acknowledged
            for resource in Self.resources {
                let listed = try await client.call([
                    "op": "list_bookings", "resource": .string(resource), "from": "2027-01-05T00:00:00Z",
                    "to": "2027-01-09T00:00:00Z", "limit": 10_000,
                ])
                let bookings = listed["bookings"]?.array ?? []
                for booking in bookings where acknowledged[booking["id"]?.string ?? ""] == nil {
                    totals.lost += 1
                    Issue.record("cycle \(cycle): \(booking["id"] ?? .null) exists but was never acknowledged")
                }
                let ranges = bookings.compactMap { booking -> (String, String)? in
                    guard let start = booking["start"]?.string, let end = booking["end"]?.string else { return nil }
                    return (start, end)
                }
                for (start, _) in ranges where ranges.filter({ $0.0 <= start && start < $0.1 }).count > Self.capacity {
                    totals.doubleBooked += 1
                    Issue.record("cycle \(cycle): \(resource) is over capacity at \(start)")
                }
            }
        }
    }
}
