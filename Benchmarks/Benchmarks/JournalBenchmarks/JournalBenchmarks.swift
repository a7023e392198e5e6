import Benchmark
import BenchmarkSupport
import Foundation
import SlotDomain
import SlotJournal

/// The journal: group commit throughput at several batch sizes (entries per SQLite transaction, one fsync
/// each), and replay speed.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], warmupIterations: 1, maxDuration: .seconds(5),
        maxIterations: 50, thresholds: Thresholds.standard)

    let resource = ResourceID("bench")!
    let start = Instant(secondsSinceEpoch: 1_799_020_800)
    func entry(_ index: Int) -> JournalEntry {
        let slot = start.adding(seconds: Int64(index) * 900)
        return .schedule(
            resource,
            .held(
                HeldEvent(
                    sequence: UInt64(index + 1), range: TimeRange(start: slot, end: slot.adding(seconds: 900)),
                    customer: "customer-\(index % 97)", expiresAt: nil, confirmed: true, actor: "client", at: start,
                    idempotency: nil)))
    }
    func temporaryJournal(batch: Int) throws -> (Journal, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("slotd-bench-\(UUID().uuidString)")
        var configuration = Journal.Configuration()
        configuration.batchEntriesMax = batch
        let journal = try Journal(directory: folder, configuration: configuration, onFailure: { fatalError("\($0)") })
        journal.start()
        return (journal, folder)
    }

    // 4,096 entries per iteration, committed at most `batch` per transaction.
    for batch in [1, 16, 256, 4_096] {
        Benchmark("group-commit-\(batch)-per-commit-4096-entries") { benchmark in
            let (journal, folder) = try temporaryJournal(batch: batch)
            defer {
                journal.stop()
                try? FileManager.default.removeItem(at: folder)
            }
            var next = 0
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                var last: UInt64 = 0
                for _ in 0..<4_096 {
                    last = journal.append(entry(next))
                    next += 1
                }
                try await journal.waitUntilDurable(last)
            }
            benchmark.stopMeasurement()
        }
    }

    Benchmark("replay-100000-entries", configuration: .init(maxIterations: 10)) { benchmark in
        let (writer, folder) = try temporaryJournal(batch: 4_096)
        defer { try? FileManager.default.removeItem(at: folder) }
        var last: UInt64 = 0
        for index in 0..<100_000 { last = writer.append(entry(index)) }
        try await writer.waitUntilDurable(last)
        writer.stop()
        // Replay happens before a journal's writer starts, as on start-up.
        let journal = try Journal(directory: folder, onFailure: { fatalError("\($0)") })
        defer { journal.stop() }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var count = 0
            try journal.replay { _ in count += 1 }
            precondition(count == 100_000)
        }
        benchmark.stopMeasurement()
    }
}
