import SlotDomain

/// When a failed delivery is tried again: exponential backoff with full jitter, up to a maximum age.
///
/// After the `n`th failed attempt the next one waits a delay drawn uniformly from `0...ceiling`, where the
/// ceiling is `firstDelaySeconds · 2^(n-1)`, capped at `capSeconds`. Full jitter rather than a fixed doubling
/// spreads the retries of the many deliveries that failed together when a receiver went down, so they do not all
/// arrive again in the same second when it comes back. A delivery whose next attempt would fall after
/// `createdAt + maxAgeSeconds` is dead instead: it stays listable and can be redelivered by hand.
public struct RetrySchedule: Hashable, Sendable {
    /// The ceiling of the first retry's delay: the first retry comes within seconds.
    public let firstDelaySeconds: Int64
    /// No delay is longer than this, however many attempts failed.
    public let capSeconds: Int64
    /// A delivery is retried for this long after it was created (or redelivered), then it is dead.
    public let maxAgeSeconds: Int64

    /// The production schedule: first retry within 5 s, delays growing to an hour, dead after three days.
    public init() {
        firstDelaySeconds = 5
        capSeconds = 3_600
        maxAgeSeconds = 3 * 86_400
    }

    /// A schedule set by flags (tests run the whole cycle in seconds with small values). Nil unless
    /// `1 ≤ firstDelaySeconds ≤ capSeconds` and `maxAgeSeconds ≥ 0`.
    public init?(firstDelaySeconds: Int64, capSeconds: Int64, maxAgeSeconds: Int64) {
        guard firstDelaySeconds >= 1, capSeconds >= firstDelaySeconds, maxAgeSeconds >= 0 else { return nil }
        self.firstDelaySeconds = firstDelaySeconds
        self.capSeconds = capSeconds
        self.maxAgeSeconds = maxAgeSeconds
    }

    /// The longest delay after the `attempt`th failed attempt (1-based): `min(cap, first · 2^(attempt-1))`.
    public func delayCeilingSeconds(afterAttempt attempt: Int) -> Int64 {
        precondition(attempt >= 1, "attempts are counted from 1")
        var ceiling = firstDelaySeconds
        for _ in 1..<min(attempt, 64) {
            guard ceiling < capSeconds else { break }
            ceiling *= 2
        }
        return min(ceiling, capSeconds)
    }

    /// The instant of the attempt after the `attempt`th failed one, made at `now`; nil when it would fall after
    /// the delivery's maximum age, counted from `createdAt`: the delivery is then dead.
    public func nextAttempt(
        afterAttempt attempt: Int, createdAt: Instant, now: Instant, random: inout some RandomNumberGenerator
    ) -> Instant? {
        let delaySeconds = Int64.random(in: 0...delayCeilingSeconds(afterAttempt: attempt), using: &random)
        let next = now.adding(seconds: delaySeconds)
        return next > createdAt.adding(seconds: maxAgeSeconds) ? nil : next
    }
}
