import Foundation
import Logging
import NIOPosix
import SlotDomain
import SlotJournal
import SlotWire

/// Takes snapshots, one at a time. Resources are captured one by one while the server keeps serving (each
/// capture is a copy-on-write copy inside its actor); building, encoding and writing the file run on NIO's
/// blocking-I/O thread pool, never on the actors' threads. Afterwards old snapshots are pruned and the journal
/// is compacted up to the oldest snapshot kept.
public actor SnapshotCoordinator {
    private let directory: ResourceDirectory
    private let store: SnapshotStore
    private let journal: Journal
    private let kept: Int
    private let logger: Logger
    /// Nil when the server keeps no metrics.
    private let metrics: SnapshotMetrics?
    /// Called with the entry a compaction will delete through, before it does: the webhook outbox takes the events
    /// it has not read yet (`Outbox.catchUp`). When it throws, the journal is not compacted (an erasure fails).
    private let beforeCompacting: (@Sendable (UInt64) async throws -> Void)?
    public private(set) var last: SnapshotSummary?
    /// An actor runs other calls while one awaits; these make `take` run strictly one at a time, in order.
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(
        directory: ResourceDirectory, store: SnapshotStore, journal: Journal, kept: Int, metrics: SnapshotMetrics?,
        beforeCompacting: (@Sendable (UInt64) async throws -> Void)? = nil, logger: Logger
    ) {
        self.metrics = metrics
        self.beforeCompacting = beforeCompacting
        self.directory = directory
        self.store = store
        self.journal = journal
        self.kept = kept
        self.logger = logger
    }

    /// The journal position of the newest snapshot taken by this process (0: none yet).
    public var lastJournalSequence: UInt64 { last?.journalSequence ?? 0 }

    /// `forErasure`: the snapshot is taken after an erasure's entry (`Dispatcher+Erasure`), and everything older
    /// that may still hold the erased text goes: this journal's older snapshots (and temporary files a crash left),
    /// the journal's entries up to this snapshot, and their bytes in SQLite's free pages and WAL (decision 0022).
    /// Until the next snapshot, this one is then the only one.
    public func take(reason: String, forErasure: Bool = false) async throws -> SnapshotSummary {
        while busy { await withCheckedContinuation { waiting.append($0) } }
        busy = true
        defer {
            busy = false
            if !waiting.isEmpty { waiting.removeFirst().resume() }
        }
        return try await takeAlone(reason: reason, forErasure: forErasure)
    }

    private func takeAlone(reason: String, forErasure: Bool) async throws -> SnapshotSummary {
        let started = ContinuousClock.now
        let journalSequence = journal.appendedSequence
        // In creation order: deterministic, and an integer compare instead of sorting every id as a string.
        let actors = directory.allActors().sorted { $0.createdSequence < $1.createdSequence }
        var captured: [(schedule: ResourceSchedule, journalSequence: UInt64, created: UInt64)] = []
        captured.reserveCapacity(actors.count)
        var longestPause = Duration.zero
        for actor in actors {
            let before = ContinuousClock.now
            let (schedule, sequence) = await actor.capture()
            longestPause = max(longestPause, ContinuousClock.now - before)
            captured.append((schedule, sequence, actor.createdSequence))
        }
        // After every resource: a key whose event is in a captured resource is surely in here.
        let records = directory.idempotency.records()
        // After the header's sequence was read, so replay (from that sequence) misses no token entry.
        let tokens = directory.tokens.capture(journal: journal)
        // A snapshot holds only durable state. Captures can include entries appended but not yet committed (and
        // the keys above belong to entries appended before they were read): wait until all of those are on disk,
        // or a crash could bring back from the snapshot what was never acknowledged.
        try await journal.waitUntilDurable(journal.appendedSequence)
        let journalID = journal.journalID
        let createdAt = directory.clock.now()
        let store = self.store
        let kept = forErasure ? 1 : self.kept
        let resources = captured
        let written = try await NIOThreadPool.singleton.runIfActive {
            let image = SnapshotImage(
                journalID: journalID, journalSequence: journalSequence, createdAt: createdAt,
                resources: resources.map { entry in
                    ResourceImage(
                        settings: entry.schedule.settings, clock: entry.schedule.clock,
                        lastBookingSequence: entry.schedule.lastSequence, createdJournalSequence: entry.created,
                        capturedJournalSequence: entry.journalSequence,
                        bookings: entry.schedule.bookings.values,
                        rules: entry.schedule.rules, waitlist: Array(entry.schedule.waitlist.values),
                        lastWaitlistNumber: entry.schedule.lastWaitlistNumber, groups: entry.schedule.groups,
                        remindedThrough: entry.schedule.remindedThrough, externalBusy: entry.schedule.externalBusy)
                }, idempotency: records, tokens: tokens.table, tokensJournalSequence: tokens.journalSequence)
            let (url, size) = try store.write(image)
            let keptSnapshots = store.prune(journalID: journalID, kept: kept)
            // Coordinated snapshots run one at a time, so no write of this journal's is under way.
            if forErasure { _ = store.removeStaleTemporaryFiles(journalID: journalID) }
            return (url, size, image.bookingCount, keptSnapshots)
        }
        // Compact only what every kept snapshot covers, and only once there are two: if the newest is ever damaged,
        // the one before it plus the journal must still rebuild everything. An erasure gives that up for the text
        // to go (the new snapshot was read back and checked before the older ones were deleted).
        let keptSnapshots = written.3
        var compactThrough =
            forErasure
            ? journalSequence
            : keptSnapshots.count >= 2 ? keptSnapshots[keptSnapshots.count - 1].journalSequence : 0
        if compactThrough > 0, let beforeCompacting {
            do {
                try await beforeCompacting(compactThrough)
            } catch let error where !forErasure {
                // The journal keeps growing until the outbox works again; that beats events never sent.
                logger.error(
                    "the journal is not compacted: the webhook outbox could not take the events it would delete",
                    metadata: ["journal.sequence": "\(compactThrough)", "error": "\(error)"])
                compactThrough = 0
            }
        }
        let deleted =
            compactThrough > 0 ? try await journal.compact(through: compactThrough, scrubbing: forErasure) : 0
        let elapsed = ContinuousClock.now - started
        let summary = SnapshotSummary(
            path: written.0.path, journalSequence: journalSequence, resources: actors.count,
            bookings: written.2, idempotencyKeys: records.count, sizeBytes: written.1,
            durationMilliseconds: Self.milliseconds(elapsed),
            longestPauseMilliseconds: Self.milliseconds(longestPause), compactedThrough: compactThrough,
            compactedEntries: deleted, takenAt: createdAt)
        last = summary
        metrics?.written(taking: elapsed, at: createdAt)
        logger.notice(
            "snapshot written",
            metadata: [
                "reason": "\(reason)", "path": "\(summary.path)", "journal.sequence": "\(journalSequence)",
                "resources": "\(summary.resources)", "bookings": "\(summary.bookings)", "bytes": "\(summary.sizeBytes)",
                "duration_ms": "\(summary.durationMilliseconds)",
                "longest_pause_ms": "\(summary.longestPauseMilliseconds)",
                "journal.compacted_through": "\(compactThrough)", "journal.compacted_entries": "\(deleted)",
            ])
        return summary
    }

    static func milliseconds(_ duration: Duration) -> Double {
        // Whole microseconds, shown in milliseconds.
        (Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12).rounded() / 1_000
    }
}
