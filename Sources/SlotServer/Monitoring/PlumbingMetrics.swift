import Prometheus
import SlotDomain
import SlotJournal

/// Why the server refused or closed a client connection for a limit: the `reason` label of
/// `slotd_connections_refused_total` (docs/OPERATIONS.md, "Monitoring"). Stable words: dashboards and alerts use them.
enum ConnectionRefusal: Int, CaseIterable, Sendable {
    /// `connectionsMax` open: refused on arrival.
    case connectionsMax
    /// `connectionsPerAddressMax` open from its address: refused on arrival.
    case addressConnectionsMax
    /// TLS handshake not done within `tlsHandshakeSeconds`.
    case tlsHandshakeTimeout
    /// No request for `idleTimeoutSeconds`.
    case idleTimeout
    /// Replies not read by the client for `idleTimeoutSeconds`.
    case repliesNotRead
    /// A request line not completed within `lineCompletionSeconds` (slowloris).
    case lineTimeout
    /// A request line over `lineBytesMax`.
    case lineTooLong
    /// Furthest behind while the reply budget (`bufferedBytesMax`) is used up.
    case replyBudget
    /// `authFailuresPerConnectionMax` failed `auth`s on the connection.
    case authFailures

    var label: String {
        switch self {
        case .connectionsMax: "connections_max"
        case .addressConnectionsMax: "address_connections_max"
        case .tlsHandshakeTimeout: "tls_handshake_timeout"
        case .idleTimeout: "idle_timeout"
        case .repliesNotRead: "replies_not_read"
        case .lineTimeout: "line_timeout"
        case .lineTooLong: "line_too_long"
        case .replyBudget: "reply_budget"
        case .authFailures: "auth_failures"
        }
    }
}

/// `slotd_connections_refused_total{reason}`, one counter per reason made at start (so each reads 0 until it
/// happens, and a rate over it is defined from the first scrape).
final class ConnectionRefusals: Sendable {
    private let counters: [Counter]

    init(registry: PrometheusCollectorRegistry) {
        let descriptor = MetricNameDescriptor(
            metricName: "slotd_connections_refused", unitName: "total",
            helpText: "Client connections refused or closed by the server for a limit, by reason.")
        counters = ConnectionRefusal.allCases.map {
            registry.makeCounter(descriptor: descriptor, labels: [("reason", $0.label)])
        }
    }

    func count(_ reason: ConnectionRefusal) {
        counters[reason.rawValue].increment()
    }
}

/// `slotd_journal_commit_duration_seconds` and `slotd_journal_entries_per_commit`, fed by the journal writer
/// after each commit (`Journal.CommitObserver`).
final class JournalCommitMetrics: Sendable {
    private let duration: DurationHistogram
    private let entries: ValueHistogram
    /// Powers of two from 1 to the most a commit writes by default (`Journal.Configuration.batchEntriesMax`).
    static let entriesBuckets: [Double] = Array(
        sequence(first: 1.0) { $0 * 2 }.prefix { $0 <= Double(Journal.Configuration().batchEntriesMax) })

    init(registry: PrometheusCollectorRegistry) {
        duration = registry.makeDurationHistogram(
            descriptor: .init(
                metricName: "slotd_journal_commit_duration", unitName: "seconds",
                helpText: "One journal commit: its SQLite transaction, fsync included."),
            buckets: RequestMetrics.durationBuckets)
        entries = registry.makeValueHistogram(
            descriptor: .init(
                metricName: "slotd_journal_entries_per_commit", unitName: "",
                helpText: "Journal entries written by one commit."),
            buckets: Self.entriesBuckets)
    }

    func committed(entries count: Int, nanoseconds: UInt64) {
        duration.record(.nanoseconds(Int64(clamping: nanoseconds)))
        entries.record(Double(count))
    }
}

/// `slotd_snapshot_duration_seconds` and `slotd_snapshot_last_success_timestamp_seconds`, from every snapshot
/// taken (on schedule or by the `snapshot` op).
final class SnapshotMetrics: Sendable {
    private let duration: DurationHistogram
    private let lastSuccess: Gauge
    /// From a small server's few milliseconds to minutes for millions of bookings.
    static let durationBuckets: [Duration] = [
        .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120),
        .seconds(300),
    ]

    init(registry: PrometheusCollectorRegistry) {
        duration = registry.makeDurationHistogram(
            descriptor: .init(
                metricName: "slotd_snapshot_duration", unitName: "seconds",
                helpText: "One snapshot, from the first capture to the journal compacted after it."),
            buckets: Self.durationBuckets)
        lastSuccess = registry.makeGauge(
            descriptor: .init(
                metricName: "slotd_snapshot_last_success_timestamp", unitName: "seconds",
                helpText: "When the newest snapshot written by this process was taken, in seconds since the epoch "
                    + "(0: none yet)."))
    }

    func written(taking duration: Duration, at takenAt: Instant) {
        self.duration.record(duration)
        lastSuccess.set(to: Double(takenAt.secondsSinceEpoch))
    }
}
