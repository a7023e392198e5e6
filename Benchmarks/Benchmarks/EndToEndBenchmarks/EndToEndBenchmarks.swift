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
        Benchmark("book-round-trip-pipeline-\(pipeline)") { benchmark in
            try await withServer { port in
                try await SlotConnection.withConnection(port: port) { client in
                    _ = try await client.call([
                        "op": "create_resource", "resource": "bench", "tz": "UTC", "horizon_days": 3_000,
                    ])
                    // Request lines are made before measuring: the client's own costs stay out of the numbers.
                    let lines = (0..<(benchmark.scaledIterations.count * pipeline)).map { slot in
                        let start = Date(timeIntervalSince1970: Double(1_893_456_000 + slot * 900))  // from 2030
                        let format = ISO8601DateFormatter()
                        return
                            #"{"op":"book","resource":"bench","customer":"c","start":"\#(format.string(from: start))","#
                            + #""end":"\#(format.string(from: start.addingTimeInterval(900)))"}"#
                    }
                    var next = 0
                    benchmark.startMeasurement()
                    for _ in benchmark.scaledIterations {
                        try await client.sendRaw(
                            Array(lines[next..<(next + pipeline)].joined(separator: "\n").utf8) + [10])
                        next += pipeline
                        for _ in 0..<pipeline {
                            let reply = try await client.receiveBytes()
                            precondition(reply.starts(with: Array(#"{"id":null,"ok":true"#.utf8)), "refused")
                        }
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
