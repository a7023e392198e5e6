import Foundation
import SlotDomain
import Synchronization
import Testing

@testable import SlotJournal

/// The journal's `event` table: each change event numbered once, in entry order, committed with its entry,
/// observed after the commit, read back beside the writer, and its numbering kept across reopening and
/// compaction.
@Suite struct JournalEventTests {
    static let room = ResourceID("room-a")!

    static func event(_ kind: ChangeEvent.Kind) -> ChangeEvent {
        ChangeEvent(
            kind: kind, at: Instant(secondsSinceEpoch: 1_800_000_000), resource: room, zone: TimeZones.zone("UTC"))
    }

    static var configuration: Journal.Configuration { configuration(writer: .manual) }

    static func configuration(writer: Journal.Configuration.Writer) -> Journal.Configuration {
        var configuration = Journal.Configuration()
        configuration.writer = writer
        configuration.batchEntriesMax = 2
        configuration.eventEncoder = { event, seq in Array("\(seq) \(event.kind.rawValue)".utf8) }
        return configuration
    }

    static func folder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("slotd-events-\(UUID().uuidString)")
    }

    static func bodies(_ events: [CommittedEvent]) -> [String] {
        events.map { String(decoding: $0.body, as: UTF8.self) }
    }

    @Test func eventsAreNumberedInEntryOrderAndObservedOnceCommitted() throws {
        let directory = Self.folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let observed = Mutex<[CommittedEvent]>([])
        let journal = try Journal(
            directory: directory, configuration: Self.configuration,
            eventObserver: { events in observed.withLock { $0 += events } })
        journal.start()
        _ = journal.append(JournalWriterStateTests.entry, events: [Self.event(.bookingHeld)])
        _ = journal.append(JournalWriterStateTests.entry)  // an entry that announces nothing takes no number
        _ = journal.append(
            JournalWriterStateTests.entry, events: [Self.event(.bookingExpired), Self.event(.waitlistPromoted)])
        #expect(observed.withLock { $0.isEmpty }, "nothing is announced before its commit")
        try journal.commitQueued()
        let expected = ["1 booking.held", "2 booking.expired", "3 waitlist.promoted"]
        #expect(Self.bodies(observed.withLock { $0 }) == expected)
        #expect(observed.withLock { $0.map(\.seq) } == [1, 2, 3])

        let reader = try EventReader(directory: directory)
        #expect(Self.bodies(try reader.events(after: 0, through: 3, limit: 10)) == expected)
        #expect(Self.bodies(try reader.events(after: 1, through: 3, limit: 1)) == ["2 booking.expired"])
        #expect(try reader.events(after: 3, through: 3, limit: 10).isEmpty)
        #expect(try reader.oldestRetained() == 1)
        journal.stop()
    }

    @Test func numberingGoesOnAfterReopeningAndAfterCompactionDeletedEveryEvent() async throws {
        let directory = Self.folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        var journal = try Journal(directory: directory, configuration: Self.configuration)
        journal.start()
        for _ in 1...3 { _ = journal.append(JournalWriterStateTests.entry, events: [Self.event(.bookingHeld)]) }
        try journal.commitQueued()
        journal.stop()

        journal = try Journal(directory: directory, configuration: Self.configuration(writer: .thread))
        #expect(journal.openedEventSequence == 3)
        journal.start()
        try await journal.waitUntilDurable(
            journal.append(JournalWriterStateTests.entry, events: [Self.event(.bookingConfirmed)]))
        // Compaction through every entry deletes every event; its chunks take their events along.
        #expect(try await journal.compact(through: 4) == 4)
        let reader = try EventReader(directory: directory)
        #expect(try reader.oldestRetained() == nil)
        journal.stop()

        journal = try Journal(directory: directory, configuration: Self.configuration)
        #expect(journal.openedEventSequence == 4, "no seq is used twice, even with no event row left")
        journal.start()
        _ = journal.append(JournalWriterStateTests.entry, events: [Self.event(.bookingCanceled)])
        try journal.commitQueued()
        #expect(Self.bodies(try reader.events(after: 0, through: 10, limit: 10)) == ["5 booking.canceled"])
        #expect(try reader.oldestRetained() == 5)
        journal.stop()
    }

    @Test func compactionDeletesTheEventsOfTheEntriesItDeletesOnly() async throws {
        let directory = Self.folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = Self.configuration(writer: .thread)
        configuration.compactionChunkEntriesMax = 2
        let journal = try Journal(directory: directory, configuration: configuration)
        journal.start()
        var last: UInt64 = 0
        for _ in 1...5 {
            last = journal.append(
                JournalWriterStateTests.entry, events: [Self.event(.bookingHeld), Self.event(.bookingConfirmed)])
        }
        try await journal.waitUntilDurable(last)
        #expect(try await journal.compact(through: 3) == 3)
        let reader = try EventReader(directory: directory)
        #expect(try reader.oldestRetained() == 7, "entries 1–3 held events 1–6")
        #expect(try reader.events(after: 6, through: 10, limit: 10).map(\.seq) == [7, 8, 9, 10])
        journal.stop()
    }

    /// What the webhook outbox must take before a compaction through an entry, and the bound of an erasure.
    @Test func theNewestEventOfTheEntriesThroughOneIsKnownAtAppendAndOnDisk() async throws {
        let directory = Self.folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let journal = try Journal(directory: directory, configuration: Self.configuration)
        journal.start()
        _ = journal.append(JournalWriterStateTests.entry, events: [Self.event(.bookingHeld), Self.event(.bookingHeld)])
        #expect(journal.appendedEventSequence == 2, "numbered at append, before the commit")
        _ = journal.append(JournalWriterStateTests.entry)
        _ = journal.append(JournalWriterStateTests.entry, events: [Self.event(.bookingConfirmed)])
        #expect(journal.appendedEventSequence == 3)
        try journal.commitQueued()
        let reader = try EventReader(directory: directory)
        #expect(try reader.newestSeq(throughEntry: 1) == 2)
        #expect(try reader.newestSeq(throughEntry: 2) == 2, "entry 2 yielded none: entry 1's newest")
        #expect(try reader.newestSeq(throughEntry: 3) == 3)
        #expect(try reader.newestSeq(throughEntry: 0) == nil)
        journal.stop()
    }

    @Test func eventsQueuedAtACrashAreLostWithTheirEntries() throws {
        let directory = Self.folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        var journal = try Journal(directory: directory, configuration: Self.configuration)
        journal.start()
        _ = journal.append(JournalWriterStateTests.entry, events: [Self.event(.bookingHeld)])
        try journal.commitQueued()
        _ = journal.append(JournalWriterStateTests.entry, events: [Self.event(.bookingConfirmed)])
        journal.crash()
        journal = try Journal(directory: directory, configuration: Self.configuration)
        #expect(journal.openedEventSequence == 1, "an event never committed was never announced: its number is free")
        journal.stop()
    }
}
