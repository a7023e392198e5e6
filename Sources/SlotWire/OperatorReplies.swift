import SlotDomain

/// What a snapshot wrote: the `snapshot` op's reply.
public struct SnapshotSummary: Sendable, Equatable {
    public var path: String
    public var journalSequence: UInt64
    public var resources: Int
    public var bookings: Int
    public var idempotencyKeys: Int
    public var sizeBytes: Int
    public var durationMilliseconds: Double
    /// The longest any one resource waited on the snapshot (its capture, queueing included).
    public var longestPauseMilliseconds: Double
    public var compactedThrough: UInt64
    public var compactedEntries: Int
    public var takenAt: Instant

    public init(
        path: String, journalSequence: UInt64, resources: Int, bookings: Int, idempotencyKeys: Int, sizeBytes: Int,
        durationMilliseconds: Double, longestPauseMilliseconds: Double, compactedThrough: UInt64,
        compactedEntries: Int, takenAt: Instant
    ) {
        self.path = path
        self.journalSequence = journalSequence
        self.resources = resources
        self.bookings = bookings
        self.idempotencyKeys = idempotencyKeys
        self.sizeBytes = sizeBytes
        self.durationMilliseconds = durationMilliseconds
        self.longestPauseMilliseconds = longestPauseMilliseconds
        self.compactedThrough = compactedThrough
        self.compactedEntries = compactedEntries
        self.takenAt = takenAt
    }

    /// As a non-admin sees it: the file's name, not where the server keeps it.
    public var withoutDirectory: SnapshotSummary {
        var summary = self
        summary.path = String(path.split(separator: "/").last ?? "")
        return summary
    }

    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("path")
        writer.string(path)
        for (name, value) in [
            ("journal_sequence", Int(journalSequence)), ("resources", resources), ("bookings", bookings),
            ("idempotency_keys", idempotencyKeys), ("size_bytes", sizeBytes),
        ] {
            writer.key(name)
            writer.integer(value)
        }
        writer.key("duration_ms")
        writer.double(durationMilliseconds)
        writer.key("longest_pause_ms")
        writer.double(longestPauseMilliseconds)
        writer.key("compacted_through")
        writer.integer(compactedThrough)
        writer.key("compacted_entries")
        writer.integer(compactedEntries)
        writer.key("taken_at")
        writer.instant(takenAt)
        writer.endObject()
    }
}

/// The server's vital signs: the `stats` op's reply.
public struct ServerStats: Sendable, Equatable {
    public var startedAt: Instant
    public var now: Instant
    public var resources: Int
    public var bookings: Int
    public var activeBookings: Int
    public var activeHolds: Int
    public var idempotencyKeys: Int
    public var connections: Int
    public var journalID: String
    public var journalSequence: UInt64
    public var durableSequence: UInt64
    /// Journal commits (transactions, each one sync) since this process started.
    public var journalCommits: UInt64
    public var lastSnapshot: SnapshotSummary?

    public init(
        startedAt: Instant, now: Instant, resources: Int, bookings: Int, activeBookings: Int, activeHolds: Int,
        idempotencyKeys: Int, connections: Int, journalID: String, journalSequence: UInt64, durableSequence: UInt64,
        journalCommits: UInt64, lastSnapshot: SnapshotSummary?
    ) {
        self.startedAt = startedAt
        self.now = now
        self.resources = resources
        self.bookings = bookings
        self.activeBookings = activeBookings
        self.activeHolds = activeHolds
        self.idempotencyKeys = idempotencyKeys
        self.connections = connections
        self.journalID = journalID
        self.journalSequence = journalSequence
        self.durableSequence = durableSequence
        self.journalCommits = journalCommits
        self.lastSnapshot = lastSnapshot
    }

    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("started_at")
        writer.instant(startedAt)
        writer.key("now")
        writer.instant(now)
        writer.key("uptime_seconds")
        writer.integer(now.seconds(since: startedAt))
        for (name, value) in [
            ("resources", resources), ("bookings", bookings), ("active_bookings", activeBookings),
            ("active_holds", activeHolds), ("idempotency_keys", idempotencyKeys), ("connections", connections),
        ] {
            writer.key(name)
            writer.integer(value)
        }
        writer.key("journal_id")
        writer.string(journalID)
        writer.key("journal_sequence")
        writer.integer(journalSequence)
        writer.key("durable_sequence")
        writer.integer(durableSequence)
        writer.key("journal_commits")
        writer.integer(journalCommits)
        writer.key("last_snapshot")
        if let lastSnapshot { lastSnapshot.write(to: &writer) } else { writer.null() }
        writer.endObject()
    }
}
