import Benchmark
import BenchmarkSupport
import SlotDomain

/// One resource's schedule, as its actor drives it: hold → confirm → cancel on the slot bitmap, and the 90-day
/// availability question with every rule layer and buffers on.
let benchmarks: @Sendable () -> Void = {
    let start = Instant(secondsSinceEpoch: 1_799_020_800)  // 2027-01-04T00:00Z, a Monday
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], warmupIterations: 10, maxDuration: .seconds(3),
        thresholds: Thresholds.standard)

    Benchmark("hold-confirm-cancel", configuration: .init(scalingFactor: .kilo)) { benchmark in
        var schedule = ResourceSchedule(
            settings: ResourceSettings(
                id: ResourceID("dr-1")!, timeZoneIdentifier: "Europe/Berlin", slotMinutes: 15, horizonDays: 365),
            createdAt: start)
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            let slot = start.adding(seconds: Int64(96 + index % 30_000) * 900)
            let range = TimeRange(start: slot, end: slot.adding(seconds: 900))
            guard case .apply(let held) = schedule.decideHold(HoldCommand(range: range, customer: "c"), now: start)
            else { fatalError("hold refused") }
            let summary = schedule.apply(held)!
            for action in [BookingAction.confirm, .cancel(reason: nil)] {
                guard
                    case .apply(let moved) = schedule.decide(
                        action, booking: summary.id.sequence, actor: "c", idempotency: nil, now: start)
                else { fatalError("\(action) refused") }
                schedule.apply(moved)
            }
        }
        blackHole(schedule.lastSequence)
    }

    Benchmark("availability-90-days-rules-and-buffers") { benchmark in
        var schedule = ResourceSchedule(
            settings: ResourceSettings(
                id: ResourceID("dr-2")!, timeZoneIdentifier: "Europe/Berlin", slotMinutes: 15,
                bufferBeforeMinutes: 15, bufferAfterMinutes: 15, horizonDays: 365),
            createdAt: start)
        let day = [
            LocalInterval(startMinute: 540, endMinute: 720)!, LocalInterval(startMinute: 780, endMinute: 1_020)!,
        ]
        let changes: [RuleChange] = [
            .weeklyHours(WeeklyHours(days: [day, day, day, day, day, [], []])),
            .override(LocalDate(days: start.secondsSinceEpoch / 86_400 + 10), .closed),
            .addBlock(
                Block(
                    id: 1,
                    range: TimeRange(
                        start: start.adding(seconds: 86_400 * 3), end: start.adding(seconds: 86_400 * 3 + 7_200)),
                    label: "x")),
            .limits(minNoticeMinutes: 60, maxBookingsPerDay: 20),
        ]
        for change in changes { schedule.apply(schedule.decide(change, actor: "op", now: start).event) }
        // Every other hour booked for 90 days.
        for hour in stride(from: 0, to: 90 * 24, by: 2) {
            let slot = start.adding(seconds: Int64(hour) * 3_600)
            let command = HoldCommand(
                range: TimeRange(start: slot, end: slot.adding(seconds: 1_800)), customer: "c", confirm: true)
            if case .apply(let event) = schedule.decideHold(command, now: start) { schedule.apply(event) }
        }
        let end = start.adding(seconds: 90 * 86_400)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(schedule.availability(from: start, to: end, durationMinutes: 30, now: start))
        }
    }
}
