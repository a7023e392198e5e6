import Foundation
import SlotDomain
import Testing

@testable import SlotJournal

/// The `Journal` class carrying out its writer's decisions: the manual mode a simulation drives, `crash`, the
/// queue's bound, and a writer that is stopped without having run.
@Suite struct JournalWriterModeTests {
    let entry = JournalWriterStateTests.entry

    func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("slotd-journal-\(UUID().uuidString)")
    }

    func manual(batch: Int = 4_096, queued: Int = 65_536) -> Journal.Configuration {
        var configuration = Journal.Configuration()
        configuration.writer = .manual
        configuration.batchEntriesMax = batch
        configuration.queuedEntriesMax = queued
        return configuration
    }

    func stored(in directory: URL) throws -> [UInt64] {
        let journal = try Journal(directory: directory)
        defer { journal.stop() }
        var sequences: [UInt64] = []
        try journal.replay { sequences.append($0.sequence) }
        return sequences
    }

    /// Polls until `condition` holds: a task has reached its wait.
    func eventually(_ condition: () -> Bool) async throws {
        for _ in 0..<2_000 where !condition() { try await Task.sleep(for: .milliseconds(5)) }
        #expect(condition())
    }

    @Test func commitQueuedWritesOnTheCallerInBatchesAndResumesWaiters() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let journal = try Journal(directory: directory, configuration: manual(batch: 3))
        journal.start()
        for _ in 1...7 { _ = journal.append(entry) }
        let waiter = Task { try await journal.waitUntilDurable(7) }
        try await eventually { journal.locked { $0.durabilityWaiterCount } == 1 }
        #expect(journal.durableSequence == 0, "nothing is written until asked")
        #expect(try journal.commitQueued() == 7)
        #expect(journal.commitCount == 3)
        try await waiter.value
        #expect(try journal.commitQueued() == 7, "nothing queued: nothing written")
        journal.stop()
        #expect(throws: JournalError.self) { try journal.commitQueued() }
        #expect(try stored(in: directory) == Array(1...7))
    }

    @Test func crashDropsWhatWasNotCommittedAndFailsItsWaiters() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let journal = try Journal(directory: directory, configuration: manual(queued: 3))
        journal.start()
        for _ in 1...5 { _ = journal.append(entry) }
        try journal.commitQueued()
        for _ in 1...3 { _ = journal.append(entry) }
        let waiter = Task { try await journal.waitUntilDurable(8) }
        let admission = Task { try await journal.admit(entries: 1) }
        try await eventually { journal.locked { $0.durabilityWaiterCount == 1 && $0.waitingAdmissions == 1 } }
        journal.crash()
        await #expect(throws: JournalError.self) { try await waiter.value }
        await #expect(throws: JournalError.self) { try await admission.value }
        #expect(journal.append(entry) == 9, "numbered after the crash, never written")
        #expect(journal.durableSequence == 5)
        #expect(try stored(in: directory) == Array(1...5), "the store was closed: the folder opens again")
    }

    @Test func crashFailsTheWaitersOfAWriterThreadAndClosesTheStore() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let journal = try Journal(directory: directory)
        journal.start()
        try await journal.waitUntilDurable(journal.append(entry))
        let waiter = Task { try await journal.waitUntilDurable(50) }
        try await eventually { journal.locked { $0.durabilityWaiterCount } == 1 }
        journal.crash()
        await #expect(throws: JournalError.self) { try await waiter.value }
        #expect(try stored(in: directory) == [1])
    }

    @Test func aFullQueueMakesAdmissionsWaitUntilACommit() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let journal = try Journal(directory: directory, configuration: manual(queued: 4))
        journal.start()
        try await journal.admit(entries: 4)
        for _ in 1...4 { _ = journal.append(entry) }
        journal.release(entries: 4)
        let admission = Task { try await journal.admit(entries: 2) }
        try await eventually { journal.locked { $0.waitingAdmissions } == 1 }
        #expect(journal.outstandingEntries == 4)
        try journal.commitQueued()
        try await admission.value
        #expect(journal.locked { $0.reservedEntries } == 2)
        journal.release(entries: 2)
        let late = Task { try await journal.admit(entries: 5) }
        try await late.value
        journal.release(entries: 5)
        #expect(journal.locked { $0.reservedEntries } == 0)
        journal.stop()
    }

    @Test func stopFailsWaitingAdmissions() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let journal = try Journal(directory: directory, configuration: manual(queued: 1))
        try await journal.admit(entries: 1)
        let admission = Task { try await journal.admit(entries: 1) }
        try await eventually { journal.locked { $0.waitingAdmissions } == 1 }
        journal.stop()
        await #expect(throws: JournalError.self) { try await admission.value }
        await #expect(throws: JournalError.self) { try await journal.admit(entries: 1) }
    }

    @Test func appendsBeforeStartQueueAndAreCommittedByTheWriterOrTheStop() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let started = try Journal(directory: directory)
        let first = started.append(entry)
        #expect(!started.isDurable(first))
        started.start()
        try await started.waitUntilDurable(first)
        started.stop()

        let neverStarted = try Journal(directory: directory)
        for _ in 1...3 { _ = neverStarted.append(entry) }
        neverStarted.stop()
        #expect(neverStarted.durableSequence == 4)
        #expect(try stored(in: directory) == Array(1...4))
    }
}
