import Foundation
import Histogram
import SlotClient

/// The run's results: settings, throughput, latency percentiles per op, outcomes, the timeline and the verdict.
struct Report {
    struct Latency {
        var count: UInt64
        var p50: Double
        var p90: Double
        var p99: Double
        var p999: Double
        var max: Double
    }

    let settings: [(String, String)]
    let scenario: String
    let connections: Int
    let pipeline: Int
    /// Requests per line: 1 is one request a line, more is `batch` lines of that many. `requests`, `outcomes` and
    /// `latency` count requests, not lines; each request is timed by the line that carried it.
    let batch: Int
    let durationSeconds: Double
    /// Opening every connection, before the clock of the run started.
    let connectSeconds: Double
    let requests: Int
    let bookings: Int
    let latency: [(op: String, latency: Latency)]
    let outcomes: [String: Int]
    let timeline: [SecondSummary]
    let verdictReasons: [String]
    let checkedBookings: Int
    /// Groups the run created, each checked with `get_group`.
    let checkedGroups: Int
    /// The server's journal commits during the run, when its `stats` could be read after it.
    let journal: JournalActivity?
    /// What each `--subscribers` connection saw.
    let subscribers: [Subscribers.Summary]
    /// The signal (`SIGINT`, `SIGTERM`) that ended the traffic before its deadline or request count, if one did.
    let interruptedBy: String?

    var verdict: String { verdictReasons.isEmpty ? "pass" : "fail" }
    /// What the verdict looked at, for the text and HTML reports.
    var verdictScope: String {
        "\(checkedBookings) bookings and \(checkedGroups) groups checked"
            + (subscribers.isEmpty ? "" : ", \(subscribers.count) subscribers' events")
    }
    var requestsPerSecond: Double { Double(requests) / max(durationSeconds, 1e-9) }
    var bookingsPerSecond: Double { Double(bookings) / max(durationSeconds, 1e-9) }

    init(
        settings command: Slotload, runID: String, plan: Plan, recorder: Recorder, durationSeconds: Double,
        connectSeconds: Double,
        verdictReasons: [String], checkedBookings: Int, checkedGroups: Int, subscribers: [Subscribers.Summary] = [],
        interruptedBy: String? = nil, journal: JournalActivity?
    ) {
        let state = recorder.state.withLock { $0 }
        scenario = command.scenario.rawValue
        connections = command.effectiveConnections
        pipeline = command.scenario == .flashSale ? 1 : command.pipeline
        batch = command.batch
        self.durationSeconds = durationSeconds
        self.connectSeconds = connectSeconds
        requests = state.requests
        bookings = state.bookings
        outcomes = state.outcomes.merging(
            state.transportErrors > 0 ? ["transport_error": state.transportErrors] : [:]
        ) { $0 + $1 }
        timeline = state.timeline
        self.verdictReasons = verdictReasons
        self.checkedBookings = checkedBookings
        self.checkedGroups = checkedGroups
        self.journal = journal
        self.subscribers = subscribers
        self.interruptedBy = interruptedBy
        latency = Operation.allCases.compactMap { op in
            guard let histogram = state.perOp[op], histogram.totalCount > 0 else { return nil }
            func ms(_ percentile: Double) -> Double { Double(histogram.valueAtPercentile(percentile)) / 1_000 }
            return (
                op.rawValue,
                Latency(
                    count: histogram.totalCount, p50: ms(50), p90: ms(90), p99: ms(99), p999: ms(99.9),
                    max: Double(histogram.max) / 1_000)
            )
        }
        settings = [
            ("scenario", command.scenario.rawValue), ("server", "\(command.host):\(command.port)"),
            ("tls", command.connection.usesTLS ? "yes" : "no"), ("token", command.connection.hasToken ? "yes" : "no"),
            ("connections", "\(connections)"), ("pipeline", "\(pipeline)"), ("batch", "\(batch)"),
            ("requests", command.durationSeconds == nil ? "\(command.requests)" : "for \(command.durationSeconds!) s"),
            ("resources", "\(plan.resources.count)"), ("capacity", "\(command.effectiveCapacity)"),
            ("slot_minutes", "\(command.slotMinutes)"),
            ("buffers", "\(command.bufferBeforeMinutes) min before, \(command.bufferAfterMinutes) min after"),
            ("days", "\(command.days)"), ("hold_ttl_seconds", "\(command.holdTTLSeconds)"),
            ("seed", "\(command.seed)"), ("subscribers", "\(command.subscribers)"), ("run", runID),
        ]
    }

