import Foundation
import SlotDomain
import Testing

@testable import SlotJournal

@Suite struct SnapshotFormatTests {
    static func sampleImage() -> SnapshotImage {
        let resource = ResourceID("dr-ng")!
        let settings = ResourceSettings(
            id: resource, timeZoneIdentifier: "Asia/Singapore", slotMinutes: 30, capacity: 2, bufferBeforeMinutes: 30,
            bufferAfterMinutes: 0, holdTTLSeconds: 120, horizonDays: 30)
        let start = Instant(secondsSinceEpoch: 1_800_000_000 - 1_800_000_000 % 1_800)
        let range = TimeRange(start: start, end: start.adding(seconds: 3_600))
        let moved = TimeRange(start: start.adding(seconds: 7_200), end: start.adding(seconds: 9_000))
        let bookings = [
            Booking(
                id: BookingID(resource: resource, sequence: 1), range: range, customer: "Zoë 🦷",
                state: .pendingConfirmation,
                expiresAt: start.adding(seconds: -60),
                history: [
                    Transition(from: nil, to: .pendingConfirmation, actor: "web", at: start.adding(seconds: -180))
                ]),
            Booking(
                id: BookingID(resource: resource, sequence: 2), range: moved, customer: "Ann", state: .rescheduled,
                expiresAt: nil,
                history: [
                    Transition(from: nil, to: .pendingConfirmation, actor: "desk", at: start.adding(seconds: -900)),
                    Transition(
                        from: .pendingConfirmation, to: .confirmed, actor: "desk", at: start.adding(seconds: -900)),
                    Transition(
                        from: .confirmed, to: .rescheduled, actor: "desk", at: start.adding(seconds: -600),
                        previousRange: range),
                ]),
            Booking(
                id: BookingID(resource: resource, sequence: 3), range: range, customer: "Bo", state: .canceled,
                expiresAt: nil,
                history: [
                    Transition(from: nil, to: .pendingConfirmation, actor: "client", at: start.adding(seconds: -500)),
                    Transition(
                        from: .pendingConfirmation, to: .canceled, actor: "client", at: start.adding(seconds: -400),
                        reason: "ill"),
                ], series: 3),
        ]
        let waitlist = [
            WaitlistEntry(
                id: WaitlistEntryID(resource: resource, number: 1), range: range, customer: "Cy", actor: "web",
                joinedAt: start.adding(seconds: -700), state: .promoted, booking: 1,
                settledAt: start.adding(seconds: -180)),
            WaitlistEntry(
                id: WaitlistEntryID(resource: resource, number: 2), range: moved, customer: "Di", actor: "web",
                joinedAt: start.adding(seconds: -300), state: .waiting),
        ]
        return SnapshotImage(
            journalID: "journal-1", journalSequence: 42, createdAt: start.adding(seconds: -100),
            resources: [
                ResourceImage(
                    settings: settings, clock: start.adding(seconds: -100), lastBookingSequence: 3,
                    createdJournalSequence: 1,
                    capturedJournalSequence: 44, bookings: bookings, rules: sampleRules(start), waitlist: waitlist,
                    lastWaitlistNumber: 2)
            ],
            idempotency: [
                IdempotencyTable.Record(
                    key: "k1", fingerprint: "hold\u{1F}x", reply: .booking(bookings[1].summary), expiresAt: start),
                IdempotencyTable.Record(key: "k2", fingerprint: "create", reply: .resource(settings), expiresAt: start),
            ])
    }

    static func sampleRules(_ start: Instant) -> AvailabilityRules {
        var rules = AvailabilityRules()
        let morning = LocalInterval(startMinute: 9 * 60, endMinute: 12 * 60)!
        let afternoon = LocalInterval(startMinute: 13 * 60, endMinute: 24 * 60)!
        rules.weeklyHours = WeeklyHours(days: [[morning, afternoon], [morning], [], [afternoon], [morning], [], []])
        rules.overrides[LocalDate(year: 2027, month: 12, day: 24)!] = .closed
        rules.overrides[LocalDate(year: 2027, month: 12, day: 31)!] = .hours([morning])
        rules.blocks[2] = Block(
            id: 2, range: TimeRange(start: start, end: start.adding(seconds: 3_600)), label: "team meeting")
        rules.lastBlockID = 2
        rules.minNoticeMinutes = 120
        rules.maxBookingsPerDay = 8
        return rules
    }

    @Test func roundTripsExactly() throws {
        let image = Self.sampleImage()
        let bytes = SnapshotFormatV1.encode(image)
        #expect(try SnapshotFormatV1.decode(bytes) == image)
        let (header, _) = try SnapshotFormatV1.header(of: bytes)
        #expect(header.journalSequence == 42)
        #expect(header.bookingCount == 3)
        #expect(header.resourceCount == 1)
        #expect(header.idempotencyKeyCount == 2)
    }

