import SlotDomain

/// One webhook endpoint's circuit breaker: after `failureThreshold` consecutive failed attempts it opens and no
/// delivery to that endpoint is attempted; after `coolDownSeconds` one probe goes through (half-open); the probe's
/// success closes it, its failure opens it again for another cool-down. So a receiver that is down is asked once
/// a cool-down, not once per pending delivery.
///
/// A plain value with no clock and no I/O: the dispatcher keeps one per endpoint, asks `mayAttempt(now:)` before
/// each attempt, reports each outcome to `record(_:now:)`, and logs the transitions both return.
public struct CircuitBreaker: Hashable, Sendable {
    public enum State: Hashable, Sendable {
        case closed
        /// No attempts since `since`, until `since + coolDownSeconds`.
        case open(since: Instant)
        /// One probe is in flight; nothing else goes until its outcome is recorded.
        case halfOpen

        /// As `get_webhook` and the log write it.
        public var name: String {
            switch self {
            case .closed: "closed"
            case .open: "open"
            case .halfOpen: "half_open"
            }
        }
    }

    public enum Permission: Hashable, Sendable {
        /// Closed: send.
        case attempt
        /// The cool-down is over and this attempt is the one probe: send it, and record its outcome.
        case probe
        /// Open: nothing goes before `until`.
        case wait(until: Instant)
        /// Half-open with the probe still in flight: nothing goes until its outcome is recorded.
        case awaitProbe
    }

    /// A change of state, for the caller to log (and count in `slotd_webhook_breaker_open`).
    public struct Transition: Hashable, Sendable {
        public var from: State
        public var to: State

        public init(from: State, to: State) {
            self.from = from
            self.to = to
        }
    }

    /// Consecutive failed attempts that open a closed breaker.
    public let failureThreshold: Int
    /// How long an open breaker refuses attempts before it lets one probe through.
    public let coolDownSeconds: Int64
    public private(set) var state: State = .closed
    /// Failed attempts since the last success (or since the breaker closed).
    public private(set) var consecutiveFailures = 0

    public init(failureThreshold: Int = 5, coolDownSeconds: Int64 = 60) {
        precondition(failureThreshold >= 1 && coolDownSeconds >= 0, "a breaker needs a threshold and a cool-down")
        self.failureThreshold = failureThreshold
        self.coolDownSeconds = coolDownSeconds
    }

    /// Whether an attempt may be made at `now`. An open breaker whose cool-down is over turns half-open here and
    /// answers `.probe` (that transition is `from: .open, to: .halfOpen`); the caller must then send exactly that
    /// one attempt and record its outcome, so it should ask only when it has a delivery to send.
    public mutating func mayAttempt(now: Instant) -> Permission {
        switch state {
        case .closed:
            return .attempt
        case .open(let since):
            let reopensAt = since.adding(seconds: coolDownSeconds)
            guard now >= reopensAt else { return .wait(until: reopensAt) }
            state = .halfOpen
            return .probe
        case .halfOpen:
            return .awaitProbe
        }
    }

    /// Counts one attempt's outcome; returns the transition it caused, if any. A success closes the breaker from
    /// any state (a late answer from an attempt started before it opened also proves the receiver is back); a
    /// failure opens a closed breaker at the threshold and a half-open one at once, with a new cool-down from `now`.
    public mutating func record(_ outcome: AttemptOutcome, now: Instant) -> Transition? {
        let before = state
        if outcome.isDelivered {
            consecutiveFailures = 0
            state = .closed
        } else {
            consecutiveFailures += 1
            switch state {
            case .closed where consecutiveFailures >= failureThreshold, .halfOpen:
                state = .open(since: now)
            case .closed, .open:
                break
            }
        }
        return state == before ? nil : Transition(from: before, to: state)
    }
}
