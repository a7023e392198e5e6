import SlotDomain
import Testing

@testable import SlotJournal

/// `queuedEntriesMax` as decisions: admissions reserve, wait in order, and are let in by commits and releases.
@Suite struct JournalQueueBoundTests {
    typealias State = JournalWriterState<Int, String>
    let entry = JournalWriterStateTests.entry

    @Test func admissionsWaitInArrivalOrderAndReleasesLetThemIn() {
        var state = State(lastSequence: 0, batchEntriesMax: 10, queuedEntriesMax: 4)
        #expect(state.admit(3, 1) == .admitted)
        #expect(state.admit(2, 2) == .wait)
        #expect(state.admit(1, 3) == .wait, "fits, but does not overtake the one waiting")
        #expect(state.waitingAdmissions == 2)
        for _ in 1...3 { _ = state.append(entry) }
        #expect(state.release(3) == [], "its entries still count until committed")
        #expect(JournalWriterStateTests.commitNext(&state).ready.admissions == [2, 3])
        #expect(state.reservedEntries == 3 && state.waitingAdmissions == 0)
    }

    @Test func commitsMakeRoom() {
        var state = State(lastSequence: 0, batchEntriesMax: 2, queuedEntriesMax: 4)
        for _ in 1...4 { _ = state.append(entry) }
        #expect(state.admit(1, 1) == .wait)
        #expect(state.admit(2, 2) == .wait)
        #expect(JournalWriterStateTests.commitNext(&state).ready.admissions == [1])
        #expect(JournalWriterStateTests.commitNext(&state).ready.admissions == [2])
    }

    @Test func aRequestLargerThanTheBoundIsCountedAsTheBound() {
        var state = State(lastSequence: 0, batchEntriesMax: 10, queuedEntriesMax: 4)
        #expect(state.admitWithoutWaiting(1_000) == .admitted)
        #expect(state.reservedEntries == 4)
        #expect(state.admit(1, 1) == .wait)
        #expect(state.release(1_000) == [1])
    }

    @Test func stopFailsWaitingAdmissionsAndRefusesNewOnes() {
        var state = State(lastSequence: 0, batchEntriesMax: 10, queuedEntriesMax: 1)
        #expect(state.admit(1, 1) == .admitted)
        #expect(state.admit(1, 2) == .wait)
        guard case .drainOnCaller(let abandoned) = state.stop() else {
            Issue.record("stopped")
            return
        }
        #expect(abandoned.admissions == [2])
        #expect(state.admitWithoutWaiting(1) == .fail)
        #expect(state.release(1) == [])
    }

    /// Random requests, each appending at most what it reserved, against a random writer: what is queued never
    /// passes the bound, and every request is eventually let in.
    @Test(arguments: [1, 2, 3]) func randomRequestsNeverQueueMoreThanTheBound(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let bound = 10
        var state = State(lastSequence: 0, batchEntriesMax: 3, queuedEntriesMax: bound)
        var waiting: [Int: Int] = [:]
        var running: [(reserved: Int, appended: Int)] = []
        var admitted = 0
        var inHand: UInt64?
        for step in 0..<5_000 {
            switch Int.random(in: 0..<4, using: &random) {
            case 0:
                let reserved = Int.random(in: 1...6, using: &random)
                if state.admit(reserved, step) == .admitted {
                    running.append((reserved, 0))
                } else {
                    waiting[step] = reserved
                }
            case 1 where !running.isEmpty:
                let index = Int.random(in: running.indices, using: &random)
                if running[index].appended < running[index].reserved, Bool.random(using: &random) {
                    _ = state.append(entry)
                    running[index].appended += 1
                } else {
                    let done = running.remove(at: index)
                    for waiter in state.release(done.reserved) {
                        running.append((waiting.removeValue(forKey: waiter)!, 0))
                    }
                    admitted += 1
                }
            case 2 where inHand == nil:
                if case .write(let batch) = state.nextWork() { inHand = batch.last?.sequence }
            case 3:
                guard let last = inHand else { break }
                inHand = nil
                for waiter in state.batchCommitted(through: last).admissions {
                    running.append((waiting.removeValue(forKey: waiter)!, 0))
                }
            default:
                break
            }
            #expect(state.outstandingEntries <= bound, "seed \(seed), step \(step)")
        }
        #expect(admitted > 100, "requests keep being let in")
        // Finishing every request and committing everything lets in every request still waiting.
        while !running.isEmpty || inHand != nil || state.outstandingEntries > 0 {
            if let last = inHand {
                inHand = nil
                for waiter in state.batchCommitted(through: last).admissions {
                    running.append((waiting.removeValue(forKey: waiter)!, 0))
                }
            } else if case .write(let batch) = state.nextWork() {
                inHand = batch.last?.sequence
            } else if let done = running.popLast() {
                for waiter in state.release(done.reserved) { running.append((waiting.removeValue(forKey: waiter)!, 0)) }
            }
        }
        #expect(waiting.isEmpty && state.reservedEntries == 0, "seed \(seed)")
    }

}
