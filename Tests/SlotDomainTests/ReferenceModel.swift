@testable import SlotDomain

/// A deliberately naive model of one resource: a list of bookings, checked by brute force at every
/// `probeSeconds` (15 minutes: every boundary in the tested shapes lies on that UTC grid, Kathmandu's +05:45
/// included). The real schedule must agree with it on every decision.
struct ReferenceModel {
    struct Entry {
        var start: Int64
        var end: Int64
        var state: BookingState
        var expiresAt: Int64?
    }

    let capacity: Int
    let slotSeconds: Int64
    let offsetSeconds: Int64  // fixed-offset zone: local = utc + offset
    let bufferBeforeSeconds: Int64
    let bufferAfterSeconds: Int64
    let horizonSeconds: Int64
    var entries: [UInt64: Entry] = [:]
    var now: Int64
    let probeSeconds = 900

    mutating func advance(to time: Int64) {
        now = max(now, time)
        for (id, entry) in entries where entry.state == .pendingConfirmation && entry.expiresAt! <= now {
            entries[id]!.state = .expired
        }
    }

    func covers(_ entry: Entry, minute: Int64, padded: Bool) -> Bool {
        let start = padded ? entry.start - bufferBeforeSeconds : entry.start
        let end = padded ? entry.end + bufferAfterSeconds : entry.end
        return minute >= start && minute < end
    }

    func count(at minute: Int64, padded: Bool, excluding: UInt64?) -> Int {
        entries.filter {
            $0.key != excluding && $0.value.state.isActive && covers($0.value, minute: minute, padded: padded)
        }
        .count
    }

    /// Would `[start, end)` be accepted now? Mirrors the documented rules, not the implementation.
    func accepts(start: Int64, end: Int64, excluding: UInt64? = nil) -> Bool {
        guard end > start, (start + offsetSeconds) % slotSeconds == 0, (end + offsetSeconds) % slotSeconds == 0,
            start >= now, end <= now + horizonSeconds
        else { return false }
        for minute in stride(from: start, to: end, by: probeSeconds)
        where count(at: minute, padded: true, excluding: excluding) >= capacity {
            return false
        }
        for minute in stride(from: start - bufferBeforeSeconds, to: end + bufferAfterSeconds, by: probeSeconds)
        where count(at: minute, padded: false, excluding: excluding) >= capacity {
            return false
        }
        return true
    }

    /// The invariant itself, independent of how acceptance is computed: no minute carries more than `capacity`
    /// cores, and (capacity 1) no core touches another booking's buffer.
    func invariantHolds(from: Int64, to: Int64) -> Bool {
        for minute in stride(from: from, to: to, by: probeSeconds) {
            if count(at: minute, padded: false, excluding: nil) > capacity { return false }
        }
        guard capacity == 1 else { return true }
        let active = entries.filter { $0.value.state.isActive }
        for (aID, a) in active {
            for (bID, b) in active where aID != bID {
                let aPadded = (a.start - bufferBeforeSeconds, a.end + bufferAfterSeconds)
                if a.start < b.end && b.start < a.end { return false }
                if b.start < aPadded.1 && aPadded.0 < b.end { return false }
            }
        }
        return true
    }
}
