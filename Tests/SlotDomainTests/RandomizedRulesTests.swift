import Foundation
import Testing

@testable import SlotDomain

/// Random rule sets and random bookings, checked against an oracle that knows nothing of the implementation:
/// opening hours are read with Foundation's `Calendar` in the resource's zone, blocks, notice, the daily limit
/// and capacity by brute force. After every step, over a random day, `availability` offers exactly the starts
/// that `hold` accepts, and both agree with the oracle. Reproduce a failure from its seed.
@Suite struct RandomizedRulesTests {
    static let zones = ["Europe/Berlin", "Asia/Kathmandu", "Australia/Lord_Howe", "America/New_York", "UTC"]
    static let origin: Int64 = 1_774_137_600  // 2026-03-22T00:00Z, a week before Europe's change to summer time

    struct Oracle {
        let settings: ResourceSettings
        let calendar: Calendar
        var weekly: [[LocalInterval]]?
        var overrides: [LocalDate: DayOverride] = [:]
        var blocks: [TimeRange] = []
        var minNoticeMinutes = 0
        var maxPerDay: Int?

        func localDate(_ seconds: Int64) -> (LocalDate, Int) {
            let parts = calendar.dateComponents(
                [.year, .month, .day, .hour, .minute], from: Date(timeIntervalSince1970: Double(seconds)))
            return (
                LocalDate(year: parts.year!, month: parts.month!, day: parts.day!)!, parts.hour! * 60 + parts.minute!
            )
        }

        func open(at seconds: Int64) -> Bool {
            let (date, minute) = localDate(seconds)
            let intervals: [LocalInterval]?
            switch overrides[date] {
            case .closed: intervals = []
            case .hours(let list): intervals = list
            case nil: intervals = weekly.map { $0[date.weekday] }
            }
            guard let intervals else { return true }
            return intervals.contains { $0.startMinute <= minute && minute < $0.endMinute }
        }

        /// Would `range` be accepted now, with these bookings? The documented rules, brute force, 15-minute probes.
        func accepts(_ range: TimeRange, now: Instant, bookings: [Booking]) -> Bool {
            let (start, end) = (range.start.secondsSinceEpoch, range.end.secondsSinceEpoch)
            let before = Int64(settings.bufferBeforeMinutes) * 60
            let after = Int64(settings.bufferAfterMinutes) * 60
            guard start >= now.secondsSinceEpoch + Int64(minNoticeMinutes) * 60,
                end <= now.secondsSinceEpoch + Int64(settings.horizonDays) * 86_400
            else { return false }
            guard stride(from: start, to: end, by: 900).allSatisfy(open(at:)) else { return false }
            let padded = TimeRange(start: range.start.adding(seconds: -before), end: range.end.adding(seconds: after))
            guard !blocks.contains(where: { $0.overlaps(padded) }) else { return false }
            let active = bookings.filter(\.state.isActive)
            if let maxPerDay {
                let day = localDate(start).0
                guard active.filter({ localDate($0.range.start.secondsSinceEpoch).0 == day }).count < maxPerDay else {
                    return false
                }
            }
            func count(_ probe: Int64, padded: Bool) -> Int {
                active.filter {
                    let lower = $0.range.start.secondsSinceEpoch - (padded ? before : 0)
                    let upper = $0.range.end.secondsSinceEpoch + (padded ? after : 0)
                    return lower <= probe && probe < upper
                }.count
            }
            for probe in stride(from: start, to: end, by: 900) where count(probe, padded: true) >= settings.capacity {
                return false
            }
            for probe in stride(from: start - before, to: end + after, by: 900)
            where count(probe, padded: false) >= settings.capacity {
                return false
            }
            return true
        }
    }

    static func intervals(_ random: inout SplitMix64) -> [LocalInterval] {
        var cuts = Set<Int>()
        for _ in 0..<(Int.random(in: 0...2, using: &random) * 2) {
            cuts.insert(Int.random(in: 0...48, using: &random) * 30)
        }
        let sorted = cuts.sorted()
        return stride(from: 0, to: sorted.count - 1, by: 2).compactMap {
            LocalInterval(startMinute: sorted[$0], endMinute: sorted[$0 + 1])
        }
    }

