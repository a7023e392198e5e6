// libFuzzer target: the journal record decoder (SlotJournal). The first byte picks the stored format (1 and 2
// are JSON, 3 is binary), the rest is the record's body, as `JournalReader` hands them over. Never a crash; a
// body that decodes into a journal entry must give the same entry after encoding it again in today's format.
@testable import SlotJournal

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecord(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count >= 1 else { return 0 }
    let format = Int(data[0] % 3) + 1
    let body = Array(UnsafeBufferPointer(start: data + 1, count: count - 1))
    guard let record = JournalRecord(body: body, format: format), let entry = RecordCodec.entry(from: record) else {
        return 0
    }
    let written = RecordCodec.record(for: entry)
    guard let reread = JournalRecord(binary: written.binaryBytes()) else {
        fatalError("a record written in binary does not read back: \(written)")
    }
    precondition(reread == written, "binary round trip changed \(written) into \(reread)")
    precondition(RecordCodec.entry(from: reread) == entry, "entry round trip changed \(entry)")
    return 0
}
