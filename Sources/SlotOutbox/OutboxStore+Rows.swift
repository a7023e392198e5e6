import SlotDomain
import SlotJournal

/// I/O failures of the outbox, besides SQLite's own (`JournalError.sqlite`). Thrown, never returned.
public enum OutboxError: Error, CustomStringConvertible, Sendable {
    case unsupportedFormat(found: Int, supported: Int)
    case corruptRow(table: String, id: String, reason: String)
    case closed
    /// A checkpoint could not empty the WAL (an operator's `sqlite3` shell reading it, say).
    case scrubBlocked
    /// A checkpoint could not copy the whole WAL into the file (a reader in the way).
    case checkpointBlocked

    public var description: String {
        switch self {
        case .unsupportedFormat(let found, let supported):
            "outbox schema version \(found) is newer than this slotd understands (\(supported))"
        case .corruptRow(let table, let id, let reason): "outbox \(table) row \(id) is corrupt: \(reason)"
        case .closed: "the outbox is closed"
        case .scrubBlocked: "a reader kept the outbox's WAL in use, so it could not be emptied"
        case .checkpointBlocked: "a reader kept the outbox's WAL in use, so it could not be checkpointed"
        }
    }
}

/// A list of event types or resource ids in one TEXT column, comma-separated: neither ever contains a comma. An
/// empty list is "" (NULL is "all", a different thing).
enum StoredList {
    static func write(_ items: [String]) -> String { items.joined(separator: ",") }

    static func read(_ text: String) -> [String] {
        text.isEmpty ? [] : text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
}

/// Rows read back into values. Each nullable column is selected with its `IS NULL` beside it, because the
/// statement wrapper reads a NULL as 0 or "".
enum Rows {
    static let webhookColumns =
        "id, url, secret, types, types IS NULL, resources, resources IS NULL, tenant, tenant IS NULL, created_at, cursor"

    static func webhook(_ row: SQLiteStatement) throws -> WebhookEndpoint {
        let id = row.text(0)
        func corrupt(_ reason: String) -> OutboxError { .corruptRow(table: "webhooks", id: id, reason: reason) }
        var types: [ChangeEvent.Kind]?
        if row.int64(4) == 0 {
            types = try StoredList.read(row.text(3)).map { name in
                guard let kind = ChangeEvent.Kind(rawValue: name) else { throw corrupt("unknown event type \(name)") }
                return kind
            }
        }
        var resources: [ResourceID]?
        if row.int64(6) == 0 {
            resources = try StoredList.read(row.text(5)).map { text in
                guard let resource = ResourceID(stored: text) else { throw corrupt("bad resource id \(text)") }
                return resource
            }
        }
        var tenant: TenantID?
        if row.int64(8) == 0 {
            guard let stored = TenantID(row.text(7)) else { throw corrupt("bad tenant \(row.text(7))") }
            tenant = stored
        }
        return WebhookEndpoint(
            id: id, url: row.text(1), secret: row.text(2), types: types, resources: resources, tenant: tenant,
            createdAt: Instant(secondsSinceEpoch: row.int64(9)), cursor: UInt64(row.int64(10)))
    }

    static let deliveryColumns = """
        id, webhook, event_seq, event_type, body, state, attempts, created_at, retries_since, \
        next_attempt_at, next_attempt_at IS NULL, last_attempt_at, last_attempt_at IS NULL, \
        last_status, last_status IS NULL, last_error, last_error IS NULL
        """

    static func delivery(_ row: SQLiteStatement) throws -> Delivery {
        guard let state = Delivery.State(rawValue: row.text(5)) else {
            throw OutboxError.corruptRow(table: "deliveries", id: String(row.int64(0)), reason: "state \(row.text(5))")
        }
        func instant(_ column: Int32) -> Instant? {
            row.int64(column + 1) != 0 ? nil : Instant(secondsSinceEpoch: row.int64(column))
        }
        return Delivery(
            id: row.int64(0), webhook: row.text(1), eventSeq: UInt64(row.int64(2)), eventType: row.text(3),
            body: row.blob(4), state: state, attempts: Int(row.int64(6)),
            createdAt: Instant(secondsSinceEpoch: row.int64(7)), retriesSince: Instant(secondsSinceEpoch: row.int64(8)),
            nextAttemptAt: instant(9), lastAttemptAt: instant(11),
            lastStatus: row.int64(14) != 0 ? nil : Int(row.int64(13)),
            lastError: row.int64(16) != 0 ? nil : row.text(15))
    }
}
