import Foundation
import SlotClient
import SlotDomain
import SlotJournal
import SlotServer
import SlotTesting
import Testing

/// The one apply path: a seeded random run of every kind of mutation over TCP, with idempotent retries (of every
/// op that takes a key: bookings, rules, series, the waitlist, resources, groups, atomic batches) and the clock
/// moving; groups are made, confirmed, canceled and rescheduled as a whole (their members refused one by one), and
/// batches mix holds, books, confirmations, cancels and rule changes over one to three resources, atomic (some
/// refused as a whole) or not. Then the journal replayed into an empty `ServerState` and compared with the live
/// server's state, part by part (every resource, booking with its history and group, rule, waitlist entry and
/// idempotency key), at several points of the run. Resource `d` has a one-minute hold TTL and customers wait for
/// times just held, so promotions by noticed expiries (and their lapses, and the next waiter's) happen during the
/// run. Seed 3 of the run before groups and batches no longer reaches such a promotion; 4 does.
@Suite struct ReplayEqualsLiveTests {
    struct Checkpoint {
        var step: Int
        var live: ServerState
        var journalSequence: UInt64
        var now: Instant
    }

    @Test(arguments: [4, 17, 92] as [UInt64])
    func replayedJournalEqualsTheLiveStateAtEveryCheckpoint(seed: UInt64) async throws {
        let clock = ManualClock(TestServer.epoch)
        let dataDirectory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        let checkpoints = try await TestServer.run(dataDirectory: dataDirectory, clock: clock) { server in
            try await server.connect { client in
                var run = RandomMutations(seed: seed, clock: clock)
                var checkpoints: [Checkpoint] = []
                for step in 0..<240 {
                    try await run.step(client)
                    // The sweeper's visit, at chosen moments: it notices expiries with nobody else asking.
                    if step % 9 == 4 { await ExpiryService.sweep(server.runtime.directory) }
                    if step % 40 == 39 {
                        checkpoints.append(
                            Checkpoint(
                                step: step, live: await server.runtime.directory.state(),
                                journalSequence: server.runtime.journal.appendedSequence, now: clock.now()))
                    }
                }
                #expect(
                    run.succeeded > 90,
                    "the run changed enough to compare (\(run.succeeded) changes; refused: \(run.refusals))")
                // Groups and batches reached: made, changed as a whole, refused as a member, decided all or nothing.
                for op in ["hold/group", "book/group", "confirm_group", "batch/atomic", "batch/each"] {
                    #expect(run.succeededByOp[op, default: 0] > 0, "seed \(seed): no \(op) succeeded")
                }
                for code in ["group_member", "batch_refused"] {
                    #expect(run.refusals[code, default: 0] > 0, "seed \(seed): nothing refused as \(code)")
                }
                return checkpoints
            }
        }
        let journal = try Journal(directory: dataDirectory)
        defer { journal.stop() }
        var notices = 0
        try journal.replay { if case .schedule(_, .expiriesNoticed) = $0.entry { notices += 1 } }
        #expect(notices > 0, "seed \(seed): expiries noticed while customers waited, and their time offered")
        for checkpoint in checkpoints {
            let replayed = try ServerState.replaying(
                journal, through: checkpoint.journalSequence, limits: ServerConfiguration().domainLimits)
            let differences = replayed.differences(from: checkpoint.live, at: checkpoint.now)
            #expect(
                differences.isEmpty,
                "seed \(seed), step \(checkpoint.step): replayed / live:\n\(differences.prefix(10).joined(separator: "\n"))"
            )
            #expect(replayed.resources.count == 4)
        }
    }
}
