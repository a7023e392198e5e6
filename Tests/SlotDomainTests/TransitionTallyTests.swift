import Testing

@testable import SlotDomain

/// `ResourceSchedule.transitions`: every change a schedule applies, counted once under its (from, to).
@Suite struct TransitionTallyTests {
    let start = Instant(secondsSinceEpoch: 1_800_000_000 - 1_800_000_000 % 86_400)
    let id = ResourceID("room-1")!

    func range(_ hour: Int64) -> TimeRange {
        TimeRange(start: start.adding(seconds: hour * 3_600), end: start.adding(seconds: hour * 3_600 + 1_800))
    }

    func taken(_ schedule: inout ResourceSchedule) -> [Int: UInt32] {
        var counts: [Int: UInt32] = [:]
        schedule.takeTransitions { counts[$0] = $1 }
        return counts
    }

    @Test func everyChangeHasItsOwnSlot() {
        let indices = TransitionTally.changes.map { TransitionTally.index(from: $0.from, to: $0.to) }
        #expect(indices.count == 12)
        #expect(Set(indices).count == indices.count)
        #expect(indices.allSatisfy { (0..<TransitionTally.indexCount).contains($0) })
    }

    @Test func appliedChangesAreCountedOnceAndTakenOnce() {
        var schedule = ResourceSchedule(
            settings: ResourceSettings(id: id, timeZoneIdentifier: "UTC", holdTTLSeconds: 600), createdAt: start)
        for (hour, confirm) in [(Int64(10), false), (11, true), (12, false)] {
            guard
                case .apply(let event) = schedule.decideHold(
                    HoldCommand(range: range(hour), customer: "ann", confirm: confirm), now: start)
            else {
                Issue.record("hold refused")
                return
            }
            schedule.apply(event)
        }
        guard
            case .apply(let cancel) = schedule.decide(
                .cancel(reason: nil), booking: 3, actor: "ann", idempotency: nil, now: start)
        else {
            Issue.record("cancel refused")
            return
        }
        schedule.apply(cancel)
        schedule.advance(to: start.adding(seconds: 600))
        let created = TransitionTally.index(from: nil, to: .pendingConfirmation)
        let confirmed = TransitionTally.index(from: .pendingConfirmation, to: .confirmed)
        let canceled = TransitionTally.index(from: .pendingConfirmation, to: .canceled)
        let expired = TransitionTally.index(from: .pendingConfirmation, to: .expired)
        #expect(taken(&schedule) == [created: 3, confirmed: 1, canceled: 1, expired: 1])
        #expect(schedule.transitions.isEmpty)
        #expect(taken(&schedule).isEmpty, "taken once")
    }
}
