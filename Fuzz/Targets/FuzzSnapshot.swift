// libFuzzer target: the snapshot reader (SlotJournal). Bytes of a snapshot file in; an image or a
// `SnapshotError` out, never a crash and never an allocation the file's size does not justify. The CRC-32 in the
// trailer is recomputed over the mutated bytes first: otherwise almost every mutation stops at the checksum and
// the body's reader is never reached. A file that decodes must decode to the same image after writing it again.
@testable import SlotJournal

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSnapshot(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = resealedSnapshot(data, count)
    guard let image = try? SnapshotFormatV1.decode(bytes) else { return 0 }
    let written = SnapshotFormatV1.encode(image)
    do {
        let reread = try SnapshotFormatV1.decode(written)
        precondition(reread == image, "a snapshot written again reads back different")
    } catch {
        fatalError("a snapshot written again does not read back: \(error)")
    }
    return 0
}
