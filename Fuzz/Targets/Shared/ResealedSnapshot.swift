// Compiled into the `snapshot` and `restore` targets.
@testable import SlotJournal

/// The fuzzer's bytes with the snapshot trailer's CRC-32 recomputed over them: otherwise almost every mutation
/// stops at the checksum and the body's reader is never reached.
func resealedSnapshot(_ data: UnsafePointer<UInt8>, _ count: Int) -> [UInt8] {
    var bytes = Array(UnsafeBufferPointer(start: data, count: count))
    let trailerBytes = 4 + SnapshotFormatV1.trailerMagic.count
    guard bytes.count >= trailerBytes else { return bytes }
    let checksumOffset = bytes.count - trailerBytes
    var checksum = CRC32.checksum(bytes[0..<checksumOffset])
    for index in 0..<4 {
        bytes[checksumOffset + index] = UInt8(truncatingIfNeeded: checksum)
        checksum >>= 8
    }
    return bytes
}
