import Foundation
import SlotDomain
import Synchronization
import Testing

@testable import SlotJournal

/// `Journal.CommitObserver`: told of every commit, once, with its entries, and of no commit that failed to happen.
@Suite struct JournalCommitObserverTests {
    @Test func everyCommitIsObservedOnceWithItsEntries() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "slotd-journal-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = Journal.Configuration()
        configuration.writer = .manual
        configuration.batchEntriesMax = 3
        let observed = Mutex<[(entries: Int, nanoseconds: UInt64)]>([])
        let journal = try Journal(
            directory: directory, configuration: configuration,
            commitObserver: { entries, nanoseconds in observed.withLock { $0.append((entries, nanoseconds)) } })
        journal.start()
        for _ in 1...7 { _ = journal.append(JournalWriterStateTests.entry) }
        #expect(observed.withLock { $0.isEmpty }, "nothing committed yet")
        try journal.commitQueued()
        let commits = observed.withLock { $0 }
        #expect(commits.map(\.entries) == [3, 3, 1])
        #expect(commits.allSatisfy { $0.nanoseconds > 0 })
        #expect(UInt64(commits.count) == journal.commitCount)
        try journal.commitQueued()
        #expect(observed.withLock { $0.count } == 3, "nothing queued: nothing committed, nothing observed")
        journal.stop()
    }
}
