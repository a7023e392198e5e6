import Testing

@testable import SlotDomain

/// Blocks and date overrides a client adds one by one are bounded, because every placement check reads them. Adding
/// past `blocksPerResourceMax` or `dateOverridesPerResourceMax` is refused with `too_many_rules`; replacing, removing
/// and clearing always go; and rules stored over a limit still load.
@Suite struct RuleLimitsTests {
    let start = Instant(secondsSinceEpoch: 1_800_000_000 - 1_800_000_000 % 86_400)

    func limits(blocks: Int = 1_000, overrides: Int = 1_000) -> DomainLimits {
        var limits = DomainLimits.standard
        limits.blocksPerResourceMax = blocks
        limits.dateOverridesPerResourceMax = overrides
        return limits
    }

    var settings: ResourceSettings {
        ResourceSettings(id: ResourceID("r")!, timeZoneIdentifier: "UTC", slotMinutes: 30, capacity: 1)
    }

    func hour(_ index: Int64) -> TimeRange {
        TimeRange(start: start.adding(seconds: index * 3_600), end: start.adding(seconds: index * 3_600 + 3_600))
    }

    /// The change applied as the actor does: refused past a limit, else decided and applied.
    func change(_ schedule: inout ResourceSchedule, _ change: RuleChange) -> Rejection? {
        if let refusal = schedule.ruleLimitRefusal(change) { return refusal }
        schedule.apply(schedule.decide(change, actor: "t", now: schedule.clock).event)
        return nil
    }

    func block(_ schedule: ResourceSchedule, _ index: Int64) -> RuleChange {
        .addBlock(Block(id: schedule.rules.lastBlockID + 1, range: hour(index), label: "b\(index)"))
    }

    @Test func blocksPastTheLimitAreRefusedUntilOneIsRemoved() {
        var schedule = ResourceSchedule(settings: settings, createdAt: start, limits: limits(blocks: 3))
        for index: Int64 in 0..<3 { #expect(change(&schedule, block(schedule, index)) == nil) }
        let refusal = change(&schedule, block(schedule, 3))
        #expect(refusal?.code == .tooManyRules)
        #expect(refusal?.details == ["rule": "blocks", "limit": "3"])
        #expect(schedule.rules.blocks.count == 3)
        #expect(change(&schedule, .removeBlock(2)) == nil)
        #expect(change(&schedule, block(schedule, 3)) == nil)
        #expect(schedule.rules.blocks.keys.sorted() == [1, 3, 4])
    }

    @Test func overridesOnNewDatesPastTheLimitAreRefusedButReplacingAndClearingGo() {
        var schedule = ResourceSchedule(settings: settings, createdAt: start, limits: limits(overrides: 2))
        let dates = (0..<3).map { LocalDate(days: 21_000 + $0) }
        #expect(change(&schedule, .override(dates[0], .closed)) == nil)
        #expect(change(&schedule, .override(dates[1], .closed)) == nil)
        let refusal = change(&schedule, .override(dates[2], .closed))
        #expect(refusal?.code == .tooManyRules)
        #expect(refusal?.details == ["rule": "overrides", "limit": "2"])
        let hours = DayOverride.hours([LocalInterval(startMinute: 540, endMinute: 600)!])
        #expect(change(&schedule, .override(dates[1], hours)) == nil, "a date's override is replaced in place")
        #expect(change(&schedule, .override(dates[2], nil)) == nil, "clearing a date without one is harmless")
        #expect(change(&schedule, .override(dates[0], nil)) == nil)
        #expect(change(&schedule, .override(dates[2], .closed)) == nil)
        #expect(schedule.rules.overrides == [dates[1]: hours, dates[2]: .closed])
    }

    /// A snapshot or journal from before the limits (or from a server with higher ones) loads whole, and its rules
    /// apply; only growth is refused.
    @Test func rulesOverTheLimitStillRestoreReplayAndApply() throws {
        var rules = AvailabilityRules()
        for index: Int64 in 1...5 {
            rules.blocks[UInt64(index)] = Block(id: UInt64(index), range: hour(index * 2), label: "old")
            rules.overrides[LocalDate(days: 21_000 + index)] = .closed
        }
        rules.lastBlockID = 5
        let small = limits(blocks: 2, overrides: 2)
        var schedule = try ResourceSchedule(
            restoring: settings, clock: start, lastSequence: 0, bookings: [], rules: rules, limits: small)
        #expect(schedule.rules == rules)
        // Replay applies what the journal says, past the limit too.
        schedule.apply(.rulesChanged(RulesChangedEvent(change: block(schedule, 20), actor: "t", at: start)))
        #expect(schedule.rules.blocks.count == 6)
        #expect(schedule.checkPlacement(hour(4), now: start)?.code == .blocked)
        #expect(change(&schedule, block(schedule, 21))?.code == .tooManyRules)
        #expect(change(&schedule, .override(LocalDate(days: 22_000), .closed))?.code == .tooManyRules)
    }

    /// Placement checks find blocks through a sorted index; the answers are those of reading every block (what a
    /// resource over the limit still does), on random blocks that overlap, touch and nest.
    @Test func theBlockIndexAnswersAsReadingEveryBlock() {
        var random = SplitMix64(seed: 14)
        var indexed = ResourceSchedule(settings: settings, createdAt: start, limits: limits(blocks: 400))
        for _ in 0..<300 {
            let from = Int64(random.next() % 2_000) * 1_800
            let length = Int64(random.next() % 8 + 1) * 1_800
            let range = TimeRange(start: start.adding(seconds: from), end: start.adding(seconds: from + length))
            _ = change(&indexed, .addBlock(Block(id: indexed.rules.lastBlockID + 1, range: range, label: "")))
            if random.next() % 4 == 0, let some = indexed.rules.blocks.keys.min() {
                _ = change(&indexed, .removeBlock(some))
            }
        }
        #expect(indexed.blockIndex != nil)
        var linear = indexed
        linear.blockIndex = nil
        for slot: Int64 in 0..<2_100 {
            let range = TimeRange(
                start: start.adding(seconds: slot * 1_800), end: start.adding(seconds: slot * 1_800 + 3_600))
            #expect(indexed.checkPlacement(range, now: start) == linear.checkPlacement(range, now: start), "\(slot)")
        }
        let restored = try? ResourceSchedule(
            restoring: settings, clock: start, lastSequence: 0, bookings: [], rules: indexed.rules,
            limits: limits(blocks: 400))
        #expect(restored?.blockIndex?.stretches == indexed.blockIndex?.stretches)
    }
}
