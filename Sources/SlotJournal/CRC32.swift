import CZlib

/// CRC-32 (IEEE 802.3), stored with every journal record and checked when it is read back, so a damaged record
/// is reported by sequence number instead of being replayed; and over each snapshot file as a whole.
///
/// zlib computes it: the standard polynomial, several times as fast as a table-driven loop, which matters for a
/// 150 MB snapshot checksummed when written and when read back.
public enum CRC32 {
    public static func checksum(_ bytes: some Collection<UInt8>) -> UInt32 {
        bytes.withContiguousStorageIfAvailable(checksum(buffer:))
            ?? Array(bytes).withUnsafeBufferPointer(checksum(buffer:))
    }

    /// The checksum of everything so far followed by `buffer`, for data that arrives in pieces (0 to start).
    public static func checksum(continuing checksum: UInt32, _ buffer: UnsafeBufferPointer<UInt8>) -> UInt32 {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return checksum }
        return UInt32(truncatingIfNeeded: crc32_z(UInt(checksum), base, buffer.count))
    }

    private static func checksum(buffer: UnsafeBufferPointer<UInt8>) -> UInt32 {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
        return UInt32(truncatingIfNeeded: crc32_z(0, base, buffer.count))
    }
}
