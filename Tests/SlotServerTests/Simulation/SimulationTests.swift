import Foundation
import SlotDomain
import Testing

/// The whole-server deterministic simulation (`Simulator`): one seed drives many resources with every mutating
/// op, idempotent retries, clock jumps, expiry sweeps, snapshots, commits, crashes and restarts, and after every
/// step checks that
/// 1. no resource holds more than its capacity at any instant, buffers included (`CapacityCheck`, computed from
///    the bookings alone);
/// 2. every acknowledged change is there after a crash: the recovered state equals the live state of the last
///    commit exactly, and holds each acknowledged booking as the last acknowledged reply showed it
///    (`AcknowledgedLedger`); a retry under a remembered key gets its first reply byte for byte;
/// 3. replay equals live: at every commit the journal replayed into an empty state, and recovery from the newest
///    snapshot and the journal, equal the live state part by part;
/// 4. no group is partial: its members share one state (but for attendance, which is per member), one range and
///    one hold expiry, and each carries the same membership (`GroupCheck`);
/// 5. an atomic change is all or nothing across a crash: `kill -9` in the middle of a commit keeps the entries up
///    to some point, and every atomic change (a group's hold or op, a pool's hold, an atomic batch) is one journal
///    entry, after at most the expiries its resources noticed first, so no cut splits it; cut after a step whose
///    state was kept, the recovered state is that state (`Simulator+TornCommit.swift`).
///
/// `SLOTD_SIM_SEED=N` runs seed N alone, `SLOTD_SIM_SEEDS=N` runs N seeds from `SLOTD_SIM_FIRST_SEED` (default
/// 1), and `SLOTD_SIM_STEPS` sets the steps per seed (docs/OPERATIONS.md, "Testing"). A failure names its seed and
/// step and shows the last requests. The seeds run one after another: in parallel they took both cores from the
/// suites that time a real server, which then failed for want of CPU.
@Suite(.serialized) struct SimulationTests {
    /// What CI runs: a few seeds, a debug build, well under a minute on two cores.
    static let ciSeeds: [UInt64] = Array(1...8)
    static let ciSteps = 1_000

    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    static func seeds() -> [UInt64] {
        if let seed = environment["SLOTD_SIM_SEED"].flatMap({ UInt64($0) }) { return [seed] }
        if let count = environment["SLOTD_SIM_SEEDS"].flatMap({ UInt64($0) }), count > 0 {
            let first = environment["SLOTD_SIM_FIRST_SEED"].flatMap { UInt64($0) } ?? 1
            return Array(first..<(first + count))
        }
        return ciSeeds
    }

    static var steps: Int { environment["SLOTD_SIM_STEPS"].flatMap { Int($0) } ?? ciSteps }

    @Test(arguments: seeds())
    func everyInvariantHoldsAfterEveryStep(seed: UInt64) async throws {
        let started = ContinuousClock.now
        let simulator = try Simulator(seed: seed, steps: Self.steps)
        do {
            try await simulator.run()
        } catch let failure as SimulationFailure {
            Issue.record("\(failure)")
            return
        }
        let counts = simulator.counts
        print(
            "simulation seed \(seed): \(Self.steps) steps, \(counts.requests) requests, \(counts.changes) changes, "
                + "\(counts.retriesChecked) retries checked, \(counts.commits) commits, \(counts.replayChecks) "
                + "replay checks, \(counts.snapshots) snapshots, \(counts.crashes) crashes ("
                + "\(counts.crashesDuringCommit) during a commit), "
                + "\(counts.atomicChangesJournaled) atomic changes read back as one entry, "
                + "\(counts.restarts) restarts, \(ContinuousClock.now - started)")
        if Self.environment["SLOTD_SIM_VERBOSE"] != nil {
            print("  succeeded: \(counts.succeeded.sorted { $0.key < $1.key })")
            print("  refused: \(counts.refusals.sorted { $0.key < $1.key })")
        }
        // The workload must reach past the refusals, or the checks above check little.
        #expect(counts.changes * 6 >= counts.requests, "refusals: \(counts.refusals)")
    }

    /// One seed gives one run: the same replies in the same order, so a failure is reproduced from its seed.
    @Test func aSeedReplaysTheSameRun() async throws {
        var digests: [TranscriptDigest] = []
        for _ in 0..<2 {
            let simulator = try Simulator(seed: 7, steps: 150)
            try await simulator.run()
            digests.append(simulator.counts.transcript)
        }
        #expect(digests[0] == digests[1])
    }
}
