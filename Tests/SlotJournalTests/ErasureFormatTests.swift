import Foundation
import SlotDomain
import Testing

@testable import SlotJournal

/// Record format 8's `customer_erased` (decision 0022): kind code 14, `tenant` at the token records' tag 32; it round-trips in
/// binary and JSON, is refused from a row of an older format, and a malformed one is refused. And a scrubbing
/// compaction leaves none of the deleted entries' bytes in the journal's files.
@Suite struct ErasureFormatTests {
    static let at = Instant(secondsSinceEpoch: 1_795_323_047)
    static let entries: [JournalEntry] = [
        .customerErased(CustomerErasure(customer: "Alice Example +49 170 1234567", tenant: TenantID("acme"), at: at)),
        .customerErased(CustomerErasure(customer: "Bob", tenant: nil, at: at)),
    ]

    @Test func theErasureIsFormat8AndRoundTrips() {
        for entry in Self.entries {
            let record = RecordCodec.record(for: entry)
            #expect(record.writtenFormat == 8)
            #expect(record.binaryBytes().first == 14, "kind code 14")
            #expect(JournalRecord(body: record.binaryBytes(), format: 8).flatMap(RecordCodec.entry) == entry)
            #expect(JournalRecord(json: record.jsonBytes()).flatMap(RecordCodec.entry) == entry)
            for older in 3...7 {
                #expect(JournalRecord(body: record.binaryBytes(), format: older) == nil, "format \(older)")
            }
        }
        let bytes = RecordCodec.record(for: Self.entries[0]).binaryBytes()
        #expect(bytes.suffix(6) == [32, 4] + Array("acme".utf8), "tenant at tag 32")
    }

    @Test func aMalformedErasureIsRefused() {
        var empty = RecordCodec.record(for: Self.entries[0])
        empty.customer = CustomerErasure.placeholder
        var badTenant = RecordCodec.record(for: Self.entries[0])
        badTenant.tenant = "not a tenant"
        var withResource = RecordCodec.record(for: Self.entries[0])
        withResource.resource = "room-1"
        var withExtra = RecordCodec.record(for: Self.entries[0])
        withExtra.booking = 3
        for record in [empty, badTenant, withResource, withExtra] {
            #expect(RecordCodec.entry(from: record) == nil, "\(record)")
        }
    }

    /// A restart before the erasure's compaction: the stored entry replays through `ServerState.apply`, so the
    /// bookings before it come back erased and the one after it keeps the name.
    @Test func aStoredErasureReplaysErased() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slotd-erased-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let resource = ResourceID("room-1")!
        func held(_ number: UInt64) -> JournalEntry {
            let start = Self.at.adding(seconds: Int64(number) * 3_600)
            let event = HeldEvent(
                sequence: number, range: TimeRange(start: start, end: start.adding(seconds: 1_800)),
                customer: "Alice Example +49 170 1234567", expiresAt: nil, confirmed: true, actor: "client",
                at: Self.at,
                idempotency: nil)
            return .schedule(resource, .held(event))
        }
        let entries: [JournalEntry] = [
            .resourceCreated(ResourceSettings(id: resource, timeZoneIdentifier: "UTC"), at: Self.at, idempotency: nil),
            held(1), held(2),
            .customerErased(CustomerErasure(customer: "Alice Example +49 170 1234567", tenant: nil, at: Self.at)),
            held(3),
        ]
        let store = try JournalStore(directory: directory)
        try store.append(entries.enumerated().map { SequencedEntry(sequence: UInt64($0 + 1), entry: $1) })
        store.close()
        let journal = try Journal(directory: directory)
        let state = try ServerState.replaying(journal, limits: .standard)
        let customers = try #require(state.resources[resource]).schedule.bookings.values.map(\.customer)
        #expect(customers == ["", "", "Alice Example +49 170 1234567"])
        #expect(state.resources[resource]?.lastSequence == 5)
        journal.stop()
    }

    @Test func aScrubbingCompactionLeavesNoBytesOfTheDeletedEntries() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slotd-scrub-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let journal = try Journal(directory: directory)
        journal.start()
        let resource = ResourceID("room-1")!
        let settings = ResourceSettings(id: resource, timeZoneIdentifier: "UTC")
        _ = journal.append(.resourceCreated(settings, at: Self.at, idempotency: nil))
        var last: UInt64 = 0
        for number in 1...3_000 {
            let held = HeldEvent(
                sequence: UInt64(number), range: TimeRange(start: Self.at, end: Self.at.adding(seconds: 3_600)),
                customer: number % 7 == 0 && number < 2_900 ? "Alice Example +49 170 1234567" : "customer \(number)",
                expiresAt: nil,
                confirmed: true, actor: "client", at: Self.at, idempotency: nil)
            last = journal.append(.schedule(resource, .held(held)))
        }
        try await journal.waitUntilDurable(last)
        _ = try await journal.compact(through: last - 10, scrubbing: true)
        let kept = journal.append(.schedule(resource, .expiriesNoticed(ExpiriesNoticedEvent(at: Self.at))))
        try await journal.waitUntilDurable(kept)
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            let bytes = try Data(contentsOf: directory.appendingPathComponent(name))
            #expect(bytes.range(of: Data("1234567".utf8)) == nil, "\(name) still holds the text")
        }
        journal.stop()
    }
}
