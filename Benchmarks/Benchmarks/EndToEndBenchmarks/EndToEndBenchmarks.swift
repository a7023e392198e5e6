import Benchmark
import BenchmarkSupport
import Foundation
import Logging
import SlotClient
import SlotServer

/// A real slotd in this process (all services, TCP on 127.0.0.1, durable acknowledgements) and one client:
/// the round trip of one `book`, and of 16 pipelined.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], warmupIterations: 5, maxDuration: .seconds(5),
        thresholds: Thresholds.standard)

    for pipeline in [1, 16] {
        Benchmark("book round trip, pipeline \(pipeline)") { benchmark in
            try await withServer { port in
                try await SlotConnection.withConnection(port: port) { client in
                    _ = try await client.call([
                        "op": "create_resource", "resource": "bench", "tz": "UTC", "horizon_days": 3_000,
                    ])
                    var slot = 0
                    benchmark.startMeasurement()
                    for _ in benchmark.scaledIterations {
                        let requests: [JSONValue] = (0..<pipeline).map { _ in
                            slot += 1
                            let startSeconds = 1_893_456_000 + slot * 900  // from 2030-01-01
                            return [
                                "op": "book", "resource": "bench", "customer": "c",
                                "start": .string(
                                    ISO8601DateFormatter().string(
                                        from: Date(timeIntervalSince1970: Double(startSeconds)))),
                                "end": .string(
                                    ISO8601DateFormatter().string(
                                        from: Date(timeIntervalSince1970: Double(startSeconds + 900)))),
                            ]
                        }
                        let replies = try await client.pipeline(requests)
                        precondition(replies.allSatisfy(\.ok), "\(replies)")
                    }
                    benchmark.stopMeasurement()
                }
            }
        }
    }
}

/// Starts a server on a free port in a temporary folder, runs `body`, then shuts the server down.
func withServer(_ body: (Int) async throws -> Void) async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("slotd-bench-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    var configuration = ServerConfiguration()
    configuration.port = 0
    configuration.dataDirectory = folder
    configuration.snapshotDirectory = folder.appendingPathComponent("snapshots")
    let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let runtime = try SlotRuntime(configuration: configuration, logger: logger) { continuation.yield($0.port) }
    let group = runtime.makeServiceGroup(logger: logger, signals: [])
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { return }
        do {
            try await body(port)
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}
