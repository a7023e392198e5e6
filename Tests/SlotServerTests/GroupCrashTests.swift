import Foundation
import SlotClient
import SlotDomain
import SlotTesting
import Testing

/// `kill -9` of a real slotd while clients change groups (`confirm_group`, `cancel_group`, `reschedule_group`) and
/// send atomic batches over several resources, restart on the same folder, and check that no group and no batch
/// is partial and nothing acknowledged is lost (`GroupCrashCheck`). The moment of each kill is drawn from a seed,
/// printed in the summary line; `SLOTD_GROUP_CRASH_SEED` repeats it and `SLOTD_GROUP_CRASH_CYCLES` (default 4)
/// sets the number of cycles. As in the crash torture, every third cycle also leaves a torn frame at the end of the
/// WAL, and every fourth damages the newest snapshot.
@Suite(.serialized) struct GroupCrashTests {
    static let cycles = Int(ProcessInfo.processInfo.environment["SLOTD_GROUP_CRASH_CYCLES"] ?? "") ?? 4
    static let seed =
        UInt64(ProcessInfo.processInfo.environment["SLOTD_GROUP_CRASH_SEED"] ?? "") ?? UInt64.random(in: 1...1 << 53)

    /// Restart replays the journal alone (no snapshot is taken).
    @Test func killNineInTheMiddleOfGroupChangesAndAtomicBatchesLeavesNothingPartial() async throws {
        try await run(snapshotMidRun: false)
    }

    /// A snapshot is taken while the clients run and before the kill, so the restart loads it and replays the
    /// journal's tail after it; the server also takes snapshots of its own every 120 entries.
    @Test func killNineAfterASnapshotMidRunLeavesNothingPartial() async throws {
        try await run(snapshotMidRun: true)
    }

    /// Group holds that lapse while the server is down lapse together: after kill -9 and a restart past their
    /// expiry every member is expired and its time free again, while a longer hold and a confirmed group stay.
    @Test func groupHoldsLapsingWhileTheServerIsDownLapseTogether() async throws {
        let root = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let first = try await SlotdProcess(dataDirectory: root)
        func group(_ resources: [JSONValue], _ start: String, _ end: String, _ extra: [String: JSONValue]) -> JSONValue
        {
            Requests.hold("", start, end, extra: ["resources": .array(resources)].merging(extra) { $1 })
                .removing("resource")
        }
        let requests = [
            group(["gc-a", "gc-b"], "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z", ["ttl_seconds": 1]),
            group(["gc-a", "gc-b", "gc-c"], "2027-01-05T12:00:00Z", "2027-01-05T13:00:00Z", ["ttl_seconds": 1]),
            group(["gc-b", "gc-c"], "2027-01-05T14:00:00Z", "2027-01-05T15:00:00Z", ["ttl_seconds": 3_600]),
            group(["gc-a", "gc-c"], "2027-01-05T16:00:00Z", "2027-01-05T17:00:00Z", ["op": "book"]),
        ]
        let ids = try await first.connect { client in
            for resource in GroupCrashLoad.resources.prefix(3) {
                #expect(try await client.call(Requests.createResource(resource)).ok)
            }
            var ids: [String] = []
            for request in requests { ids.append(try await client.call(request)["group"]?["id"]?.string ?? "") }
            return ids
        }
        first.kill9()
        try await Task.sleep(for: .milliseconds(2_200))
        let second = try await SlotdProcess(dataDirectory: root)
        try await second.connect { client in
            let expected = ["expired", "expired", "pending_confirmation", "confirmed"]
            for (id, state) in zip(ids, expected) {
                let reply = try await client.call(["op": "get_group", "group": .string(id)])
                let states = (reply["group"]?["bookings"]?.array ?? []).map { $0["state"]?.string ?? "" }
                #expect(reply["group"]?["state"]?.string == state, "\(reply)")
                #expect(!states.isEmpty && states.allSatisfy { $0 == state }, "\(reply)")
            }
            let again = try await client.call(requests[1].removing("ttl_seconds"))
            #expect(again["group"]?["state"] == "pending_confirmation", "the lapsed group's time is free: \(again)")
        }
        #expect(try await second.terminate() == 0)
    }

