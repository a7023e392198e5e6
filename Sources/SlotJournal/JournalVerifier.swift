import CSQLite
import Foundation

/// Offline check of a journal (`slotctl journal verify`): every record's checksum, format, body and sequence,
/// reporting the first bad one. Opens the file read-only and takes no lock, so it also works beside a running
/// server (it then sees the journal as of its last commit).
public enum JournalVerifier {
    public struct Report: Sendable, Equatable {
        public var journalID: String
        public var floor: UInt64
        public var entries: Int
        public var firstSequence: UInt64?
        public var lastSequence: UInt64?
        public var resourcesCreated: Int
        /// The first problem found, if any.
        public var firstBad: (sequence: UInt64, reason: String)?

        public static func == (lhs: Report, rhs: Report) -> Bool {
            lhs.journalID == rhs.journalID && lhs.floor == rhs.floor && lhs.entries == rhs.entries
                && lhs.firstSequence == rhs.firstSequence && lhs.lastSequence == rhs.lastSequence
                && lhs.resourcesCreated == rhs.resourcesCreated && lhs.firstBad?.sequence == rhs.firstBad?.sequence
                && lhs.firstBad?.reason == rhs.firstBad?.reason
        }
    }

    /// `progress` is called every 10,000 entries with the number checked so far and the total.
    public static func verify(directory: URL, progress: (Int, Int) -> Void = { _, _ in }) throws(JournalError) -> Report
    {
        let (database, values) = try openReadOnly(directory)
        defer { database.close() }
        let floor = UInt64(values["floor_sequence"] ?? "0") ?? 0
        let countStatement = try database.prepare("SELECT COUNT(*), MIN(sequence), MAX(sequence) FROM journal")
        _ = try countStatement.step()
        let total = Int(countStatement.int64(0))
        var report = Report(
            journalID: values["journal_id"] ?? "", floor: floor, entries: 0,
            firstSequence: total > 0 ? UInt64(countStatement.int64(1)) : nil,
            lastSequence: total > 0 ? UInt64(countStatement.int64(2)) : nil, resourcesCreated: 0, firstBad: nil)
        let store = JournalReader(database: database)
        do {
            try store.read(after: floor) { entry in
                report.entries += 1
                if case .resourceCreated = entry.entry { report.resourcesCreated += 1 }
                if report.entries % 10_000 == 0 { progress(report.entries, total) }
            }
        } catch let JournalError.corruptRecord(sequence, reason) {
            report.firstBad = (sequence, reason)
        } catch {
            report.firstBad = (UInt64(report.entries) + floor + 1, "\(error)")
        }
        progress(report.entries, total)
        return report
    }

    /// `slotctl journal dump`: each stored record after `sequence` (at most `limit`) as one line of JSON, whatever
    /// its format: `sequence`, `format`, then the record's fields as format 2 wrote them (keys sorted). Stops at
    /// the first bad record with `JournalError.corruptRecord`, after the lines before it.
    public static func dump(
        directory: URL, after sequence: UInt64, limit: Int?, _ line: (String) -> Void
    ) throws(JournalError) {
        let (database, values) = try openReadOnly(directory)
        defer { database.close() }
        let floor = UInt64(values["floor_sequence"] ?? "0") ?? 0
        do {
            try JournalReader(database: database).readRecords(after: max(sequence, floor), limit: limit) {
                current, format, record in
                // The record's own object, opened up to take the row's sequence and format first.
                let fields = record.jsonBytes().dropFirst()
                line("{\"sequence\":\(current),\"format\":\(format)," + String(decoding: fields, as: UTF8.self))
            }
        } catch let error as JournalError {
            throw error
        } catch {
            throw .corruptRecord(sequence: sequence, reason: "\(error)")
        }
    }

    /// The journal opened read-only, taking no lock, and its meta table.
    private static func openReadOnly(_ directory: URL) throws(JournalError) -> (SQLiteDatabase, [String: String]) {
        let path = directory.appendingPathComponent("journal.sqlite").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw .sqlite(operation: "open \(path)", code: SQLITE_CANTOPEN, message: "no journal here")
        }
        let database = try SQLiteDatabase(path: path, readOnly: true)
        try database.execute("PRAGMA busy_timeout=5000")
        let meta = try? database.prepare("SELECT key, value FROM meta")
        var values: [String: String] = [:]
        while let meta, (try? meta.step()) == true { values[meta.text(0)] = meta.text(1) }
        return (database, values)
    }
}
