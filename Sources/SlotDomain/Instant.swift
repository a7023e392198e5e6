/// A point in time: whole seconds since 1970-01-01T00:00:00Z. Always UTC; local wall times are converted at the
/// edge (see `SlotGrid`). Whole seconds are enough because every bookable boundary is a whole minute.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var secondsSinceEpoch: Int64

    public init(secondsSinceEpoch: Int64) {
        self.secondsSinceEpoch = secondsSinceEpoch
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool {
        lhs.secondsSinceEpoch < rhs.secondsSinceEpoch
    }

    public func adding(seconds: Int64) -> Instant {
        Instant(secondsSinceEpoch: secondsSinceEpoch + seconds)
    }

    public func seconds(since other: Instant) -> Int64 {
        secondsSinceEpoch - other.secondsSinceEpoch
    }

    public var description: String { "Instant(\(secondsSinceEpoch))" }

    /// 0001-01-01T00:00:00Z … 9999-12-31T23:59:59Z: the instants slotd accepts and writes (RFC 3339, four-digit
    /// years). Nothing a client could ever book or a snapshot or journal could rightly hold lies outside.
    public static let writable =
        Instant(
            secondsSinceEpoch: -62_135_596_800)...Instant(
            secondsSinceEpoch: 253_402_300_799)
}

/// A half-open range of instants `[start, end)`.
public struct TimeRange: Hashable, Sendable {
    public var start: Instant
    public var end: Instant

    public init(start: Instant, end: Instant) {
        self.start = start
        self.end = end
    }

    public func overlaps(_ other: TimeRange) -> Bool {
        start < other.end && other.start < end
    }

    public var durationSeconds: Int64 { end.seconds(since: start) }
}