    /// A snapshot is written in pieces, its checksum computed as they go; the pieces make the same file, whatever
    /// their size.
    @Test func encodingInPiecesGivesTheSameFile() throws {
        let image = Self.sampleImage()
        let whole = SnapshotFormatV1.encode(image)
        var pieces: [[UInt8]] = []
        SnapshotFormatV1.encode(image, chunkBytes: 1) { pieces.append(Array($0)) }
        // One piece per resource and per key (the header goes with the first), and the trailer.
        #expect(pieces.count == image.resources.count + image.idempotency.count + 1)
        #expect(pieces.flatMap { $0 } == whole)
        #expect(try SnapshotFormatV1.decode(pieces.flatMap { $0 }) == image)
    }

    @Test func everyFlippedByteAndEveryTruncationIsDetected() {
        let bytes = SnapshotFormatV1.encode(Self.sampleImage())
        for index in stride(from: 0, to: bytes.count, by: 7) {
            var damaged = bytes
            damaged[index] ^= 0x40
            #expect(throws: SnapshotError.self, "byte \(index)") { try SnapshotFormatV1.decode(damaged) }
        }
        for length in stride(from: 0, to: bytes.count, by: 13) {
            #expect(throws: SnapshotError.self, "length \(length)") {
                try SnapshotFormatV1.decode(Array(bytes.prefix(length)))
            }
        }
    }

    @Test func storeWritesAtomicallyListsNewestFirstAndPrunes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slotd-snap-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = SnapshotStore(directory: directory)
        var image = Self.sampleImage()
        for sequence in [UInt64(5), 42, 17] {
            image.journalSequence = sequence
            _ = try store.write(image)
        }
        image.journalID = "other-journal"
        _ = try store.write(image)
        #expect(store.list(journalID: "journal-1").map(\.journalSequence) == [42, 17, 5])
        let kept = store.prune(journalID: "journal-1", kept: 2)
        #expect(kept.map(\.journalSequence) == [42, 17])
        #expect(store.list(journalID: "journal-1").count == 2)
        #expect(store.list(journalID: "other-journal").count == 1, "other journals' snapshots are left alone")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.hasSuffix(".tmp")
        }
        #expect(leftovers.isEmpty)
    }

    @Test func restoringRebuildsOccupancyAndRefusesOverCapacity() throws {
        let image = Self.sampleImage()
        let resource = image.resources[0]
        var schedule = try ResourceSchedule(
            restoring: resource.settings, clock: resource.clock, lastSequence: resource.lastBookingSequence,
            bookings: resource.bookings)
        #expect(schedule.activeHoldCount == 1)
        // The two active bookings are there: capacity 2 is full where they overlap.
        let start = resource.bookings[0].range.start
        #expect(schedule.booking(2)?.state == .rescheduled)
        #expect(
            schedule.firstConflict(TimeRange(start: start, end: start.adding(seconds: 1_800)), excluding: nil) == nil)
        // The pending hold is restored pending, and expires on time.
        #expect(schedule.booking(1)?.state == .pendingConfirmation)
        schedule.advance(to: start.adding(seconds: -60))
        #expect(schedule.booking(1)?.state == .expired)

        var crowded = resource.bookings
        for sequence in UInt64(4)...6 {
            var copy = resource.bookings[1]
            copy.id = BookingID(resource: resource.settings.id, sequence: sequence)
            crowded.append(copy)
        }
        #expect(throws: ResourceSchedule.RestoreFailure.self) {
            _ = try ResourceSchedule(
                restoring: resource.settings, clock: resource.clock, lastSequence: 6, bookings: crowded)
        }
    }
}

@Suite struct CompactionTests {
    @Test func compactionRaisesTheFloorAndKeepsNumbering() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "slotd-compact-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let settings = ResourceSettings(id: ResourceID("r")!, timeZoneIdentifier: "UTC")
        var configuration = Journal.Configuration()
        configuration.compactionChunkEntriesMax = 7
        let journal = try Journal(directory: directory, configuration: configuration)
        let id = journal.journalID
        journal.start()
        var last: UInt64 = 0
        for index in 0..<30 {
            last = journal.append(
                .resourceCreated(settings, at: Instant(secondsSinceEpoch: Int64(index)), idempotency: nil))
        }
        try await journal.waitUntilDurable(last)
        #expect(try await journal.compact(through: 30) == 30)
        journal.stop()

        let reopened = try Journal(directory: directory)
        #expect(reopened.journalID == id)
        #expect(try reopened.floor() == 30)
        #expect(reopened.appendedSequence == 30, "numbering continues after the floor")
        #expect(throws: JournalError.self) { try reopened.replay(after: 0) { _ in } }
        var count = 0
        try reopened.replay(after: 30) { _ in count += 1 }
        #expect(count == 0)
        reopened.start()
        #expect(reopened.append(.resourceCreated(settings, at: Instant(secondsSinceEpoch: 99), idempotency: nil)) == 31)
        reopened.stop()
    }
}
