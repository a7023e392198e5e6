import SlotDomain
import Testing

@testable import SlotJournal

/// Inputs the snapshot fuzzer (scripts/fuzz.sh, target `snapshot`) found, each as the smallest change to a
/// valid file that reproduces it. A count in the file must be checked against the file's length before it sizes
/// an array: 4 billion bookings in a 2 KB file would ask for hundreds of GB and stop the process (slotd at
/// start-up, `slotctl snapshot inspect`), so such a file is refused as invalid, like any other damage.
/// Instants no server could have written are refused too: one flipped bit can make a booking 203 million days
/// long, whose occupancy restore would walk day by day without end.
@Suite struct SnapshotFuzzFindingsTests {
    /// Values no real snapshot has, so the fields after them can be found in the encoded bytes.
    static let journalSequence: UInt64 = 0x1122_3344_5566_7788
    static let capturedSequence: UInt64 = 0x2233_4455_6677_8899
    static let series: UInt64 = 0x3344_5566_7788_99AA

    static func image() -> SnapshotImage {
        var image = SnapshotFormatTests.sampleImage()
        image.journalSequence = journalSequence
        image.tokensJournalSequence = journalSequence
        image.resources[0].capturedJournalSequence = capturedSequence
        image.resources[0].bookings[0].series = series
        return image
    }

    /// The encoded sample with `width` bytes after the first `marker` replaced by `value`, checksum redone (as a
    /// deliberate edit would; the fuzzer does the same, otherwise it never gets past the checksum).
    static func patched(after marker: UInt64, skipping: Int = 0, width: Int, value: UInt64) -> [UInt8] {
        var bytes = SnapshotFormatV1.encode(image())
        let pattern = (0..<8).map { UInt8(truncatingIfNeeded: marker >> (8 * $0)) }
        guard let found = (0...(bytes.count - 8)).first(where: { Array(bytes[$0..<($0 + 8)]) == pattern }) else {
            Issue.record("marker not found in the encoded snapshot")
            return bytes
        }
        let offset = found + 8 + skipping
        for index in 0..<width { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
        let checksumOffset = bytes.count - 4 - SnapshotFormatV1.trailerMagic.count
        let checksum = CRC32.checksum(bytes[0..<checksumOffset])
        for index in 0..<4 { bytes[checksumOffset + index] = UInt8(truncatingIfNeeded: checksum >> (8 * index)) }
        return bytes
    }

    static func expectInvalid(_ bytes: [UInt8], mentioning text: String) {
        #expect {
            _ = try SnapshotFormatV1.decode(bytes)
        } throws: { error in
            guard case .invalid(let reason)? = error as? SnapshotError else { return false }
            return reason.contains(text)
        }
    }

    @Test func theUnpatchedSampleStillReads() throws {
        let bytes = SnapshotFormatV1.encode(Self.image())
        #expect(try SnapshotFormatV1.decode(bytes) == Self.image())
    }

    @Test func aBookingCountLargerThanTheFileIsRefused() {
        // In a resource: settings, clock, last sequence, created, captured (the marker), then the u32 count.
        let bytes = Self.patched(after: Self.capturedSequence, width: 4, value: 0xFFFF_FFFF)
        Self.expectInvalid(bytes, mentioning: "4294967295 bookings")
    }

    @Test func aHistoryCountLargerThanTheFileIsRefused() {
        // In a booking (version 3): …, series (the marker), then the u32 history count.
        let bytes = Self.patched(after: Self.series, width: 4, value: 0x7FFF_FFFF)
        Self.expectInvalid(bytes, mentioning: "2147483647 history entries")
    }

    @Test func aBookingWithoutHistoryIsRefused() {
        // Found second: `Booking` requires a history (its first entry is the creation) and trapped on none.
        let bytes = Self.patched(after: Self.series, width: 4, value: 0)
        Self.expectInvalid(bytes, mentioning: "has no history")
    }

    @Test func aResourceCountLargerThanTheFileIsRefused() {
        // In the header: journal sequence (the marker), created at (8 bytes), then the u32 resource count.
        let bytes = Self.patched(after: Self.journalSequence, skipping: 8, width: 4, value: 0xFFFF_FFFF)
        Self.expectInvalid(bytes, mentioning: "4294967295 resources")
    }

    @Test func aBookingCountBeyondIntIsRefusedInTheHeader() {
        // In the header: journal sequence, created at, resource count (12 bytes), then the u64 booking count.
        let bytes = Self.patched(after: Self.journalSequence, skipping: 12, width: 8, value: .max)
        Self.expectInvalid(bytes, mentioning: "18446744073709551615 bookings")
        #expect(throws: SnapshotError.self) { _ = try SnapshotFormatV1.header(of: bytes) }
    }

    /// In a resource: captured (the marker), the u32 booking count, the first booking's u64 sequence, then its
    /// start and end.
    static let firstBookingStartSkip = 4 + 8
    static let firstBookingEndSkip = 4 + 8 + 8

