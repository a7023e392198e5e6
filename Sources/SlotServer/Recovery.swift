import Foundation
import Logging
import SlotDomain
import SlotJournal
import SlotWire
import Synchronization

/// Rebuilds the server's state: the newest usable snapshot of this journal, then the journal after it. Events
/// are applied, not re-decided, so replay cannot reach a different outcome than the one the client was told.
/// A damaged snapshot is reported and the one before it is used; nothing is silently dropped: when no snapshot
/// can stand in for compacted journal entries, start-up fails with the reason.
struct Recovery {
    struct Summary: Sendable {
        var snapshot: String?
        var entries = 0
        var resources = 0
        var bookings = 0
        var seconds = 0.0
    }

    struct Recovered {
        var state: ServerState
        var summary = Summary()
    }

    struct RestoreRefused: Error, CustomStringConvertible {
        var description: String
    }

    /// Recovery gave up because `RecoveryStop` asked it to.
    struct Stopped: Error, CustomStringConvertible {
        var description: String { "start-up stopped during recovery" }
    }

    static func recover(
        journal: Journal, snapshots: SnapshotStore, restore: URL?, limits: DomainLimits, logger: Logger,
        stop: RecoveryStop = RecoveryStop()
    ) throws -> Recovered {
        let started = ContinuousClock.now
        var recovered = Recovered(state: ServerState(limits: limits))
        if let restore {
            try restoreInto(
                &recovered, journal: journal, snapshot: restore, store: snapshots, limits: limits, logger: logger)
        } else {
            var replayAfter: UInt64 = 0
            var skipThrough = Captured()
            if let (image, url, state) = try newestUsable(
                snapshots, journal: journal, limits: limits, logger: logger, stop: stop)
            {
                recovered = state
                recovered.summary.snapshot = url.path
                replayAfter = image.journalSequence
                skipThrough = Captured(image)
            }
            try replay(journal, after: replayAfter, skipping: skipThrough, into: &recovered, stop: stop)
        }
        recovered.summary.resources = recovered.state.resources.count
        recovered.summary.bookings = recovered.state.resources.values.reduce(0) { $0 + $1.schedule.bookings.count }
        let elapsed = ContinuousClock.now - started
        recovered.summary.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        logger.notice(
            "state recovered",
            metadata: [
                "snapshot": "\(recovered.summary.snapshot ?? "none")",
                "journal.entries": "\(recovered.summary.entries)",
                "resources": "\(recovered.summary.resources)", "bookings": "\(recovered.summary.bookings)",
                "seconds": "\(recovered.summary.seconds)",
            ])
        return recovered
    }

    /// The newest snapshot of this journal that reads back whole and still connects to the journal.
    static func newestUsable(
        _ store: SnapshotStore, journal: Journal, limits: DomainLimits, logger: Logger,
        stop: RecoveryStop = RecoveryStop()
    ) throws -> (SnapshotImage, URL, Recovered)? {
        let floor = try journal.floor()
        let last = journal.appendedSequence
        for listing in store.list(journalID: journal.journalID) {
            try stop.check()
            do {
                let image = try SnapshotStore.load(listing.url)
                guard image.journalSequence >= floor else {
                    throw SnapshotError.invalid(
                        "it ends at entry \(image.journalSequence), the journal starts after \(floor)")
                }
                // A snapshot holding entries this journal does not have (the journal was put back from an older
                // backup) belongs to a timeline that no longer exists. It is set aside for good: once new entries
                // reuse its numbers it would look usable again, and replaying over it would lose them.
                let reach = image.reach
                guard reach <= last else {
                    let aside: URL
                    do { aside = try store.setAside(listing.url, reason: "beyond-journal") } catch {
                        // Leaving it in place would risk losing new entries later: refuse to start instead.
                        throw RestoreRefused(description: "cannot set aside \(listing.url.path): \(error)")
                    }
                    throw SnapshotError.invalid(
                        "it includes journal entries up to \(reach) but the journal ends at \(last) (restored from a "
                            + "backup?); moved aside to \(aside.lastPathComponent)")
                }
                return (image, listing.url, try state(from: image, limits: limits))
            } catch let error as RestoreRefused {
                throw error
            } catch {
                logger.error(
                    "snapshot unusable; trying the previous one",
                    metadata: ["path": "\(listing.url.path)", "error": "\(error)"])
            }
        }
        return nil
    }