    static func randomChange(_ oracle: inout Oracle, schedule: ResourceSchedule, _ random: inout SplitMix64)
        -> RuleChange
    {
        switch Int.random(in: 0..<5, using: &random) {
        case 0:
            let days = (0..<7).map { _ in intervals(&random) }
            oracle.weekly = Bool.random(using: &random) ? days : nil
            return .weeklyHours(oracle.weekly.flatMap(WeeklyHours.init(days:)))
        case 1:
            let date = LocalDate(days: origin / 86_400 + Int64.random(in: 0..<14, using: &random))
            let override: DayOverride? = [.closed, .hours(intervals(&random)), nil].randomElement(using: &random)!
            oracle.overrides[date] = override
            return .override(date, override)
        case 2:
            let start = origin + Int64.random(in: 0..<(14 * 96), using: &random) * 900
            let range = TimeRange(
                start: Instant(secondsSinceEpoch: start),
                end: Instant(secondsSinceEpoch: start + Int64.random(in: 1...12, using: &random) * 900))
            oracle.blocks.append(range)
            return .addBlock(Block(id: schedule.rules.lastBlockID + 1, range: range, label: "busy"))
        default:
            oracle.minNoticeMinutes = [0, 0, 60, 240].randomElement(using: &random)!
            oracle.maxPerDay = [nil, nil, 1, 2, 4].randomElement(using: &random)!
            return .limits(minNoticeMinutes: oracle.minNoticeMinutes, maxBookingsPerDay: oracle.maxPerDay)
        }
    }

    @Test(arguments: 1...12)
    func availabilityHoldAndOracleAgree(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let zoneName = Self.zones.randomElement(using: &random)!
        let slotMinutes = [15, 30, 60].randomElement(using: &random)!
        let settings = ResourceSettings(
            id: ResourceID("r")!, timeZoneIdentifier: zoneName, slotMinutes: slotMinutes,
            capacity: Int.random(in: 1...3, using: &random),
            bufferBeforeMinutes: slotMinutes * Int.random(in: 0...1, using: &random),
            bufferAfterMinutes: slotMinutes * Int.random(in: 0...1, using: &random), holdTTLSeconds: 3_600,
            horizonDays: 10)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zoneName)!
        var oracle = Oracle(settings: settings, calendar: calendar)
        var schedule = ResourceSchedule(settings: settings, createdAt: Instant(secondsSinceEpoch: Self.origin))
        for step in 0..<60 {
            let now = schedule.advance(to: schedule.clock.adding(seconds: Int64.random(in: 0...1_800, using: &random)))
            if Int.random(in: 0..<3, using: &random) == 0 {
                let (event, _) = schedule.decide(
                    Self.randomChange(&oracle, schedule: schedule, &random), actor: "t", now: now)
                schedule.apply(event)
            }
            // A random day, and every start on the grid in it, for a random duration.
            let dayStart = Self.origin + Int64.random(in: 0..<10, using: &random) * 86_400
            let from = Instant(secondsSinceEpoch: dayStart)
            let to = from.adding(seconds: 86_400)
            // Short bookings, and one time in three a long one (up to 36 hours, across midnights, blocks and
            // closed hours) whose many granules the one-pass availability must judge exactly as a hold does.
            let slots =
                Int.random(in: 0..<3, using: &random) == 0
                ? Int.random(in: 5...(36 * 60 / slotMinutes), using: &random) : Int.random(in: 1...4, using: &random)
            let duration = slotMinutes * slots
            guard
                case .success(let offered) = schedule.availability(
                    from: from, to: to, durationMinutes: duration, now: now)
            else {
                Issue.record("seed \(seed) step \(step): availability refused")
                return
            }
            let bookings = Array(schedule.bookings.values)
            var accepted: [Instant] = []
            var candidate = schedule.grid.granuleCeiling(max(from, now))
            while candidate < to {
                let range = TimeRange(start: candidate, end: candidate.adding(seconds: Int64(duration) * 60))
                let decision = schedule.decideHold(HoldCommand(range: range, customer: "x"), now: now)
                let holdAccepts = if case .apply = decision { true } else { false }
                if holdAccepts { accepted.append(candidate) }
                if schedule.grid.isBoundary(candidate) {
                    #expect(
                        holdAccepts == oracle.accepts(range, now: now, bookings: bookings),
                        "seed \(seed) step \(step) \(zoneName) \(range) \(decision)")
                }
                candidate = candidate.adding(seconds: schedule.grid.granuleSeconds)
            }
            #expect(offered == accepted, "seed \(seed) step \(step): availability must match hold")
            // Book one of the offered starts (or cancel something) so the next step sees a fuller schedule.
            if let start = offered.randomElement(using: &random) {
                let range = TimeRange(start: start, end: start.adding(seconds: Int64(duration) * 60))
                let command = HoldCommand(range: range, customer: "c", confirm: Bool.random(using: &random))
                if case .apply(let event) = schedule.decideHold(command, now: now) { schedule.apply(event) }
            }
            if let victim = bookings.filter(\.state.isActive).randomElement(using: &random),
                Int.random(in: 0..<4, using: &random) == 0,
                case .apply(let event) = schedule.decide(
                    .cancel(reason: nil), booking: victim.id.sequence, actor: "t", idempotency: nil, now: now)
            {
                schedule.apply(event)
            }
        }
    }
}
