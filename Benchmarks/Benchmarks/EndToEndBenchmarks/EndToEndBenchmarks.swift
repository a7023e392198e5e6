import Benchmark
import BenchmarkSupport
import Foundation
import SlotClient
import SlotServer
import SlotTesting

/// A real slotd in this process (SlotTesting's `TestServer`: all services, TCP on 127.0.0.1, durable
/// acknowledgements) and one client: the round trip of one `book`, and of 16 pipelined.
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

/// Starts a server on a free port in a temporary folder, runs `body`, then shuts the server down and deletes the
/// folder. The server reads the system clock, as `slotd` does.
func withServer(_ body: (Int) async throws -> Void) async throws {
    let folder = TestServer.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: folder) }
    try await TestServer.run(dataDirectory: folder, clock: SystemClock()) { server in try await body(server.port) }
}
