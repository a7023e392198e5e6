/// One connection's share of the load, as a state machine with no I/O: a round of `pipeline` lines written at
/// once, then their replies taken in order (as redis-benchmark's `-P`), until its request budget or the run's
/// deadline is used up, or a signal ends the traffic early. A line carries one op, or with `batchSize` above 1 a
/// non-atomic `batch` of that many, whose reply is cut back into one reply per op: the ledger, the outcome counts
/// and the latencies are per op either way.
/// `LoadChannelHandler` drives it on the connection's event loop, from the moment every connection of the run is
/// open.
struct LoadWorker: Sendable {
    let pipeline: Int
    let batchSize: Int
    /// Ops in all, whatever lines they travel in.
    let requests: Int
    /// When the connection stops starting rounds, for a timed run; set when the run starts.
    var deadline: ContinuousClock.Instant?
    /// Ends the traffic early on SIGINT or SIGTERM, as the deadline would.
    let interruption: TrafficInterruption
    private var traffic: LoadTraffic
    private var sent = 0
    /// The ops of the round in flight, in the order written.
    private var round: [Pending] = []
    /// Where each line of the round ends in `round`: line `k` carries `round[lineEnds[k - 1]..<lineEnds[k]]`.
    private var lineEnds: [Int] = []
    private var linesTaken = 0
    private var roundStarted = ContinuousClock.now
    /// The samples of the round in flight, one per op; all of them once `take` returns true. Kept from round to
    /// round (cleared when the next starts), so recording a round allocates nothing.
    private(set) var roundSamples: [Sample] = []

    /// A reply slotload cannot match to the ops of its line; the connection cannot go on.
    struct UnmatchedReply: Error, CustomStringConvertible {
        let description: String
    }

    init(
        index: Int, plan: Plan, pipeline: Int, batchSize: Int, requests: Int, seed: UInt64,
        interruption: TrafficInterruption
    ) {
        precondition(pipeline > 0 && batchSize > 0)
        self.pipeline = pipeline
        self.interruption = interruption
        self.batchSize = batchSize
        self.requests = requests
        traffic = LoadTraffic(index: index, plan: plan, seed: seed)
        round.reserveCapacity(pipeline * batchSize)
        roundSamples.reserveCapacity(pipeline * batchSize)
        lineEnds.reserveCapacity(pipeline)
    }

    var index: Int { traffic.index }
    var result: LoadTraffic.Result { traffic.result }
    var isAwaitingReply: Bool { linesTaken < lineEnds.count }

    /// Appends the next round's request lines to `text` and starts its clock; false when the connection is done.
    mutating func nextRound(into text: inout [UInt8]) -> Bool {
        precondition(!isAwaitingReply, "a round is still in flight")
        guard sent < requests, deadline.map({ ContinuousClock.now < $0 }) ?? true, !interruption.isEndingTraffic
        else { return false }
        round.removeAll(keepingCapacity: true)
        lineEnds.removeAll(keepingCapacity: true)
        roundSamples.removeAll(keepingCapacity: true)
        linesTaken = 0
        while lineEnds.count < pipeline, sent < requests {
            let count = min(batchSize, requests - sent)
            if batchSize > 1 { text.append(contentsOf: RequestText.batchOpen) }
            for position in 0..<count {
                if position > 0 { text.append(UInt8(ascii: ",")) }
                round.append(traffic.next(round: sent, into: &text))
                sent += 1
            }
            if batchSize > 1 { text.append(contentsOf: RequestText.batchClose) }
            text.append(UInt8(ascii: "\n"))
            lineEnds.append(round.count)
        }
        roundStarted = ContinuousClock.now
        return true
    }

    /// Takes the reply line to the next line of the round in flight: each op of it is timed from the round's write
    /// to this line's arrival. True once the round's last reply is in (see `roundSamples`).
    mutating func take(_ line: [UInt8]) throws(UnmatchedReply) -> Bool {
        precondition(isAwaitingReply, "a reply with no request in flight")
        let latency = Self.microseconds(ContinuousClock.now - roundStarted)
        let ops = (linesTaken == 0 ? 0 : lineEnds[linesTaken - 1])..<lineEnds[linesTaken]
        linesTaken += 1
        guard batchSize > 1 else {
            record(ReplyFields(line), for: round[ops.lowerBound], latency: latency)
            return !isAwaitingReply
        }
        switch BatchReply(line) {
        case .results(let results) where results.count == ops.count:
            for (position, range) in zip(ops, results) {
                record(ReplyFields(Array(line[range])), for: round[position], latency: latency)
            }
        case .refused:
            let reply = ReplyFields(line)
            for position in ops { record(reply, for: round[position], latency: latency) }
        case .results(let results):
            throw UnmatchedReply(description: "a batch of \(ops.count) ops got \(results.count) results")
        case .malformed:
            throw UnmatchedReply(
                description: "a batch reply with no results: \(String(decoding: line.prefix(200), as: UTF8.self))")
        }
        return !isAwaitingReply
    }

    private mutating func record(_ reply: ReplyFields, for pending: Pending, latency: UInt64) {
        let confirmed = traffic.apply(reply, to: pending)
        roundSamples.append(
            Sample(op: pending.op, latencyMicroseconds: latency, code: reply.code, confirmedBookings: confirmed))
    }

    /// The connection failed: what it saw acknowledged stays in the ledger, and the run is judged with that.
    mutating func fail(_ reason: String) {
        traffic.fail(reason)
    }

    static func microseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds)) * 1_000_000 + UInt64(max(0, attoseconds)) / 1_000_000_000_000
    }
}
