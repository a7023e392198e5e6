import SlotDomain
import Testing

@testable import SlotServer

/// The per-second ring behind the operator page and `slotctl top`: percentiles from its buckets, and the ring keeping
/// only the last `secondsKept` seconds, oldest first.
@Suite struct LiveSamplesTests {
    static let gauges = LiveSamples.Gauges(
        journalQueueDepth: 3, journalCommits: 2, journalEntriesCommitted: 7, connections: 5)

    @Test func aSecondCountsRepliesByOpAndItsPercentilesBoundTheTrueDurations() {
        let samples = LiveSamples()
        // 98 holds of 100 µs, one error of 1 ms, one confirm of 1 s.
        var replies = [(op: String, failed: Bool, nanoseconds: UInt64)](
            repeating: (op: "hold", failed: false, nanoseconds: 100_000), count: 98)
        replies.append((op: "hold", failed: true, nanoseconds: 1_000_000))
        replies.append((op: "confirm", failed: false, nanoseconds: 1_000_000_000))
        samples.record(replies)
        samples.close(at: Instant(secondsSinceEpoch: 100), gauges: Self.gauges)
        let sample = try! #require(samples.recent(seconds: 10).first)
        #expect(sample.requestsByOp == ["hold": 99, "confirm": 1])
        #expect(sample.requests == 100 && sample.errors == 1)
        #expect(sample.journalEntriesCommitted == 7 && sample.connections == 5)
        let p50 = try! #require(sample.durationP50Seconds)
        let p99 = try! #require(sample.durationP99Seconds)
        // A bucket is a quarter of a doubling wide: the bound is at most 25 % above the true value.
        #expect(p50 >= 0.000_1 && p50 <= 0.000_1 * 1.25)
        #expect(p99 >= 0.001 && p99 <= 0.001 * 1.25)
    }

    @Test func aQuietSecondHasNoPercentiles() {
        let samples = LiveSamples()
        samples.close(at: Instant(secondsSinceEpoch: 100), gauges: Self.gauges)
        let sample = samples.recent(seconds: 1)
        #expect(sample.count == 1 && sample[0].requests == 0 && sample[0].durationP99Seconds == nil)
    }

    @Test func theRingKeepsTheLastSecondsOldestFirst() {
        let samples = LiveSamples()
        let total = LiveSamples.secondsKept + 25
        for second in 0..<total {
            samples.close(at: Instant(secondsSinceEpoch: Int64(second)), gauges: Self.gauges)
        }
        let all = samples.recent(seconds: 10_000)
        #expect(all.count == LiveSamples.secondsKept)
        #expect(all.first?.at == Instant(secondsSinceEpoch: 25))
        #expect(all.last?.at == Instant(secondsSinceEpoch: Int64(total - 1)))
        #expect(
            samples.recent(seconds: 3).map(\.at.secondsSinceEpoch) == [
                Int64(total - 3), Int64(total - 2), Int64(total - 1),
            ])
    }
}
