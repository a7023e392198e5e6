import ServiceLifecycle
import SlotDomain
import SlotJournal

/// Closes a `LiveSamples` second once a second, reading the journal's queue and commits and the open connections.
struct LiveSampler: Service {
    let samples: LiveSamples
    let journal: Journal
    let connections: ConnectionCounter
    let clock: any WallClock

    func run() async throws {
        var commits = journal.commitCount
        var durable = journal.durableSequence
        // Graceful shutdown cancels the sleep and ends the loop; a second not closed by then is not needed.
        while (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: .seconds(1)) })) != nil {
            let nowCommits = journal.commitCount
            let nowDurable = journal.durableSequence
            samples.close(
                at: clock.now(),
                gauges: LiveSamples.Gauges(
                    journalQueueDepth: journal.outstandingEntries, journalCommits: Int(nowCommits &- commits),
                    journalEntriesCommitted: Int(nowDurable &- durable), connections: connections.current))
            commits = nowCommits
            durable = nowDurable
        }
    }
}
