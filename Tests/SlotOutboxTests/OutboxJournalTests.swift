import Foundation
import Logging
import SlotDomain
import Testing

@testable import SlotJournal
@testable import SlotOutbox

/// The outbox beside a real journal: before a compaction deletes events, the outbox takes those it has not read.
@Suite struct OutboxJournalTests {
    static let entry = JournalEntry.resourceCreated(
        ResourceSettings(id: ResourceID("room")!, timeZoneIdentifier: "UTC"), at: Instant(secondsSinceEpoch: 0),
        idempotency: nil)

    static func event(_ kind: ChangeEvent.Kind) -> ChangeEvent {
        ChangeEvent(
            kind: kind, at: Instant(secondsSinceEpoch: 1_800_000_000), resource: ResourceID("room")!,
            zone: TimeZones.zone("UTC"))
    }

    @Test func catchingUpThroughAnEntryEnqueuesItsEventsAndNoLaterOnes() async throws {
        let folder = OutboxFolder()
        defer { folder.remove() }
        var configuration = Journal.Configuration()
        configuration.writer = .manual
        configuration.eventEncoder = { event, seq in Array("{\"seq\":\(seq)}".utf8) }
        let journal = try Journal(directory: folder.url, configuration: configuration)
        journal.start()
        defer { journal.stop() }
        var outboxConfiguration = Outbox.Configuration()
        // Smaller than the backlog, so catching up takes several reads.
        outboxConfiguration.eventsReadPerEndpointMax = 2
        let outbox = try Outbox(
            directory: folder.url, reader: EventReader(directory: folder.url), configuration: outboxConfiguration,
            logger: Logger(label: "test"))
        let endpoint = try await outbox.create(
            url: "https://hooks.example/in", secret: nil, types: nil, resources: nil, tenant: nil, head: 0,
            now: at(0)
        ).get()
        var throughEntry: UInt64 = 0
        for round in 1...4 {
            let sequence = journal.append(
                Self.entry, events: [Self.event(.bookingHeld), Self.event(.bookingConfirmed)])
            if round == 3 { throughEntry = sequence }
        }
        try journal.commitQueued()
        try await outbox.catchUp(throughEntry: throughEntry)
        let enqueued = try await outbox.deliveries(of: endpoint.id, state: nil, limit: 100)
        #expect(enqueued.map(\.eventSeq).sorted() == [1, 2, 3, 4, 5, 6], "entries 1–3 held events 1–6")
        #expect(try #require(try await outbox.status(of: endpoint.id)).endpoint.cursor == 6)
        try await outbox.catchUp(throughEntry: throughEntry)
        #expect(try await outbox.deliveries(of: endpoint.id, state: nil, limit: 100).count == 6, "once only")
        await outbox.close()
    }
}
