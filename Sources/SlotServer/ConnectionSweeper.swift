import Logging
import ServiceLifecycle
import SlotWire

/// Four times a second, looks at every open connection and closes those that hold a place for nothing: idle
/// (`idleTimeoutSeconds`), a request line left unfinished (`lineCompletionSeconds`), replies nobody takes, and,
/// while the server-wide budget for unsent replies (`bufferedBytesMax`) has been exhausted for
/// `overloadGraceSeconds`, the connections furthest behind. One sweep for all connections instead of timers per
/// connection or per request: requests only bump counters (`ConnectionActivity`), and the sweep, not the request
/// path, reads the clock.
struct ConnectionSweeper: Service {
    static let intervalMilliseconds = 250

    let connections: ConnectionCounter
    let budget: BufferBudget
    let configuration: ServerConfiguration
    /// Nil when the server keeps no metrics.
    let refusals: ConnectionRefusals?
    let logger: Logger

    /// What the last sweeps saw of one connection, and since when.
    struct Seen {
        var taken: UInt64
        var answered: UInt64
        var durable: UInt64
        var lineState: UInt64
        var requestAt: ContinuousClock.Instant
        var answerAt: ContinuousClock.Instant
        var durableAt: ContinuousClock.Instant
        var lineSince: ContinuousClock.Instant
    }

    struct State {
        var seen: [UInt64: Seen] = [:]
        var exhaustedSince: ContinuousClock.Instant?
    }

