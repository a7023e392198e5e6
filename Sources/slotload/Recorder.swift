import Histogram
import Synchronization

/// One reply as a worker saw it: which op, how long it took, and its outcome code (`ok` or the error code).
struct Sample: Sendable {
    var op: Operation
    var latencyMicroseconds: UInt64
    var code: String
    /// The bookings this reply acknowledged as confirmed (a `book`, a `confirm`, each member of a `confirm_group`).
    var confirmedBookings: Int
}

/// What slotload sends, named as the report names it: the wire's op names, except `group_hold`, a `hold` with
/// `resources`, timed apart from single holds.
enum Operation: String, Sendable, CaseIterable {
    case book, hold, confirm, cancel, reschedule, availability
    case groupHold = "group_hold"
    case confirmGroup = "confirm_group"
    case cancelGroup = "cancel_group"
}

/// One second of the run, for the progress line and the report's charts; the last one of a run may be shorter
/// (`Recorder.finish`).
struct SecondSummary: Sendable {
    var elapsedSeconds: Int
    var requests: Int
    var bookings: Int
    /// Business refusals (`slot_unavailable`, …) and errors (`Recorder.errorCodes` and transport failures), as on
    /// the progress line.
    var refused: Int
    var errors: Int
    var p50Milliseconds: Double
    var p99Milliseconds: Double
    /// The slowest reply that arrived in this second: a stall shows here long before it moves the p99.
    var maxMilliseconds: Double
}

/// Latency histograms per op (microseconds, HdrHistogram with three significant digits), outcome counts and a
/// per-second timeline, shared by every worker. Workers record a whole pipelined round under one lock.
final class Recorder: Sendable {
    struct State {
        var perOp: [Operation: Histogram<UInt64>] = [:]
        var outcomes: [String: Int] = [:]
        var requests = 0
        var bookings = 0
        var transportErrors = 0
        // The second in progress.
        var second = Histogram<UInt64>(highestTrackableValue: Recorder.highestMicroseconds)
        var secondRequests = 0
        var secondBookings = 0
        var secondRefused = 0
        var secondErrors = 0
        var timeline: [SecondSummary] = []
    }

    /// Replies that mean something is wrong (with slotload or the server), as opposed to business refusals such
    /// as `slot_unavailable` that a scenario provokes on purpose.
    static let errorCodes: Set<String> = [
        "bad_json", "invalid_request", "unknown_op", "line_too_long", "overloaded", "internal", "unreadable_reply",
    ]

    /// One minute: anything slower is recorded as one minute.
    static let highestMicroseconds: UInt64 = 60_000_000
    let state = Mutex(State())

    func record(_ samples: [Sample]) {
        state.withLock { state in
            for sample in samples {
                let value = min(max(sample.latencyMicroseconds, 1), Self.highestMicroseconds)
                _ = state.perOp[sample.op, default: Histogram(highestTrackableValue: Self.highestMicroseconds)]
                    .record(value)
                _ = state.second.record(value)
                state.outcomes[sample.code, default: 0] += 1
                state.requests += 1
                state.secondRequests += 1
                if sample.code != "ok" {
                    if Self.errorCodes.contains(sample.code) {
                        state.secondErrors += 1
                    } else {
                        state.secondRefused += 1
                    }
                }
                state.bookings += sample.confirmedBookings
                state.secondBookings += sample.confirmedBookings
            }
        }
    }

    /// A connection that failed: an error of the second in progress, as on the progress line.
    func recordTransportError() {
        state.withLock { state in
            state.transportErrors += 1
            state.secondErrors += 1
        }
    }

    /// Closes the second in progress and returns it, with the run's p99 so far.
    func closeSecond(elapsedSeconds: Int) -> (
        SecondSummary, overallP99Milliseconds: Double, refused: Int, errors: Int
    ) {
        state.withLock { state in
            let summary = state.closeSecond(elapsedSeconds: elapsedSeconds)
            var all = Histogram<UInt64>(highestTrackableValue: Self.highestMicroseconds)
            for histogram in state.perOp.values { all.add(histogram) }
            let (refused, errors) = state.failures
            return (summary, Double(all.valueAtPercentile(99)) / 1_000, refused, errors)
        }
    }

    /// Called once every connection is done: closes what arrived after the last whole second (the rest of a run
    /// that did not end on a second, and the replies to the rounds still in flight at its deadline) as the
    /// timeline's last entry, shorter than a second, if anything arrived. Then every reply and transport error the
    /// summary counts is in exactly one second of the timeline.
    func finish() {
        state.withLock { state in
            if state.secondRequests > 0 || state.secondErrors > 0 {
                _ = state.closeSecond(elapsedSeconds: (state.timeline.last?.elapsedSeconds ?? 0) + 1)
            }
            let (refused, errors) = state.failures
            let requests = state.timeline.reduce(0) { $0 + $1.requests }
            let timelineRefused = state.timeline.reduce(0) { $0 + $1.refused }
            let timelineErrors = state.timeline.reduce(0) { $0 + $1.errors }
            precondition(
                requests == state.requests && timelineRefused == refused && timelineErrors == errors,
                "the timeline counts \(requests) requests, \(timelineRefused) refused, \(timelineErrors) errors; "
                    + "the run \(state.requests), \(refused), \(errors)")
        }
    }
}

extension Recorder.State {
    /// Business refusals and errors (transport failures among them) of the whole run so far.
    var failures: (refused: Int, errors: Int) {
        let failed = outcomes.filter { $0.key != "ok" }
        let errors = failed.filter { Recorder.errorCodes.contains($0.key) }.values.reduce(0, +) + transportErrors
        return (failed.values.reduce(0, +) + transportErrors - errors, errors)
    }

    /// Appends the second in progress to the timeline, returns it and starts the next.
    mutating func closeSecond(elapsedSeconds: Int) -> SecondSummary {
        let summary = SecondSummary(
            elapsedSeconds: elapsedSeconds, requests: secondRequests, bookings: secondBookings,
            refused: secondRefused, errors: secondErrors,
            p50Milliseconds: Double(second.valueAtPercentile(50)) / 1_000,
            p99Milliseconds: Double(second.valueAtPercentile(99)) / 1_000,
            maxMilliseconds: secondRequests == 0 ? 0 : Double(second.max) / 1_000)
        timeline.append(summary)
        second.reset()
        secondRequests = 0
        secondBookings = 0
        secondRefused = 0
        secondErrors = 0
        return summary
    }
}
