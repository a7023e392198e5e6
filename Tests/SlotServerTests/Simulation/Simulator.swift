import Foundation
import Logging
import SlotClient
import SlotDomain
import SlotJournal

@testable import SlotServer

/// An invariant the simulation found broken, with what is needed to reproduce it.
struct SimulationFailure: Error, CustomStringConvertible {
    var seed: UInt64
    var step: Int
    /// The steps a run needs to reach the failure again (the steps after it do not change the ones before).
    var stepsToReproduce: Int
    var message: String
    var trail: [String]

    var description: String {
        """
        simulation seed \(seed) failed at step \(step): \(message)
        replay it with: SLOTD_SIM_SEED=\(seed) SLOTD_SIM_STEPS=\(stepsToReproduce) swift test --filter Simulation
        the last requests (> sent, < replied):
        \(trail.joined(separator: "\n"))
        """
    }
}

/// The whole server minus sockets, driven by one seed: a `SlotRuntime` on a temporary data folder with the
/// journal's manual writer and a manual clock, its services not running, fed request lines through
/// `InProcessConnection` (the decoder, dispatcher and encoder of a TCP connection). Between requests the
/// simulation moves the clock, sweeps expired holds, prunes idempotency keys, commits, takes snapshots, crashes
/// (uncommitted entries are lost) and restarts (recovery replays snapshot and journal), checking after every
/// step (see `SimulationTests`).
final class Simulator {
    let seed: UInt64
    let steps: Int
    var workload: SimulatedWorkload
    let clock: ManualClock
    let dataDirectory: URL
    let configuration: ServerConfiguration
    let logger = Logger(label: "slotd-simulation") { label in
        ProcessInfo.processInfo.environment["SLOTD_SIM_LOG"] == nil
            ? SwiftLogNoOpLogHandler() as any LogHandler : StreamLogHandler.standardError(label: label)
    }
    var runtime: SlotRuntime
    var connection: InProcessConnection
    var ledger = AcknowledgedLedger()
    /// The live state at the last commit, when everything appended was durable: what a crash must bring back.
    var lastCommitted: ServerState
    var step = 0
    var trail: [String] = []
    var counts = SimulationCounts()
    /// Whether a snapshot file was damaged in this run (at most one is).
    var damagedSnapshot = false
    /// The latest the wall clock has been: a key the server saw expire (and may have pruned) stays forgotten when
    /// the clock is set back afterwards.
    var latestWallClock: Instant
    /// A deliberate mistake, for the test that shows the crash check catches it: every reply counts as
    /// acknowledged as soon as it is decided, as if replies were sent before their commit.
    var acknowledgesBeforeCommit = false
    /// The state after each step since the last commit (`Simulator+TornCommit.swift`).
    var stepStates: [StepState] = []
    /// Whether this step was an atomic change that changed something.
    var stepWasAtomicChange = false
    /// The step after the last commit whose state is kept for a crash during the next commit.
    var keptStep = 1

    init(seed: UInt64, steps: Int) throws {
        self.seed = seed
        self.steps = steps
        var workload = SimulatedWorkload(seed: seed)
        latestWallClock = workload.startInstant()
        clock = ManualClock(latestWallClock)
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("slotd-sim-\(seed)-\(UUID())")
        var configuration = ServerConfiguration()
        configuration.dataDirectory = dataDirectory
        configuration.snapshotDirectory = dataDirectory.appendingPathComponent("snapshots")
        configuration.journal.writer = .manual
        configuration.journal.batchEntriesMax = [2, 16, 4_096].randomElement(using: &workload.random) ?? 16
        configuration.snapshotsKept = Int.random(in: 1...3, using: &workload.random)
        // Small limits in some runs, so that trimmed histories, the hold limit and a full waitlist are replayed.
        if Bool.random(using: &workload.random) {
            configuration.domainLimits.historyEntriesPerBookingMax = 3
            configuration.domainLimits.activeHoldsPerResourceMax = 4
            configuration.domainLimits.waitingEntriesPerResourceMax = 3
        }
        self.configuration = configuration
        self.workload = workload
        runtime = try SlotRuntime(configuration: configuration, clock: clock, logger: logger)
        connection = InProcessConnection(runtime: runtime)
        lastCommitted = ServerState(limits: configuration.domainLimits)
        resetStepStates()
    }

    deinit {
        try? FileManager.default.removeItem(at: dataDirectory)
    }

