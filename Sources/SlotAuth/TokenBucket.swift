/// How fast a bucket refills and how much it holds: `permits` every `seconds`, at most `burst` saved up. Any
/// rational rate is exact (`permits: 1, seconds: 10` is one every ten seconds).
public struct BucketRate: Hashable, Sendable {
    /// Most permits a bucket holds; a full bucket admits this many at once.
    public let burst: UInt64
    /// Permits added every `seconds`.
    public let permits: UInt64
    public let seconds: UInt64

    /// The most `burst × seconds`, and `permits`, may be: a bucket counts a permit as `seconds × 10⁹` units, and
    /// its content, `burst` permits, must fit in 63 bits with room for a permit's worth more. A burst of a million
    /// permits at one an hour fits.
    public static let magnitudeMax: UInt64 = 4_000_000_000

    public init(burst: UInt64, permits: UInt64, seconds: UInt64 = 1) {
        precondition(burst >= 1 && permits >= 1 && seconds >= 1, "a rate needs a burst, permits and a period")
        precondition(permits <= Self.magnitudeMax && seconds <= Self.magnitudeMax, "rate out of range")
        precondition(burst <= Self.magnitudeMax / seconds, "burst × seconds out of range")
        self.burst = burst
        self.permits = permits
        self.seconds = seconds
    }

    /// `permits` a second, with a burst of twice that: a client may catch up after a pause of a second.
    public static func perSecond(_ permits: UInt64) -> BucketRate {
        BucketRate(burst: 2 * permits, permits: permits)
    }

    /// Units of one permit: the nanoseconds of `seconds`. Refill adds `permits` units per nanosecond, so
    /// `permits` permits fill in `seconds` exactly.
    var unitsPerPermit: UInt64 { seconds * 1_000_000_000 }
    var capacityUnits: UInt64 { burst * unitsPerPermit }
}

/// How long until a refused request would be admitted, rounded up to whole milliseconds (a client that waits this
/// long is never refused for the same reason again, provided nobody else took the permits meanwhile).
public struct RetryAfter: Hashable, Sendable, Comparable {
    public let milliseconds: UInt64

    public init(milliseconds: UInt64) {
        self.milliseconds = milliseconds
    }

    init(nanoseconds: UInt64) {
        milliseconds = nanoseconds / 1_000_000 + (nanoseconds % 1_000_000 == 0 ? 0 : 1)
    }

    public static func < (lhs: RetryAfter, rhs: RetryAfter) -> Bool { lhs.milliseconds < rhs.milliseconds }
}

/// A token bucket in integer arithmetic: no rounding, so over any interval of `t` nanoseconds it admits at most
/// `burst + permits × t / (seconds × 10⁹)` permits, exactly. `now` is monotonic nanoseconds supplied by the caller
/// (a wall clock in whole seconds is too coarse at thousands of requests a second, and can step back); a `now`
/// earlier than the last one seen counts as no time passed, so callers that read the clock before taking a lock
/// may arrive slightly out of order. No allocation, no locks: the caller owns the synchronization.
public struct TokenBucket: Sendable {
    public let rate: BucketRate
    /// Content in units of `rate.unitsPerPermit` per permit.
    private var units: UInt64
    private var updatedAtNanoseconds: UInt64

    /// A full bucket.
    public init(rate: BucketRate, nowNanoseconds: UInt64) {
        self.rate = rate
        units = rate.capacityUnits
        updatedAtNanoseconds = nowNanoseconds
    }

    /// Takes `count` permits if the bucket holds them; otherwise takes none and says how long until it will.
    /// A `count` above `burst` can never be admitted, so it is a caller's error.
    public mutating func take(_ count: UInt64 = 1, nowNanoseconds: UInt64) -> RetryAfter? {
        precondition(count >= 1 && count <= rate.burst, "a take must be between 1 and the burst")
        refill(nowNanoseconds: nowNanoseconds)
        let cost = count * rate.unitsPerPermit
        if units >= cost {
            units -= cost
            return nil
        }
        let missing = cost - units
        // Refill adds `permits` units a nanosecond: round the wait up so it is enough.
        return RetryAfter(nanoseconds: (missing + rate.permits - 1) / rate.permits)
    }

    /// Puts back up to `count` permits taken earlier and not used (never above the burst).
    public mutating func giveBack(_ count: UInt64, nowNanoseconds: UInt64) {
        refill(nowNanoseconds: nowNanoseconds)
        let returned = min(count, rate.burst) * rate.unitsPerPermit
        units = min(rate.capacityUnits, units + returned)
    }

    /// Whole permits held at `nowNanoseconds` (without taking any).
    public func available(nowNanoseconds: UInt64) -> UInt64 {
        var copy = self
        copy.refill(nowNanoseconds: nowNanoseconds)
        return copy.units / rate.unitsPerPermit
    }

    /// Whether the bucket is full at `nowNanoseconds`: it is then the same as a new one, so a table of buckets may
    /// forget it.
    public func isFull(nowNanoseconds: UInt64) -> Bool {
        var copy = self
        copy.refill(nowNanoseconds: nowNanoseconds)
        return copy.units == rate.capacityUnits
    }

    private mutating func refill(nowNanoseconds: UInt64) {
        guard nowNanoseconds > updatedAtNanoseconds else { return }
        let elapsed = nowNanoseconds - updatedAtNanoseconds
        updatedAtNanoseconds = nowNanoseconds
        let room = rate.capacityUnits - units
        // Compared by division so `elapsed × permits` cannot overflow after a long idle time.
        if elapsed >= (room + rate.permits - 1) / rate.permits {
            units = rate.capacityUnits
        } else {
            units += elapsed * rate.permits
        }
    }
}
