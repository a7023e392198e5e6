import Logging
import ServiceLifecycle
import SlotJournal

/// Owns the journal writer's lifetime: it runs first and stops last, so every reply the listener still sends
/// during shutdown is committed, and the final commit happens before the process exits.
public struct JournalService: Service {
    let journal: Journal
    let logger: Logger

    public func run() async throws {
        // Wait for shutdown (or cancellation); either way, flush what is queued.
        try? await gracefulShutdown()
        journal.stop()
        logger.notice("journal flushed and closed", metadata: ["journal.sequence": "\(journal.durableSequence)"])
    }
}

/// Sweeps expired holds out of memory every few seconds. Correctness does not depend on it (every request
/// expires what is due first); it keeps idle resources from carrying dead holds.
public struct ExpiryService: Service {
    let directory: ResourceDirectory
    let intervalSeconds: Int

    public func run() async throws {
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(intervalSeconds)) }
            } catch {
                return
            }
            for actor in directory.allActors() {
                if Task.isShuttingDownGracefully { return }
                await actor.sweep()
            }
            directory.idempotency.prune(now: directory.clock.now())
        }
    }
}
