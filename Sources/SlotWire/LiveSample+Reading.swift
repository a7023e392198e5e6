import SlotDomain
import SlotJSON

extension LiveSample {
    /// Fifteen minutes of seconds: what the server keeps, what the operator page charts, and the most `monitor`
    /// may ask for. Defined beside the sample so that the request decoder can check `seconds` against it.
    public static let secondsKept = 900

    /// A sample as `write(to:)` wrote it (a `monitor` reply's); nil when a field is missing or of the wrong type.
    /// Writing it again gives the server's text back: `slotctl top --json` prints samples that way.
    public init?(json: JSONValue) {
        guard let atText = json["at"]?.string, let at = RFC3339.parse(atText)?.instant,
            case .object(let byOp)? = json["requests_by_op"], let errors = json["errors"]?.int,
            let queueDepth = json["journal_queue_depth"]?.int, let commits = json["journal_commits"]?.int,
            let committed = json["journal_entries_committed"]?.int, let connections = json["connections"]?.int,
            let p50 = Self.optionalSeconds(json["duration_p50_seconds"]),
            let p99 = Self.optionalSeconds(json["duration_p99_seconds"])
        else { return nil }
        var requestsByOp: [String: Int] = [:]
        for (op, count) in byOp {
            guard let count = count.int else { return nil }
            requestsByOp[op] = count
        }
        self.init(
            at: at, requestsByOp: requestsByOp, errors: errors, durationP50Seconds: p50, durationP99Seconds: p99,
            journalQueueDepth: queueDepth, journalCommits: commits, journalEntriesCommitted: committed,
            connections: connections)
    }

    /// `.some(nil)` for JSON null, `.some(seconds)` for a number, nil for anything else (or a missing field).
    private static func optionalSeconds(_ value: JSONValue?) -> Double?? {
        switch value {
        case .null?: .some(nil)
        case .number(let seconds)?: .some(seconds)
        default: nil
        }
    }
}