    @Test func aBookingEndingMillionsOfYearsLaterIsRefused() {
        // The fuzzer's input: bit 44 of the first booking's end set, 17,593,985,295,616 s after 1970.
        let bytes = Self.patched(
            after: Self.capturedSequence, skipping: Self.firstBookingEndSkip, width: 8, value: 17_593_985_295_616)
        Self.expectInvalid(bytes, mentioning: "the end of booking dr-ng/1")
        Self.expectInvalid(bytes, mentioning: "outside years 0001–9999")
    }

    @Test func aBookingStartingBeforeYearOneIsRefused() {
        let bytes = Self.patched(
            after: Self.capturedSequence, skipping: Self.firstBookingStartSkip, width: 8,
            value: UInt64(bitPattern: Instant.writable.lowerBound.secondsSinceEpoch - 1))
        Self.expectInvalid(bytes, mentioning: "the start of booking dr-ng/1")
    }

    @Test func aBookingLongerThanAnyHorizonIsRefused() {
        let start = Self.image().resources[0].bookings[0].range.start
        let days = DomainLimits.standard.horizonDaysMax + 1
        let bytes = Self.patched(
            after: Self.capturedSequence, skipping: Self.firstBookingEndSkip, width: 8,
            value: UInt64(start.secondsSinceEpoch + Int64(days) * 86_400))
        Self.expectInvalid(bytes, mentioning: "lasts \(days) days, longer than any horizon allows")
    }

    /// Snapshots written before `bookingLengthDaysMax` existed may hold longer bookings: the reader bounds a
    /// booking by the longest horizon only, and such a snapshot still restores.
    @Test func aBookingLongerThanTheLengthLimitStillReadsAndRestores() throws {
        var image = Self.image()
        let booking = image.resources[0].bookings[0]
        let days = DomainLimits.standard.bookingLengthDaysMax + 9
        image.resources[0].bookings[0].range.end = booking.range.start.adding(seconds: Int64(days) * 86_400)
        let read = try SnapshotFormatV1.decode(SnapshotFormatV1.encode(image))
        #expect(read == image)
        let resource = read.resources[0]
        let schedule = try ResourceSchedule(
            restoring: resource.settings, clock: resource.clock, lastSequence: resource.lastBookingSequence,
            bookings: resource.bookings, rules: resource.rules, waitlist: resource.waitlist,
            lastWaitlistNumber: resource.lastWaitlistNumber)
        #expect(schedule.booking(1)?.range.durationSeconds == Int64(days) * 86_400)
    }

    @Test func anOverrideDateOutsideYearsOneToNineThousandIsRefused() {
        var image = Self.image()
        image.resources[0].rules.overrides[LocalDate(days: Int64.max / 2)] = .closed
        Self.expectInvalid(SnapshotFormatV1.encode(image), mentioning: "outside years 0001–9999")
    }

    /// The journal holds the same fields, behind a checksum that proves no more: its decoder refuses them too.
    @Test func journalRecordsWithSuchInstantsAreRefused() {
        let good = RecordCodec.record(for: RecordJSONTests.entries[2])
        #expect(good.kind == .held)
        #expect(RecordCodec.entry(from: good) != nil)
        guard let start = good.start else {
            Issue.record("a held record without a start")
            return
        }
        let horizonSeconds = Int64(DomainLimits.standard.horizonDaysMax) * 86_400
        let bad: [(Int64, Int64)] = [
            (start, 17_593_985_295_616), (start, start), (Instant.writable.lowerBound.secondsSinceEpoch - 60, start),
            (start, start + horizonSeconds + 60),
        ]
        for (badStart, badEnd) in bad {
            var record = good
            record.start = badStart
            record.end = badEnd
            #expect(RecordCodec.entry(from: record) == nil, "\(badStart)…\(badEnd)")
            #expect(JournalRecord(body: record.binaryBytes(), format: 3).flatMap(RecordCodec.entry) == nil)
        }
        var late = good
        late.at = Instant.writable.upperBound.secondsSinceEpoch + 1
        #expect(RecordCodec.entry(from: late) == nil)
        var longButOld = good
        longButOld.end = start + Int64(DomainLimits.standard.bookingLengthDaysMax + 9) * 86_400
        #expect(RecordCodec.entry(from: longButOld) != nil)
    }

    /// A booking numbered 0 would trap in the booking table, and one numbered far past the others would size the
    /// table by its number (inputs from the `restore` fuzz target).
    @Test(arguments: [0, 4, 1 << 40] as [UInt64]) func aBookingNumberedOutsideTheBookingsIsRefused(sequence: UInt64) {
        let bytes = Self.patched(after: Self.capturedSequence, skipping: 4, width: 8, value: sequence)
        Self.expectInvalid(bytes, mentioning: "booking dr-ng/\(sequence) is numbered outside 1…3")
    }
}
