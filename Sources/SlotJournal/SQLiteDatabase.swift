import CSQLite
import Foundation

/// I/O failures of the journal. Thrown, never returned: they are not business outcomes.
public enum JournalError: Error, CustomStringConvertible, Sendable {
    case sqlite(operation: String, code: Int32, message: String)
    case corruptRecord(sequence: UInt64, reason: String)
    case unsupportedFormat(found: Int, supported: Int)
    case locked(path: String)
    /// The journal was compacted up to `floor`; entries up to there exist only in snapshots.
    case needsSnapshot(floor: UInt64)
    case notEmpty
    case closed

    public var description: String {
        switch self {
        case .sqlite(let operation, let code, let message): "SQLite \(operation) failed (\(code)): \(message)"
        case .corruptRecord(let sequence, let reason): "journal record \(sequence) is corrupt: \(reason)"
        case .unsupportedFormat(let found, let supported):
            "journal schema version \(found) is newer than this slotd understands (\(supported))"
        case .locked(let path):
            "\(path) is locked by another slotd process: one server per data folder"
        case .needsSnapshot(let floor):
            "the journal was compacted through entry \(floor) and no usable snapshot covers it"
        case .notEmpty: "the journal is not empty"
        case .closed: "the journal is closed"
        }
    }
}

/// A thin wrapper over one sqlite3 connection. Not thread-safe: each connection is used by one thread at a time
/// (start-up replay, then the journal writer thread alone).
package final class SQLiteDatabase {
    private(set) var handle: OpaquePointer?
    /// SQLITE_TRANSIENT: SQLite copies bound bytes before the call returns. A C macro Swift does not import.
    static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    /// `readOnly` opens through a URI: `mode=ro`, plus `immutable=1` when no WAL file exists (a cleanly closed
    /// journal), so that checking a journal never writes beside it, even in a folder that is not writable.
    package init(path: String, readOnly: Bool = false) throws(JournalError) {
        var flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        var target = path
        if readOnly {
            flags |= SQLITE_OPEN_URI
            let immutable = !FileManager.default.fileExists(atPath: path + "-wal")
            let escaped = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
            target = "file:\(escaped)?mode=ro" + (immutable ? "&immutable=1" : "")
        }
        let code = sqlite3_open_v2(target, &handle, flags, nil)
        guard code == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(handle)
            handle = nil
            throw .sqlite(operation: "open \(path)", code: code, message: message)
        }
    }

    deinit { close() }

    package func close() {
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    package func execute(_ sql: String) throws(JournalError) {
        let code = sqlite3_exec(handle, sql, nil, nil, nil)
        guard code == SQLITE_OK else { throw error(sql, code) }
    }

    package func prepare(_ sql: String) throws(JournalError) -> SQLiteStatement {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard code == SQLITE_OK, let statement else { throw error("prepare \(sql)", code) }
        return SQLiteStatement(statement: statement, database: self)
    }

    /// Rows changed by the last statement.
    package var changes: Int { Int(sqlite3_changes(handle)) }

    package func error(_ operation: String, _ code: Int32) -> JournalError {
        .sqlite(operation: operation, code: code, message: handle.map { String(cString: sqlite3_errmsg($0)) } ?? "")
    }
}

/// A prepared statement, reset after every use.
package final class SQLiteStatement {
    private let statement: OpaquePointer
    private unowned let database: SQLiteDatabase

    package init(statement: OpaquePointer, database: SQLiteDatabase) {
        self.statement = statement
        self.database = database
    }

    deinit { sqlite3_finalize(statement) }

    package func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(statement, index, value) }

    package func bind(_ index: Int32, _ value: String) {
        sqlite3_bind_text(statement, index, value, -1, SQLiteDatabase.transient)
    }

    package func bind(_ index: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            _ = sqlite3_bind_blob(statement, index, buffer.baseAddress, Int32(buffer.count), SQLiteDatabase.transient)
        }
    }

    /// Steps once; true while a row is available.
    package func step() throws(JournalError) -> Bool {
        let code = sqlite3_step(statement)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw database.error("step", code)
        }
    }

    package func reset() {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
    }

    package func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

    package func text(_ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(statement, column) else { return "" }
        return String(cString: pointer)
    }

    package func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(statement, column))
        guard count > 0, let pointer = sqlite3_column_blob(statement, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}
