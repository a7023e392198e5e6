import Foundation
import SlotClient
import SlotDomain

@testable import SlotJournal
@testable import SlotServer

/// The state after each step since the last commit, for a crash in the middle of a commit: the state the journal's
/// surviving entries must rebuild.
struct StepState {
    /// The journal position after the step.
    var appended: UInt64
    var state: ServerState
    /// For a step that was one atomic change (a group's hold or op, a pool's hold, an atomic batch) and succeeded:
    /// the bookings its reply showed.
    var atomicChange: [BookingID]?
}

/// `kill -9` while a commit is being written: every entry up to some point reached the disk, none after it. Cut
/// between two requests, the recovered state is the one after the first of them. Cut between the entries of one
/// request that was an atomic change (besides its own entry, a request journals only expiries it noticed first),
/// each booking the change showed is as the change left it, or each is as it was before: never some of each.
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
        stepStates.append(StepState(appended: runtime.journal.appendedSequence, state: live, atomicChange: atomicShown))
    }

    /// After a commit or a start: the state is durable, so a crash during the next commit goes back no further.
    func resetStepStates() {
        stepStates = [StepState(appended: runtime.journal.appendedSequence, state: lastCommitted, atomicChange: nil)]
    }

    func crashDuringCommit() async throws {
        let durableBefore = runtime.journal.durableSequence
        let appended = runtime.journal.appendedSequence
        _ = try runtime.journal.commitQueued()
        runtime.journal.crash()
        counts.crashes += 1
        counts.crashesDuringCommit += 1
        let cut = UInt64.random(in: durableBefore...appended, using: &workload.random)
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
        let steps = stepStates
        try await start()
        let recovered = await runtime.directory.state()
        workload.resourcesLost(keeping: Set(recovered.resources.keys.map(\.rawValue)))
        try expect(
            ledger.missing(from: recovered, at: ledgerInstant(recovered)),
            "acknowledged changes lost in a crash during a commit")
        if let whole = steps.last(where: { $0.appended == cut }) {
            try expect(
                recovered.differences(from: whole.state, at: latestInstant(recovered, whole.state)),
                "recovered after a crash during a commit / the state after the last request on disk")
        } else if let index = steps.firstIndex(where: { $0.appended > cut }), index > 0,
            let shown = steps[index].atomicChange
        {
            counts.atomicChangesCut += 1
            try expectWholeOrAbsent(
                shown, recovered: recovered, before: steps[index - 1].state, after: steps[index].state)
        }
    }

    /// Each atomic change since the last commit is one `atomic` entry, after at most the expiries its resources
    /// noticed first: a commit cut short anywhere keeps all of it or none.
    func expectAtomicChangesJournaledWhole(_ entries: [SequencedEntry]) throws {
        for (previous, step) in zip(stepStates, stepStates.dropFirst()) where step.atomicChange != nil {
            let own = entries.filter { (previous.appended + 1...step.appended).contains($0.sequence) }
            let atomic = own.filter { if case .atomic = $0.entry { true } else { false } }
            let notices = own.filter { if case .schedule(_, .expiriesNoticed) = $0.entry { true } else { false } }
            if atomic.count != 1 || atomic.count + notices.count != own.count {
                throw fail(
                    "an atomic change was journaled as \(own.count) entries, \(atomic.count) of them atomic: "
                        + own.map { "\($0.sequence) \($0.entry)" }.joined(separator: "; "))
            }
            counts.atomicChangesJournaled += 1
        }
    }

    private func expectWholeOrAbsent(
        _ shown: [BookingID], recovered: ServerState, before: ServerState, after: ServerState
    ) throws {
        let now = latestInstant(recovered, before, after)
        func seen(_ state: ServerState, _ id: BookingID) -> String? {
            guard let booking = state.resources[id.resource]?.schedule.bookings[id.sequence] else { return nil }
            let lapsed = booking.state == .pendingConfirmation && booking.expiresAt.map { $0 <= now } == true
            return "\(lapsed ? BookingState.expired.rawValue : booking.state.rawValue) \(booking.range)"
        }
        let rows = shown.map { id in
            (id: id, recovered: seen(recovered, id), before: seen(before, id), after: seen(after, id))
        }
        let whole = rows.allSatisfy { $0.recovered == $0.after }
        let absent = rows.allSatisfy { $0.recovered == $0.before }
        guard !whole && !absent else { return }
        throw fail(
            "an atomic change is partial after a crash during its commit (booking: recovered / before / after):\n  "
                + rows.map { "\($0.id): \($0.recovered ?? "-") / \($0.before ?? "-") / \($0.after ?? "-")" }
                .joined(separator: "\n  "))
    }
}
