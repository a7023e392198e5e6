import Foundation
import Logging
import SlotDomain
import SlotJournal
import SlotServer
import SlotTesting
import Testing

/// Start-up time as data grows: 10,000 resources with 1,000,000 bookings, rebuilt from the journal alone and
/// from a snapshot. A measurement, not a pass/fail test, so it only runs when asked:
/// `SLOTD_STARTUP_BENCH=1 swift test -c release --filter StartupBenchmark` (SLOTD_STARTUP_BOOKINGS to scale).
@Suite struct StartupBenchmark {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SLOTD_STARTUP_BENCH"] == "1"))
    func startUpFromJournalAndFromSnapshot() async throws {
        let bookings = Int(ProcessInfo.processInfo.environment["SLOTD_STARTUP_BOOKINGS"] ?? "") ?? 1_000_000
        let resources = max(1, bookings / 100)
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let now = Instant(secondsSinceEpoch: 1_799_049_600)
        var configuration = ServerConfiguration()
        configuration.dataDirectory = directory
        configuration.snapshotDirectory = directory.appendingPathComponent("snapshots")
        let logger = Logger(label: "startup-bench") { _ in SwiftLogNoOpLogHandler() }

        let writeStarted = ContinuousClock.now
        try await LongJournal.write(
            to: directory, resources: resources, bookingsPerResource: bookings / resources, at: now)
        let writeSeconds = seconds(ContinuousClock.now - writeStarted)

        let fromJournal = try measure {
            try SlotRuntime(configuration: configuration, clock: ManualClock(now), logger: logger)
        }
        // The services are not run here: the writer is started by hand, for the snapshot's compaction.
        fromJournal.runtime.journal.start()
        let snapshot = try await fromJournal.runtime.snapshots.take(reason: "benchmark")
        fromJournal.runtime.journal.stop()
        let fromSnapshot = try measure {
            try SlotRuntime(configuration: configuration, clock: ManualClock(now), logger: logger)
        }
        #expect(fromSnapshot.runtime.recoveredSnapshot != nil)
        #expect(fromSnapshot.runtime.directory.count == resources)
        fromSnapshot.runtime.journal.stop()
        print(
            """
            startup benchmark: resources=\(resources) bookings=\(bookings) journal_write_seconds=\(writeSeconds)
              from journal alone: \(fromJournal.seconds) s
              snapshot: \(snapshot.sizeBytes) bytes written in \(snapshot.durationMilliseconds) ms, longest pause \(snapshot.longestPauseMilliseconds) ms
              from snapshot: \(fromSnapshot.seconds) s
              max RSS: \(maxResidentMegabytes()) MiB
            """)
    }

    func measure(_ body: () throws -> SlotRuntime) throws -> (runtime: SlotRuntime, seconds: Double) {
        let started = ContinuousClock.now
        let runtime = try body()
        return (runtime, seconds(ContinuousClock.now - started))
    }

    func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Peak resident memory of this process (VmHWM), in MiB.
    func maxResidentMegabytes() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1_024
    }
}
