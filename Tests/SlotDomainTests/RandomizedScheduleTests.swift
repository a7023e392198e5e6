import Testing

@testable import SlotDomain

/// Thousands of random holds, books, confirms, cancels, reschedules, completions and clock jumps on one resource,
/// checked after every step against `ReferenceModel`: same decision, same states, invariant intact, and
/// `availability` offering exactly the starts that `hold` accepts.
@Suite struct RandomizedScheduleTests {
    struct Shape: Sendable, CustomTestStringConvertible {
        var zone: String
        var offsetSeconds: Int64
        var slotMinutes: Int
        var capacity: Int
        var bufferBeforeMinutes: Int
        var bufferAfterMinutes: Int
        var testDescription: String {
            "\(zone) slot=\(slotMinutes) cap=\(capacity) buffers=\(bufferBeforeMinutes)/\(bufferAfterMinutes)"
        }
    }

    static let shapes = [
        Shape(
            zone: "UTC", offsetSeconds: 0, slotMinutes: 15, capacity: 1, bufferBeforeMinutes: 0, bufferAfterMinutes: 0),
        Shape(
            zone: "UTC", offsetSeconds: 0, slotMinutes: 15, capacity: 1, bufferBeforeMinutes: 15, bufferAfterMinutes: 30
        ),
        Shape(
            zone: "UTC", offsetSeconds: 0, slotMinutes: 30, capacity: 3, bufferBeforeMinutes: 30, bufferAfterMinutes: 0),
        Shape(
            zone: "Asia/Kolkata", offsetSeconds: 19_800, slotMinutes: 60, capacity: 2, bufferBeforeMinutes: 0,
            bufferAfterMinutes: 60),
        Shape(
            zone: "Asia/Kathmandu", offsetSeconds: 20_700, slotMinutes: 15, capacity: 1, bufferBeforeMinutes: 15,
            bufferAfterMinutes: 15),
    ]

    @Test(arguments: shapes, [UInt64(1), 2, 3, 0xC0FFEE])
    func scheduleAgreesWithReferenceModel(shape: Shape, seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let start = Instant(secondsSinceEpoch: 1_800_000_000 - 1_800_000_000 % 86_400)  // a UTC midnight in 2027
        let settings = ResourceSettings(
            id: ResourceID("r")!, timeZoneIdentifier: shape.zone, slotMinutes: shape.slotMinutes,
            capacity: shape.capacity, bufferBeforeMinutes: shape.bufferBeforeMinutes,
            bufferAfterMinutes: shape.bufferAfterMinutes, holdTTLSeconds: 1_800, horizonDays: 2)
        var schedule = ResourceSchedule(settings: settings, createdAt: start)
        var model = ReferenceModel(
            capacity: shape.capacity, slotSeconds: Int64(shape.slotMinutes) * 60, offsetSeconds: shape.offsetSeconds,
            bufferBeforeSeconds: Int64(shape.bufferBeforeMinutes) * 60,
            bufferAfterSeconds: Int64(shape.bufferAfterMinutes) * 60, horizonSeconds: 2 * 86_400,
            now: start.secondsSinceEpoch)
        let window = (start.secondsSinceEpoch, start.secondsSinceEpoch + 3 * 86_400)

        for step in 0..<2_000 {
            let context = "seed \(seed) step \(step)"
            applyRandomStep(&schedule, &model, &random, window: window, context: context)
            #expect(model.invariantHolds(from: window.0 - 7_200, to: window.1 + 7_200), "\(context)")
            for (sequence, entry) in model.entries {
                #expect(schedule.booking(sequence)?.state == entry.state, "\(context) booking \(sequence)")
            }
            if step % 50 == 0 {
                checkAvailabilityMatchesHold(schedule, model, &random, window: window, context: context)
            }
        }
    }

