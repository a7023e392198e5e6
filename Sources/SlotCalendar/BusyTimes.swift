import Foundation
import SlotDomain

/// A time an external calendar says is taken, from the event `uid`.
public struct BusyInterval: Hashable, Sendable {
    public var start: Instant
    public var end: Instant
    public var uid: String

    public init(start: Instant, end: Instant, uid: String) {
        self.start = start
        self.end = end
        self.uid = uid
    }
}

/// An event that was left out of the busy times, and why.
public struct SkippedEvent: Hashable, Sendable {
    /// Empty when the event has no UID.
    public var uid: String
    public var reason: SkipReason

    public init(uid: String, reason: SkipReason) {
        self.uid = uid
        self.reason = reason
    }
}

/// What reading a calendar found.
public struct BusyReading: Hashable, Sendable {
    /// Sorted by start, then end, then UID.
    public var busy: [BusyInterval]
    /// Events that could not be read exactly (unsupported rule, unknown zone, malformed value, a limit): their time
    /// is not in `busy`, so the caller should make them visible.
    public var skipped: [SkippedEvent]
    /// Events that take no time by their own account: `transparent`, `cancelled`, `own_event` (slotd pushed it),
    /// `no_duration`.
    public var ignored: [SkippedEvent]
}

public enum BusyTimes {
    /// Every busy interval of the VEVENTs in `text` that overlaps `window` (half-open), sorted, recurrences
    /// expanded. Skips TRANSP:TRANSPARENT, STATUS:CANCELLED, and events whose UID `isOwn` says slotd pushed itself.
    /// Floating times and all-day (VALUE=DATE) events are read in `zone` (the resource's IANA zone). `text` may hold
    /// several VCALENDARs one after another (a CalDAV REPORT's objects, concatenated).
    public static func busy(
        in text: String, window: Range<Instant>, zone: TimeZone, isOwn: (String) -> Bool,
        limits: ICalendarLimits = .standard
    ) -> Result<BusyReading, ICalendarError> {
        let roots: [Component]
        switch ContentReader.components(in: text, limits: limits) {
        case .success(let components): roots = components
        case .failure(let error): return .failure(error)
        }
        var order: [String] = []
        var groups: [String: [Result<CalendarEvent, SkipReason>]] = [:]
        var index = 0
        var steps = 0
        for root in roots {
            // A TZID means the VTIMEZONE of its own VCALENDAR.
            var zones = ZoneLookup()
            for definition in root.children where definition.name == "VTIMEZONE" {
                let tzid = definition.first("TZID")?.value ?? ""
                guard zones.defined[tzid] == nil else { continue }
                zones.defined[tzid] = DefinedTimeZone.read(
                    definition, windowEnd: window.upperBound, limits: limits, steps: &steps)
                guard steps <= limits.expansionStepsMax else {
                    return .failure(.expansionTooLarge(limit: limits.expansionStepsMax))
                }
            }
            for component in root.name == "VEVENT" ? [root] : root.children where component.name == "VEVENT" {
                let uid = component.first("UID").map { CalendarValues.unescapedText($0.value) } ?? ""
                // Events without a UID cannot be overridden; each stands alone.
                let key = uid.isEmpty ? "\u{0}\(index)" : uid
                index += 1
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(
                    CalendarEvent.read(component, defaultZone: .system(zone), zones: zones, limits: limits))
            }
        }
        var reading = BusyReading(busy: [], skipped: [], ignored: [])
        for key in order {
            let uid = key.hasPrefix("\u{0}") ? "" : key
            if !uid.isEmpty, isOwn(uid) {
                reading.ignored.append(SkippedEvent(uid: uid, reason: SkipReason("own_event", "slotd wrote it")))
                continue
            }
            switch intervals(of: groups[key] ?? [], window: window, limits: limits, steps: &steps) {
            case .busy(let ranges):
                reading.busy += ranges.map { BusyInterval(start: $0.start, end: $0.end, uid: uid) }
                guard reading.busy.count <= limits.busyIntervalsMax else {
                    return .failure(.tooManyBusyIntervals(limit: limits.busyIntervalsMax))
                }
            case .ignored(let reason): reading.ignored.append(SkippedEvent(uid: uid, reason: reason))
            case .skipped(let reason): reading.skipped.append(SkippedEvent(uid: uid, reason: reason))
            case .budgetExhausted: return .failure(.expansionTooLarge(limit: limits.expansionStepsMax))
            }
        }
        reading.busy.sort { ($0.start, $0.end, $0.uid) < ($1.start, $1.end, $1.uid) }
        return .success(reading)
    }

    private enum GroupOutcome {
        case busy([TimeRange])
        case ignored(SkipReason)
        case skipped(SkipReason)
        case budgetExhausted
    }

    /// One UID's events: the master (no RECURRENCE-ID) expanded, less the instances its overrides replace, plus the
    /// overrides that still take time. Any of them unreadable skips the whole UID: a half-read series would put an
    /// instance at a time it was moved away from.
    private static func intervals(
        of group: [Result<CalendarEvent, SkipReason>], window: Range<Instant>, limits: ICalendarLimits, steps: inout Int
    ) -> GroupOutcome {
        var events: [CalendarEvent] = []
        for result in group {
            switch result {
            case .success(let event): events.append(event)
            case .failure(let reason): return .skipped(reason)
            }
        }
        let masters = events.filter { $0.recurrenceID == nil }
        guard masters.count <= 1 else {
            return .skipped(SkipReason("duplicate_uid", "\(masters.count) events share this UID"))
        }
        let overrides = events.filter { $0.recurrenceID != nil }
        var ranges: [TimeRange] = []
        if let master = masters.first {
            if master.length.days < 0 || master.length.seconds < 0 {
                return .skipped(SkipReason("end_before_start", "the event ends before it starts"))
            }
            if master.isFree, overrides.allSatisfy(\.isFree) {
                return .ignored(SkipReason("transparent_or_cancelled", "TRANSP:TRANSPARENT or STATUS:CANCELLED"))
            }
            if master.length.days == 0, master.length.seconds == 0, overrides.isEmpty {
                return .ignored(SkipReason("no_duration", "the event ends when it starts"))
            }
            if !master.isFree {
                let replaced = Set(overrides.compactMap { $0.recurrenceID?.instant })
                // An instance starting this many days before the window may still reach into it: the event's
                // length, and two days for any zone's offset.
                let lengthDays = Int64(master.length.days) + master.length.seconds / 86_400 + 1
                let keepFromDays = window.lowerBound.secondsSinceEpoch / 86_400 - lengthDays - 2
                switch RecurrenceExpansion.starts(
                    of: master, keepFromDays: keepFromDays, windowEnd: window.upperBound, limits: limits, steps: &steps)
                {
                case .success(let starts):
                    for start in starts where overrides.isEmpty || !replaced.contains(start.instant) {
                        guard let range = master.range(startingAt: start.local, in: start.zone) else { continue }
                        ranges.append(range)
                    }
                case .failure(.skip(let reason)): return .skipped(reason)
                case .failure(.budgetExhausted): return .budgetExhausted
                }
            }
        }
        for override in overrides where !override.isFree {
            if let range = override.range(startingAt: override.start.local, in: override.start.zone) {
                ranges.append(range)
            }
        }
        return .busy(
            ranges.filter {
                $0.end > $0.start && $0.start < window.upperBound && $0.end > window.lowerBound
            })
    }
}
