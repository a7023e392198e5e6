import Foundation
import SlotClient
import SlotDomain
import SlotServer
import SlotTesting
import Testing

/// Snapshots through the real server: restart from a snapshot, fall back past a damaged one, refuse to start
/// when compaction left nothing to start from, and restore a snapshot into a new data folder.
@Suite struct SnapshotTests {
    /// Every resource, and every booking with its full history, as the server reports them.
    static func dump(_ client: SlotConnection) async throws -> [JSONValue] {
        var state: [JSONValue] = []
        let resources = try await client.call(["op": "list_resources", "limit": 10_000])["resources"]?.array ?? []
        for resource in resources {
            state.append(resource)
            let id = resource["id"] ?? .null
            var sequence = 1
            while true {
                let booking = try await client.call([
                    "op": "get_booking", "booking": .string("\(id.string ?? "")/\(sequence)"),
                ])
                guard booking.ok else { break }
                state.append(booking["booking"] ?? .null)
                sequence += 1
            }
        }
        return state
    }

    static func book(_ client: SlotConnection, _ resource: String, hour: Int, key: String? = nil) async throws
        -> JSONValue
    {
        var extra: [String: JSONValue] = [:]
        if let key { extra["idempotency_key"] = .string(key) }
        let start = String(format: "2027-01-05T%02d:00:00Z", hour)
        let end = String(format: "2027-01-05T%02d:30:00Z", hour)
        return try await client.call(
            Requests.hold(resource, start, end, op: hour % 3 == 0 ? "hold" : "book", extra: extra))
    }

