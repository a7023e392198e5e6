import NIOCore
import Prometheus
import SlotJournal
import Synchronization

/// The server's Prometheus metrics (docs/OPERATIONS.md, "Monitoring"). One registry per runtime, so that two
/// servers in one process (the tests) count apart. Handles are made once and kept: a request only finds its
/// `RequestSeries` and adds to it. Gauges whose value the server already knows exactly (open connections, the
/// journal's queue) are read when `/metrics` is scraped instead of being kept up to date on every change.
///
/// A server without its HTTP port has none (`SlotRuntime.metrics` is nil): nothing could read them, so nothing
/// records them, and that server is what the cost of metrics is measured against.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// The per-second samples of the operator page and `slotctl top`.
    public let live = LiveSamples()
    private let requests: RequestMetrics
    let bookings: BookingMetrics
    let refusals: ConnectionRefusals
    let journalCommits: JournalCommitMetrics
    let snapshots: SnapshotMetrics
    let webhooks: WebhookMetrics
    private let connectionsGauge: Gauge
    /// `slotd_subscribers`, kept by the event hub.
    let subscribersGauge: Gauge
    private let journalQueueGauge: Gauge

    init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        requests = RequestMetrics(registry: registry)
        bookings = BookingMetrics(registry: registry)
        refusals = ConnectionRefusals(registry: registry)
        journalCommits = JournalCommitMetrics(registry: registry)
        snapshots = SnapshotMetrics(registry: registry)
        webhooks = WebhookMetrics(registry: registry)
        connectionsGauge = registry.makeGauge(
            descriptor: .init(
                metricName: "slotd_connections", unitName: "",
                helpText: "Client connections open on the TCP port."))
        subscribersGauge = registry.makeGauge(
            descriptor: .init(
                metricName: "slotd_subscribers", unitName: "",
                helpText: "Connections receiving the change stream live (subscribe)."))
        journalQueueGauge = registry.makeGauge(
            descriptor: .init(
                metricName: "slotd_journal_queue_depth", unitName: "",
                helpText: "Journal entries appended and not yet committed."))
    }

    /// Metrics for a server whose HTTP port is `port`: none when it is off.
    static func forPort(_ port: Int?) -> ServerMetrics? {
        port == nil ? nil : ServerMetrics()
    }

    /// What the journal writer calls after each commit.
    var journalCommitObserver: Journal.CommitObserver {
        let commits = journalCommits
        return { entries, nanoseconds in commits.committed(entries: entries, nanoseconds: nanoseconds) }
    }

    /// The counter and histogram of one op's requests.
    func series(op: String) -> RequestSeries { requests.series(op: op) }

    /// The exposition text, with the gauges read now.
    func exposition(connections: Int, journal: Journal) -> [UInt8] {
        connectionsGauge.set(Int64(connections))
        journalQueueGauge.set(Int64(journal.outstandingEntries))
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16_384)
        registry.emit(into: &buffer)
        return buffer
    }
}

/// `slotd_requests_total{op, code}` and `slotd_request_duration_seconds{op}` for one op. The `ok` counter and the
/// histogram exist from the first request of the op; each error code's counter from its first occurrence, so the
/// exposition lists what happened rather than every op times every code.
final class RequestSeries: Sendable {
    let op: String
    let ok: Counter
    let duration: DurationHistogram
    private let registry: PrometheusCollectorRegistry
    private let errors = Mutex<[String: Counter]>([:])

    init(op: String, registry: PrometheusCollectorRegistry) {
        self.op = op
        self.registry = registry
        ok = registry.makeCounter(descriptor: RequestMetrics.requestsTotal, labels: [("op", op), ("code", "ok")])
        duration = registry.makeDurationHistogram(
            descriptor: RequestMetrics.requestDuration, labels: [("op", op)], buckets: RequestMetrics.durationBuckets)
    }

    /// One reply written, `code` nil for success, `nanoseconds` after its line arrived.
    func record(code: String?, nanoseconds: UInt64) {
        if let code {
            errorCounter(code).increment()
        } else {
            ok.increment()
        }
        duration.record(.nanoseconds(Int64(clamping: nanoseconds)))
    }

    private func errorCounter(_ code: String) -> Counter {
        errors.withLock { errors in
            if let counter = errors[code] { return counter }
            let counter = registry.makeCounter(
                descriptor: RequestMetrics.requestsTotal, labels: [("op", op), ("code", code)])
            errors[code] = counter
            return counter
        }
    }
}

/// The table of `RequestSeries` by op. Op names are a closed set (the decoder's), plus `RequestMetrics.undecoded`
/// for lines that never became a request, so the table stays small.
final class RequestMetrics: Sendable {
    /// The op label of a line that could not be decoded (bad JSON, unknown op, a field missing): the client's text
    /// would make the label's values unbounded.
    static let undecoded = "undecoded"
    // Computed: the descriptor type is not Sendable, and it is only read when a series is made.
    static var requestsTotal: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "slotd_requests", unitName: "total",
            helpText: "Requests answered, by op and by code (ok or the error code).")
    }
    static var requestDuration: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "slotd_request_duration", unitName: "seconds",
            helpText: "From a request line's arrival to its reply being written, journal commit included.")
    }
    /// From an idle server's quickest read to a stalled disk's commit, closest together where commits fall.
    static let durationBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
        .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]

    private let registry: PrometheusCollectorRegistry
    private let table = Mutex<[String: RequestSeries]>([:])

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func series(op: String) -> RequestSeries {
        table.withLock { table in
            if let series = table[op] { return series }
            let series = RequestSeries(op: op, registry: registry)
            table[op] = series
            return series
        }
    }
}
