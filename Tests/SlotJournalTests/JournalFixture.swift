import Foundation
import SlotDomain

@testable import SlotJournal

/// A journal in a folder of its own, for tests that go through SQLite.
enum JournalFixture {
    /// Appends `entries` to a new journal in `directory`, waits until they are durable, and stops it.
    static func write(_ entries: [JournalEntry], to directory: URL) async throws {
        let journal = try Journal(directory: directory)
        journal.start()
        var last: UInt64 = 0
        for entry in entries { last = journal.append(entry) }
        try await journal.waitUntilDurable(last)
        journal.stop()
    }

    /// The state replay rebuilds from the journal in `directory`.
    static func replayed(from directory: URL) throws -> ServerState {
        let reopened = try Journal(directory: directory)
        defer { reopened.stop() }
        return try ServerState.replaying(reopened, limits: .standard)
    }
}
