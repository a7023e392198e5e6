import Foundation
import SlotDomain
import SlotJournal

/// The webhook outbox: endpoints and their deliveries, in `outbox.sqlite` in the data folder (WAL). A file of its
/// own rather than tables in `journal.sqlite`, so that recording a delivery attempt never waits for, or holds up,
/// the journal's group commit.
///
/// A pending delivery exists from the transaction that creates it, which also moves its endpoint's cursor past its
/// event (`enqueue`); so a crash of the process loses none, and only attempts in flight at the crash can be sent
/// twice. Those transactions are `synchronous=NORMAL` (not synced at commit): the journal holds every event, so a
/// power loss that takes back the newest of them takes back the cursor with them, and the events are read again;
/// an answer recorded there and lost means one more attempt. What an operator was told is done (an endpoint made
/// or deleted, a redelivery) is synced before the reply (`acknowledged`), and so is everything before a
/// compaction deletes events (`makeDurable`).
///
/// Not thread-safe: one owner (the dispatcher) uses it. I/O failures are thrown; the one business rejection (too
/// many endpoints) is returned.
public final class OutboxStore {
    public struct Configuration: Hashable, Sendable {
        /// Endpoints at most: each costs a breaker, a cursor and a pass over new events.
        public var webhooksMax = 100
        /// How long a delivered delivery is kept (for `list_deliveries` and `redeliver`) before `pruneDelivered`
        /// removes it. Dead ones are kept until redelivered or their endpoint is deleted.
        public var deliveredRetentionSeconds: Int64 = 7 * 86_400

        public init() {}
    }

    /// The file's name in the data folder.
    public static let fileName = "outbox.sqlite"
    /// 2: the due index is per endpoint, and waiting deliveries are indexed by age (version 1's `deliveries_due`
    /// is dropped on open).
    static let schemaVersion = 2

    public let configuration: Configuration
    let database: SQLiteDatabase
    private var closed = false
    var isClosed: Bool { closed }
    /// Deliveries still to be made (pending or failed), across all endpoints: the `slotd_webhook_pending` gauge.
    /// Counted once on open and then kept by every write that changes a delivery's state, so that reading it costs
    /// nothing however many wait.
    public internal(set) var pendingCount = 0

    public init(directory: URL, configuration: Configuration = Configuration()) throws {
        self.configuration = configuration
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        database = try SQLiteDatabase(path: directory.appendingPathComponent(Self.fileName).path)
        try database.execute("PRAGMA journal_mode=WAL")
        try database.execute("PRAGMA synchronous=NORMAL")
        // An operator's sqlite3 shell may hold a lock for a moment; wait for it rather than fail the write.
        try database.execute("PRAGMA busy_timeout=5000")
        let version = try Int(integer("PRAGMA user_version"))
        guard version <= Self.schemaVersion else {
            throw OutboxError.unsupportedFormat(found: version, supported: Self.schemaVersion)
        }
        try createSchema()
        pendingCount = try countPending()
    }

    private func createSchema() throws {
        try transaction {
            try database.execute(
                """
                CREATE TABLE IF NOT EXISTS webhooks (
                    id TEXT PRIMARY KEY, url TEXT NOT NULL, secret TEXT NOT NULL,
                    types TEXT, resources TEXT, tenant TEXT,
                    created_at INTEGER NOT NULL, cursor INTEGER NOT NULL
                )
                """)
            try database.execute(
                """
                CREATE TABLE IF NOT EXISTS deliveries (
                    id INTEGER PRIMARY KEY, webhook TEXT NOT NULL, event_seq INTEGER NOT NULL,
                    event_type TEXT NOT NULL, body BLOB NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,
                    created_at INTEGER NOT NULL, retries_since INTEGER NOT NULL, next_attempt_at INTEGER,
                    last_attempt_at INTEGER, last_status INTEGER, last_error TEXT,
                    UNIQUE (webhook, event_seq)
                )
                """)
            // Per endpoint, so that finding what is due skips an endpoint that may not be sent to (its breaker
            // open, its in-flight share taken) without reading its backlog.
            try database.execute("DROP INDEX IF EXISTS deliveries_due")
            try database.execute(
                """
                CREATE INDEX IF NOT EXISTS deliveries_due_by_webhook ON deliveries (webhook, next_attempt_at)
                WHERE state IN ('pending', 'failed')
                """)
            // Aging reads only what it gives up.
            try database.execute(
                """
                CREATE INDEX IF NOT EXISTS deliveries_waiting_since ON deliveries (retries_since)
                WHERE state IN ('pending', 'failed')
                """)
            try database.execute("CREATE INDEX IF NOT EXISTS deliveries_by_state ON deliveries (webhook, state)")
            try database.execute("PRAGMA user_version = \(Self.schemaVersion)")
        }
    }

    /// Finalizes and closes the file, so SQLite checkpoints the WAL into it. Later calls throw.
    public func close() {
        guard !closed else { return }
        closed = true
        database.close()
    }

    deinit { close() }

    // MARK: Endpoints

    /// A new endpoint whose cursor starts at `seq` (the head when it is created: it receives later events only).
    /// `secret` nil generates one. Rejected when `configuration.webhooksMax` endpoints exist.
    public func createWebhook(
        url: String, secret: String?, types: [ChangeEvent.Kind]?, resources: [ResourceID]?, tenant: TenantID?,
        startingAfter seq: UInt64, at now: Instant
    ) throws -> Result<WebhookEndpoint, OutboxRejection> {
        try acknowledged {
            try insertWebhook(
                url: url, secret: secret, types: types, resources: resources, tenant: tenant, startingAfter: seq,
                at: now)
        }
    }

