import Foundation
import Logging
import SlotAuth
import SlotDomain
import SlotJournal
import SlotTesting
import Testing

@testable import SlotServer

/// Tokens across a restart: recovery starts from the snapshot's token table and replays exactly the token entries
/// after the position the table was captured at. Applying one twice would throw `tokenConflict` and stop the
/// start; skipping one would lose a token.
@Suite struct TokenRecoveryTests {
    static let at = TestServer.epoch
    static let logger = Logger(label: "token-recovery-test") { _ in SwiftLogNoOpLogHandler() }

    static func token(_ number: UInt64, _ name: String) -> TokenRecord {
        TokenRecord(
            id: TokenID(number: number), name: name, role: .operator, tenant: nil, customer: nil, createdAt: at,
            expiresAt: nil, secretHash: TokenSecret.generate().hash)
    }

    /// A table captured after the header's sequence: the entries between the two are in the table and skipped,
    /// the one after is replayed.
    @Test func replaySkipsTokenEntriesUpToTheTablesPosition() throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let entries: [JournalEntry] = [
            .tokenCreated(Self.token(1, "a")), .tokenCreated(Self.token(2, "b")),
            .tokenRevoked(TokenID(number: 1), at: Self.at.adding(seconds: 1)), .tokenCreated(Self.token(3, "c")),
        ]
        var expected = ServerState(limits: .standard)
        var atCapture = TokenTable()
        for (index, entry) in entries.enumerated() {
            try expected.apply(entry, sequence: UInt64(index + 1))
            if index == 2 { atCapture = expected.tokens }
        }
        var configuration = Journal.Configuration()
        configuration.writer = .manual
        let writing = try Journal(directory: directory, configuration: configuration)
        writing.start()
        for entry in entries { _ = writing.append(entry) }
        try writing.commitQueued()
        writing.stop()

        let store = SnapshotStore(directory: directory.appendingPathComponent("snapshots"))
        let reopened = try Journal(directory: directory)
        defer { reopened.stop() }
        _ = try store.write(
            SnapshotImage(
                journalID: reopened.journalID, journalSequence: 1, createdAt: Self.at, resources: [], idempotency: [],
                tokens: atCapture, tokensJournalSequence: 3))
        let recovered = try Recovery.recover(
            journal: reopened, snapshots: store, restore: nil, limits: .standard, logger: Self.logger)
        #expect(recovered.summary.snapshot != nil)
        #expect(recovered.summary.entries == 1)
        #expect(recovered.state.tokens == expected.tokens)
    }

    /// Tokens created and revoked while snapshots are taken: after a restart the table is the one the server had.
    @Test func aRestartKeepsTheTokenTableThroughSnapshotsTakenMeanwhile() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let before = try await TestRuntime.run(dataDirectory: directory) { test in
            let runtime = test.runtime
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask {
                    for _ in 0..<3 { _ = try await runtime.snapshots.take(reason: "test") }
                }
                tasks.addTask {
                    for number in 1...60 {
                        let created = runtime.directory.tokens.create(
                            { Self.token($0.number, "token-\(number)") }, tokensMax: 1_000, journal: runtime.journal)
                        let sequence = try created.get().1
                        if number % 7 == 0 {
                            _ = runtime.directory.tokens.revoke(
                                TokenID(number: UInt64(number - 3)), at: Self.at, journal: runtime.journal)
                        }
                        if number % 10 == 0 { try await runtime.journal.waitUntilDurable(sequence) }
                        await Task.yield()
                    }
                }
                try await tasks.waitForAll()
            }
            _ = try await runtime.snapshots.take(reason: "test")
            let revoked = runtime.directory.tokens.revoke(TokenID(number: 60), at: Self.at, journal: runtime.journal)
            try await runtime.journal.waitUntilDurable(try revoked.get().1)
            return runtime.directory.tokens.copy()
        }
        #expect(before.byID.count == 60)
        #expect(before.byID.values.filter { $0.revokedAt != nil }.count == 9)
        try await TestRuntime.run(dataDirectory: directory) { test in
            #expect(test.runtime.recoveredSnapshot != nil)
            #expect(test.runtime.directory.tokens.copy() == before)
        }
    }
}
