import Foundation
import SlotClient
import SlotDomain

/// A resource of the simulation, with the settings it is created with: mixed slot lengths, capacities, buffers,
/// hold lifetimes and zones, three of them with daylight saving time (Lord Howe shifts by half an hour) and one
/// with a half-hour offset, so that slot boundaries in local time fall on every quarter hour of UTC.
struct SimulatedResource {
    var id: String
    var zone: String
    var slotMinutes: Int
    var capacity: Int
    var bufferBeforeMinutes: Int
    var bufferAfterMinutes: Int
    var holdTTLSeconds: Int
    /// Weekly hours and limits given at creation, if any.
    var initialRules: [String: JSONValue]

    static let zones = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]

    static func random(index: Int, using random: inout SplitMix64) -> SimulatedResource {
        let slotMinutes = [15, 15, 30, 60].randomElement(using: &random) ?? 15
        var rules: [String: JSONValue] = [:]
        if Int.random(in: 0..<4, using: &random) == 0 {
            rules["weekly_hours"] = weeklyHours(Bool.random(using: &random) ? .allDays : .weekdays, "07:00", "22:00")
        }
        if Int.random(in: 0..<5, using: &random) == 0 {
            rules["min_notice_minutes"] = .number(Double(Int.random(in: 0...4, using: &random) * 30))
        }
        if Int.random(in: 0..<6, using: &random) == 0 {
            rules["max_bookings_per_day"] = .number(Double(Int.random(in: 2...6, using: &random)))
        }
        return SimulatedResource(
            id: "r\(index)", zone: zones.randomElement(using: &random) ?? "UTC", slotMinutes: slotMinutes,
            capacity: [1, 1, 1, 2, 3, 5].randomElement(using: &random) ?? 1,
            bufferBeforeMinutes: slotMinutes * (Int.random(in: 0..<3, using: &random) == 0 ? 1 : 0),
            bufferAfterMinutes: slotMinutes * [0, 0, 1, 2].randomElement(using: &random)!,
            holdTTLSeconds: [60, 300, 600, 3_600].randomElement(using: &random) ?? 300, initialRules: rules)
    }

    var createRequest: JSONValue {
        var fields: [String: JSONValue] = [
            "op": "create_resource", "resource": .string(id), "tz": .string(zone),
            "slot_minutes": .number(Double(slotMinutes)), "capacity": .number(Double(capacity)),
            "buffer_before_minutes": .number(Double(bufferBeforeMinutes)),
            "buffer_after_minutes": .number(Double(bufferAfterMinutes)),
            "hold_ttl_seconds": .number(Double(holdTTLSeconds)), "horizon_days": 60,
        ]
        fields.merge(initialRules) { _, new in new }
        return .object(fields)
    }

    enum Days { case allDays, weekdays }

    static func weeklyHours(_ days: Days, _ opens: String, _ closes: String) -> JSONValue {
        let names = ["mon", "tue", "wed", "thu", "fri"] + (days == .allDays ? ["sat", "sun"] : [])
        return .object(Dictionary(uniqueKeysWithValues: names.map { ($0, [[.string(opens), .string(closes)]]) }))
    }

    /// A time to book after `now`: most on a slot boundary of this resource's local time (so that most requests
    /// reach the capacity check), some on any quarter hour (refused as misaligned, unless they happen to fit).
    func range(after now: Instant, using random: inout SplitMix64) -> TimeRange {
        let quarter: Int64 = 900
        var start =
            now.secondsSinceEpoch / quarter * quarter + Int64.random(in: 1...(4 * 24 * 5), using: &random) * quarter
        if Bool.random(using: &random) {
            start = hotStart(after: now, using: &random)
        } else if Int.random(in: 0..<5, using: &random) > 0 {
            let slot = Int64(slotMinutes * 60)
            let offset = TimeZones.zone(zone).offsetSeconds(at: Instant(secondsSinceEpoch: start))
            start = ((start + offset + slot - 1) / slot) * slot - offset
        }
        let slots = Int64([1, 1, 2, 3, 4].randomElement(using: &random) ?? 1)
        return TimeRange(
            start: Instant(secondsSinceEpoch: start),
            end: Instant(secondsSinceEpoch: start + slots * Int64(slotMinutes) * 60))
    }

    /// A slot or two at one of the starts everybody wants: what a waiting customer waits for.
    func hotRange(after now: Instant, using random: inout SplitMix64) -> TimeRange {
        let start = hotStart(after: now, using: &random)
        let slots = Int64.random(in: 1...2, using: &random)
        return TimeRange(
            start: Instant(secondsSinceEpoch: start),
            end: Instant(secondsSinceEpoch: start + slots * Int64(slotMinutes) * 60))
    }

    /// One of a few starts everybody wants (the first slots from 09:00 local time, tomorrow or the day after):
    /// they fill up, so that capacity, buffers, waiting customers and their promotions are exercised.
    private func hotStart(after now: Instant, using random: inout SplitMix64) -> Int64 {
        let offset = TimeZones.zone(zone).offsetSeconds(at: now)
        let day: Int64 = 86_400
        let today = (now.secondsSinceEpoch + offset) / day * day - offset
        return today + Int64.random(in: 1...2, using: &random) * day + 9 * 3_600
            + Int64.random(in: 0..<6, using: &random) * Int64(slotMinutes) * 60
    }

    /// The range as request fields: UTC instants, or now and then the resource's wall time with `tz`.
    func rangeFields(_ range: TimeRange, using random: inout SplitMix64) -> [String: JSONValue] {
        if Int.random(in: 0..<6, using: &random) == 0 {
            let zone = TimeZones.zone(zone)
            return [
                "start_local": .string(String(LocalTimeText.format(range.start, in: zone).prefix(16))),
                "end_local": .string(String(LocalTimeText.format(range.end, in: zone).prefix(16))),
                "tz": .string(self.zone),
            ]
        }
        return ["start": .string(RFC3339.format(range.start)), "end": .string(RFC3339.format(range.end))]
    }
}
