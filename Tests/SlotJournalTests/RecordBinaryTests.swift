import Foundation
import SlotDomain
import Testing

@testable import SlotJournal

/// Record format 3 (binary) against the JSON of format 2: the same record either way, a fraction of the bytes,
/// and every malformed body refused.
@Suite struct RecordBinaryTests {
    @Test func everyKindOfEntryRoundTripsAndIsSmallerThanItsJSON() {
        for entry in RecordJSONTests.entries {
            let record = RecordCodec.record(for: entry)
            let binary = record.binaryBytes()
            #expect(JournalRecord(binary: binary) == record, "\(entry)")
            #expect(JournalRecord(body: binary, format: 3).flatMap(RecordCodec.entry) == entry, "\(entry)")
            #expect(JournalRecord(body: record.jsonBytes(), format: 2) == record, "\(entry)")
            #expect(binary.count < record.jsonBytes().count, "\(entry)")
        }
        let held = RecordCodec.record(for: RecordJSONTests.entries[2])
        #expect(held.kind == .held)
        #expect(held.binaryBytes().count * 2 < held.jsonBytes().count, "\(held.binaryBytes().count) bytes")
    }

    /// Random records with every optional field present or not, numbers at the varint edges, any Unicode.
    @Test(arguments: [1, 2, 3, 4] as [UInt64]) func randomRecordsRoundTrip(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let numbers: [Int64] = [0, 1, -1, 63, 64, -64, -65, 127, 128, 1 << 35, .max, .min, 1_799_049_600]
        func number() -> Int64 {
            Bool.random(using: &random) ? numbers.randomElement(using: &random)! : Int64(bitPattern: random.next())
        }
        func maybe<Value>(_ make: () -> Value) -> Value? { Bool.random(using: &random) ? make() : nil }
        func text() -> String {
            let pieces = ["a", "Zoë", "🦷", "\u{1F}", "\"", "\\", "\n", "東京", ""]
            return (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }
                .joined()
        }
        for _ in 0..<2_000 {
            let kinds: [JournalRecord.Kind] = [
                .resourceCreated, .held, .transitioned, .keyRecorded, .rulesChanged, .seriesBooked, .seriesCanceled,
                .waitlistJoined, .waitlistLeft,
            ]
            var record = JournalRecord(kind: kinds.randomElement(using: &random)!, resource: text(), at: number())
            record.tz = maybe(text)
            record.slotMinutes = maybe { Int(number()) }
            record.capacity = maybe { Int(number()) }
            record.bufferAfterMinutes = maybe { Int(number()) }
            record.booking = maybe { random.next() }
            record.start = maybe(number)
            record.end = maybe(number)
            record.customer = maybe(text)
            record.expiresAt = maybe(number)
            record.confirmed = maybe { Bool.random(using: &random) }
            record.actor = maybe(text)
            record.fingerprint = maybe(text)
            record.rule = maybe {
                RuleRecord(change: .limits, minNoticeMinutes: Int.random(in: 0...99_999, using: &random))
            }
            record.ranges = maybe { (0..<Int.random(in: 0...3, using: &random)).map { _ in [number(), number()] } }
            record.bookings = maybe { (0..<Int.random(in: 0...3, using: &random)).map { _ in random.next() } }
            record.entry = maybe { random.next() }
            #expect(JournalRecord(binary: record.binaryBytes()) == record, "\(record)")
        }
    }

    /// A body cut short never reads back as the record it was cut from (the checksum catches a cut that happens
    /// to end on a field boundary; here the point is that nothing crashes and nothing reads as whole).
    @Test func everyTruncationIsRefusedOrReadsAsLess() {
        for entry in RecordJSONTests.entries {
            let record = RecordCodec.record(for: entry)
            let binary = record.binaryBytes()
            for length in 0..<binary.count {
                #expect(JournalRecord(binary: Array(binary[..<length])) != record, "\(entry) cut at \(length)")
            }
        }
    }

    @Test func malformedBodiesAreRefused() {
        var held = JournalRecord(kind: .held, resource: "r", at: 5)
        held.confirmed = true
        let good = held.binaryBytes()
        #expect(good == [2, 1, 1, UInt8(ascii: "r"), 2, 10, 15, 1])
        #expect(JournalRecord(binary: good) == held)
        let bad: [(String, [UInt8])] = [
            ("empty", []),
            ("unknown kind", [0, 1, 1, 0x72, 2, 10]),
            ("an unassigned kind", [200, 1, 1, 0x72, 2, 10]),
            ("no resource", [2, 2, 10]),
            ("no at", [2, 1, 1, 0x72]),
            ("unknown tag", [2, 1, 1, 0x72, 2, 10, 99, 0]),
            ("tags out of order", [2, 2, 10, 1, 1, 0x72]),
            ("a tag twice", [2, 1, 1, 0x72, 2, 10, 2, 10]),
            ("confirmed 2", [2, 1, 1, 0x72, 2, 10, 15, 2]),
            ("a trailing zero", good + [0]),
            ("string longer than the body", [2, 1, 5, 0x72, 2, 10]),
            ("invalid UTF-8", [2, 1, 1, 0xFF, 2, 10]),
            ("a varint of eleven bytes", [2, 1, 1, 0x72, 2] + Array(repeating: 0xFF, count: 10) + [1]),
            ("a varint past 64 bits", [2, 1, 1, 0x72, 2] + Array(repeating: 0xFF, count: 9) + [2]),
            ("a list longer than the body", [7, 1, 1, 0x72, 2, 10, 23, 200, 1]),
            ("a rule that is not a rule", [5, 1, 1, 0x72, 2, 10, 21, 2, UInt8(ascii: "{"), UInt8(ascii: "}")]),
        ]
        for (name, bytes) in bad {
            #expect(JournalRecord(binary: bytes) == nil, "\(name)")
        }
    }

    /// A journal whose older rows are format 2 JSON (as an older slotd wrote them) and newer rows format 3 replays
    /// as one sequence.
    @Test func aJournalMixingFormat2AndFormat3RowsReplaysWhole() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slotd-mixed-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let entries = RecordJSONTests.entries
        let (older, newer) = (Array(entries[..<5]), Array(entries[5...]))
        let store = try JournalStore(directory: directory)
        let insert = try store.database.prepare(
            "INSERT INTO journal (sequence, format, kind, resource, body, checksum) VALUES (?, 2, ?, ?, ?, ?)")
        for (index, entry) in older.enumerated() {
            let record = RecordCodec.record(for: entry)
            let body = record.jsonBytes()
            insert.bind(1, Int64(index + 1))
            insert.bind(2, record.kind.rawValue)
            insert.bind(3, record.resource)
            insert.bind(4, body)
            insert.bind(5, Int64(CRC32.checksum(body)))
            _ = try insert.step()
            insert.reset()
        }
        try store.append(newer.enumerated().map { SequencedEntry(sequence: UInt64(older.count + $0 + 1), entry: $1) })
        let formats = try store.database.prepare("SELECT format FROM journal ORDER BY sequence")
        var stored: [Int64] = []
        while try formats.step() { stored.append(formats.int64(0)) }
        #expect(stored == Array(repeating: 2, count: older.count) + Array(repeating: 3, count: newer.count))
        var read: [JournalEntry] = []
        try store.read(after: 0) { read.append($0.entry) }
        #expect(read == entries)
        store.close()
    }
}
