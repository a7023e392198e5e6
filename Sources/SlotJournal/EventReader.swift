import Foundation
import SlotDomain
import Synchronization

/// Reads committed events back from the journal's `event` table, beside a running writer: a connection of its
/// own, so that a stream catching up or a webhook dispatcher reading what it has not yet considered never waits
/// for a commit, nor holds one up (WAL: readers see the last commit and do not block the writer). Each read is
/// one short statement, finished before it returns, so no read transaction stays open between reads (it would
/// keep an erasure's scrub from emptying the WAL).
public final class EventReader: Sendable {
    private let connection: Mutex<Connection?>

    /// The SQLite handle and statements, used under the mutex only.
    private final class Connection: @unchecked Sendable {
        // @unchecked: only touched through `EventReader.connection`'s lock.
        let database: SQLiteDatabase
        let range: SQLiteStatement
        let oldest: SQLiteStatement
        let newestThroughEntry: SQLiteStatement

        init(database: SQLiteDatabase) throws(JournalError) {
            self.database = database
            try database.execute("PRAGMA busy_timeout=5000")
            range = try database.prepare(
                "SELECT seq, resource, type, body, members FROM event WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?")
            oldest = try database.prepare("SELECT MIN(seq) FROM event")
            // Backwards along `event_entry` (entry, then seq): the first row is the answer.
            newestThroughEntry = try database.prepare(
                "SELECT seq FROM event WHERE entry <= ? ORDER BY entry DESC, seq DESC LIMIT 1")
        }
    }

    /// Opens the journal in `directory`, which a `Journal` has opened (and so created its tables) before.
    public init(directory: URL) throws(JournalError) {
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("journal.sqlite").path)
        connection = Mutex(try Connection(database: database))
    }

    /// Closes its connection (before the journal's, so that the journal's close checkpoints the WAL alone);
    /// reads afterwards throw `JournalError.closed`.
    public func close() {
        connection.withLock { $0 = nil }
    }

    /// The committed events with `seq` after `after` and at most `through`, oldest first, at most `limit` of them.
    public func events(after: UInt64, through: UInt64, limit: Int) throws(JournalError) -> [CommittedEvent] {
        guard through > after, limit > 0 else { return [] }
        return try connection.withLock { connection throws(JournalError) -> [CommittedEvent] in
            guard let statement = connection?.range else { throw .closed }
            defer { statement.reset() }
            statement.bind(1, Int64(after))
            statement.bind(2, Int64(clamping: through))
            statement.bind(3, Int64(limit))
            var events: [CommittedEvent] = []
            var expected = after + 1
            while try statement.step() {
                let seq = UInt64(statement.int64(0))
                guard let resource = ResourceID(stored: statement.text(1)),
                    let kind = ChangeEvent.Kind(rawValue: statement.text(2))
                else { throw .corruptRecord(sequence: seq, reason: "event row does not decode") }
                // A gap after the first row read would mean a lost event; before it, compaction's floor.
                guard events.isEmpty || seq == expected else {
                    throw .corruptRecord(sequence: seq, reason: "event \(expected) is missing")
                }
                expected = seq + 1
                let stored = statement.text(4).split(separator: JournalStore.memberSeparator)
                let members = stored.compactMap { ResourceID(stored: String($0)) }
                guard members.count == stored.count else {
                    throw .corruptRecord(sequence: seq, reason: "event members do not decode")
                }
                events.append(
                    CommittedEvent(
                        seq: seq, resource: resource, kind: kind, body: statement.blob(3), memberResources: members))
            }
            return events
        }
    }

    /// The oldest event still kept: a stream may resume from one before it. Nil when no event is kept (none yet,
    /// or compaction deleted them all): then the oldest a stream can see is the next one committed.
    public func oldestRetained() throws(JournalError) -> UInt64? {
        try connection.withLock { connection throws(JournalError) -> UInt64? in
            guard let statement = connection?.oldest else { throw .closed }
            defer { statement.reset() }
            guard try statement.step() else { return nil }
            let value = statement.int64(0)
            return value > 0 ? UInt64(value) : nil
        }
    }

    /// The newest kept event of the entries up to `entry`; nil when none of them yielded one (or all were compacted).
    public func newestSeq(throughEntry entry: UInt64) throws(JournalError) -> UInt64? {
        try connection.withLock { connection throws(JournalError) -> UInt64? in
            guard let statement = connection?.newestThroughEntry else { throw .closed }
            defer { statement.reset() }
            statement.bind(1, Int64(clamping: entry))
            return try statement.step() ? UInt64(statement.int64(0)) : nil
        }
    }
}
