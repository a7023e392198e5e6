import SlotDomain
import Testing

@testable import SlotJournal

/// Inputs the snapshot fuzzer (scripts/fuzz.sh, target `snapshot`) found, each as the smallest change to a
/// valid file that reproduces it. A count in the file sized an array before anything checked it against the
/// file's length: 4 billion bookings in a 2 KB file asked for hundreds of GB and stopped the process (slotd at
/// start-up, `slotctl snapshot inspect`). Now such a file is refused as invalid, like any other damage.
@Suite struct SnapshotFuzzFindingsTests {
    /// Values no real snapshot has, so the fields after them can be found in the encoded bytes.
    static let journalSequence: UInt64 = 0x1122_3344_5566_7788
    static let capturedSequence: UInt64 = 0x2233_4455_6677_8899
    static let series: UInt64 = 0x3344_5566_7788_99AA

    static func image() -> SnapshotImage {
        var image = SnapshotFormatTests.sampleImage()
        image.journalSequence = journalSequence
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
}
