import Foundation
import SlotClient
import SlotDomain

@testable import SlotJournal
@testable import SlotServer

/// A step since the last commit, for a crash in the middle of the next commit.
struct StepState {
    /// The journal position after the step.
    var appended: UInt64
    /// The state after the step, kept for one step of each commit's interval (`Simulator.keptStep`): holding every
    /// step's state made each change copy its schedule, which cost more than the rest of the run's checks.
    var state: ServerState?
    /// The step was one atomic change (a group's hold or op, a pool's hold, an atomic batch) that changed something.
    var atomicChange: Bool
}

/// `kill -9` while a commit is being written: every entry up to some point reached the disk, none after it. Cut
/// after the step whose state was kept, the recovered state must be that state; cut at any entry, every change
/// acknowledged before must be there. Either way each atomic change since the last commit must have been one
/// journal entry (after at most the expiries its resources noticed first), so no cut can split it.
extension Simulator {
    /// Whether `request` is one atomic change of several bookings or resources.
    static func isAtomicChange(_ request: JSONValue) -> Bool {
        switch request["op"]?.string {
        case "batch": request["atomic"] == .bool(true)
        case "confirm_group", "cancel_group", "reschedule_group": true
        case "hold", "book": request["resources"] != nil || request["pool"] != nil
        default: false
        }
    }

    func recordStep(_ live: ServerState) {
        stepStates.append(
            StepState(
                appended: runtime.journal.appendedSequence, state: stepStates.count == keptStep ? live : nil,
                atomicChange: stepWasAtomicChange))
    }

    /// After a commit or a start: the state is durable, so a crash during the next commit goes back no further.
    func resetStepStates() {
        keptStep = Int.random(in: 1...12, using: &workload.random)
        stepStates = [StepState(appended: runtime.journal.appendedSequence, state: lastCommitted, atomicChange: false)]
    }

    func crashDuringCommit() async throws {
        let durableBefore = runtime.journal.durableSequence
        let appended = runtime.journal.appendedSequence
        _ = try runtime.journal.commitQueued()
        runtime.journal.crash()
        counts.crashes += 1
        counts.crashesDuringCommit += 1
        let kept = stepStates.last { $0.state != nil }
        let atKeptStep = Bool.random(using: &workload.random)
        let cut =
            atKeptStep
            ? kept?.appended ?? durableBefore : UInt64.random(in: durableBefore...appended, using: &workload.random)
        var entries: [SequencedEntry] = []
        do {
            // What a commit cut short leaves: the entries after the cut never reached the disk.
            let store = try JournalStore(directory: configuration.dataDirectory)
            defer { store.close() }
            try store.read(after: durableBefore) { entries.append($0) }
            try store.database.execute("DELETE FROM journal WHERE sequence > \(cut)")
        } catch {
            throw fail("could not cut the journal: \(error)")
        }
        try expectAtomicChangesJournaledWhole(entries)
        note("crash during the commit of entries \(durableBefore + 1)...\(appended): those through \(cut) are on disk")
        // The replies whose entries all reached the disk may have been sent; a batch that is not atomic may have
        // reached it in part.
        ledger.durable(through: cut)
        ledger.forget(Set(ledger.pending.flatMap { $0.bookings.map(\.id) }))
        ledger.forgetUnacknowledged()
        workload.remembered.removeAll { !$0.acknowledged }
        try await start()
        let recovered = await runtime.directory.state()
        workload.resourcesLost(keeping: Set(recovered.resources.keys.map(\.rawValue)))
        try expect(
            ledger.missing(from: recovered, at: ledgerInstant(recovered)),
            "acknowledged changes lost in a crash during a commit")
        if atKeptStep, let state = kept?.state {
            try expect(
                recovered.differences(from: state, at: latestInstant(recovered, state)),
                "recovered after a crash during a commit / the state after the last request on disk")
        }
    }

    /// Each atomic change since the last commit is at most one `atomic` entry, after at most the expiries its
    /// resources noticed first: a commit cut short anywhere keeps all of it or none.
    func expectAtomicChangesJournaledWhole(_ entries: [SequencedEntry]) throws {
        for (previous, step) in zip(stepStates, stepStates.dropFirst()) where step.atomicChange {
            let own = entries.filter { (previous.appended + 1...step.appended).contains($0.sequence) }
            let atomic = own.filter { if case .atomic = $0.entry { true } else { false } }
            let notices = own.filter { if case .schedule(_, .expiriesNoticed) = $0.entry { true } else { false } }
            // None when the change turned out to change nothing and only noticed expiries (a group confirmed again).
            if atomic.count > 1 || atomic.count + notices.count != own.count {
                throw fail(
                    "an atomic change was journaled as \(own.count) entries, \(atomic.count) of them atomic: "
                        + own.map { "\($0.sequence) \($0.entry)" }.joined(separator: "; "))
            }
            counts.atomicChangesJournaled += atomic.count
        }
    }
}
