import Logging
import ServiceLifecycle
import SlotJournal

/// Owns the journal writer's lifetime, start and stop: it runs first and stops last, so every reply the listener
/// still sends during shutdown is committed, and the final commit happens before the process exits. A runtime
/// built and never run starts no thread; what it appended stays queued until `journal.stop()` commits it.
public struct JournalService: Service {
    let journal: Journal
    let logger: Logger
    /// Runs before the journal closes: other connections to its file close first (the change stream's reader).
    var beforeStop: @Sendable () -> Void = {}

    public func run() async throws {
        journal.start()
        // Wait for shutdown (or cancellation); either way, flush what is queued.
        try? await gracefulShutdown()
        beforeStop()
        journal.stop()
        logger.notice("journal flushed and closed", metadata: ["journal.sequence": "\(journal.durableSequence)"])
    }
}

/// Sweeps expired holds out of memory every few seconds, and sends the reminders due. Correctness does not
/// depend on it for holds (every request expires what is due first); it keeps idle resources from carrying dead
/// holds, gives their time to waiting customers, and is what sends a reminder when nobody asks. It visits only the
/// resources with a hold or a reminder due, so a sweep costs in proportion to what is due, not to the resources
/// (decision 0013). The first sweep runs at start, so reminders that fell due while the server was down go out
/// then.
public struct ExpiryService: Service {
    let directory: ResourceDirectory
    let intervalSeconds: Int

    public func run() async throws {
        await Self.sweep(directory)
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(intervalSeconds)) }
            } catch {
                return
            }
            await Self.sweep(directory)
            directory.idempotency.prune(now: directory.clock.now())
        }
    }

    /// One sweep. Returns how many resources it visited.
    @discardableResult
    public static func sweep(_ directory: ResourceDirectory) async -> Int {
        let due = directory.actorsWithSomethingDue(at: directory.clock.now())
        for actor in due {
            if Task.isShuttingDownGracefully { break }
            await actor.sweep()
        }
        return due.count
    }
}

/// Takes a snapshot every `everyMinutes`, or once enough journal entries were written since the last one,
/// whichever comes first (0 turns a trigger off). "Enough" is `everyEntries`, or as many entries as the last
/// snapshot held records (bookings, resources, keys) if that is more: a snapshot costs time in proportion to the
/// state, so it waits until the journal tail is as large as the state, and the cost per entry stays constant
/// however large the server grows (the rule Redis uses for rewriting its append-only file). A failed snapshot
/// is logged and retried at the next trigger: the journal still holds everything, so nothing is at risk, only
/// restart time.
public struct SnapshotService: Service {
    let coordinator: SnapshotCoordinator
    let journal: Journal
    let everyMinutes: Int
    let everyEntries: Int
    let logger: Logger

    public func run() async throws {
        // Turned off: stay until shutdown. Returning would end the service, and the group ends with it.
        guard everyMinutes > 0 || everyEntries > 0 else {
            try? await gracefulShutdown()
            return
        }
        var lastTaken = ContinuousClock.now
        var lastSequence = journal.appendedSequence
        var lastSize = 0
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            } catch {
                return
            }
            let dueByTime = everyMinutes > 0 && ContinuousClock.now - lastTaken >= .seconds(everyMinutes * 60)
            let written = journal.appendedSequence - lastSequence
            let dueByCount = everyEntries > 0 && written >= UInt64(max(everyEntries, lastSize))
            guard (dueByTime && written > 0) || dueByCount else { continue }
            do {
                let summary = try await coordinator.take(reason: dueByCount ? "entries" : "timer")
                lastSequence = summary.journalSequence
                lastSize = summary.bookings + summary.resources + summary.idempotencyKeys
            } catch {
                logger.error("periodic snapshot failed", metadata: ["error": "\(error)"])
            }
            lastTaken = ContinuousClock.now
        }
    }
}
