import SlotDomain
import Testing

@testable import SlotJournal

/// The writer's decisions as values: no thread, no lock, no SQLite. Waiters are numbers, compactions names.
@Suite struct JournalWriterStateTests {
    typealias State = JournalWriterState<Int, String>

    static let entry = JournalEntry.resourceCreated(
        ResourceSettings(id: ResourceID("room")!, timeZoneIdentifier: "UTC"), at: Instant(secondsSinceEpoch: 0),
        idempotency: nil)

    static func state(last: UInt64 = 0, batch: Int = 3, queued: Int = 100) -> State {
        State(lastSequence: last, batchEntriesMax: batch, queuedEntriesMax: queued)
    }

    /// Takes the next batch and reports it committed; returns its sequences.
    static func commitNext(_ state: inout State) -> (sequences: [UInt64], ready: State.Ready) {
        guard case .write(let batch) = state.nextWork() else { return ([], State.Ready()) }
        let sequences = batch.map(\.sequence)
        return (sequences, state.batchCommitted(through: sequences.last!))
    }

    @Test func appendsAreNumberedAndWrittenInBatchesOfAtMostTheMaximum() {
        var state = Self.state(last: 10)
        #expect((1...7).map { _ in state.append(Self.entry) } == Array(11...17))
        #expect(state.outstandingEntries == 7)
        #expect(Self.commitNext(&state).sequences == [11, 12, 13])
        #expect(Self.commitNext(&state).sequences == [14, 15, 16])
        #expect(Self.commitNext(&state).sequences == [17])
        guard case .wait = state.nextWork() else {
            Issue.record("an empty queue leaves the writer waiting")
            return
        }
        #expect(state.lastDurable == 17 && state.commits == 3 && state.outstandingEntries == 0)
    }

    @Test func aCommitResumesOnlyTheWaitersItCovers() {
        var state = Self.state(batch: 2)
        for _ in 1...4 { _ = state.append(Self.entry) }
        #expect(state.registerWaiter(1, for: 2) == .wait)
        #expect(state.registerWaiter(2, for: 4) == .wait)
        #expect(state.registerWaiter(3, for: 1) == .wait)
        #expect(Self.commitNext(&state).ready.waiters == [1, 3])
        #expect(Self.commitNext(&state).ready.waiters == [2])
    }

    @Test func aWaiterForWhatIsAlreadyDurableResumesAtOnce() {
        var state = Self.state(last: 10)
        #expect(state.registerWaiter(1, for: 10) == .resume)
        #expect(state.registerWaiter(2, for: 0) == .resume)
        #expect(state.registerWaiter(3, for: 11) == .wait)
    }

    @Test func stopCommitsWhatIsQueuedBeforeFinishing() {
        var state = Self.state(batch: 2)
        state.start(thread: true)
        for _ in 1...3 { _ = state.append(Self.entry) }
        #expect(state.registerWaiter(1, for: 3) == .wait)
        #expect(state.registerWaiter(2, for: 9) == .wait, "never appended")
        guard case .waitForWriter = state.stop() else {
            Issue.record("a running writer thread finishes the stop")
            return
        }
        #expect(state.state == .stopping)
        #expect(Self.commitNext(&state).sequences == [1, 2])
        #expect(Self.commitNext(&state).ready.waiters == [1])
        guard case .finish(let abandoned) = state.nextWork() else {
            Issue.record("an empty queue finishes a stopping writer")
            return
        }
        #expect(abandoned.waiters == [2])
        #expect(state.state == .finished && !state.writerThreadRunning && state.lastDurable == 3)
        guard case .none = state.stop() else {
            Issue.record("a second stop does nothing")
            return
        }
    }

    @Test func stoppingAJournalWithoutAThreadDrainsOnTheCaller() {
        var state = Self.state()
        _ = state.append(Self.entry)
        guard case .drainOnCaller = state.stop() else {
            Issue.record("never started: the caller commits")
            return
        }
        #expect(Self.commitNext(&state).sequences == [1])
    }

    @Test func waitersAfterTheWriterFinishedFail() {
        var state = Self.state(last: 5)
        _ = state.stop()
        _ = state.nextWork()
        #expect(state.state == .finished)
        #expect(state.registerWaiter(1, for: 6) == .fail)
        #expect(state.registerWaiter(2, for: 5) == .resume, "durable before the stop")
        #expect(state.admit(1, 3) == .fail)
        let lateAccepted = state.requestCompaction(through: 5, "late")
        #expect(!lateAccepted)
    }

    @Test func aFailedWriteFailsEveryWaiterAndCommitsNothingMore() {
        var state = Self.state(batch: 1)
        for _ in 1...2 { _ = state.append(Self.entry) }
        #expect(state.registerWaiter(1, for: 1) == .wait)
        #expect(state.admit(100, 2) == .wait)
        let accepted = state.requestCompaction(through: 1, "compaction")
        #expect(accepted)
        guard case .write = state.nextWork() else {
            Issue.record("the first entry is written")
            return
        }
        let abandoned = state.writeFailed()
        #expect(abandoned.waiters == [1] && abandoned.admissions == [2] && abandoned.compaction == "compaction")
        #expect(state.state == .failed && state.lastDurable == 0 && state.outstandingEntries == 0)
        #expect(state.append(Self.entry) == 3, "numbered, never written")
        guard case .finish = state.nextWork() else {
            Issue.record("a failed writer finishes")
            return
        }
    }

    @Test func aCrashDropsTheQueueAndIgnoresTheBatchInHand() {
        var state = Self.state(batch: 2)
        state.start(thread: true)
        for _ in 1...3 { _ = state.append(Self.entry) }
        #expect(state.registerWaiter(1, for: 2) == .wait)
        guard case .write(let batch) = state.nextWork() else {
            Issue.record("a batch is taken")
            return
        }
        let abandoned = state.crash()
        #expect(abandoned.waiters == [1])
        #expect(state.batchCommitted(through: batch.last!.sequence).waiters.isEmpty)
        #expect(state.lastDurable == 0 && state.outstandingEntries == 0)
        #expect(state.append(Self.entry) == 4)
        guard case .finish = state.nextWork() else {
            Issue.record("a crashed writer finishes")
            return
        }
        #expect(!state.writerThreadRunning && state.outstandingEntries == 0)
    }

    @Test func compactionRunsOnlyWhenNothingWaitsToBeCommitted() {
        var state = Self.state()
        let first = state.requestCompaction(through: 50, "first")
        let second = state.requestCompaction(through: 60, "second")
        #expect(first && !second, "one at a time")
        _ = state.append(Self.entry)
        guard case .write = state.nextWork() else {
            Issue.record("new entries go first")
            return
        }
        _ = state.batchCommitted(through: 1)
        guard case .compact(through: 50) = state.nextWork() else {
            Issue.record("then a chunk of compaction")
            return
        }
        #expect(state.compactionChunkDeleted(7) == nil)
        #expect(state.compactionChunkDeleted(0).map { [$0.waiter: $0.deleted] } == ["first": 7])
        guard case .wait = state.nextWork() else {
            Issue.record("nothing left")
            return
        }
    }
}