    /// Runs every step, then commits and checks once more, and stops the server.
    func run() async throws {
        for step in 0..<steps {
            self.step = step
            stepWasAtomicChange = false
            try await perform(workload.next(now: clock.now()))
            let live = await runtime.directory.state()
            try expect(CapacityCheck.violations(in: live), "capacity exceeded")
            try expect(GroupCheck.violations(in: live, at: latestInstant(live)), "a group is not uniform")
            recordStep(live)
        }
        step = steps
        try await commit()
        try await restart()
        runtime.journal.stop()
    }

    func fail(_ message: String) -> SimulationFailure {
        SimulationFailure(
            seed: seed, step: step, stepsToReproduce: min(step + 1, steps), message: message,
            trail: trail.suffix(Self.trailShown))
    }

    /// Fails with `message` and the first few `problems`, if there are any.
    func expect(_ problems: [String], _ message: String) throws {
        guard !problems.isEmpty else { return }
        throw fail("\(message):\n  " + problems.prefix(10).joined(separator: "\n  "))
    }

    /// How many lines of the trail a failure shows: `SLOTD_SIM_TRAIL`, or the last dozen.
    static let trailShown = ProcessInfo.processInfo.environment["SLOTD_SIM_TRAIL"].flatMap { Int($0) } ?? 12

    func note(_ line: String) {
        trail.append("step \(step): \(line)")
        if trail.count > 2 * Self.trailShown + 100 { trail.removeFirst(trail.count - Self.trailShown) }
    }

    private func perform(_ action: SimulatedAction) async throws {
        switch action {
        case .request(let request):
            _ = try await send(request)
        case .retry(let original):
            let reply = try await send(original.request)
            guard isStillRemembered(original) else { return }
            counts.retriesChecked += 1
            if reply.bytes != original.reply {
                throw fail("an idempotent retry got another reply: first \(text(original.reply))")
            }
        case .conflictingRetry(let request, let original):
            let reply = try await send(request)
            guard isStillRemembered(original) else { return }
            counts.retriesChecked += 1
            let code = (try? JSONValue.parse(bytes: reply.bytes))?.errorCode
            if code != "idempotency_conflict" { throw fail("the same key with another body was not a conflict") }
        case .advanceClock(let seconds):
            clock.advance(seconds: seconds)
            latestWallClock = max(latestWallClock, clock.now())
            note("clock +\(seconds) s, now \(RFC3339.format(clock.now()))")
        case .sweepExpiredHolds:
            let visited = await ExpiryService.sweep(runtime.directory)
            note("expiry sweep visited \(visited)")
        case .pruneKeys:
            runtime.directory.idempotency.prune(now: clock.now())
            note("idempotency keys pruned")
        case .commit: try await commit()
        case .snapshot: try await snapshot()
        case .crash: try await crash()
        case .crashWithDamagedSnapshot: try await crash(damagingNewestSnapshot: true)
        case .commitThenCrash:
            try await commit()
            try await crash()
        case .crashDuringCommit: try await crashDuringCommit()
        case .restart: try await restart()
        }
    }

    /// Whether the key of `original` is still remembered, so that a retry must get its reply: the change was not
    /// lost in a crash (those are removed from the workload) and the key has not aged out. A margin keeps the
    /// boundary instant out.
    private func isStillRemembered(_ original: RememberedRequest) -> Bool {
        latestWallClock.seconds(since: original.at) < configuration.domainLimits.idempotencyRetentionSeconds - 60
    }