    func run() async throws {
        var state = State()
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .milliseconds(Self.intervalMilliseconds))
                }
            } catch {
                return
            }
            sweep(&state, now: .now)
        }
    }

    func sweep(_ state: inout State, now: ContinuousClock.Instant) {
        var seen: [UInt64: Seen] = [:]
        var holders: [(id: UInt64, activity: ConnectionActivity, bytes: Int, answerAt: ContinuousClock.Instant)] = []
        var totalBytes = 0
        for (id, activity) in connections.active {
            let taken = activity.taken.load(ordering: .relaxed)
            let answered = activity.answered.load(ordering: .relaxed)
            // After `answered`, which the writer bumps after `durable`: so never seen behind it.
            let durable = activity.durable.load(ordering: .relaxed)
            let lineState = activity.lineState.load(ordering: .relaxed)
            var entry =
                state.seen[id]
                ?? Seen(
                    taken: taken, answered: answered, durable: durable, lineState: lineState, requestAt: now,
                    answerAt: now, durableAt: now, lineSince: now)
            if entry.taken != taken { (entry.taken, entry.requestAt) = (taken, now) }
            if entry.answered != answered { (entry.answered, entry.answerAt) = (answered, now) }
            if entry.durable != durable { (entry.durable, entry.durableAt) = (durable, now) }
            let busy = taken != answered
            // A line's time runs only while nothing is in flight: until then the server may itself have stopped
            // reading the rest of it (back-pressure), and a client that does not read its replies is the idle case.
            if entry.lineState != lineState || busy { (entry.lineState, entry.lineSince) = (lineState, now) }
            seen[id] = entry
            // A connection already being closed is about to free what it holds: not counted again, or each sweep
            // until its task has ended would close one more connection for the same bytes.
            guard !activity.isClosing else { continue }
            let heldBytes = activity.queue.heldBytes
            totalBytes += heldBytes
            if heldBytes > 0 { holders.append((id, activity, heldBytes, entry.answerAt)) }
            expire(id, activity, entry, busy: busy, now: now)
        }
        state.seen = seen
        enforceBudget(&state, totalBytes: totalBytes, holders: holders, now: now)
    }

    /// Closes the connection if it is idle, stuck, or slow to finish a line. A request in flight is neither idle
    /// nor stuck while the server itself is still deciding it or waiting for the journal to make it durable: the
    /// stuck clock runs only while durable replies wait for the client to take them (`durable` ahead of
    /// `answered`), from when they were handed over or the client last took some, whichever is later.
    private func expire(
        _ id: UInt64, _ activity: ConnectionActivity, _ entry: Seen, busy: Bool, now: ContinuousClock.Instant
    ) {
        let idle = Duration.seconds(configuration.idleTimeoutSeconds)
        let lineLimit = Duration.seconds(configuration.lineCompletionSeconds)
        if configuration.idleTimeoutSeconds > 0, !busy, now - max(entry.requestAt, entry.answerAt) >= idle,
            !activity.subscribed.load(ordering: .relaxed)
        {
            close(
                id, activity, .idleTimeout, .idleTimeout, level: .info, message: "connection closed: idle",
                "no request for \(configuration.idleTimeoutSeconds) s; closing the connection",
                limitSeconds: configuration.idleTimeoutSeconds)
        } else if configuration.idleTimeoutSeconds > 0, entry.durable > entry.answered,
            now - max(entry.answerAt, entry.durableAt) >= idle
        {
            close(
                id, activity, .idleTimeout, .repliesNotRead, level: .info,
                message: "connection closed: replies not read",
                "none of the replies taken for \(configuration.idleTimeoutSeconds) s; closing the connection",
                limitSeconds: configuration.idleTimeoutSeconds)
        } else if configuration.lineCompletionSeconds > 0, entry.lineState & 1 == 1, now - entry.lineSince >= lineLimit
        {
            close(
                id, activity, .lineTimeout, .lineTimeout, level: .notice,
                message: "connection closed: line not completed",
                "a request line must be complete within \(configuration.lineCompletionSeconds) s of its first "
                    + "byte; closing the connection", limitSeconds: configuration.lineCompletionSeconds)
        }
    }

    /// Sets the budget's flag from this sweep's total and, once it has been exhausted for the grace period,
    /// closes the connections furthest behind: most bytes held and none taken by their client during the grace
    /// period, as many as it takes to be back under the budget.
    private func enforceBudget(
        _ state: inout State, totalBytes: Int,
        holders: [(id: UInt64, activity: ConnectionActivity, bytes: Int, answerAt: ContinuousClock.Instant)],
        now: ContinuousClock.Instant
    ) {
        let exhausted = totalBytes >= configuration.bufferedBytesMax
        if exhausted != budget.isExhausted {
            budget.set(exhausted: exhausted)
            let metadata: Logger.Metadata = [
                "buffered_bytes": "\(totalBytes)", "limit_bytes": "\(configuration.bufferedBytesMax)",
            ]
            if exhausted {
                logger.warning("reply budget exhausted; connections behind stop being read", metadata: metadata)
            } else {
                logger.notice("reply budget has room again", metadata: metadata)
                for (_, activity) in connections.active { activity.queue.budgetFreed() }
            }
        }
        guard exhausted else {
            state.exhaustedSince = nil
            return
        }
        let since = state.exhaustedSince ?? now
        state.exhaustedSince = since
        let grace = Duration.seconds(configuration.overloadGraceSeconds)
        guard now - since >= grace else { return }
        var excessBytes = totalBytes - configuration.bufferedBytesMax
        for holder in holders.sorted(by: { $0.bytes > $1.bytes }) where excessBytes >= 0 {
            guard now - holder.answerAt >= grace else { continue }
            excessBytes -= holder.bytes
            close(
                holder.id, holder.activity, .overloaded, .replyBudget, level: .warning,
                message: "connection closed: furthest behind over the reply budget",
                "the server's budget for unsent replies (\(configuration.bufferedBytesMax) bytes) is used up and "
                    + "this connection is furthest behind; closing it",
                details: ["limit_bytes": String(configuration.bufferedBytesMax)],
                extra: ["held_bytes": "\(holder.bytes)"])
        }
    }

    private func close(
        _ id: UInt64, _ activity: ConnectionActivity, _ code: WireCode, _ refusal: ConnectionRefusal,
        level: Logger.Level, message: String, _ reason: String, limitSeconds: Int? = nil,
        details: [String: String] = [:], extra: Logger.Metadata = [:]
    ) {
        guard !activity.isClosing else { return }
        refusals?.count(refusal)
        var details = details
        if let limitSeconds { details["limit_seconds"] = String(limitSeconds) }
        activity.close(sending: WireError(code, reason, details: details))
        var metadata = extra
        metadata["connection.id"] = "\(id)"
        metadata["peer"] = "\(activity.address)"
        for (key, value) in details { metadata[key] = "\(value)" }
        logger.log(level: level, "\(message)", metadata: metadata)
    }
}