    private func applyRandomStep(
        _ schedule: inout ResourceSchedule, _ model: inout ReferenceModel, _ random: inout SplitMix64,
        window: (Int64, Int64), context: String
    ) {
        let granule: Int64 = 900
        let now = schedule.advance(
            to: schedule.clock.adding(
                seconds: Int64.random(in: 0...1, using: &random) * Int64.random(in: 0...900, using: &random)))
        model.advance(to: now.secondsSinceEpoch)
        let roll = Int.random(in: 0..<100, using: &random)
        let existing = model.entries.keys.randomElement(using: &random)
        switch roll {
        case 0..<45:
            let startSeconds = window.0 + Int64.random(in: 0..<(3 * 96), using: &random) * granule
            let endSeconds = startSeconds + Int64.random(in: 1...8, using: &random) * granule
            let confirm = roll < 15
            let command = HoldCommand(
                range: TimeRange(
                    start: Instant(secondsSinceEpoch: startSeconds), end: Instant(secondsSinceEpoch: endSeconds)),
                customer: "c\(roll)", confirm: confirm)
            let expected = model.accepts(start: startSeconds, end: endSeconds)
            let decision = schedule.decideHold(command, now: now)
            if case .apply(let event) = decision {
                #expect(expected, "\(context): schedule accepted what the model refuses")
                schedule.apply(event)
                model.entries[schedule.lastSequence] = .init(
                    start: startSeconds, end: endSeconds, state: confirm ? .confirmed : .pendingConfirmation,
                    expiresAt: confirm
                        ? nil : max(now.secondsSinceEpoch + 1, min(now.secondsSinceEpoch + 1_800, startSeconds)))
            } else {
                #expect(!expected, "\(context): schedule refused what the model accepts: \(decision)")
            }
        case 45..<90:
            guard let sequence = existing else { return }
            let entry = model.entries[sequence]!
            let actions: [BookingAction] = [
                .confirm, .cancel(reason: nil), .complete, .noShow,
                .reschedule(
                    TimeRange(
                        start: Instant(
                            secondsSinceEpoch: entry.start + Int64.random(in: -4...4, using: &random) * granule),
                        end: Instant(secondsSinceEpoch: entry.end + Int64.random(in: -4...4, using: &random) * granule))
                ),
            ]
            let action = actions.randomElement(using: &random)!
            let decision = schedule.decide(action, booking: sequence, actor: "t", idempotency: nil, now: now)
            let expected = expectedMove(model, sequence, action, now: now.secondsSinceEpoch)
            switch decision {
            case .apply(let event):
                #expect(expected == .some(action.target), "\(context): \(action) on \(entry.state) applied")
                schedule.apply(event)
                model.entries[sequence]!.state = action.target
                if case .reschedule(let range) = action {
                    model.entries[sequence]!.start = range.start.secondsSinceEpoch
                    model.entries[sequence]!.end = range.end.secondsSinceEpoch
                }
            case .unchanged:
                #expect(expected == .some(nil), "\(context): \(action) on \(entry.state) was a no-op")
            case .reject:
                #expect(expected == nil, "\(context): \(action) on \(entry.state) refused")
            }
        default:
            // Let time pass: holds expire, bookings start.
            let jumped = schedule.advance(to: now.adding(seconds: Int64.random(in: 0...7_200, using: &random)))
            model.advance(to: jumped.secondsSinceEpoch)
        }
    }

    /// nil: refused; .some(nil): accepted without change; .some(state): moves to state.
    private func expectedMove(_ model: ReferenceModel, _ sequence: UInt64, _ action: BookingAction, now: Int64)
        -> BookingState??
    {
        let entry = model.entries[sequence]!
        if action == .confirm, entry.state == .confirmed || entry.state == .rescheduled { return .some(nil) }
        guard entry.state.canTransition(to: action.target) else { return nil }
        switch action {
        case .reschedule(let range):
            guard
                model.accepts(
                    start: range.start.secondsSinceEpoch, end: range.end.secondsSinceEpoch, excluding: sequence)
            else { return nil }
        case .complete, .noShow:
            guard now >= entry.start else { return nil }
        case .confirm, .cancel:
            break
        }
        return .some(action.target)
    }

    private func checkAvailabilityMatchesHold(
        _ schedule: ResourceSchedule, _ model: ReferenceModel, _ random: inout SplitMix64, window: (Int64, Int64),
        context: String
    ) {
        // Short bookings, and one time in three a long one (up to 40 hours) whose many granules the one-pass
        // availability must judge exactly as a hold does.
        let slotMinutes = schedule.settings.slotMinutes
        let slots =
            Int.random(in: 0..<3, using: &random) == 0
            ? Int.random(in: 5...(40 * 60 / slotMinutes), using: &random) : Int.random(in: 1...4, using: &random)
        let durationMinutes = slotMinutes * slots
        let from = Instant(secondsSinceEpoch: window.0)
        let to = Instant(secondsSinceEpoch: window.0 + 86_400)
        guard
            case .success(let offered) = schedule.availability(
                from: from, to: to, durationMinutes: durationMinutes, now: schedule.clock)
        else {
            Issue.record("\(context): availability failed")
            return
        }
        let offeredSet = Set(offered.map(\.secondsSinceEpoch))
        for candidate in stride(from: window.0, to: window.0 + 86_400, by: 900) {
            let accepted = model.accepts(start: candidate, end: candidate + Int64(durationMinutes) * 60)
            #expect(
                offeredSet.contains(candidate) == accepted, "\(context): start \(candidate) duration \(durationMinutes)"
            )
            let command = HoldCommand(
                range: TimeRange(
                    start: Instant(secondsSinceEpoch: candidate),
                    end: Instant(secondsSinceEpoch: candidate + Int64(durationMinutes) * 60)), customer: "probe")
            if case .apply = schedule.decideHold(command, now: schedule.clock) {
                #expect(offeredSet.contains(candidate), "\(context): hold accepts \(candidate) not offered")
            } else {
                #expect(!offeredSet.contains(candidate), "\(context): offered \(candidate) but hold refuses")
            }
        }
    }
}