    /// Sends one request line; records what it changed for the ledger and what its key remembers.
    func send(_ request: JSONValue) async throws -> InProcessConnection.Reply {
        let line = request.jsonText
        let appendedBefore = runtime.journal.appendedSequence
        let reply = await connection.decide(Array(line.utf8))
        let appendedAfter = runtime.journal.appendedSequence
        counts.requests += 1
        note("> \(line)")
        note("< \(text(reply.bytes)) (awaitedSequence \(reply.awaitedSequence))")
        counts.transcript.add(reply.bytes)
        guard let parsed = try? JSONValue.parse(bytes: Array(reply.bytes.dropLast())) else {
            throw fail("the reply is not JSON")
        }
        try await expectWaitsForWhatItShows(request, parsed, awaitedSequence: reply.awaitedSequence)
        guard parsed.ok else {
            counts.refusals[parsed.errorCode ?? "?", default: 0] += 1
            return reply
        }
        workload.learn(from: parsed)
        let entry = parsed["entry"]?["state"]?.string.map { "/" + $0 } ?? ""
        let batch = request["atomic"].map { $0 == .bool(true) ? "/atomic" : "/each" }
        let form = request["resources"] != nil ? "/group" : request["pool"] != nil ? "/pool" : batch ?? entry
        counts.succeeded[(request["op"]?.string ?? "?") + form, default: 0] += 1
        guard appendedAfter > appendedBefore else { return reply }
        counts.changes += 1
        if Self.isAtomicChange(request) { stepWasAtomicChange = true }
        // A reply sent before all of its own entries are durable would acknowledge what a crash can take back.
        if reply.awaitedSequence < appendedAfter {
            throw fail(
                "the reply waits for entry \(reply.awaitedSequence), but the request appended up to \(appendedAfter)")
        }
        ledger.record(
            .init(
                awaitedSequence: reply.awaitedSequence, bookings: try bookings(in: parsed),
                resource: parsed["resource"]?["id"]?.string.flatMap { ResourceID($0) }))
        if acknowledgesBeforeCommit { ledger.durable(through: .max) }
        if request["idempotency_key"] != nil {
            workload.remembered.append(
                RememberedRequest(request: request, reply: reply.bytes, at: clock.now(), acknowledged: false))
        }
        return reply
    }

    /// No reply reveals what a crash could take back: a reply about one resource's schedule (a read, a refusal, a
    /// change) waits for that resource's newest journal entry. A refusal of the request itself is decided before
    /// any resource is looked at (`decodingCodes`), an unknown resource has no entries, and a resource's settings
    /// (all that `create_resource` and `get_resource` show) are fixed by its first entry. A successful reply that
    /// shows bookings of several resources (a group, a batch) waits for the newest entry of each.
    private func expectWaitsForWhatItShows(_ request: JSONValue, _ reply: JSONValue, awaitedSequence: UInt64)
        async throws
    {
        guard !Self.decodingCodes.contains(reply.errorCode ?? ""), reply.errorCode != "not_found",
            !["create_resource", "get_resource"].contains(request["op"]?.string)
        else { return }
        let named = [request["resource"], request["booking"], request["entry"], request["series"]]
            .compactMap { $0?.string?.split(separator: "/").first.flatMap { ResourceID(String($0)) } }
        var shown = Set(named.count == 1 ? named : [])
        if reply.ok { shown.formUnion(try bookings(in: reply).map(\.id.resource)) }
        for id in shown.sorted() {
            guard let actor = runtime.directory.actor(id) else { continue }
            let newest = await actor.state().lastSequence
            if awaitedSequence < newest {
                throw fail(
                    "the reply waits for entry \(awaitedSequence), but shows \(id), whose newest entry is \(newest)")
            }
        }
    }

    /// The codes `RequestDecoder` refuses with (a wall time is resolved in the request's zone while decoding).
    static let decodingCodes: Set<String> = [
        "invalid_request", "bad_json", "unknown_op", "unknown_time_zone", "ambiguous_local_time",
        "nonexistent_local_time",
    ]

    /// The bookings a successful reply shows, as it shows them (a group's members, and in a batch the bookings of
    /// each op's successful result, in order).
    private func bookings(in reply: JSONValue) throws -> [BookingSummary] {
        var objects = reply["bookings"]?.array ?? []
        if let booking = reply["booking"] { objects.append(booking) }
        if let booking = reply["entry"]?["booking"] { objects.append(booking) }
        objects += reply["group"]?["bookings"]?.array ?? []
        let inResults = try (reply["results"]?.array ?? []).filter(\.ok).flatMap { try bookings(in: $0) }
        return try inResults
            + objects.map { object in
                guard let id = object["id"]?.string.flatMap({ BookingID(parsing: $0) }),
                    let start = object["start"]?.string.flatMap({ RFC3339.parse($0)?.instant }),
                    let end = object["end"]?.string.flatMap({ RFC3339.parse($0)?.instant }),
                    let customer = object["customer"]?.string,
                    let state = object["state"]?.string.flatMap({ BookingState(rawValue: $0) })
                else { throw fail("a booking in a reply does not read back: \(object)") }
                let expiresAt = object["expires_at"]?.string.flatMap { RFC3339.parse($0)?.instant }
                return BookingSummary(
                    id: id, range: TimeRange(start: start, end: end), customer: customer, state: state,
                    expiresAt: expiresAt)
            }
    }

    func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.last == 0x0A ? bytes.dropLast() : bytes[...], as: UTF8.self)
    }
}
