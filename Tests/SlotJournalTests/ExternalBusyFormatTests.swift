import Foundation
import SlotDomain
import Testing

@testable import SlotJournal

/// Record format 10 and snapshot version 9 (the `external_busy` layer, issue 20): the kind `external_busy`
/// round-trips, is the only record written as format 10, and an older format holding it is refused; malformed
/// stretches are refused. Snapshots keep each resource's layer in version 9, which only files with a layer use.
@Suite struct ExternalBusyFormatTests {
    static let at = Instant(secondsSinceEpoch: 1_795_323_000)
    static let link = CalendarLinkID("cal_00ff00ff00ff00ff")!
    static let stretches = [
        TimeRange(start: at.adding(seconds: 3_600), end: at.adding(seconds: 7_200)),
        TimeRange(start: at.adding(seconds: 86_400), end: at.adding(seconds: 30 * 86_400)),
    ]
    static let busy = ExternalBusy(link: link, ranges: stretches, pulledAt: at)
    static let replaced = JournalEntry.schedule(
        RecordJSONTests.resource, .externalBusyChanged(ExternalBusyEvent(at: at, link: link, busy: busy)))
    static let removed = JournalEntry.schedule(
        RecordJSONTests.resource, .externalBusyChanged(ExternalBusyEvent(at: at, link: link, busy: nil)))

    @Test func externalBusyIsFormat10AndRoundTrips() throws {
        for entry in [Self.replaced, Self.removed] {
            let record = RecordCodec.record(for: entry)
            #expect(record.writtenFormat == 10)
            #expect(record.binaryBytes().first == 16)
            #expect(JournalRecord(body: record.binaryBytes(), format: 10).flatMap(RecordCodec.entry) == entry)
            for older in 3...9 {
                #expect(JournalRecord(body: record.binaryBytes(), format: older) == nil, "format \(older)")
            }
        }
        let empty = JournalEntry.schedule(
            RecordJSONTests.resource,
            .externalBusyChanged(
                ExternalBusyEvent(
                    at: Self.at, link: Self.link, busy: ExternalBusy(link: Self.link, ranges: [], pulledAt: Self.at))))
        let record = RecordCodec.record(for: empty)
        #expect(
            JournalRecord(body: record.binaryBytes(), format: 10).flatMap(RecordCodec.entry) == empty,
            "no busy time is not no layer")
        let json = String(decoding: RecordCodec.record(for: Self.replaced).jsonBytes(), as: UTF8.self)
        #expect(json.contains(#""kind":"external_busy","link":"cal_00ff00ff00ff00ff""#), "\(json)")
    }

    @Test func malformedLayersAreRefused() {
        var record = RecordCodec.record(for: Self.replaced)
        record.link = "cal_nothex"
        #expect(RecordCodec.entry(from: record) == nil, "not a link id")
        record = RecordCodec.record(for: Self.replaced)
        record.ranges = record.ranges.map { Array($0.reversed()) }
        #expect(RecordCodec.entry(from: record) == nil, "out of order")
        record = RecordCodec.record(for: Self.replaced)
        record.ranges = [[10, 5]]
        #expect(RecordCodec.entry(from: record) == nil, "ends before it starts")
        record = RecordCodec.record(for: Self.replaced)
        record.ranges = [[1, 2, 3]]
        #expect(RecordCodec.entry(from: record) == nil, "not a pair")
    }

    @Test func version9KeepsTheLayerAndOnlyFilesWithOneUseIt() throws {
        var image = SnapshotFormatTests.sampleImage()
        // Version 8 on keeps `reminded through`, which an image without reminders leaves nil (read back as the clock).
        for index in image.resources.indices { image.resources[index].remindedThrough = image.resources[index].clock }
        let plain = SnapshotFormatV1.encode(image)
        #expect(try SnapshotFormatV1.header(of: plain).0.version < 9)
        image.resources[0].externalBusy = Self.busy
        let bytes = SnapshotFormatV1.encode(image)
        #expect(try SnapshotFormatV1.header(of: bytes).0.version == 9)
        #expect(try SnapshotFormatV1.decode(bytes) == image)
        #expect(throws: SnapshotError.self) {
            try SnapshotFormatV1.decode(IdempotencyFormatTests.relabel(bytes, version: 8))
        }
    }
}
