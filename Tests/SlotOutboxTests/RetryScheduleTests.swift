import SlotDomain
import SlotOutbox
import Testing

@Suite struct RetryScheduleTests {
    @Test func defaultsRetryWithinSecondsGrowToAnHourAndGiveUpAfterThreeDays() {
        let schedule = RetrySchedule()
        #expect(schedule.firstDelaySeconds == 5)
        #expect(schedule.capSeconds == 3_600)
        #expect(schedule.maxAgeSeconds == 259_200)
    }

    @Test func ceilingDoublesFromTheFirstDelayUpToTheCap() {
        let schedule = RetrySchedule()
        let ceilings = (1...12).map { schedule.delayCeilingSeconds(afterAttempt: $0) }
        #expect(ceilings == [5, 10, 20, 40, 80, 160, 320, 640, 1_280, 2_560, 3_600, 3_600])
        #expect(schedule.delayCeilingSeconds(afterAttempt: 10_000) == 3_600)
    }

    @Test func delaysAreFullJitterBetweenZeroAndTheCeiling() throws {
        let schedule = try #require(RetrySchedule(firstDelaySeconds: 2, capSeconds: 100, maxAgeSeconds: 86_400))
        var random = SplitMix64(seed: 19)
        let now = Instant(secondsSinceEpoch: 1_000)
        let delays = try (0..<2_000).map { _ in
            try #require(schedule.nextAttempt(afterAttempt: 3, createdAt: now, now: now, random: &random))
                .seconds(since: now)
        }
        // Ceiling 2 · 2² = 8: every delay lies in 0...8, and 2,000 draws reach both ends and everything between.
        #expect(Set(delays) == Set(0...8))
    }

    @Test func aSeededGeneratorRepeatsTheSameDelays() {
        let schedule = RetrySchedule()
        let now = Instant(secondsSinceEpoch: 0)
        func draws(seed: UInt64) -> [Instant?] {
            var random = SplitMix64(seed: seed)
            return (1...8).map { schedule.nextAttempt(afterAttempt: $0, createdAt: now, now: now, random: &random) }
        }
        #expect(draws(seed: 7) == draws(seed: 7))
        #expect(draws(seed: 7) != draws(seed: 8))
    }

    @Test func anAttemptPastTheMaximumAgeMeansDead() throws {
        let schedule = try #require(RetrySchedule(firstDelaySeconds: 1, capSeconds: 1, maxAgeSeconds: 10))
        let created = Instant(secondsSinceEpoch: 500)
        var random = SplitMix64(seed: 1)
        // At age 9 the next attempt (delay 0 or 1) is at most at age 10: never dead.
        for _ in 0..<100 {
            let next = schedule.nextAttempt(
                afterAttempt: 4, createdAt: created, now: created.adding(seconds: 9), random: &random)
            #expect(next != nil)
        }
        // At age 10 a delay of 1 passes the maximum age, a delay of 0 does not: both happen.
        let atTheEdge = (0..<100).map { _ in
            schedule.nextAttempt(afterAttempt: 4, createdAt: created, now: created.adding(seconds: 10), random: &random)
        }
        #expect(atTheEdge.contains(nil))
        #expect(atTheEdge.contains(created.adding(seconds: 10)))
        // Past it, always dead.
        let late = schedule.nextAttempt(
            afterAttempt: 1, createdAt: created, now: created.adding(seconds: 11), random: &random)
        #expect(late == nil)
    }

    @Test func refusesASettingThatCannotBeASchedule() {
        #expect(RetrySchedule(firstDelaySeconds: 0, capSeconds: 10, maxAgeSeconds: 10) == nil)
        #expect(RetrySchedule(firstDelaySeconds: 10, capSeconds: 5, maxAgeSeconds: 10) == nil)
        #expect(RetrySchedule(firstDelaySeconds: 1, capSeconds: 5, maxAgeSeconds: -1) == nil)
        #expect(RetrySchedule(firstDelaySeconds: 1, capSeconds: 1, maxAgeSeconds: 0) != nil)
    }
}
