import SlotAuth
import SlotDomain
import Testing

@Suite struct TokenBucketTests {
    static let second: UInt64 = 1_000_000_000
    static let start: UInt64 = 5 * second

    @Test func aFullBucketAdmitsItsBurstAtOnceThenRefuses() {
        var bucket = TokenBucket(rate: BucketRate(burst: 3, permits: 1), nowNanoseconds: Self.start)
        for _ in 0..<3 { #expect(bucket.take(nowNanoseconds: Self.start) == nil) }
        #expect(bucket.take(nowNanoseconds: Self.start) == RetryAfter(milliseconds: 1_000))
        #expect(bucket.available(nowNanoseconds: Self.start) == 0)
    }

    @Test func refillsAtItsRateAndNeverAboveTheBurst() {
        var bucket = TokenBucket(rate: BucketRate(burst: 4, permits: 2), nowNanoseconds: Self.start)
        #expect(bucket.take(4, nowNanoseconds: Self.start) == nil)
        #expect(bucket.available(nowNanoseconds: Self.start + Self.second / 2) == 1)
        #expect(bucket.available(nowNanoseconds: Self.start + Self.second) == 2)
        #expect(bucket.available(nowNanoseconds: Self.start + 100 * Self.second) == 4)
        #expect(bucket.isFull(nowNanoseconds: Self.start + 2 * Self.second))
        #expect(!bucket.isFull(nowNanoseconds: Self.start + 2 * Self.second - 1))
    }

    @Test func retryAfterIsExactToTheNanosecondAndRoundedUpToMilliseconds() {
        // One permit every 10 s, plus a rate that does not divide a second: 3 a second.
        var slow = TokenBucket(rate: BucketRate(burst: 2, permits: 1, seconds: 10), nowNanoseconds: Self.start)
        #expect(slow.take(2, nowNanoseconds: Self.start) == nil)
        #expect(slow.take(nowNanoseconds: Self.start + 4 * Self.second) == RetryAfter(milliseconds: 6_000))
        #expect(slow.take(nowNanoseconds: Self.start + 10 * Self.second - 1) == RetryAfter(milliseconds: 1))
        #expect(slow.take(nowNanoseconds: Self.start + 10 * Self.second) == nil)

        var thirds = TokenBucket(rate: BucketRate(burst: 1, permits: 3), nowNanoseconds: Self.start)
        #expect(thirds.take(nowNanoseconds: Self.start) == nil)
        // A third of a second is 333,333,333.3 ns: the wait rounds up to 333,333,334 ns, 334 ms.
        #expect(thirds.take(nowNanoseconds: Self.start) == RetryAfter(milliseconds: 334))
        #expect(thirds.take(nowNanoseconds: Self.start + 333_333_333) != nil)
        #expect(thirds.take(nowNanoseconds: Self.start + 333_333_334) == nil)
    }

    @Test func waitingTheRetryAfterIsAlwaysEnough() {
        var generator = SplitMix64(seed: 17)
        for _ in 0..<200 {
            let rate = BucketRate(
                burst: generator.next() % 5 + 1, permits: generator.next() % 1_000 + 1,
                seconds: generator.next() % 3 + 1)
            var bucket = TokenBucket(rate: rate, nowNanoseconds: 0)
            var now: UInt64 = 0
            while bucket.take(nowNanoseconds: now) == nil {}
            let count = generator.next() % rate.burst + 1
            guard let wait = bucket.take(count, nowNanoseconds: now) else {
                Issue.record("an empty bucket admitted \(count)")
                return
            }
            now += wait.milliseconds * 1_000_000
            #expect(bucket.take(count, nowNanoseconds: now) == nil, "\(rate) after \(wait)")
        }
    }

    @Test func aClockGoingBackCountsAsNoTimePassing() {
        var bucket = TokenBucket(rate: BucketRate(burst: 1, permits: 1), nowNanoseconds: Self.start)
        #expect(bucket.take(nowNanoseconds: Self.start + Self.second) == nil)
        #expect(bucket.take(nowNanoseconds: Self.start) != nil)
        #expect(bucket.take(nowNanoseconds: Self.start + Self.second) != nil)
        #expect(bucket.take(nowNanoseconds: Self.start + 2 * Self.second) == nil)
    }

    @Test func givingBackStopsAtTheBurst() {
        var bucket = TokenBucket(rate: BucketRate(burst: 10, permits: 1), nowNanoseconds: Self.start)
        #expect(bucket.take(10, nowNanoseconds: Self.start) == nil)
        #expect(bucket.take(nowNanoseconds: Self.start) == RetryAfter(milliseconds: 1_000))
        bucket.giveBack(4, nowNanoseconds: Self.start)
        #expect(bucket.available(nowNanoseconds: Self.start) == 4)
        bucket.giveBack(100, nowNanoseconds: Self.start)
        #expect(bucket.isFull(nowNanoseconds: Self.start))
    }

    /// Seeded random traffic: at every moment, what was admitted since the start is at most the burst plus what
    /// the rate refilled in the elapsed time, and a refusal only comes when the bucket could not pay.
    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func neverAdmitsMoreThanBurstPlusRateTimesElapsed(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        let rate = BucketRate(
            burst: generator.next() % 50 + 1, permits: generator.next() % 20_000 + 1, seconds: generator.next() % 4 + 1)
        var bucket = TokenBucket(rate: rate, nowNanoseconds: Self.start)
        var now = Self.start
        var admitted: UInt64 = 0
        for _ in 0..<20_000 {
            now += generator.next() % (rate.seconds * Self.second / rate.permits * 3 + 1)
            let count = generator.next() % rate.burst + 1
            let before = bucket.available(nowNanoseconds: now)
            if bucket.take(count, nowNanoseconds: now) == nil {
                admitted += count
            } else {
                #expect(before < count)
            }
            let elapsed = now - Self.start
            // admitted ≤ burst + permits × elapsed / (seconds × 10⁹), multiplied out to stay in integers (the
            // bounds above keep every product below 2⁶³).
            let period = rate.seconds * Self.second
            #expect(admitted * period <= rate.burst * period + rate.permits * (now - Self.start))
        }
        #expect(admitted > 0)
    }
}