    @Test func restartStartsFromTheSnapshotAndReplaysOnlyWhatCameAfter() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = ManualClock(TestServer.epoch)
        let (before, keyedReply) = try await TestServer.run(dataDirectory: directory, clock: clock) { server in
            try await server.connect { (client: SlotConnection) async throws in
                for resource in ["a", "b", "c"] {
                    _ = try await client.call(Requests.createResource(resource, extra: ["buffer_after_minutes": 15]))
                }
                for hour in 8..<14 { _ = try await Self.book(client, ["a", "b", "c"][hour % 3], hour: hour) }
                let keyed = try await Self.book(client, "a", hour: 16, key: "order-7")
                let snapshot = try await client.call(["op": "snapshot"])
                #expect(snapshot["snapshot"]?["resources"] == 3)
                #expect(snapshot["snapshot"]?["bookings"] == 7)
                #expect(snapshot["snapshot"]?["journal_sequence"] == 10)
                #expect(snapshot["snapshot"]?["path"]?.string?.hasSuffix(".slotsnap") == true)
                _ = try await client.call(Requests.move("cancel", "b/1"))
                _ = try await Self.book(client, "c", hour: 17)
                let stats = try await client.call(["op": "stats"])
                #expect(stats["stats"]?["resources"] == 3)
                #expect(stats["stats"]?["bookings"] == 8)
                #expect(stats["stats"]?["last_snapshot"]?["journal_sequence"] == 10)
                return (try await Self.dump(client), keyed)
            }
        }
        try await TestServer.run(dataDirectory: directory, clock: clock) { server in
            #expect(server.runtime.recoveredSnapshot?.hasSuffix(".slotsnap") == true)
            #expect(server.runtime.recoveredEntries == 2, "only the cancel and the last booking are replayed")
            try await server.connect { (client: SlotConnection) async throws in
                #expect(try await Self.dump(client) == before)
                #expect(try await Self.book(client, "a", hour: 16, key: "order-7") == keyedReply)
            }
        }
    }

    @Test func aDamagedSnapshotFallsBackToThePreviousOne() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (before, newest) = try await TestServer.run(dataDirectory: directory) { server in
            try await server.connect { (client: SlotConnection) async throws in
                _ = try await client.call(Requests.createResource("a"))
                _ = try await Self.book(client, "a", hour: 8)
                _ = try await client.call(["op": "snapshot"])
                _ = try await Self.book(client, "a", hour: 10)
                let second = try await client.call(["op": "snapshot"])
                _ = try await Self.book(client, "a", hour: 11)
                return (try await Self.dump(client), second["snapshot"]?["path"]?.string ?? "")
            }
        }
        // Flip one byte in the middle of the newest snapshot.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: newest))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: newest))
        try await TestServer.run(dataDirectory: directory) { server in
            #expect(server.runtime.recoveredSnapshot != newest)
            #expect(server.runtime.recoveredSnapshot != nil)
            try await server.connect { (client: SlotConnection) async throws in
                #expect(try await Self.dump(client) == before)
            }
        }
    }

    @Test func withTheJournalCompactedAndNoUsableSnapshotStartUpFailsLoudly() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let compacted = try await TestServer.run(dataDirectory: directory) { server in
            try await server.connect { (client: SlotConnection) async throws in
                _ = try await client.call(Requests.createResource("a"))
                _ = try await Self.book(client, "a", hour: 8)
                _ = try await client.call(["op": "snapshot"])
                _ = try await Self.book(client, "a", hour: 10)
                let second = try await client.call(["op": "snapshot"])
                return second["snapshot"]?["compacted_entries"]?.int ?? 0
            }
        }
        #expect(compacted == 2, "the journal is compacted up to the older of the two snapshots kept")
        let snapshotFolder = directory.appendingPathComponent("snapshots")
        for name in try FileManager.default.contentsOfDirectory(atPath: snapshotFolder.path) {
            try Data("not a snapshot".utf8).write(to: snapshotFolder.appendingPathComponent(name))
        }
        await #expect(throws: (any Error).self) {
            try await TestServer.run(dataDirectory: directory) { _ in }
        }
    }

    @Test func restoreStartsANewDataFolderFromASnapshot() async throws {
        let source = TestServer.temporaryDirectory()
        let target = TestServer.temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(at: source)
            try? FileManager.default.removeItem(at: target)
        }
        let (before, path) = try await TestServer.run(dataDirectory: source) { server in
            try await server.connect { (client: SlotConnection) async throws in
                _ = try await client.call(Requests.createResource("a", tz: "America/Sao_Paulo"))
                for hour in 8..<12 { _ = try await Self.book(client, "a", hour: hour) }
                let snapshot = try await client.call(["op": "snapshot"])
                return (try await Self.dump(client), snapshot["snapshot"]?["path"]?.string ?? "")
            }
        }
        let restore = TestServer.configuration { $0.restoreSnapshot = URL(fileURLWithPath: path) }
        try await TestServer.run(dataDirectory: target, configuration: restore) { server in
            try await server.connect { (client: SlotConnection) async throws in
                #expect(try await Self.dump(client) == before)
                // Numbering continues: the next booking is a/5, journaled after the restored state.
                #expect(try await Self.book(client, "a", hour: 14)["booking"]?["id"] == "a/5")
            }
        }
        // A plain restart of the new folder finds its own snapshot plus the journal after it.
        try await TestServer.run(dataDirectory: target) { server in
            try await server.connect { (client: SlotConnection) async throws in
                #expect(try await client.call(["op": "get_booking", "booking": "a/5"]).ok)
                #expect(try await Self.dump(client).count == before.count + 1)
            }
        }
        // Restoring over a folder that already has a journal is refused.
        await #expect(throws: (any Error).self) {
            try await TestServer.run(dataDirectory: target, configuration: restore) { _ in }
        }
    }

    /// A journal put back from an older backup beside newer snapshots of the same journal must
    /// not start from those snapshots, or new entries reuse their numbers and vanish on the next restart.
    @Test func aJournalFromAnOlderBackupIgnoresSnapshotsBeyondIt() async throws {
        let directory = TestServer.temporaryDirectory()
        let backup = TestServer.temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(at: directory)
            try? FileManager.default.removeItem(at: backup)
        }
        let journalFile = directory.appendingPathComponent("journal.sqlite")
        try await TestServer.run(dataDirectory: directory) { server in
            try await server.connect { client in
                _ = try await client.call(Requests.createResource("a"))
                _ = try await Self.book(client, "a", hour: 8)
            }
        }
        try FileManager.default.createDirectory(at: backup, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: journalFile, to: backup.appendingPathComponent("journal.sqlite"))
        try await TestServer.run(dataDirectory: directory) { server in
            try await server.connect { client in
                _ = try await Self.book(client, "a", hour: 10)
                #expect(try await client.call(["op": "snapshot"]).ok)
            }
        }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: journalFile.path + suffix) }
        try FileManager.default.copyItem(at: backup.appendingPathComponent("journal.sqlite"), to: journalFile)
        let acknowledged = try await TestServer.run(dataDirectory: directory) { server in
            #expect(server.runtime.recoveredSnapshot == nil, "the snapshot reaches past this journal")
            return try await server.connect { client in try await Self.book(client, "a", hour: 12) }
        }
        #expect(acknowledged["booking"]?["id"] == "a/2")
        try await TestServer.run(dataDirectory: directory) { server in
            try await server.connect { (client: SlotConnection) async throws in
                let booking = try await client.call(["op": "get_booking", "booking": "a/2"])
                #expect(booking["booking"]?["start"] == "2027-01-05T12:00:00Z")
            }
        }
    }

    /// Concurrent snapshot requests would interleave at the coordinator's awaits; they run one after another and
    /// all succeed.
    @Test func concurrentSnapshotRequestsAllSucceed() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                _ = try await client.call(Requests.createResource("a"))
                for hour in 8..<14 { _ = try await Self.book(client, "a", hour: hour) }
            }
            let succeeded = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        try await server.connect { client in
                            var all = true
                            for _ in 0..<5 { all = try await client.call(["op": "snapshot"]).ok && all }
                            return all
                        }
                    }
                }
                return try await group.allSatisfy { $0 }
            }
            #expect(succeeded)
        }
    }

    /// With both snapshot triggers off the snapshot service must still wait for shutdown: a service that returns
    /// ends the whole service group, and the server with it.
    @Test func periodicSnapshotsOffKeepsTheServerRunning() async throws {
        let off = TestServer.configuration {
            $0.snapshotEveryMinutes = 0
            $0.snapshotEveryEntries = 0
        }
        try await TestServer.run(configuration: off) { server in
            try await Task.sleep(for: .milliseconds(300))
            try await server.connect { (client: SlotConnection) async throws in
                #expect(try await client.call(["op": "ping"]).ok)
            }
        }
    }
}
