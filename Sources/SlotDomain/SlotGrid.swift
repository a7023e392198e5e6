import Foundation

/// Where a resource's slot boundaries fall. Boundaries are counted in the resource's local time (09:00, 09:15, …
/// on the wall clock), so the UTC grid moves when the zone's offset changes by something other than a whole
/// number of slots (a 30-minute DST shift with 60-minute slots, say).
///
/// Occupancy is counted in *granules* of `gcd(slot_minutes, 15)` minutes on the UTC grid. Every IANA zone in use
/// today has an offset that is a multiple of 15 minutes, so every local slot boundary is a granule boundary; an
/// instant that is not is refused as misaligned rather than rounded.
public struct SlotGrid: Sendable {
    public let timeZone: TimeZone
    public let slotSeconds: Int64
    public let granuleSeconds: Int64

    public init(timeZoneIdentifier: String, slotMinutes: Int) {
        self.timeZone = TimeZones.zone(timeZoneIdentifier)
        self.slotSeconds = Int64(slotMinutes) * 60
        self.granuleSeconds = Int64(SlotGrid.greatestCommonDivisor(slotMinutes, 15)) * 60
    }

    /// The zone's offset from UTC at `instant`, in seconds (DST included).
    public func offsetSeconds(at instant: Instant) -> Int64 {
        timeZone.offsetSeconds(at: instant)
    }

    /// True when `instant` is a slot boundary in local time.
    public func isBoundary(_ instant: Instant) -> Bool {
        let seconds = instant.secondsSinceEpoch
        guard SlotGrid.modulo(seconds, granuleSeconds) == 0 else { return false }
        return SlotGrid.modulo(seconds + offsetSeconds(at: instant), slotSeconds) == 0
    }

    /// The granule index that starts at `instant` (which must lie on the granule grid).
    public func granule(_ instant: Instant) -> Int {
        Int(SlotGrid.floorDivide(instant.secondsSinceEpoch, granuleSeconds))
    }

    /// The first granule boundary at or after `instant`.
    public func granuleCeiling(_ instant: Instant) -> Instant {
        let remainder = SlotGrid.modulo(instant.secondsSinceEpoch, granuleSeconds)
        return remainder == 0 ? instant : instant.adding(seconds: granuleSeconds - remainder)
    }

    static func modulo(_ value: Int64, _ divisor: Int64) -> Int64 {
        let remainder = value % divisor
        return remainder < 0 ? remainder + divisor : remainder
    }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        (value - modulo(value, divisor)) / divisor
    }

    static func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int {
        b == 0 ? a : greatestCommonDivisor(b, a % b)
    }
}
