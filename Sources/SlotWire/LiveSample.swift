import SlotDomain
import SlotJSON

/// One second of the server's activity, as the operator page (`GET /api/live`) and `slotctl top` (the `monitor`
/// op) show it. The server keeps the last `LiveSamples.secondsKept` of them.
public struct LiveSample: Sendable, Equatable {
    /// The second this sample closes (UTC, whole seconds).
    public var at: Instant
    /// Replies written during the second, by op (`undecoded` for lines that never became a request).
    public var requestsByOp: [String: Int]
    /// Of those replies, the ones that were errors.
    public var errors: Int
    /// Median and 99th percentile of the durations from a line's arrival to its reply being written, as the upper
    /// bound of a bucket a quarter of a doubling wide (so at most 25 % above the true value); nil without requests.
    public var durationP50Seconds: Double?
    public var durationP99Seconds: Double?
    /// Journal entries appended and not yet committed, when the second closed.
    public var journalQueueDepth: Int
    /// Journal commits during the second, and the entries they made durable.
    public var journalCommits: Int
    public var journalEntriesCommitted: Int
    /// Client connections open on the TCP port when the second closed.
    public var connections: Int

    public init(
        at: Instant, requestsByOp: [String: Int], errors: Int, durationP50Seconds: Double?,
        durationP99Seconds: Double?, journalQueueDepth: Int, journalCommits: Int, journalEntriesCommitted: Int,
        connections: Int
    ) {
        self.at = at
        self.requestsByOp = requestsByOp
        self.errors = errors
        self.durationP50Seconds = durationP50Seconds
        self.durationP99Seconds = durationP99Seconds
        self.journalQueueDepth = journalQueueDepth
        self.journalCommits = journalCommits
        self.journalEntriesCommitted = journalEntriesCommitted
        self.connections = connections
    }

    /// Every reply written during the second.
    public var requests: Int { requestsByOp.values.reduce(0, +) }

    /// The sample as one JSON object; ops in name order, so equal samples encode to equal text.
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("at")
        writer.instant(at)
        writer.key("requests")
        writer.integer(requests)
        writer.key("requests_by_op")
        writer.beginObject()
        for (op, count) in requestsByOp.sorted(by: { $0.key < $1.key }) {
            writer.key(op)
            writer.integer(count)
        }
        writer.endObject()
        writer.key("errors")
        writer.integer(errors)
        for (name, value) in [
            ("duration_p50_seconds", durationP50Seconds), ("duration_p99_seconds", durationP99Seconds),
        ] {
            writer.key(name)
            if let value { writer.double(value) } else { writer.null() }
        }
        for (name, value) in [
            ("journal_queue_depth", journalQueueDepth), ("journal_commits", journalCommits),
            ("journal_entries_committed", journalEntriesCommitted), ("connections", connections),
        ] {
            writer.key(name)
            writer.integer(value)
        }
        writer.endObject()
    }
}
