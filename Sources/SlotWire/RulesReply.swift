import Foundation
import SlotDomain

/// The reply to a rule change or `get_rules`: every layer, the active bookings the rules no longer accept (they
/// stay valid), and the block just added.
public struct RulesReply: Sendable {
    public var rules: AvailabilityRules
    public var zone: TimeZone
    public var affected: [BookingID]
    public var addedBlock: Block?

    public init(rules: AvailabilityRules, zone: TimeZone, affected: [BookingID], addedBlock: Block?) {
        self.rules = rules
        self.zone = zone
        self.affected = affected
        self.addedBlock = addedBlock
    }

    static let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    static func clock(_ minute: Int) -> String {
        let hours = minute / 60
        let minutes = minute % 60
        return (hours < 10 ? "0\(hours)" : "\(hours)") + ":" + (minutes < 10 ? "0\(minutes)" : "\(minutes)")
    }

    static func write(_ intervals: [LocalInterval], to writer: inout JSONWriter) {
        writer.beginArray()
        for interval in intervals {
            writer.beginArray()
            writer.string(clock(interval.startMinute))
            writer.string(clock(interval.endMinute))
            writer.endArray()
        }
        writer.endArray()
    }

    static func write(_ block: Block, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id")
        writer.integer(block.id)
        writer.key("start")
        writer.instant(block.range.start)
        writer.key("end")
        writer.instant(block.range.end)
        writer.key("label")
        writer.string(block.label)
        writer.endObject()
    }

    func write(to writer: inout JSONWriter) {
        writer.key("rules")
        writer.beginObject()
        writer.key("weekly_hours")
        if let weekly = rules.weeklyHours {
            writer.beginObject()
            for (index, day) in weekly.days.enumerated() where !day.isEmpty {
                writer.key(Self.dayNames[index])
                Self.write(day, to: &writer)
            }
            writer.endObject()
        } else {
            writer.null()
        }
        writer.key("overrides")
        writer.beginArray()
        for (date, override) in rules.overrides.sorted(by: { $0.key < $1.key }) where !writer.isOverLimit {
            writer.beginObject()
            writer.key("date")
            writer.string(date.description)
            Self.write(override, to: &writer)
            writer.endObject()
        }
        writer.endArray()
        writer.key("blocks")
        writer.beginArray()
        for block in rules.blocks.values.sorted(by: { $0.id < $1.id }) where !writer.isOverLimit {
            Self.write(block, to: &writer)
        }
        writer.endArray()
        writer.key("min_notice_minutes")
        writer.integer(rules.minNoticeMinutes)
        writer.key("max_bookings_per_day")
        if let max = rules.maxBookingsPerDay { writer.integer(max) } else { writer.null() }
        writer.endObject()
        writer.key("affected_bookings")
        writer.beginArray()
        for booking in affected where !writer.isOverLimit { writer.string(booking.description) }
        writer.endArray()
        if let addedBlock {
            writer.key("block")
            Self.write(addedBlock, to: &writer)
        }
    }

    /// A date override's own fields: `"closed": true`, or its `hours`.
    static func write(_ override: DayOverride, to writer: inout JSONWriter) {
        switch override {
        case .closed:
            writer.key("closed")
            writer.bool(true)
        case .hours(let intervals):
            writer.key("hours")
            write(intervals, to: &writer)
        }
    }
}
