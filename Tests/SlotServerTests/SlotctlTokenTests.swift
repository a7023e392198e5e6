import Foundation
import SlotAuth
import SlotClient
import SlotJournal
import SlotTesting
import Testing

/// `slotctl token create` and `token list` on a data folder, with the real binaries: the first admin token is
/// made before slotd starts, slotd keeps it (through its journal and its snapshot), and the folder is refused
/// while slotd holds it.
@Suite struct SlotctlTokenTests {
    static func slotctl(_ arguments: [String]) async throws -> ToolProcess.Run {
        try await ToolProcess.run("slotctl", arguments)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    @Test func aTokenCreatedOfflineIsKeptByTheServerAndNeverShownAgain() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let folder = [
            "--data-dir", directory.path, "--snapshot-dir", directory.appendingPathComponent("snapshots").path,
        ]

        let created = try await Self.slotctl(["token", "create", "--role", "admin", "--name", "ops"] + folder)
        #expect(created.status == 0, "\(created.stderr)")
        let secret = try #require(
            created.stdout.split(separator: "\n").map(String.init).first(where: TokenSecret.isWellFormed),
            "\(created.stdout)")
        #expect(created.stdout.contains("shown only once"))
        #expect(created.stdout.contains("t1"))

        let client = try await Self.slotctl(
            [
                "token", "create", "--role", "client", "--name", "desk", "--tenant", "clinic-a", "--customer", "zoe",
                "--expires-at", "2099-01-01T00:00:00Z", "--json",
            ] + folder)
        #expect(client.status == 0, "\(client.stderr)")
        let reply = try client.json()
        #expect(reply["token"]?["id"] == "t2")
        #expect(reply["token"]?["role"] == "client")
        #expect(reply["token"]?["tenant"] == "clinic-a")
        #expect(reply["token"]?["customer"] == "zoe")
        #expect(reply["token"]?["expires_at"] == "2099-01-01T00:00:00Z")
        let clientSecret = try #require(reply["secret"]?.string)
        #expect(TokenSecret.isWellFormed(clientSecret) && clientSecret != secret)

        let duplicate = try await Self.slotctl(["token", "create", "--role", "reader", "--name", "ops"] + folder)
        #expect(duplicate.status == 1)
        #expect(duplicate.stderr.contains("already_exists: a token named ops exists already"), "\(duplicate.stderr)")
        #expect(!TokenSecret.isWellFormed(duplicate.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))

        let server = try await SlotdProcess(dataDirectory: directory)
        let whileRunning = try await Self.slotctl(["token", "create", "--role", "admin", "--name", "other"] + folder)
        #expect(whileRunning.status == 1)
        #expect(whileRunning.stderr.contains("in use by a running slotd"), "\(whileRunning.stderr)")
        #expect(whileRunning.stderr.contains("create_token"))
        try await server.connect { (connection: SlotConnection) async throws in
            #expect(try await connection.call(["op": "snapshot"])["ok"] == true)
        }
        #expect(try await server.terminate() == 0)

        // slotd recovered both tokens from the journal and wrote them into its snapshot (version 7); the folder
        // recovers from that snapshot now, with nothing applied twice.
        let snapshots = SnapshotStore(directory: directory.appendingPathComponent("snapshots"))
        let snapshot = try #require(snapshots.list(journalID: try Self.journalID(directory)).first)
        #expect(try SnapshotStore.inspect(snapshot.url).version == 7)
        let list = try await Self.slotctl(["token", "list", "--json"] + folder)
        #expect(list.status == 0, "\(list.stderr)")
        let tokens = try #require(try list.json()["tokens"]?.array)
        #expect(tokens.map { $0["name"] } == ["ops", "desk"])
        #expect(tokens.map { $0["role"] } == ["admin", "client"])
        #expect(!list.stdout.contains(secret) && !list.stdout.contains(Self.hex(TokenSecret.hash(of: secret))))

        // The journal has both records; the dump shows who they are and never a secret or its hash.
        let dump = try await Self.slotctl(["journal", "dump", directory.path])
        #expect(dump.status == 0, "\(dump.stderr)")
        #expect(dump.stdout.components(separatedBy: "\"kind\":\"token_created\"").count == 3)
        for shown in [secret, clientSecret] {
            #expect(!dump.stdout.contains(shown) && !dump.stdout.contains(Self.hex(TokenSecret.hash(of: shown))))
        }
        #expect(try await Self.slotctl(["journal", "verify", directory.path]).status == 0)
    }

    @Test func badArgumentsAreUsageErrors() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let folder = ["--data-dir", directory.path]
        for arguments in [
            ["--role", "root", "--name", "ops"], ["--role", "admin", "--name", "a:b"],
            ["--role", "admin", "--name", "ops", "--tenant", "a|b"],
            ["--role", "admin", "--name", "ops", "--expires-at", "tomorrow"],
            ["--role", "admin", "--name", "ops", "--expires-at", "2001-01-01T00:00:00Z"],
        ] {
            let run = try await Self.slotctl(["token", "create"] + arguments + folder)
            #expect(run.status == 64, "\(arguments): \(run.stderr)")
        }
    }

    /// A compacted journal without its snapshots cannot tell which names are taken: refused, naming the folder.
    @Test func aCompactedJournalWithoutItsSnapshotsIsRefused() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let snapshots = ["--snapshot-dir", directory.appendingPathComponent("snapshots").path]
        let create = ["token", "create", "--role", "admin", "--data-dir", directory.path]
        #expect(try await Self.slotctl(create + ["--name", "ops"] + snapshots).status == 0)
        let server = try await SlotdProcess(dataDirectory: directory)
        try await server.connect { (connection: SlotConnection) async throws in
            #expect(try await connection.call(["op": "snapshot"])["ok"] == true)
            #expect(try await connection.call(Requests.createResource("room"))["ok"] == true)
            let second = try await connection.call(["op": "snapshot"])
            #expect(second["snapshot"]?["compacted_through"] == 1, "\(second)")
        }
        #expect(try await server.terminate() == 0)

        let elsewhere = ["--snapshot-dir", directory.appendingPathComponent("elsewhere").path]
        let refused = try await Self.slotctl(create + ["--name", "other"] + elsewhere)
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("is --snapshot-dir the one slotd uses?"), "\(refused.stderr)")
        // With them, `ops` (now only in the snapshot: its entry was compacted away) is still taken.
        #expect(try await Self.slotctl(create + ["--name", "ops"] + snapshots).status == 1)
        #expect(try await Self.slotctl(create + ["--name", "other"] + snapshots).status == 0)
    }

    static func journalID(_ directory: URL) throws -> String {
        let journal = try Journal(directory: directory)
        defer { journal.stop() }
        return journal.journalID
    }
}
