import Foundation
import SlotClient
import SlotTesting
import Testing

/// A crash in the middle of a snapshot leaves its temporary file, and repeated crashes would
/// fill the disk. slotd deletes this journal's leftovers at start-up and logs which (docs/OPERATIONS.md, Files).
@Suite struct FilesLeftBehindTests {
    @Test func aTemporaryFileLeftByACrashIsRemovedAtTheNextStart() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let snapshots = directory.appendingPathComponent("snapshots")
        let first = try await SlotdProcess(dataDirectory: directory)
        let snapshotName = try await SlotConnection.withConnection(port: first.port) { client in
            #expect(try await client.call(Requests.createResource("r")).ok)
            let reply = try await client.call(["op": "snapshot"])
            let path = try #require(reply["snapshot"]?["path"]?.string)
            return URL(fileURLWithPath: path).lastPathComponent
        }
        // What `SnapshotStore.write` names its temporary file, as a kill -9 between creating and renaming it would
        // leave it; and one of another journal sharing the folder, which may be in the middle of being written.
        let leftover = snapshots.appendingPathComponent(".\(snapshotName).\(UUID().uuidString).tmp")
        let otherJournals = snapshots.appendingPathComponent(
            ".snapshot-00000000000000000007-0e5ba7a6-0000-4000-8000-000000000000.slotsnap.\(UUID().uuidString).tmp")
        for url in [leftover, otherJournals] {
            #expect(FileManager.default.createFile(atPath: url.path, contents: Data(repeating: 7, count: 4_096)))
        }
        first.kill9()

        let log = directory.appendingPathComponent("stderr.txt")
        let second = try await SlotdProcess(dataDirectory: directory, logLevel: "notice", stderr: log)
        #expect(try await SlotConnection.withConnection(port: second.port) { try await $0.call(["op": "ping"]).ok })
        #expect(!FileManager.default.fileExists(atPath: leftover.path), "this journal's leftover is gone")
        #expect(FileManager.default.fileExists(atPath: otherJournals.path), "another journal's file is left alone")
        #expect(try await second.terminate() == 0)
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONValue.parse(String($0)) }
            .filter { $0["message"] == "stale temporary files removed" }
        #expect(lines.count == 1)
        #expect(lines.first?["files"]?.string == leftover.lastPathComponent)
        #expect(lines.first?["directory"]?.string == snapshots.path)
    }
}
