import Foundation
import Glibc
import SlotDomain

/// The journal's SQLite file: `journal.sqlite` in the data folder, WAL mode, `synchronous=FULL` (a commit is on
/// disk when it returns). One row per entry: sequence, record format, kind, resource, body (binary since format
/// 3, JSON before), CRC-32 of the body.
final class JournalStore {
    static let schemaVersion = 1
    let database: SQLiteDatabase
    private var insert: SQLiteStatement?
    private(set) var insertEventStatement: SQLiteStatement?
    /// Held (flock) for the store's lifetime so that two servers never share one journal. Opened close-on-exec: a
    /// child process would otherwise inherit the descriptor and, with it, the lock (seen when tests ran `slotctl`
    /// beside a server that was restarting).
    private let lockDescriptor: Int32

    /// `lockWaitMilliseconds` as a starting server waits (`Journal.Configuration`): a child process spawned by
    /// another thread at the wrong moment holds the lock of a store just closed until it executes.
    init(directory: URL, lockWaitMilliseconds: Int = Journal.Configuration().lockWaitMilliseconds)
        throws(JournalError)
    {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .sqlite(operation: "create directory \(directory.path)", code: -1, message: "\(error)")
        }
        let lockPath = directory.appendingPathComponent("LOCK").path
        lockDescriptor = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard lockDescriptor >= 0 else {
            throw .sqlite(operation: "open \(lockPath)", code: errno, message: String(cString: strerror(errno)))
        }
        guard Self.lock(lockDescriptor, waitingAtMost: lockWaitMilliseconds) else {
            Glibc.close(lockDescriptor)
            throw .locked(path: directory.path)
        }
        do {
            database = try SQLiteDatabase(path: directory.appendingPathComponent("journal.sqlite").path)
        } catch {
            Glibc.close(lockDescriptor)
            throw error
        }
        try database.execute("PRAGMA journal_mode=WAL")
        try database.execute("PRAGMA synchronous=FULL")
        // An operator's sqlite3 shell may hold a lock for a moment; wait for it rather than fail the commit.
        try database.execute("PRAGMA busy_timeout=5000")
        let version = try Self.userVersion(database)
        guard version <= Self.schemaVersion else {
            throw .unsupportedFormat(found: version, supported: Self.schemaVersion)
        }
        try database.execute(
            """
            CREATE TABLE IF NOT EXISTS journal (
                sequence INTEGER PRIMARY KEY,
                format INTEGER NOT NULL,
                kind TEXT NOT NULL,
                resource TEXT NOT NULL,
                body BLOB NOT NULL,
                checksum INTEGER NOT NULL
            )
            """)
        try database.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        try database.execute(Self.createEventTable)
        try database.execute(Self.createEventEntryIndex)
        try database.execute("PRAGMA user_version = \(Self.schemaVersion)")
        insert = try database.prepare(
            "INSERT INTO journal (sequence, format, kind, resource, body, checksum) VALUES (?, ?, ?, ?, ?, ?)")
        insertEventStatement = try database.prepare(Self.insertEvent)
    }

    /// Tries the lock every 10 ms until it is taken or `waitingAtMost` has passed. Never blocks indefinitely:
    /// a second server must fail, not hang.
    private static func lock(_ descriptor: Int32, waitingAtMost milliseconds: Int) -> Bool {
        let retryMicroseconds: UInt32 = 10_000
        var waitedMilliseconds = 0
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, waitedMilliseconds < milliseconds else { return false }
            usleep(retryMicroseconds)
            waitedMilliseconds += Int(retryMicroseconds / 1_000)
        }
        return true
    }

    /// Finalizes statements and closes the file, so SQLite checkpoints the WAL and removes it; then unlocks.
    func close() {
        guard !closed else { return }
        closed = true
        insert = nil
        insertEventStatement = nil
        database.close()
        Glibc.close(lockDescriptor)
    }

    private var closed = false

    deinit { close() }

    static func userVersion(_ database: SQLiteDatabase) throws(JournalError) -> Int {
        let statement = try database.prepare("PRAGMA user_version")
        defer { statement.reset() }
        return try statement.step() ? Int(statement.int64(0)) : 0
    }

    /// Writes `entries` in one transaction: one fsync for the whole batch.
    func append(_ entries: [SequencedEntry]) throws(JournalError) {
        _ = try append(entries.map { QueuedEntry(sequenced: $0, events: [], firstEventSequence: 0) }, encoder: nil)
    }

    /// Writes `entries` and their events in one transaction (one fsync for the whole batch); returns the events
    /// written, in order.
    func append(_ entries: [QueuedEntry], encoder: Journal.EventEncoder?) throws(JournalError) -> [CommittedEvent] {
        guard let insert else { throw .closed }
        try database.execute("BEGIN IMMEDIATE")
        do {
            for entry in entries {
                let record = RecordCodec.record(for: entry.entry)
                let body = record.binaryBytes()
                insert.bind(1, Int64(entry.sequence))
                insert.bind(2, Int64(record.writtenFormat))
                insert.bind(3, record.kind.rawValue)
                insert.bind(4, record.resource)
                insert.bind(5, body)
                insert.bind(6, Int64(CRC32.checksum(body)))
                defer { insert.reset() }
                _ = try insert.step()
            }
            let events = try insertEvents(of: entries, encoder: encoder)
            try database.execute("COMMIT")
            return events
        } catch {
            try? database.execute("ROLLBACK")
            throw error
        }
    }

    /// The highest sequence used: the newest entry, or the floor when compaction removed everything.
    func lastSequence() throws(JournalError) -> UInt64 {
        let statement = try database.prepare("SELECT COALESCE(MAX(sequence), 0) FROM journal")
        let stored = try statement.step() ? UInt64(statement.int64(0)) : 0
        return max(stored, try floor())
    }

    func entryCount() throws(JournalError) -> Int {
        let statement = try database.prepare("SELECT COUNT(*) FROM journal")
        return try statement.step() ? Int(statement.int64(0)) : 0
    }

    func meta(_ key: String) throws(JournalError) -> String? {
        let statement = try database.prepare("SELECT value FROM meta WHERE key = ?")
        statement.bind(1, key)
        return try statement.step() ? statement.text(0) : nil
    }

    func setMeta(_ key: String, _ value: String) throws(JournalError) {
        let statement = try database.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)")
        statement.bind(1, key)
        statement.bind(2, value)
        _ = try statement.step()
    }

    /// This journal's identity; snapshots name it, so a snapshot is only ever applied to its own journal.
    func journalID() throws(JournalError) -> String {
        if let id = try meta("journal_id") { return id }
        let id = UUID().uuidString.lowercased()
        try setMeta("journal_id", id)
        return id
    }

    /// Every entry up to the floor is in a snapshot and may be gone from the journal.
    func floor() throws(JournalError) -> UInt64 {
        UInt64(try meta("floor_sequence") ?? "0") ?? 0
    }

    /// Deletes up to `chunkEntriesMax` entries at or below `sequence` in one transaction, raising the floor.
    /// Returns how many were deleted; 0 means done.
    func compactChunk(through sequence: UInt64, chunkEntriesMax: Int) throws(JournalError) -> Int {
        try database.execute("BEGIN IMMEDIATE")
        do {
            if sequence > (try floor()) { try setMeta("floor_sequence", String(sequence)) }
            // This chunk's last entry: its events, and those of the entries before it, go in this transaction.
            let chunkEnd = try database.prepare(
                "SELECT MAX(sequence) FROM (SELECT sequence FROM journal WHERE sequence <= ? ORDER BY sequence LIMIT ?)"
            )
            chunkEnd.bind(1, Int64(sequence))
            chunkEnd.bind(2, Int64(chunkEntriesMax))
            let chunkLast = try chunkEnd.step() ? UInt64(chunkEnd.int64(0)) : 0
            chunkEnd.reset()
            try deleteEvents(throughEntry: chunkLast)
            let delete = try database.prepare(
                "DELETE FROM journal WHERE sequence IN (SELECT sequence FROM journal WHERE sequence <= ? LIMIT ?)")
            delete.bind(1, Int64(sequence))
            delete.bind(2, Int64(chunkEntriesMax))
            _ = try delete.step()
            let deleted = database.changes
            try database.execute("COMMIT")
            return deleted
        } catch {
            try? database.execute("ROLLBACK")
            throw error
        }
    }

    /// Leaves no byte of a deleted entry in the files: `VACUUM` rewrites the database without its free pages (and
    /// the free space inside pages), and a `TRUNCATE` checkpoint copies the WAL into it and empties the WAL, whose
    /// older frames still held the deleted rows. Right after an erasure's compaction little is left, so the rewrite
    /// is cheap (decision 0022 has the measurements). Throws when a reader (an operator's `sqlite3` shell) keeps
    /// the WAL from being emptied.
    func scrub() throws(JournalError) {
        try database.execute("VACUUM")
        let checkpoint = try database.prepare("PRAGMA wal_checkpoint(TRUNCATE)")
        guard try checkpoint.step(), checkpoint.int64(0) == 0 else {
            throw .sqlite(operation: "wal_checkpoint(TRUNCATE)", code: 5, message: "a reader kept the WAL in use")
        }
    }

    /// Reads every entry after `sequence` in order, checking each; stops at the first bad one with its number.
    func read(after sequence: UInt64, _ body: (SequencedEntry) throws -> Void) throws {
        let floor = try floor()
        guard sequence >= floor else { throw JournalError.needsSnapshot(floor: floor) }
        try JournalReader(database: database).read(after: sequence, body)
    }
}