    private func run(snapshotMidRun: Bool) async throws {
        let root = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        var random = SplitMix64(seed: Self.seed &+ (snapshotMidRun ? 1 : 0))
        // With snapshots, also one every 120 entries, so that some kills land in the middle of writing one.
        let arguments = snapshotMidRun ? ["--snapshot-every-entries", "120"] : []
        var server = try await SlotdProcess(dataDirectory: root, extraArguments: arguments)
        try await server.connect { client in
            for resource in GroupCrashLoad.resources {
                let created = try await client.call(
                    Requests.createResource(resource, extra: ["capacity": .number(Double(GroupCrashLoad.capacity))]))
                #expect(created.ok, "\(created)")
            }
        }
        var ledgers = (0..<GroupCrashLoad.clients).map(GroupCrashLedger.init(client:))
        var totals = GroupCrashCheck.Totals()
        for cycle in 0..<Self.cycles {
            let running = server
            let killAfterMilliseconds = Int.random(in: 200...700, using: &random)
            let snapshotAfterMilliseconds = snapshotMidRun ? Int.random(in: 50...150, using: &random) : nil
            ledgers = try await GroupCrashLoad.drive(
                port: running.port, ledgers: ledgers, cycle: cycle, seed: Self.seed
            ) {
                var slept = 0
                if let snapshotAfterMilliseconds {
                    try await Task.sleep(for: .milliseconds(snapshotAfterMilliseconds))
                    let reply = try await running.connect { try await $0.call(["op": "snapshot"]) }
                    #expect(reply.ok, "\(reply)")
                    slept = snapshotAfterMilliseconds
                }
                try await Task.sleep(for: .milliseconds(killAfterMilliseconds - slept))
                running.kill9()
            }
            if snapshotMidRun { #expect(try Self.snapshotCount(root) > 0, "the snapshot was written") }
            try CrashTortureTests.damage(root, cycle: cycle)
            server = try await SlotdProcess(dataDirectory: root, extraArguments: arguments)
            try await server.connect { client in
                var check = GroupCrashCheck(client: client, cycle: cycle, totals: totals)
                try await check.verify(&ledgers)
                totals = check.totals
            }
            totals.cycles += 1
        }
        let acknowledged = ledgers.map(\.acknowledged).reduce(0, +)
        let groups = ledgers.map(\.groups.count).reduce(0, +)
        let batches = ledgers.map(\.acknowledgedBatches).reduce(0, +)
        let refused = ledgers.map(\.refusedBatches).reduce(0, +)
        print(
            "group crash (\(snapshotMidRun ? "snapshot + journal tail" : "journal")): seed=\(Self.seed) "
                + "cycles=\(totals.cycles) acknowledged=\(acknowledged) groups=\(groups) batches=\(batches) "
                + "batches_refused=\(refused) in_doubt=\(Self.counts(totals.inDoubt)) "
                + "in_doubt_applied=\(Self.counts(totals.inDoubtApplied)) "
                + "partial=\(totals.partial) lost=\(totals.lost) unexplained=\(totals.unexplained) "
                + "over_capacity=\(totals.overCapacity) retries_checked=\(totals.retriesChecked)")
        #expect(totals.partial == 0 && totals.lost == 0 && totals.unexplained == 0 && totals.overCapacity == 0)
        #expect(groups > 5 * Self.cycles, "the load should have made a fair number of groups")
        #expect(batches > 5 * Self.cycles && refused > 0, "the load should have had batches applied and refused")
        #expect(try await server.terminate() == 0, "SIGTERM is a clean exit")
    }

    /// `kind:count,…` in a stable order, for the summary line.
    static func counts(_ counts: [String: Int]) -> String {
        "\(counts.values.reduce(0, +))("
            + counts.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }
            .joined(separator: ",") + ")"
    }

    static func snapshotCount(_ root: URL) throws -> Int {
        let folder = root.appendingPathComponent("snapshots")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".slotsnap") }.count
    }
}
