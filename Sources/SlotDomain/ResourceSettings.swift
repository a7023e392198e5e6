import Foundation

/// A bookable resource's settings, fixed at creation. Durations carry their unit in the name.
public struct ResourceSettings: Hashable, Sendable {
    public var id: ResourceID
    /// IANA zone name; slot boundaries are counted in this zone's local time.
    public var timeZoneIdentifier: String
    public var slotMinutes: Int
    public var capacity: Int
    public var bufferBeforeMinutes: Int
    public var bufferAfterMinutes: Int
    public var holdTTLSeconds: Int
    public var horizonDays: Int
    /// How long before each confirmed booking's start a `booking.reminder` goes out, in minutes, as given (empty:
    /// none). Resources created before reminders existed have none.
    public var remindersMinutesBefore: [Int]

    public init(
        id: ResourceID, timeZoneIdentifier: String, slotMinutes: Int = 15, capacity: Int = 1,
        bufferBeforeMinutes: Int = 0, bufferAfterMinutes: Int = 0, holdTTLSeconds: Int = 300, horizonDays: Int = 365,
        remindersMinutesBefore: [Int] = []
    ) {
        self.remindersMinutesBefore = remindersMinutesBefore
        self.id = id
        self.timeZoneIdentifier = timeZoneIdentifier
        self.slotMinutes = slotMinutes
        self.capacity = capacity
        self.bufferBeforeMinutes = bufferBeforeMinutes
        self.bufferAfterMinutes = bufferAfterMinutes
        self.holdTTLSeconds = holdTTLSeconds
        self.horizonDays = horizonDays
    }

    /// Checks every field; the first problem found is returned as a rejection naming the field.
    public func validate(limits: DomainLimits = .standard) -> Rejection? {
        guard TimeZones.isKnown(timeZoneIdentifier) else {
            return Rejection(.unknownTimeZone, "'\(timeZoneIdentifier)' is not an IANA time zone name", field: "tz")
        }
        guard (1...1_440).contains(slotMinutes), 1_440 % slotMinutes == 0 else {
            return .invalid("slot_minutes", "must divide 1440 (the minutes in a day), e.g. 5, 10, 15, 30 or 60")
        }
        guard (1...limits.capacityMax).contains(capacity) else {
            return .invalid("capacity", "must be between 1 and \(limits.capacityMax)")
        }
        for (name, minutes) in [
            ("buffer_before_minutes", bufferBeforeMinutes), ("buffer_after_minutes", bufferAfterMinutes),
        ] {
            guard (0...limits.bufferMinutesMax).contains(minutes), minutes % slotMinutes == 0 else {
                return .invalid(name, "must be a multiple of slot_minutes between 0 and \(limits.bufferMinutesMax)")
            }
        }
        guard (1...limits.holdTTLSecondsMax).contains(holdTTLSeconds) else {
            return .invalid("hold_ttl_seconds", "must be between 1 and \(limits.holdTTLSecondsMax)")
        }
        guard (1...limits.horizonDaysMax).contains(horizonDays) else {
            return .invalid("horizon_days", "must be between 1 and \(limits.horizonDaysMax)")
        }
        guard remindersMinutesBefore.count <= limits.remindersPerResourceMax,
            remindersMinutesBefore.allSatisfy({ (1...limits.reminderMinutesBeforeMax).contains($0) }),
            Set(remindersMinutesBefore).count == remindersMinutesBefore.count
        else {
            return .invalid(
                "reminders_minutes_before",
                "must list at most \(limits.remindersPerResourceMax) distinct values, each between 1 and "
                    + "\(limits.reminderMinutesBeforeMax)")
        }
        return nil
    }
}

/// IANA zone lookup. A name is accepted when Foundation resolves it to a zone of exactly that name and it has
/// the IANA `Area/Location` shape (`Europe/Berlin`, `Asia/Kolkata`, `America/Argentina/Buenos_Aires`), or is
/// `UTC` or `GMT`. Abbreviations such as `EST` and ad-hoc offsets such as `GMT+5` are refused: they are not
/// IANA names and usually a mistake. (IANA's own fixed-offset zones, `Etc/GMT+5`, are names and accepted.) (`TimeZone.knownTimeZoneIdentifiers` is not used: on Linux
/// it is ICU's older list, which lacks current names such as `Asia/Kolkata`.)
public enum TimeZones {
    public static func isKnown(_ identifier: String) -> Bool {
        if identifier == "UTC" || identifier == "GMT" { return true }
        guard identifier.contains("/"), identifier.utf8.count <= 64 else { return false }
        return TimeZone(identifier: identifier)?.identifier == identifier
    }

    /// The zone for an identifier that `isKnown` accepted.
    public static func zone(_ identifier: String) -> TimeZone {
        guard let zone = TimeZone(identifier: identifier == "UTC" ? "GMT" : identifier) else {
            preconditionFailure("time zone \(identifier) vanished after validation")
        }
        return zone
    }
}
