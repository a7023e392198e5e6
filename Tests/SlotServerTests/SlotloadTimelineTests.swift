import SlotClient
import Testing

@testable import slotload

/// slotload's bookkeeping of a run's end, with no server: the timeline's last, partial second and a traffic ended
/// early by a signal.
@Suite struct SlotloadTimelineTests {
    static func samples(_ codes: [String]) -> [Sample] {
        codes.map { Sample(op: .book, latencyMicroseconds: 1_500, code: $0, confirmedBookings: $0 == "ok" ? 1 : 0) }
    }

    /// Replies after the last whole second (the rest of a run, the rounds in flight at its deadline) make the
    /// timeline's last entry, so the timeline has every request, refusal and error the summary counts.
    @Test func theTimelineKeepsWhatCameAfterTheLastWholeSecond() {
        let recorder = Recorder()
        recorder.record(Self.samples(["ok", "slot_unavailable"]))
        recorder.recordTransportError()
        let (first, _, refused, errors) = recorder.closeSecond(elapsedSeconds: 1)
        #expect(first.requests == 2 && first.refused == 1 && first.errors == 1)
        #expect(refused == 1 && errors == 1)
        recorder.record(Self.samples(["slot_unavailable", "slot_unavailable", "overloaded", "ok"]))
        recorder.finish()
        let timeline = recorder.state.withLock { $0.timeline }
        #expect(timeline.map(\.elapsedSeconds) == [1, 2])
        #expect(timeline.map(\.requests) == [2, 4])
        #expect(timeline.map(\.refused) == [1, 2])
        #expect(timeline.map(\.errors) == [1, 1])
        #expect(timeline.map(\.bookings) == [1, 1])
    }

    /// A run that ended on a whole second gets no empty last entry.
    @Test func aRunEndedOnAWholeSecondGetsNoEmptyEntry() {
        let recorder = Recorder()
        recorder.record(Self.samples(["ok"]))
        _ = recorder.closeSecond(elapsedSeconds: 1)
        recorder.finish()
        #expect(recorder.state.withLock { $0.timeline.map(\.elapsedSeconds) } == [1])
    }

    /// A signal during the traffic: the round in flight is read to its end, and no other starts. Before the
    /// traffic, during the check, or a second time, a signal does not end the traffic (slotload quits at once).
    @Test func aTrafficEndedBySignalFinishesItsRoundAndStartsNoOther() throws {
        let interruption = TrafficInterruption()
        #expect(!interruption.endTraffic(by: "SIGINT"), "before the traffic")
        var worker = LoadWorker(
            index: 0, plan: SlotloadVerdictTests.plan(.uniform), pipeline: 2, batchSize: 1, requests: 100, seed: 1,
            interruption: interruption)
        interruption.trafficStarts()
        var text: [UInt8] = []
        let started = worker.nextRound(into: &text)
        #expect(started)
        #expect(interruption.endTraffic(by: "SIGINT"))
        #expect(!interruption.endTraffic(by: "SIGTERM"), "a second signal")
        let booked = Array(#"{"ok":true,"booking":{"id":"r-a/1","resource":"r-a","state":"confirmed"}}"#.utf8)
        let firstEndsRound = try worker.take(booked)
        let secondEndsRound = try worker.take(booked)
        #expect(!firstEndsRound && secondEndsRound)
        #expect(worker.result.ledger.count == 2, "the round in flight counts")
        text.removeAll()
        let startedAgain = worker.nextRound(into: &text)
        #expect(!startedAgain && text.isEmpty)
        #expect(interruption.trafficEnded() == "SIGINT")
        #expect(!interruption.endTraffic(by: "SIGINT"), "during the check")
    }
}
