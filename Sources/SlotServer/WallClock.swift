import Foundation
import SlotDomain
import Synchronization

/// Where `now` comes from. The domain never reads a clock; the actors ask this and pass the answer in.
public protocol WallClock: Sendable {
    func now() -> Instant
}

public struct SystemClock: WallClock {
    public init() {}

    public func now() -> Instant {
        Instant(secondsSinceEpoch: Int64(Date().timeIntervalSince1970.rounded(.down)))
    }
}

/// A clock that moves only when told to: tests drive hold expiry without sleeping.
public final class ManualClock: WallClock {
    private let current: Mutex<Instant>

    public init(_ start: Instant) {
        current = Mutex(start)
    }

    public func now() -> Instant { current.withLock { $0 } }

    public func advance(seconds: Int64) {
        current.withLock { $0 = $0.adding(seconds: seconds) }
    }

    public func set(_ instant: Instant) {
        current.withLock { $0 = instant }
    }
}