    func jsonData() throws -> Data {
        let object: [String: Any] = [
            "scenario": scenario, "connections": connections, "pipeline": pipeline, "batch": batch,
            "duration_seconds": durationSeconds, "requests": requests, "requests_per_second": requestsPerSecond,
            "bookings": bookings, "bookings_per_second": bookingsPerSecond,
            "latency_ms": Dictionary(
                uniqueKeysWithValues: latency.map { entry in
                    (
                        entry.op,
                        [
                            "count": entry.latency.count, "p50": entry.latency.p50, "p90": entry.latency.p90,
                            "p99": entry.latency.p99, "p999": entry.latency.p999, "max": entry.latency.max,
                        ] as [String: Any]
                    )
                }),
            "outcomes": outcomes, "verdict": verdict, "verdict_reasons": verdictReasons,
            "checked_bookings": checkedBookings, "checked_groups": checkedGroups, "connect_ms": connectSeconds * 1_000,
            "interrupted_by": interruptedBy.map { $0 as Any } ?? NSNull(),
            "journal": journal.map {
                ["commits": $0.commits, "entries": $0.entries, "entries_per_commit": $0.entriesPerCommit]
                    as [String: Any]
            } ?? NSNull(),
            "subscribers": subscribers.map {
                [
                    "events": $0.eventLines, "booking_events": $0.bookingEvents, "from_seq": $0.fromSeq,
                    "last_seq": $0.lastSeq.map { $0 as Any } ?? NSNull(),
                ] as [String: Any]
            },
            "settings": Dictionary(uniqueKeysWithValues: settings),
            "timeline": timeline.map {
                [
                    "second": $0.elapsedSeconds, "requests": $0.requests, "bookings": $0.bookings,
                    "refused": $0.refused, "errors": $0.errors, "p50_ms": $0.p50Milliseconds,
                    "p99_ms": $0.p99Milliseconds, "max_ms": $0.maxMilliseconds,
                ]
            },
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }

    func summaryText() -> String {
        func number(_ value: Double) -> String { String(format: "%.0f", value) }
        func ms(_ value: Double) -> String { String(format: "%.2f", value) }
        var lines = [
            "scenario \(scenario), \(connections) connections, pipeline \(pipeline), batch \(batch), "
                + String(
                    format: "%.2f s (the connections opened first, in %.0f ms)", durationSeconds, connectSeconds * 1_000
                ),
            "requests \(requests) (\(number(requestsPerSecond))/s), confirmed bookings \(bookings) "
                + "(\(number(bookingsPerSecond))/s)",
            "latency ms       count      p50      p90      p99    p99.9      max",
        ]
        if let interruptedBy { lines.insert("traffic ended early by \(interruptedBy)", at: 1) }
        for (op, latency) in latency {
            let cells = [latency.p50, latency.p90, latency.p99, latency.p999, latency.max].map {
                ms($0).leftPadded(to: 8)
            }
            lines.append(op.padded(to: 12) + "\(latency.count)".leftPadded(to: 10) + " " + cells.joined(separator: " "))
        }
        lines.append(
            "outcomes " + outcomes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        if let journal {
            lines.append(
                "journal \(journal.commits) commits for \(journal.entries) entries ("
                    + String(format: "%.1f", journal.entriesPerCommit) + " per commit)")
        }
        for (index, subscriber) in subscribers.enumerated() {
            lines.append(
                "subscriber \(index): \(subscriber.eventLines) events (\(subscriber.bookingEvents) of the run's bookings) "
                    + "after seq \(subscriber.fromSeq), up to \(subscriber.lastSeq.map(String.init) ?? "?")")
        }
        lines.append("verdict \(verdict) (\(verdictScope))")
        lines += verdictReasons.map { "  " + $0 }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    func padded(to width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
    func leftPadded(to width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

/// Where the server's journal stood (`stats`): entries committed and commits made since it started.
struct JournalPosition {
    var durableSequence: Int
    var commits: Int

    static func read(_ endpoint: SlotEndpoint) async throws -> JournalPosition {
        try await SlotConnection.withConnection(to: endpoint) { client in
            let stats = try await client.call(["op": "stats"])["stats"]
            return JournalPosition(
                durableSequence: stats?["durable_sequence"]?.int ?? 0, commits: stats?["journal_commits"]?.int ?? 0)
        }
    }
}

/// How many of the run's changes shared one journal commit (one sync): group commit at work.
struct JournalActivity {
    var commits: Int
    var entries: Int
    var entriesPerCommit: Double { commits > 0 ? Double(entries) / Double(commits) : 0 }

    init(from before: JournalPosition, to after: JournalPosition) {
        commits = after.commits - before.commits
        entries = after.durableSequence - before.durableSequence
    }
}
