import SlotDomain
import SlotWire
import Synchronization

/// The last `secondsKept` seconds of activity, one `LiveSample` each, for the operator page and `slotctl top`.
/// Connections add their written replies to the open second (`record`); `LiveSampler` closes it once a second
/// with the gauges read then, so a second without requests still has its sample.
public final class LiveSamples: Sendable {
    /// Fifteen minutes (`LiveSample.secondsKept`, where the `monitor` op's decoder can read it too).
    public static let secondsKept = LiveSample.secondsKept

    private struct State {
        var open = OpenSecond()
        var ring: [LiveSample] = []
        /// Where the next sample goes once the ring is full.
        var next = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Replies written together: each one's op, whether it failed, and its duration in nanoseconds.
    func record<Replies: Sequence>(_ replies: Replies)
    where Replies.Element == (op: String, failed: Bool, nanoseconds: UInt64) {
        state.withLock { state in
            for reply in replies { state.open.add(reply) }
        }
    }

    /// Closes the open second as the sample of `at`, with the gauges and journal counts read at its end.
    func close(at: Instant, gauges: Gauges) {
        state.withLock { state in
            let sample = state.open.sample(at: at, gauges: gauges)
            state.open.reset()
            if state.ring.count < Self.secondsKept {
                state.ring.append(sample)
            } else {
                state.ring[state.next] = sample
                state.next = (state.next + 1) % Self.secondsKept
            }
        }
    }

    /// The last `seconds` samples (at most `secondsKept`), oldest first.
    public func recent(seconds: Int) -> [LiveSample] {
        state.withLock { state in
            let ordered = Array(state.ring[state.next...] + state.ring[..<state.next])
            return Array(ordered.suffix(max(0, min(seconds, Self.secondsKept))))
        }
    }

    /// What a sample reads when its second closes.
    struct Gauges {
        var journalQueueDepth: Int
        var journalCommits: Int
        var journalEntriesCommitted: Int
        var connections: Int
    }
}

/// The second being counted: replies by op, errors, and a histogram of durations whose buckets are a quarter of a
/// doubling of microseconds wide, so a percentile costs no sort and the second's memory is fixed.
private struct OpenSecond {
    static let bucketsPerDoubling = 4
    /// Doublings enough for any request worth charting; a slower one is counted in the last bucket.
    static let bucketCount = 27 * bucketsPerDoubling

    var requestsByOp: [String: Int] = [:]
    var errors = 0
    var durationBuckets = [Int](repeating: 0, count: bucketCount)
    var count = 0

    mutating func add(_ reply: (op: String, failed: Bool, nanoseconds: UInt64)) {
        requestsByOp[reply.op, default: 0] += 1
        if reply.failed { errors += 1 }
        durationBuckets[Self.bucket(microseconds: reply.nanoseconds / 1_000)] += 1
        count += 1
    }

    mutating func reset() {
        requestsByOp.removeAll(keepingCapacity: true)
        errors = 0
        for index in durationBuckets.indices { durationBuckets[index] = 0 }
        count = 0
    }

    func sample(at: Instant, gauges: LiveSamples.Gauges) -> LiveSample {
        LiveSample(
            at: at, requestsByOp: requestsByOp, errors: errors, durationP50Seconds: percentile(0.50),
            durationP99Seconds: percentile(0.99), journalQueueDepth: gauges.journalQueueDepth,
            journalCommits: gauges.journalCommits, journalEntriesCommitted: gauges.journalEntriesCommitted,
            connections: gauges.connections)
    }

    /// The upper bound, in seconds, of the bucket holding the `fraction` quantile; nil when nothing was counted.
    func percentile(_ fraction: Double) -> Double? {
        guard count > 0 else { return nil }
        let rank = max(1, Int((Double(count) * fraction).rounded(.up)))
        var seen = 0
        for (bucket, inBucket) in durationBuckets.enumerated() {
            seen += inBucket
            if seen >= rank { return Self.upperBoundMicroseconds(bucket) / 1_000_000 }
        }
        return Self.upperBoundMicroseconds(Self.bucketCount - 1) / 1_000_000
    }

    static func bucket(microseconds: UInt64) -> Int {
        let value = max(microseconds, 1)
        let doublings = 63 - value.leadingZeroBitCount
        let quarter =
            doublings >= 2 ? Int((value >> UInt64(doublings - 2)) & 3) : Int((value << UInt64(2 - doublings)) & 3)
        return min(doublings * bucketsPerDoubling + quarter, bucketCount - 1)
    }

    static func upperBoundMicroseconds(_ bucket: Int) -> Double {
        let doublings = bucket / bucketsPerDoubling
        let quarter = bucket % bucketsPerDoubling
        return Double(UInt64(1) << UInt64(doublings)) * Double(bucketsPerDoubling + quarter + 1)
            / Double(bucketsPerDoubling)
    }
}
