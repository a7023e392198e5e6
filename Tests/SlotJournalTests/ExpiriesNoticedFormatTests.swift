import Foundation
import SlotDomain
import Testing

@testable import SlotJournal

/// Record format 5: the kind `expiries_noticed` (decision 0019), the only kind written as format 5. It round-trips
/// in binary and JSON, a row of an older format holding it is refused, and every earlier record is still written
/// in the format it was.
@Suite struct ExpiriesNoticedFormatTests {
    static let entry = JournalEntry.schedule(
        RecordJSONTests.resource, .expiriesNoticed(ExpiriesNoticedEvent(at: Instant(secondsSinceEpoch: 1_795_323_047))))

    @Test func theNoticeIsFormat5AndRoundTrips() throws {
        let record = RecordCodec.record(for: Self.entry)
        #expect(record.writtenFormat == 5)
        #expect(record.binaryBytes().first == 10, "kind code 10")
        #expect(JournalRecord(body: record.binaryBytes(), format: 5).flatMap(RecordCodec.entry) == Self.entry)
        #expect(JournalRecord(json: record.jsonBytes()).flatMap(RecordCodec.entry) == Self.entry)
        let json = String(decoding: record.jsonBytes(), as: UTF8.self)
        #expect(json.contains("\"kind\":\"expiries_noticed\""), "\(json)")
        for older in 1...4 {
            #expect(JournalRecord(body: record.binaryBytes(), format: older) == nil, "format \(older)")
        }
        #expect(JournalRecord(body: record.jsonBytes(), format: 2) == nil)
    }

    @Test func earlierRecordsKeepTheirFormatAndReadAsFormat5() {
        for entry in RecordJSONTests.entries + IdempotencyFormatTests.entries {
            let record = RecordCodec.record(for: entry)
            #expect(record.writtenFormat < 5, "\(entry)")
            #expect(JournalRecord(body: record.binaryBytes(), format: 5).flatMap(RecordCodec.entry) == entry)
        }
    }

    @Test func aStoredNoticeIsAFormat5RowAndReadsBackInOrder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slotd-notice-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let entries = Array(RecordJSONTests.entries.prefix(2)) + [Self.entry]
        let store = try JournalStore(directory: directory)
        try store.append(entries.enumerated().map { SequencedEntry(sequence: UInt64($0 + 1), entry: $1) })
        let formats = try store.database.prepare("SELECT format FROM journal ORDER BY sequence")
        var stored: [Int64] = []
        while try formats.step() { stored.append(formats.int64(0)) }
        #expect(stored == [3, 3, 5])
        var read: [JournalEntry] = []
        try store.read(after: 0) { read.append($0.entry) }
        #expect(read == entries)
    }
}
