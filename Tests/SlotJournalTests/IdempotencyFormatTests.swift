import Foundation
import SlotDomain
import Testing

@testable import SlotJournal

/// Record format 4 and snapshot format 5: idempotency keys on the rule, series and waitlist kinds, a series'
/// skipped occurrences, and the replies kept under such keys. Each round-trips; older formats refuse what they
/// never had; records that need nothing new are still written as format 3.
@Suite struct IdempotencyFormatTests {
    static let resource = RecordJSONTests.resource
    static let range = RecordJSONTests.range
    static let at = Instant(secondsSinceEpoch: 1_795_323_047)
    static let stamp = IdempotencyStamp(key: "key ✓", fingerprint: "set_limits\u{1F}r")
    static let skipped = [
        SeriesConflict(
            date: LocalDate(days: 20_820), range: range,
            rejection: Rejection(.slotUnavailable, "the slot is taken \"here\"")),
        SeriesConflict(
            date: LocalDate(days: 20_821), range: nil, rejection: Rejection(.invalidRequest, "no such local time")),
    ]

    /// Every kind that takes a key from format 4 on, keyed, and a series with skipped occurrences but no key.
    static var entries: [JournalEntry] {
        let block = Block(id: 2, range: range, label: "x")
        let events: [ScheduleEvent] = [
            .rulesChanged(RulesChangedEvent(change: .addBlock(block), actor: "op", at: at, idempotency: stamp)),
            .rulesChanged(
                RulesChangedEvent(
                    change: .override(LocalDate(days: 20_000), nil), actor: "op", at: at,
                    idempotency: stamp)),
            .seriesBooked(
                SeriesBookedEvent(
                    firstSequence: 3, ranges: [range], customer: "c", actor: "a", at: at, skipped: skipped,
                    idempotency: stamp)),
            .seriesBooked(
                SeriesBookedEvent(
                    firstSequence: 3, ranges: [range], customer: "c", actor: "a", at: at, skipped: skipped)),
            .seriesCanceled(
                SeriesCanceledEvent(series: 3, sequences: [3, 4], actor: "a", at: at, reason: "r", idempotency: stamp)),
            .waitlistJoined(
                WaitlistJoinedEvent(number: 1, range: range, customer: "w", actor: "a", at: at, idempotency: stamp)),
            .waitlistLeft(WaitlistLeftEvent(number: 1, actor: "a", at: at, idempotency: stamp)),
        ]
        return events.map { .schedule(resource, $0) }
    }

    @Test func format4RecordsRoundTripInBinaryAndJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for entry in Self.entries {
            let record = RecordCodec.record(for: entry)
            #expect(record.writtenFormat == 4, "\(entry)")
            #expect(JournalRecord(body: record.binaryBytes(), format: 4).flatMap(RecordCodec.entry) == entry)
            // JSON is what `slotctl journal dump` prints; Foundation's encoder is the oracle for its text.
            #expect(JournalRecord(json: record.jsonBytes()).flatMap(RecordCodec.entry) == entry, "\(entry)")
            #expect(JournalRecord(json: Array(try encoder.encode(record))) == record, "\(entry)")
            // A format 3 row never held these fields: such a row is damage, not an older record.
            #expect(JournalRecord(body: record.binaryBytes(), format: 3) == nil, "\(entry)")
        }
    }

    /// A record that carries nothing new is still format 3, so a journal written without such keys stays
    /// readable by a server that knows only format 3; and every earlier entry still reads as format 3 and 4.
    @Test func recordsWithoutTheNewFieldsAreStillFormat3() {
        for entry in RecordJSONTests.entries {
            let record = RecordCodec.record(for: entry)
            #expect(record.writtenFormat == 3, "\(entry)")
            #expect(JournalRecord(body: record.binaryBytes(), format: 3).flatMap(RecordCodec.entry) == entry)
            #expect(JournalRecord(body: record.binaryBytes(), format: 4).flatMap(RecordCodec.entry) == entry)
        }
    }

    @Test func aDamagedSkippedListIsRefused() {
        var record = RecordCodec.record(for: Self.entries[3])
        record.skipped?[0].code = "no_such_code"
        #expect(RecordCodec.entry(from: record) == nil)
        record = RecordCodec.record(for: Self.entries[3])
        record.skipped?[0].end = nil
        #expect(RecordCodec.entry(from: record) == nil)
        record.skipped = []
        #expect(RecordCodec.entry(from: record) == nil)
    }

    /// A snapshot image whose key table holds every reply kind.
    static func image() -> SnapshotImage {
        var image = SnapshotFormatTests.sampleImage()
        let bookings = image.resources[0].bookings
        let waitlist = image.resources[0].waitlist
        let resource = bookings[0].id.resource
        let replies: [StoredReply] = [
            .rules(
                RulesOutcome(
                    resource: resource, rules: SnapshotFormatTests.sampleRules(at), affected: [bookings[0].id],
                    addedBlock: Block(id: 2, range: range, label: "team meeting"))),
            .rules(RulesOutcome(resource: resource, rules: AvailabilityRules(), affected: [], addedBlock: nil)),
            .series(SeriesOutcome(series: bookings[2].id, bookings: bookings.map(\.summary), skipped: skipped)),
            .waitlist(WaitlistOutcome(entry: waitlist[0], position: nil, booking: bookings[0].summary)),
            .waitlist(WaitlistOutcome(entry: waitlist[1], position: 1, booking: nil)),
        ]
        for (index, reply) in replies.enumerated() {
            image.idempotency.append(
                IdempotencyTable.Record(key: "new-\(index)", fingerprint: "f\(index)", reply: reply, expiresAt: at))
        }
        return image
    }

    @Test func version5KeepsEveryReplyKind() throws {
        let image = Self.image()
        let bytes = SnapshotFormatV1.encode(image)
        #expect(try SnapshotFormatV1.decode(bytes) == image)
        #expect(try SnapshotFormatV1.header(of: bytes).0.version == 5)
        // Without such a reply, the oldest version that holds the file: the previous server reads it.
        let older = SnapshotFormatV1.encode(SnapshotFormatTests.sampleImage())
        #expect(try SnapshotFormatV1.header(of: older).0.version == 4)
    }

    /// `bytes` labelled `version`, the checksum made right again.
    static func relabel(_ bytes: [UInt8], version: UInt8) -> [UInt8] {
        var bytes = bytes
        bytes[8] = version
        bytes[9] = 0
        let trailer = bytes.count - 12
        let checksum = CRC32.checksum(bytes[0..<trailer])
        for index in 0..<4 { bytes[trailer + index] = UInt8(truncatingIfNeeded: checksum >> (8 * index)) }
        return bytes
    }

    /// Version 4 had no such reply kinds: the same bytes labelled 4 are refused, while an image without them
    /// reads as version 4.
    @Test func anEarlierVersionWithANewReplyKindIsRefused() throws {
        let labelled = Self.relabel(SnapshotFormatV1.encode(Self.image()), version: 4)
        #expect(throws: SnapshotError.self) { try SnapshotFormatV1.decode(labelled) }
        let older = SnapshotFormatTests.sampleImage()
        let decoded = try SnapshotFormatV1.decode(Self.relabel(SnapshotFormatV1.encode(older), version: 4))
        #expect(decoded == older)
    }
}
