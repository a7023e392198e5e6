import Foundation
import SlotDomain

/// Reads journal records back in order and checks each on the way in (checksum, format, body, no gap in the
/// sequence): used by replay and by `slotctl journal verify`.
struct JournalReader {
    let database: SQLiteDatabase

    func read(after sequence: UInt64, _ body: (SequencedEntry) throws -> Void) throws {
        try readRecords(after: sequence) { current, _, record in
            guard let entry = RecordCodec.entry(from: record) else {
                throw JournalError.corruptRecord(sequence: current, reason: "body does not decode")
            }
            try body(SequencedEntry(sequence: current, entry: entry))
        }
    }

    /// The stored records after `sequence` in order (at most `limit`), each checked for gaps, checksum, format and
    /// body syntax; `read` also checks that each record makes a valid entry.
    func readRecords(
        after sequence: UInt64, limit: Int? = nil,
        _ body: (_ sequence: UInt64, _ format: Int, JournalRecord) throws -> Void
    ) throws {
        let statement = try database.prepare(
            "SELECT sequence, format, body, checksum FROM journal WHERE sequence > ? ORDER BY sequence LIMIT ?")
        statement.bind(1, Int64(sequence))
        statement.bind(2, Int64(limit ?? -1))
        var expected = sequence + 1
        while try statement.step() {
            let current = UInt64(statement.int64(0))
            guard current == expected else {
                throw JournalError.corruptRecord(sequence: expected, reason: "missing (next stored is \(current))")
            }
            let format = Int(statement.int64(1))
            let bytes = statement.blob(2)
            guard UInt32(truncatingIfNeeded: statement.int64(3)) == CRC32.checksum(bytes) else {
                throw JournalError.corruptRecord(sequence: current, reason: "checksum mismatch")
            }
            guard JournalRecord.formatsRead.contains(format) else {
                throw JournalError.corruptRecord(sequence: current, reason: "unknown record format \(format)")
            }
            guard let record = JournalRecord(body: bytes, format: format) else {
                throw JournalError.corruptRecord(sequence: current, reason: "body does not decode")
            }
            try body(current, format, record)
            expected = current + 1
        }
    }
}
