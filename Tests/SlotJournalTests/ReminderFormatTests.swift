import Foundation
import SlotDomain
import Testing

@testable import SlotJournal

/// Record format 9 and snapshot version 8 (reminders, issue 19): a resource's `reminders_minutes_before` on its
/// `resource_created` record and the kind `reminders_due` round-trip and are the only records written as format 9;
/// a row of an older format holding them is refused. Snapshots keep the setting, `reminded through` and a kept
/// `create_resource` reply's setting in version 8, which only files with such a resource use; older files read as
/// before, their resources without reminders.
@Suite struct ReminderFormatTests {
    static let at = Instant(secondsSinceEpoch: 1_795_323_000)
    static let settings = ResourceSettings(
        id: RecordJSONTests.resource, timeZoneIdentifier: "Europe/Berlin", remindersMinutesBefore: [1_440, 60])
    static let created = JournalEntry.resourceCreated(settings, at: at, idempotency: nil)
    static let due = JournalEntry.schedule(
        RecordJSONTests.resource,
        .remindersDue(
            RemindersDueEvent(
                at: at.adding(seconds: 86_400),
                reminders: [
                    .init(booking: 3, minutesBefore: 1_440, late: false),
                    .init(booking: 7, minutesBefore: 60, late: true),
                ])))

    @Test func remindersAreFormat9AndRoundTrip() throws {
        for (entry, kindCode) in [(Self.created, 1), (Self.due, 15)] as [(JournalEntry, UInt8)] {
            let record = RecordCodec.record(for: entry)
            #expect(record.writtenFormat == 9)
            #expect(record.binaryBytes().first == kindCode)
            #expect(JournalRecord(body: record.binaryBytes(), format: 9).flatMap(RecordCodec.entry) == entry)
            for older in 3...8 {
                #expect(JournalRecord(body: record.binaryBytes(), format: older) == nil, "format \(older)")
            }
        }
        let json = String(decoding: RecordCodec.record(for: Self.due).jsonBytes(), as: UTF8.self)
        #expect(json.contains(#""bookings":[3,7],"kind":"reminders_due","late":[0,1],"minutes_before":[1440,60]"#))
    }

    @Test func aResourceWithoutRemindersKeepsItsFormat() {
        let plain = JournalEntry.resourceCreated(
            ResourceSettings(id: RecordJSONTests.resource, timeZoneIdentifier: "UTC"), at: Self.at, idempotency: nil)
        #expect(RecordCodec.record(for: plain).writtenFormat == 3)
        for entry in RecordJSONTests.entries + IdempotencyFormatTests.entries {
            let record = RecordCodec.record(for: entry)
            #expect(record.writtenFormat < 9, "\(entry)")
            #expect(JournalRecord(body: record.binaryBytes(), format: 9).flatMap(RecordCodec.entry) == entry)
        }
    }

    @Test func malformedRemindersAreRefused() {
        var record = RecordCodec.record(for: Self.due)
        record.late = [0]
        #expect(RecordCodec.entry(from: record) == nil, "lists of different lengths")
        record = RecordCodec.record(for: Self.due)
        record.late = [0, 2]
        #expect(RecordCodec.entry(from: record) == nil, "a late flag other than 0 or 1")
        record = RecordCodec.record(for: Self.due)
        record.minutesBefore = [0, 60]
        #expect(RecordCodec.entry(from: record) == nil, "zero minutes")
        record = RecordCodec.record(for: Self.created)
        record.minutesBefore = [60, 60]
        #expect(RecordCodec.entry(from: record) == nil, "a setting the domain refuses")
        record.minutesBefore = []
        #expect(RecordCodec.entry(from: record) == nil, "an empty list is written as none")
    }

    static func image(reminders: [Int]) -> SnapshotImage {
        var image = SnapshotFormatTests.sampleImage()
        image.resources[0].settings.remindersMinutesBefore = reminders
        image.resources[0].remindedThrough = reminders.isEmpty ? nil : image.resources[0].clock.adding(seconds: -30)
        image.idempotency.append(
            IdempotencyTable.Record(
                key: "k3", fingerprint: "create", reply: .resource(image.resources[0].settings),
                expiresAt: image.createdAt))
        return image
    }

    @Test func version8KeepsTheSettingAndWhatWasReminded() throws {
        let image = Self.image(reminders: [60, 1_440])
        let bytes = SnapshotFormatV1.encode(image)
        #expect(try SnapshotFormatV1.header(of: bytes).0.version == 8)
        #expect(try SnapshotFormatV1.decode(bytes) == image)
        #expect(throws: SnapshotError.self) {
            try SnapshotFormatV1.decode(IdempotencyFormatTests.relabel(bytes, version: 7))
        }
    }

    @Test func filesWithoutRemindersKeepTheirVersion() throws {
        let image = Self.image(reminders: [])
        let bytes = SnapshotFormatV1.encode(image)
        #expect(try SnapshotFormatV1.header(of: bytes).0.version == 4)
        let decoded = try SnapshotFormatV1.decode(bytes)
        #expect(decoded == image)
        #expect(decoded.resources[0].remindedThrough == nil)
    }

    @Test func aRemindedInstantPastTheClockIsRefused() {
        var image = Self.image(reminders: [60])
        image.resources[0].remindedThrough = image.resources[0].clock.adding(seconds: 1)
        #expect(throws: SnapshotError.self) { try SnapshotFormatV1.decode(SnapshotFormatV1.encode(image)) }
    }
}