    private func insertWebhook(
        url: String, secret: String?, types: [ChangeEvent.Kind]?, resources: [ResourceID]?, tenant: TenantID?,
        startingAfter seq: UInt64, at now: Instant
    ) throws -> Result<WebhookEndpoint, OutboxRejection> {
        let count = try integer("SELECT COUNT(*) FROM webhooks")
        guard count < configuration.webhooksMax else {
            return .failure(.tooManyWebhooks(max: configuration.webhooksMax))
        }
        let endpoint = WebhookEndpoint(
            id: WebhookEndpoint.newID(), url: url, secret: secret ?? WebhookEndpoint.generateSecret(), types: types,
            resources: resources, tenant: tenant, createdAt: now, cursor: seq)
        let insert = try statement(
            """
            INSERT INTO webhooks (id, url, secret, types, resources, tenant, created_at, cursor)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insert.bind(1, endpoint.id)
        insert.bind(2, endpoint.url)
        insert.bind(3, endpoint.secret)
        // Unbound parameters are NULL: nil filters stay NULL ("all"), an empty list is stored as "".
        if let types { insert.bind(4, StoredList.write(types.map(\.rawValue))) }
        if let resources { insert.bind(5, StoredList.write(resources.map(\.rawValue))) }
        if let tenant { insert.bind(6, tenant.rawValue) }
        insert.bind(7, now.secondsSinceEpoch)
        insert.bind(8, Int64(seq))
        _ = try insert.step()
        return .success(endpoint)
    }

    /// Every endpoint, oldest first.
    public func webhooks() throws -> [WebhookEndpoint] {
        let query = try statement("SELECT \(Rows.webhookColumns) FROM webhooks ORDER BY created_at, id")
        var endpoints: [WebhookEndpoint] = []
        while try query.step() { endpoints.append(try Rows.webhook(query)) }
        return endpoints
    }

    public func webhook(id: String) throws -> WebhookEndpoint? {
        let query = try statement("SELECT \(Rows.webhookColumns) FROM webhooks WHERE id = ?")
        query.bind(1, id)
        return try query.step() ? try Rows.webhook(query) : nil
    }

    /// Deletes the endpoint and all its deliveries in one transaction; false when there was no such endpoint.
    public func deleteWebhook(id: String) throws -> Bool {
        let (deleted, waiting) = try acknowledged {
            try transaction {
                let waitingQuery = try statement(
                    "SELECT COUNT(*) FROM deliveries WHERE webhook = ? AND state IN ('pending', 'failed')")
                waitingQuery.bind(1, id)
                let waiting = try waitingQuery.step() ? Int(waitingQuery.int64(0)) : 0
                let deliveries = try statement("DELETE FROM deliveries WHERE webhook = ?")
                deliveries.bind(1, id)
                _ = try deliveries.step()
                let endpoint = try statement("DELETE FROM webhooks WHERE id = ?")
                endpoint.bind(1, id)
                _ = try endpoint.step()
                return (database.changes > 0, waiting)
            }
        }
        pendingCount -= waiting
        return deleted
    }

    /// Counts the waiting deliveries' rows, which `pendingCount` keeps track of.
    func countPending() throws -> Int {
        Int(try integer("SELECT COUNT(*) FROM deliveries WHERE state IN ('pending', 'failed')"))
    }

    // MARK: Plumbing

    func statement(_ sql: String) throws -> SQLiteStatement {
        guard !closed else { throw OutboxError.closed }
        return try database.prepare(sql)
    }

    /// The first column of the first row of `sql`, 0 when there is none.
    func integer(_ sql: String) throws -> Int64 {
        let query = try statement(sql)
        return try query.step() ? query.int64(0) : 0
    }

    /// Runs `body` with every commit synced to disk before it returns (and with it every commit before it: the WAL
    /// is synced whole): for what a reply tells an operator is done.
    func acknowledged<T>(_ body: () throws -> T) throws -> T {
        try database.execute("PRAGMA synchronous=FULL")
        defer { try? database.execute("PRAGMA synchronous=NORMAL") }
        return try body()
    }

    /// Syncs every commit so far to the database file (a checkpoint syncs the WAL, copies it and syncs the file).
    public func makeDurable() throws {
        let checkpoint = try statement("PRAGMA wal_checkpoint(FULL)")
        guard try checkpoint.step(), checkpoint.int64(0) == 0 else { throw OutboxError.checkpointBlocked }
    }

    /// Runs `body` in one write transaction, rolled back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        guard !closed else { throw OutboxError.closed }
        try database.execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try database.execute("COMMIT")
            return result
        } catch {
            try? database.execute("ROLLBACK")
            throw error
        }
    }
}

/// The outbox's business rejections, with stable codes for the wire layer.
public enum OutboxRejection: Error, Hashable, Sendable {
    case tooManyWebhooks(max: Int)

    public var code: String {
        switch self {
        case .tooManyWebhooks: "too_many_webhooks"
        }
    }

    public var message: String {
        switch self {
        case .tooManyWebhooks(let max): "at most \(max) webhooks may exist; delete one first"
        }
    }
}