    static func state(from image: SnapshotImage, limits: DomainLimits) throws -> Recovered {
        var state = ServerState(
            limits: limits, resources: [], keys: IdempotencyTable(limits: limits), tokens: image.tokens)
        for resource in image.resources {
            let schedule = try ResourceSchedule(
                restoring: resource.settings, clock: resource.clock, lastSequence: resource.lastBookingSequence,
                bookings: resource.bookings, rules: resource.rules, waitlist: resource.waitlist,
                lastWaitlistNumber: resource.lastWaitlistNumber, groups: resource.groups,
                remindedThrough: resource.remindedThrough, externalBusy: resource.externalBusy, limits: limits)
            state.restore(
                ResourceState(
                    schedule: schedule, createdSequence: resource.createdJournalSequence,
                    lastSequence: resource.capturedJournalSequence))
        }
        for record in image.idempotency { state.restore(record) }
        return Recovered(state: state)
    }

    /// What a snapshot captured later than its header's sequence: each resource up to its own position, and the
    /// token table up to its.
    struct Captured {
        var resources: [ResourceID: UInt64] = [:]
        var tokens: UInt64 = 0

        init() {}

        init(_ image: SnapshotImage) {
            for resource in image.resources { resources[resource.settings.id] = resource.capturedJournalSequence }
            tokens = image.tokensJournalSequence
        }

        /// Whether the snapshot's state already includes `entry` (numbered `sequence`); for an atomic entry, false:
        /// its parts are skipped one by one (its resources may have been captured at different moments), and its
        /// key is remembered again, which changes nothing when the snapshot kept it.
        func includes(_ entry: JournalEntry, sequence: UInt64) -> Bool {
            switch entry {
            case .tokenCreated, .tokenRevoked: sequence <= tokens
            // An erasure is applied again whatever was captured: each captured resource is skipped by its own
            // position, and erasing keys and tokens twice changes nothing.
            case .atomic, .customerErased: false
            case .resourceCreated, .schedule, .keyRecorded:
                entry.resource.map { includes($0, sequence: sequence) } ?? false
            }
        }

        func includes(_ resource: ResourceID, sequence: UInt64) -> Bool {
            resources[resource].map { sequence <= $0 } ?? false
        }
    }

    /// Applies every stored entry after `sequence` through `ServerState.apply`, the path live requests take,
    /// except those the snapshot captured later than `sequence` (a resource's, the token table's).
    static func replay(
        _ journal: Journal, after sequence: UInt64, skipping skipThrough: Captured, into recovered: inout Recovered,
        stop: RecoveryStop
    ) throws {
        try journal.replay(after: sequence) { sequenced in
            try stop.check()
            let captured = { (resource: ResourceID) in skipThrough.includes(resource, sequence: sequenced.sequence) }
            if skipThrough.includes(sequenced.entry, sequence: sequenced.sequence) { return }
            recovered.summary.entries += 1
            do throws(ServerState.ApplyFailure) {
                try recovered.state.apply(sequenced.entry, sequence: sequenced.sequence, skipping: captured)
            } catch {
                throw JournalError.corruptRecord(sequence: sequenced.sequence, reason: error.description)
            }
        }
    }

    /// Point-in-time restore into an empty data folder: the snapshot's state becomes this journal's starting
    /// point, and a snapshot of it under this journal's id is written before anything is served, so a restart
    /// finds it.
    static func restoreInto(
        _ recovered: inout Recovered, journal: Journal, snapshot url: URL, store: SnapshotStore,
        limits: DomainLimits, logger: Logger
    ) throws {
        guard journal.isEmpty else {
            throw RestoreRefused(
                description:
                    "--restore needs an empty data folder; this one already has a journal. Move it aside first.")
        }
        var image = try SnapshotStore.load(url)
        recovered = try state(from: image, limits: limits)
        let floor = image.reach
        try journal.adoptFloor(floor)
        image.journalID = journal.journalID
        image.journalSequence = floor
        image.tokensJournalSequence = floor
        let written = try store.write(image)
        recovered.summary.snapshot = url.path
        logger.notice(
            "restored from snapshot",
            metadata: [
                "path": "\(url.path)", "resources": "\(image.resources.count)", "bookings": "\(image.bookingCount)",
                "journal.sequence": "\(floor)", "taken_at": "\(RFC3339.format(image.createdAt))",
                "written_as": "\(written.url.path)",
            ])
    }
}

/// Asks a recovery under way to give up: a graceful shutdown while `slotd` replays its journal (`SlotStartup`).
/// Recovery looks between journal entries and between snapshots, so it stops within one entry's or one snapshot's
/// work; a relaxed atomic load per entry costs nothing next to reading the entry from SQLite.
final class RecoveryStop: Sendable {
    private let requested = Atomic(false)

    func request() { requested.store(true, ordering: .relaxed) }

    /// Throws `Recovery.Stopped` once a stop was requested.
    func check() throws {
        if requested.load(ordering: .relaxed) { throw Recovery.Stopped() }
    }
}
